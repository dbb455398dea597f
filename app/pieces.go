package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // thumbnails of PNG pieces
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/image/draw"

	"anefdossier/internal/textenc"
	"anefdossier/protocol"
)

// PieceView is a piece as the Pièces page shows it.
type PieceView struct {
	protocol.Piece
	KindTitle  string
	Timestamps []protocol.TimestampRecord
	Viewable   string // "image", "pdf", "mail", "text", "" (download only)
	HasRecord  bool
}

// Pieces lists the pieces of a case with their timestamps.
func (w *Workspace) Pieces(rel string) ([]PieceView, *CaseView, error) {
	v, err := w.Case(rel)
	if err != nil {
		return nil, nil, err
	}
	var out []PieceView
	for _, p := range v.State.Pieces {
		out = append(out, w.pieceView(v.State, p))
	}
	return out, v, nil
}

func (w *Workspace) pieceView(st *protocol.State, p protocol.Piece) PieceView {
	pv := PieceView{Piece: p, HasRecord: len(p.Record) > 0}
	if k := protocol.KindByID(p.Kind); k != nil {
		pv.KindTitle = k.Title
	}
	for _, t := range st.Timestamps {
		if t.Piece == p.Number {
			pv.Timestamps = append(pv.Timestamps, t)
		}
	}
	pv.Viewable = viewKind(p.Main().Path)
	return pv
}

func viewKind(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".jpg", ".jpeg":
		return "image"
	case ".pdf":
		return "pdf"
	case ".eml":
		return "mail"
	case ".txt", ".json":
		return "text"
	}
	return ""
}

// Piece returns one piece.
func (w *Workspace) Piece(rel string, n int) (*PieceView, error) {
	v, err := w.Case(rel)
	if err != nil {
		return nil, err
	}
	p := v.State.Piece(n)
	if p == nil {
		return nil, fmt.Errorf("pièce n°%d : %w", n, os.ErrNotExist)
	}
	pv := w.pieceView(v.State, *p)
	return &pv, nil
}

// PieceFile opens a file of a piece (role "piece" for the main file) for
// reading; the path comes from the journal and is confined to the case's
// pieces folder.
func (w *Workspace) PieceFile(rel string, n int, role string) (*os.File, protocol.PieceFile, error) {
	pv, err := w.Piece(rel, n)
	if err != nil {
		return nil, protocol.PieceFile{}, err
	}
	var fr protocol.FileRole
	fr.UnmarshalText([]byte(role)) // old role names in links still work
	pf, ok := pv.File(fr)
	if !ok {
		return nil, pf, fmt.Errorf("fichier « %s » de la pièce n°%d : %w", role, n, os.ErrNotExist)
	}
	f, err := w.openInCase(rel, pf.Path)
	return f, pf, err
}

// openInCase opens a file of a case by its path relative to the case,
// refusing anything that leaves the case folder (.., symbolic links).
func (w *Workspace) openInCase(rel, path string) (*os.File, error) {
	dir, err := w.Resolve(rel)
	if err != nil {
		return nil, err
	}
	clean := filepath.Clean(filepath.FromSlash(path))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return nil, ErrOutside
	}
	full := filepath.Join(dir, clean)
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return nil, err
	}
	if !within(dir, real) {
		return nil, ErrOutside
	}
	st, err := os.Lstat(real)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, ErrOutside
	}
	return os.Open(real)
}

// Upload is one file sent to import as a piece.
type Upload struct {
	Name              string // the file's name on the user's machine
	Kind, Title, Date string
	Body              io.Reader
}

// ErrTooLarge is returned when an upload passes the size limit.
var ErrTooLarge = errors.New("envoi trop volumineux")

// ImportPieces imports uploaded files as pieces, all or none: each file is
// first streamed to a temporary file beside the case's pieces (maxBytes in
// all; 0 = no limit), checked like `piece add` checks a file, then every
// one is stored and inscribed under the case lock. On any error nothing is
// stored and the temporary files are removed. next returns io.EOF after the
// last file.
func (w *Workspace) ImportPieces(ctx context.Context, rel string, maxBytes int64, next func() (*Upload, error)) ([]protocol.Piece, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	type staged struct {
		up   Upload
		path string
		ext  string
	}
	var files []staged
	defer func() {
		for _, f := range files {
			os.Remove(f.path)
		}
	}()
	var total int64
	for {
		up, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		name := filepath.Base(strings.ReplaceAll(up.Name, "\\", "/"))
		ext := strings.ToLower(filepath.Ext(name))
		tmp, err := os.CreateTemp(cs.Dir, ".televersement-*"+ext)
		if err != nil {
			return nil, err
		}
		files = append(files, staged{up: *up, path: tmp.Name()})
		limit := io.Reader(up.Body)
		if maxBytes > 0 {
			limit = io.LimitReader(up.Body, maxBytes-total+1)
		}
		n, err := io.Copy(tmp, limit)
		total += n
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil && maxBytes > 0 && total > maxBytes {
			err = ErrTooLarge
		}
		if err != nil {
			return nil, err
		}
		got, err := protocol.CheckImport(tmp.Name())
		if err != nil {
			return nil, userErr(strings.ReplaceAll(err.Error(), tmp.Name(), "« "+name+" »"),
				"importez un fichier png, jpg, pdf, eml, txt ou mhtml intact")
		}
		files[len(files)-1].up.Name = name
		files[len(files)-1].ext = got
	}
	if len(files) == 0 {
		return nil, userErr("aucun fichier reçu", "choisissez un ou plusieurs fichiers, ou déposez-les dans la zone prévue")
	}
	var nps []protocol.NewPiece
	for _, f := range files {
		kind := strings.TrimSpace(f.up.Kind)
		if kind == "" {
			kind = protocol.GuessKind(f.up.Name)
		} else if protocol.KindByID(kind) == nil {
			return nil, userErr(fmt.Sprintf("type de pièce « %s » inconnu", kind), "types : "+protocol.KindIDs())
		}
		title := strings.TrimSpace(f.up.Title)
		if strings.ContainsAny(title, "\r\n\x00") {
			return nil, userErr("le titre contient un saut de ligne", "donnez le titre sur une seule ligne")
		}
		np := protocol.NewPiece{Kind: kind, Title: title, Provenance: protocol.ProvenanceImported, OriginalName: f.up.Name,
			Files: []protocol.NewFile{{Role: "piece", Ext: f.ext, Src: f.path}}}
		if d := strings.TrimSpace(f.up.Date); d != "" {
			t, hasTime, err := protocol.ParseDate(d)
			if err != nil {
				return nil, userErr(fmt.Sprintf("date de « %s » : %v", f.up.Name, err), "exemple : 10/03/2026")
			}
			np.Date, np.DateHasTime = t, hasTime
		}
		nps = append(nps, np)
	}
	tx, err := w.begin(ctx, cs)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	var out []protocol.Piece
	for _, np := range nps {
		p, _, err := tx.AddPiece(np)
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Mail is an .eml piece as text: its main headers and its text.
type Mail struct {
	Headers [][2]string
	Text    string
	// Attachments lists the names of attached files.
	Attachments []string
}

// ReadMail reads an .eml piece for display: headers decoded, the plain text
// part (or the HTML part reduced to text), attachments named. Nothing of
// the message is ever served as HTML.
func (w *Workspace) ReadMail(rel string, n int) (*Mail, error) {
	f, _, err := w.PieceFile(rel, n, "piece")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	msg, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(f, 20<<20)))
	if err != nil {
		return nil, userErr("courriel illisible : "+err.Error(), "téléchargez le fichier pour l'ouvrir dans une messagerie")
	}
	// Headers in any common charset, and raw 8-bit bytes of a Windows client
	// read as Windows-1252 (textenc.Header).
	m := &Mail{}
	for _, h := range []struct{ key, label string }{{"From", "De"}, {"To", "À"}, {"Cc", "Copie"}, {"Date", "Date"}, {"Subject", "Objet"}, {"Message-Id", "Identifiant"}} {
		if v := textenc.Header(msg.Header.Get(h.key)); v != "" {
			m.Headers = append(m.Headers, [2]string{h.label, v})
		}
	}
	text, atts := mailText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	m.Text, m.Attachments = text, atts
	return m, nil
}

func mailText(ctype, cte string, body io.Reader, depth int) (string, []string) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil || ctype == "" {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") && depth < 5 {
		mr := multipart.NewReader(body, params["boundary"])
		var text, html string
		var atts []string
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				break
			}
			if fn := p.FileName(); fn != "" {
				atts = append(atts, fn)
				continue
			}
			t, a := mailText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			atts = append(atts, a...)
			pmt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			switch {
			case pmt == "text/html" && html == "":
				html = t
			case text == "" && t != "":
				text = t
			}
		}
		if text == "" {
			text = html
		}
		return text, atts
	}
	b, _ := io.ReadAll(io.LimitReader(decodeCTE(cte, body), 5<<20))
	// The charset as mail clients read it (Outlook's "iso-8859-1" is
	// Windows-1252, so is an unlabelled 8-bit part); CRLF made "\n".
	s := textenc.Decode(b, params["charset"]).Text
	if mt == "text/html" {
		s = stripTags(s)
	}
	return strings.TrimSpace(s), nil
}

// stripTags reduces HTML to its text, for display as text only.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", "\"", "&#39;", "'").Replace(b.String())
}

// RecordRow is one line of a capture's evidence record.
type RecordRow struct{ Key, Value string }

// CaptureRecord flattens the evidence record of a capture piece into rows
// (nested objects as "tls / sujet").
func (w *Workspace) CaptureRecord(rel string, n int) ([]RecordRow, error) {
	pv, err := w.Piece(rel, n)
	if err != nil {
		return nil, err
	}
	raw := []byte(pv.Record)
	if len(raw) == 0 {
		// the evidence record may be a file of the piece
		if f, _, err := w.PieceFile(rel, n, string(protocol.RoleEvidence)); err == nil {
			raw, _ = io.ReadAll(io.LimitReader(f, 5<<20))
			f.Close()
		}
	}
	if len(raw) == 0 {
		return nil, nil
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	var rows []RecordRow
	flatten("", v, &rows)
	return rows, nil
}

func flatten(prefix string, v any, rows *[]RecordRow) {
	label := func(k string) string {
		k = strings.ReplaceAll(k, "_", " ")
		if prefix == "" {
			return k
		}
		return prefix + " / " + k
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			flatten(label(k), x[k], rows)
		}
	case []any:
		if len(x) == 0 {
			return
		}
		simple := true
		var parts []string
		for _, it := range x {
			switch it.(type) {
			case map[string]any, []any:
				simple = false
			}
			parts = append(parts, fmt.Sprint(it))
		}
		if simple {
			*rows = append(*rows, RecordRow{prefix, strings.Join(parts, ", ")})
			return
		}
		for i, it := range x {
			flatten(fmt.Sprintf("%s %d", prefix, i+1), it, rows)
		}
	case nil:
	case bool:
		val := "non"
		if x {
			val = "oui"
		}
		*rows = append(*rows, RecordRow{prefix, val})
	default:
		*rows = append(*rows, RecordRow{prefix, fmt.Sprint(x)})
	}
}

// Thumbnail returns a small JPEG of an image piece, made once and kept in
// the user's cache folder under the SHA-256 of the piece (never beside the
// pieces, which are never touched). ok is false for a piece that has no
// image.
func (w *Workspace) Thumbnail(rel string, n int) ([]byte, bool, error) {
	pv, err := w.Piece(rel, n)
	if err != nil {
		return nil, false, err
	}
	main := pv.Main()
	if viewKind(main.Path) != "image" {
		return nil, false, nil
	}
	cache := thumbDir()
	var cached string
	if cache != "" && len(main.SHA256) == 64 {
		cached = filepath.Join(cache, main.SHA256+".jpg")
		if b, err := os.ReadFile(cached); err == nil {
			return b, true, nil
		}
	}
	f, _, err := w.PieceFile(rel, n, "piece")
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil || cfg.Width*cfg.Height > 80e6 {
		return nil, false, nil
	}
	f.Seek(0, io.SeekStart)
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, false, nil
	}
	b := img.Bounds()
	const maxW, maxH = 320, 240
	scale := min(float64(maxW)/float64(b.Dx()), float64(maxH)/float64(b.Dy()), 1)
	dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(b.Dx())*scale)), max(1, int(float64(b.Dy())*scale))))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, false, err
	}
	if cached != "" {
		if os.MkdirAll(cache, 0o700) == nil {
			_ = protocol.ReplaceFile(cached, buf.Bytes())
		}
	}
	return buf.Bytes(), true, nil
}

// thumbDir is where thumbnails are kept: ANEF_DOSSIER_THUMBS, or the user's
// cache folder.
func thumbDir() string {
	if d := os.Getenv("ANEF_DOSSIER_THUMBS"); d != "" {
		if d == "off" {
			return ""
		}
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "anef-dossier", "miniatures")
}
