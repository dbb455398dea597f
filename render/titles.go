package render

import (
	"net/url"
	"path"
	"strconv"
	"strings"

	"anefdossier/protocol"
)

// Entry is one line of the inventaire des pièces.
type Entry struct {
	Number int
	Title  string
	// Short describes the piece in a few words, for file names.
	Short string
	// Note says how the piece was adapted for an output (split, downscaled).
	Note string
	// Date is the piece's date, "10/03/2026".
	Date string
}

// Inventory returns the inventory lines: pieces numbered continuously (art.
// R.412-2 CJA), each titled by what it shows.
func (in *Input) Inventory() []Entry {
	out := make([]Entry, 0, len(in.State.Pieces))
	for i := range in.State.Pieces {
		p := &in.State.Pieces[i]
		out = append(out, Entry{Number: p.Number, Title: in.PieceTitle(p), Short: in.shortTitle(p), Date: protocol.FrDate(p.Date)})
	}
	return out
}

// pieceDate is when the piece was made: the capture time from its evidence
// record, else the date recorded with the piece.
func (in *Input) pieceDate(p *protocol.Piece) string {
	if isCapture(p) {
		if r := in.captureRecord(p); r != nil && !r.Shot.IsZero() {
			return protocol.FrDateTime(r.Shot)
		}
	}
	if p.DateHasTime {
		return protocol.FrDateTime(p.Date)
	}
	return protocol.FrDate(p.Date)
}

// PieceTitle is the inventory title of a piece: the title given when it was
// added, or one generated from its kind, its record and the steps citing it.
func (in *Input) PieceTitle(p *protocol.Piece) string {
	return protocol.Clip(in.pieceTitle(p), MaxTitle)
}

func (in *Input) pieceTitle(p *protocol.Piece) string {
	if t := strings.TrimSpace(p.Title); t != "" {
		return t
	}
	kind := "Pièce"
	if k := protocol.KindByID(p.Kind); k != nil {
		kind = k.Title
	}
	date := in.pieceDate(p)
	var t string
	switch {
	case isCapture(p) || p.Kind == "capture":
		t = in.captureTitle(p, date)
	case strings.HasSuffix(strings.ToLower(p.Main().Path), ".eml"):
		t = kind
		if m, err := in.readMail(p); err == nil {
			if kind == "Courriel" {
				t = "Courriel"
			}
			if m.Subject != "" {
				t += " « " + m.Subject + " »"
			}
			if m.Date != "" {
				date = m.Date
			}
			t += " du " + date
			if m.From != "" {
				t += ", " + de(m.From)
			}
			if m.To != "" {
				t += " à " + m.To
			}
		} else {
			t += " du " + date
		}
	default:
		t = kind + " du " + date
		if p.OriginalName != "" && (p.Kind == "document" || p.Kind == "autre" || p.Kind == "image") {
			t = kind + " « " + p.OriginalName + " » du " + date
		}
	}
	if s := in.citedBy(p.Number); s != "" {
		t += " — " + s
	}
	return t
}

// shortTitle names a piece for a file: a capture by its date and site,
// another piece by its own or generated title without the steps citing it.
func (in *Input) shortTitle(p *protocol.Piece) string {
	if t := strings.TrimSpace(p.Title); t != "" {
		return protocol.Clip(t, MaxTitle)
	}
	if isCapture(p) || p.Kind == "capture" {
		t := "Capture d'écran du " + in.pieceDate(p)
		if s := captureSummary(p); s != nil {
			if u, err := url.Parse(firstNonEmpty(s.FinalURL, s.URL)); err == nil && u.Host != "" {
				t += " " + u.Host
			}
		}
		return t
	}
	full := in.PieceTitle(p)
	if c := in.citedBy(p.Number); c != "" {
		full = strings.TrimSuffix(full, " — "+c)
	}
	return full
}

func (in *Input) captureTitle(p *protocol.Piece, date string) string {
	s := captureSummary(p)
	r := in.captureRecord(p)
	var u, title, expect string
	status := 0
	var found *bool
	if s != nil {
		u, title, status, expect, found = s.FinalURL, s.PageTitle, s.Status, s.ExpectText, s.ExpectFound
		if u == "" {
			u = s.URL
		}
	}
	if r != nil {
		if u == "" {
			u = r.FinalURL
		}
		if u == "" {
			u = r.URLRequested
		}
		if title == "" {
			title = r.PageTitle
		}
		if status == 0 {
			status = r.Status
		}
		if expect == "" {
			expect, found = r.ExpectText, r.ExpectFound
		}
	}
	t := "Capture d'écran de la page"
	if title != "" {
		t += " « " + title + " »"
	}
	if host := siteOf(u); host != "" {
		t += " du site " + host
	}
	t += ", prise le " + date
	switch {
	case expect != "" && found != nil && *found:
		t += ", constatant l'affichage du message « " + expect + " »"
	case status >= 400:
		t += ", constatant une erreur du serveur (statut HTTP " + itoa(status) + ")"
	case expect != "" && found != nil && !*found:
		t += " (le texte « " + expect + " » n'y figure pas)"
	}
	return t
}

// siteOf returns the host and path of a URL, shortened for a title.
func siteOf(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	p := path.Clean("/" + u.Path)
	if p == "/" {
		return u.Host
	}
	if len(p) > 60 {
		p = p[:57] + "..."
	}
	return u.Host + p
}

// citedBy says which recorded step and channel a piece proves.
func (in *Input) citedBy(n int) string {
	var parts []string
	for _, st := range in.State.Steps {
		for _, r := range st.Records {
			for _, pn := range r.Pieces {
				if pn != n {
					continue
				}
				label := st.Step.Title
				if ch := st.Step.Channel(r.Channel); ch != nil {
					label = ch.Title
				}
				if r.Ref != "" {
					label += ", réf. " + r.Ref
				}
				parts = append(parts, label)
			}
		}
	}
	return strings.Join(parts, " ; ")
}

func itoa(n int) string { return strconv.Itoa(n) }
