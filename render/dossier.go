package render

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // dimensions of JPEG pieces
	"image/png"
	"io"
	"path"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"anefdossier/internal/textenc"
	"anefdossier/protocol"
)

// mark is a section of an output: a table-of-contents line and a bookmark.
type mark struct {
	Title string
	Page  int // in the final document
	Level int
}

// builder lays out a document that may contain imported PDF pages: the
// pages fpdf draws are cut into segments (at each imported PDF, and whenever
// a segment holds [segmentLimit] bytes of images, so that memory stays
// bounded), and each segment or stamped PDF is copied into the output as it
// comes ([pdfOut]): one part in memory at a time. Page numbers are global.
type builder struct {
	in    *Input
	dry   bool // first pass: count pages, draw no image
	title string
	total int
	toc   []mark // pages from the previous pass

	cur      *doc
	offset   int // pages of finished segments and imports
	segments int // finished segments
	imports  int // imported PDFs
	segBytes int64
	// segLimit cuts a segment when its images exceed it (0: never).
	segLimit int64
	marks    []mark
	// merged: the output is assembled part by part into out (decided by
	// the first pass).
	merged bool
	out    *pdfOut
	err    error
	// override replaces the image of a piece (a band of a split screenshot).
	override []byte
	// pendingParent is a level-0 section opened by the next mark.
	pendingParent string
	// pageCounts of the imported PDFs, from the first pass.
	pageCounts map[int]int
}

// segmentLimit bounds the image bytes of one fpdf segment: fpdf keeps every
// image and the whole PDF in memory until it writes it, then pdfcpu reads it.
const segmentLimit = 8 << 20

func newBuilder(in *Input, title string, dry bool, total int, toc []mark) *builder {
	b := &builder{in: in, dry: dry, title: title, total: total, toc: toc, pageCounts: map[int]int{}}
	b.cur = b.newDoc()
	return b
}

func (b *builder) newDoc() *doc {
	d := newDoc(b.in.Now, b.title)
	d.total, d.offset = b.total, b.offset
	return d
}

// mark records a section starting on the current page (after a pending
// parent section, which starts on the same page).
func (b *builder) mark(title string, level int) {
	if b.pendingParent != "" {
		parent := b.pendingParent
		b.pendingParent = ""
		b.mark(parent, 0)
	}
	m := mark{Title: title, Page: b.cur.pageNo(), Level: level}
	b.marks = append(b.marks, m)
	if !b.dry && !b.merged {
		b.cur.SetFont(sans, "", 10)
		b.cur.Bookmark(title, level, -1)
	}
}

// cut closes the current segment (merging it when the output is merged) and
// starts a new one.
func (b *builder) cut() {
	pages := b.cur.PageNo()
	if !b.dry && b.err == nil {
		out, err := b.cur.output()
		b.cur = nil
		if err == nil {
			err = b.mergeSegment(out)
		}
		b.err = err
	}
	b.segments++
	b.offset += pages
	b.segBytes = 0
	b.cur = b.newDoc()
}

// insertPDF closes the current segment, then reads, stamps and copies an
// imported PDF.
func (b *builder) insertPDF(p *protocol.Piece, pages int) {
	b.cut()
	first := b.offset + 1
	if !b.dry && b.err == nil {
		data, err := b.in.readPiece(p)
		if err != nil {
			b.err = err
			return
		}
		ctx, err := stamped(data, p.Number, first, b.total)
		if err != nil {
			b.err = fmt.Errorf("pièce n°%d : tampon impossible : %w", p.Ref(), err)
		} else {
			b.err = b.out.addPages(ctx, 1, pages)
		}
	}
	b.imports++
	b.offset += pages
	b.cur.offset = b.offset
}

// pages is the number of pages laid out so far.
func (b *builder) pages() int { return b.offset + b.cur.PageNo() }

// finish writes the final PDF to w (the output's writer when merged).
func (b *builder) finish(w io.Writer) error {
	if b.err != nil {
		return b.err
	}
	if !b.merged {
		out, err := b.cur.output()
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
	if b.cur.PageNo() > 0 {
		b.cut()
		if b.err != nil {
			return b.err
		}
	}
	return b.out.finish(b.title, b.in.Now, b.marks)
}

// streamed says whether a PNG piece is copied into the output straight from
// its file (second pass of a dossier, a PNG that allows it).
func (b *builder) streamed(p *protocol.Piece) bool {
	if b.dry || b.out == nil || b.override != nil || pieceKind(p) != "png" {
		return false
	}
	_, ok := streamablePNG(b.in.path(p.Main().Path))
	return ok
}

// pieceKind tells how a piece is shown.
func pieceKind(p *protocol.Piece) string {
	switch strings.ToLower(path.Ext(p.Main().Path)) {
	case ".png":
		return "png"
	case ".jpg", ".jpeg":
		return "jpg"
	case ".pdf":
		return "pdf"
	case ".eml":
		return "eml"
	case ".txt":
		return "txt"
	}
	return "other"
}

// WriteDossier renders the whole dossier to w: cover with table of contents,
// the protocol's main letter, the inventory, every piece, the integrity
// annex.
func (in *Input) WriteDossier(w io.Writer) error {
	letter, err := in.mainLetter()
	if err != nil {
		return err
	}
	entries := in.Inventory()
	// Pass 1 counts pages (no image is read); pass 2 writes the totals and
	// the table of contents literally.
	b := newBuilder(in, "Dossier — "+in.facts().PersonName, true, 0, nil)
	b.segLimit = segmentLimit
	if err := b.dossier(letter, entries); err != nil {
		return err
	}
	total, toc, counts := b.pages(), b.marks, b.pageCounts
	b = newBuilder(in, "Dossier — "+in.facts().PersonName, false, total, toc)
	b.pageCounts = counts
	b.segLimit = segmentLimit
	b.merged = true
	if b.out, err = newPDFOut(w); err != nil {
		return err
	}
	if err := b.dossier(letter, entries); err != nil {
		return err
	}
	if b.err != nil {
		return b.err
	}
	if b.pages() != total {
		return fmt.Errorf("mise en page instable : %d pages puis %d", total, b.pages())
	}
	return b.finish(w)
}

// mainLetter is the protocol's first letter (a document whose template is not
// an e-mail), composed; nil when the protocol has none.
func (in *Input) mainLetter() (*Letter, error) {
	for _, doc := range in.State.Protocol.Documents {
		if strings.HasPrefix(doc.ID, "courriel") {
			continue
		}
		if in.SentLetter(doc.ID) != nil {
			// The letter as sent is a numbered piece of the dossier: never a
			// fresh render in its place.
			return nil, nil
		}
		l, err := in.Compose(doc.ID)
		if err == nil && l.Draft {
			l.Title += " — projet, non encore envoyé"
		}
		return l, err
	}
	return nil, nil
}

func (b *builder) dossier(letter *Letter, entries []Entry) error {
	in := b.in
	f := in.facts()
	d := b.cur
	d.AddPage()
	b.mark("Page de garde et sommaire", 0)
	d.SetFont(sans, "B", 20)
	d.Ln(10)
	d.MultiCell(bodyW, 10, "Dossier de pièces", "", "C", false)
	d.SetFont(sans, "", 12)
	d.MultiCell(bodyW, 6, in.State.Protocol.Title, "", "C", false)
	d.Ln(8)
	kv := func(k, v string) {
		if strings.TrimSpace(v) == "" {
			return
		}
		d.SetFont(sans, "B", 10.5)
		d.CellFormat(45, 5.5, k, "", 0, "L", false, 0, "")
		d.SetFont(sans, "", 10.5)
		d.MultiCell(bodyW-45, 5.5, nb(v), "", "L", false)
	}
	kv("Personne concernée", f.PersonName)
	kv("Demande", firstNonEmpty(in.Dossier.Procedure.Title)+joinNonEmpty(", motif « ", in.Dossier.Procedure.Ground, " »"))
	kv("Administration", in.Dossier.Prefecture.Name)
	switch {
	case f.Lawyer:
		kv("Conseil", "Maître "+f.Signer+", "+strings.ToLower(f.SignerTitle[:1])+f.SignerTitle[1:])
	case f.Association:
		kv("Association", in.Dossier.Actor.Organisation+" ("+in.Dossier.Actor.Name+")")
	}
	kv("Établi le", f.Today)
	kv("Pièces", fmt.Sprint(len(entries)))
	kv("Journal", fmt.Sprintf("%d événements ; empreinte SHA-256 de la dernière ligne :", in.State.Events))
	d.SetX(marginL + 45)
	d.SetFont(mono, "", 8.5)
	d.CellFormat(bodyW-45, 5, in.State.LastHash, "", 1, "L", false, 0, "")
	d.Ln(8)
	d.SetFont(sans, "B", 13)
	d.CellFormat(bodyW, 7, "Sommaire", "", 1, "L", false, 0, "")
	d.Ln(1)
	// The table of contents lists the marks of the previous pass (the first
	// pass lists as many placeholder lines, so that both lay out the same).
	toc := b.toc
	if b.dry {
		toc = b.plannedMarks(letter, entries)
	}
	for _, m := range toc[1:] {
		d.SetFont(sans, map[int]string{0: "B", 1: ""}[m.Level], 9.5)
		indent := float64(m.Level) * 5
		pg := fmt.Sprint(m.Page)
		if b.dry {
			pg = "000"
		}
		title := fitText(d, m.Title, bodyW-indent-14)
		d.SetX(marginL + indent)
		d.CellFormat(bodyW-indent-12, 5, title, "", 0, "L", false, 0, "")
		d.CellFormat(12, 5, pg, "", 1, "R", false, 0, "")
	}
	if letter != nil {
		d.header = ""
		d.AddPage()
		b.mark(letter.Title, 0)
		d.drawLetter(letter)
	}
	d.header = ""
	d.AddPage()
	b.mark("Inventaire des pièces", 0)
	d.drawInventory(in, entries, ForJudge)
	for i, e := range entries {
		if i == 0 {
			b.pendingParent = "Pièces"
		}
		p := in.State.Piece(e.Number)
		if err := b.piece(p, e); err != nil {
			return err
		}
	}
	d = b.cur
	d.header = ""
	d.AddPage()
	b.mark("Annexe d'intégrité", 0)
	return b.integrity(entries)
}

// plannedMarks lists the sections the dossier will have, for the first pass.
func (b *builder) plannedMarks(letter *Letter, entries []Entry) []mark {
	ms := []mark{{Title: "Page de garde et sommaire"}}
	if letter != nil {
		ms = append(ms, mark{Title: letter.Title})
	}
	ms = append(ms, mark{Title: "Inventaire des pièces"})
	if len(entries) > 0 {
		ms = append(ms, mark{Title: "Pièces"})
	}
	for _, e := range entries {
		ms = append(ms, mark{Title: pieceHeading(e), Level: 1})
	}
	return append(ms, mark{Title: "Annexe d'intégrité"})
}

func pieceHeading(e Entry) string { return fmt.Sprintf("Pièce n°%d — %s", e.Number, e.Title) }

// piece draws one piece under its heading.
func (b *builder) piece(p *protocol.Piece, e Entry) error {
	if k := pieceKind(p); (k == "png" || k == "jpg") && !b.streamed(p) {
		size := p.Main().Size
		if b.segLimit > 0 && b.segBytes > 0 && b.segBytes+size > b.segLimit {
			b.cut()
		}
		b.segBytes += size
	}
	d := b.cur
	d.header = ""
	d.AddPage()
	b.mark(pieceHeading(e), 1)
	d.pieceHeader(p, e)
	d.header = fmt.Sprintf("Pièce n°%d (suite) — %s", e.Number, e.Title)
	switch pieceKind(p) {
	case "png", "jpg":
		return b.image(p)
	case "pdf":
		pages, err := b.pdfPages(p)
		if err != nil {
			return err
		}
		d.SetFont(sans, "", 10.5)
		d.MultiCell(bodyW, 5.5, nb(fmt.Sprintf("Document PDF importé de %s, reproduit tel quel %s ; chaque page porte le tampon « Pièce n°%d ».",
			protocol.Count(pages, "page", "pages"), pageRange(b.pages()+1, b.pages()+pages), p.Number)), "", "L", false)
		b.insertPDF(p, pages)
		return nil
	case "eml":
		return b.mail(p)
	case "txt":
		data, err := b.read(p)
		if err != nil {
			return err
		}
		// Notepad on Windows writes CRLF and Windows-1252 or UTF-16: shown
		// converted, with a line saying so (the piece keeps its bytes).
		t := textenc.Detect(data)
		if note := t.Note(); note != "" {
			d.SetFont(sans, "I", 8.5)
			d.MultiCell(bodyW, 4.5, nb(note), "", "L", false)
			d.Ln(2)
		}
		d.SetFont(mono, "", 8.5)
		d.MultiCell(bodyW, 4, t.Text, "", "L", false)
		return nil
	}
	d.SetFont(sans, "", 10.5)
	d.MultiCell(bodyW, 5.5, nb(fmt.Sprintf("Ce fichier (%s) ne peut pas être reproduit dans le PDF. Il est conservé dans le dossier sous %s ; son empreinte figure dans l'annexe d'intégrité.",
		strings.TrimPrefix(path.Ext(p.Main().Path), "."), p.Main().Path)), "", "L", false)
	return nil
}

func pageRange(a, b int) string {
	if a == b {
		return fmt.Sprintf("à la page %d", a)
	}
	return fmt.Sprintf("aux pages %d à %d", a, b)
}

// pieceHeader draws "Pièce n°N — title" and the file line.
func (d *doc) pieceHeader(p *protocol.Piece, e Entry) {
	d.SetFillColor(235, 238, 245)
	d.SetFont(sans, "B", 12)
	d.MultiCell(bodyW, 6, nb(pieceHeading(e)), "", "L", true)
	d.SetFont(sans, "", 7.5)
	d.SetTextColor(70, 70, 70)
	m := p.Main()
	d.MultiCell(bodyW, 3.6, fmt.Sprintf("Fichier %s (%s) — SHA-256 %s — provenance : %s", m.Path, protocol.HumanSize(m.Size), m.SHA256, p.Provenance.Label()), "", "L", false)
	d.SetTextColor(0, 0, 0)
	d.Ln(2)
}

func (b *builder) read(p *protocol.Piece) ([]byte, error) {
	if b.dry {
		return b.in.readRaw(p.Main().Path)
	}
	return b.in.readPiece(p)
}

// mmPerPx caps the enlargement of small images (96 dpi).
const mmPerPx = 25.4 / 96

// overlap is repeated at the top of each continuation page of a tall image
// so that no line of text is lost in the cut.
const overlap = 4.0

// image draws a screenshot fitted to the page width, continued over as many
// pages as needed: the same image object is placed on each page, shifted up
// and clipped to the page body. Nothing is scaled down below the page width
// and nothing is re-encoded.
func (b *builder) image(p *protocol.Piece) error {
	d := b.cur
	name := fmt.Sprintf("piece-%d", p.Number)
	var wpx, hpx int
	typ := "PNG"
	if pieceKind(p) == "jpg" {
		typ = "JPG"
	}
	if b.override != nil {
		typ = "PNG"
	}
	if b.streamed(p) {
		// Laid out around a placeholder; the file's data is copied into
		// the output when the segment is (see pngstream.go).
		h, _ := streamablePNG(b.in.path(p.Main().Path))
		wpx, hpx = h.width, h.height
		file, data := placeholderPNG(p.Number)
		info := d.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(file))
		if info == nil || d.Err() {
			return fmt.Errorf("pièce n°%d : image non intégrable : %v", p.Ref(), d.Error())
		}
		b.out.pngs[data] = pngSource{number: p.Ref(), file: p.Main(), path: b.in.path(p.Main().Path), header: h}
	} else if b.dry && b.override == nil {
		fh, err := b.in.open(p.Main().Path)
		if err != nil {
			return fmt.Errorf("pièce n°%d : %w", p.Ref(), err)
		}
		cfg, _, err := image.DecodeConfig(bufio.NewReader(fh))
		fh.Close()
		if err != nil {
			return fmt.Errorf("pièce n°%d : image illisible : %w", p.Ref(), err)
		}
		wpx, hpx = cfg.Width, cfg.Height
	} else {
		data := b.override
		var err error
		if data == nil {
			if data, err = b.in.readPiece(p); err != nil {
				return err
			}
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("pièce n°%d : image illisible : %w", p.Ref(), err)
		}
		wpx, hpx = cfg.Width, cfg.Height
		if typ == "PNG" && pngInterlaced(data) {
			// fpdf refuses interlaced PNGs: the only case where the image
			// is re-encoded (losslessly); the original stays in pieces/.
			if data, err = reencodePNG(data); err != nil {
				return fmt.Errorf("pièce n°%d : %w", p.Ref(), err)
			}
		}
		if !b.dry {
			info := d.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: typ}, bytes.NewReader(data))
			if info == nil || d.Err() {
				return fmt.Errorf("pièce n°%d : image non intégrable : %v", p.Ref(), d.Error())
			}
		}
	}
	if wpx <= 0 || hpx <= 0 {
		return fmt.Errorf("pièce n°%d : image vide", p.Ref())
	}
	scale := bodyW / float64(wpx)
	if scale > mmPerPx {
		scale = mmPerPx
	}
	w, h := float64(wpx)*scale, float64(hpx)*scale
	x := marginL + (bodyW-w)/2
	y := d.GetY()
	if bodyBottom-2-y < 40 {
		d.AddPage()
		y = d.GetY()
	}
	offset := 0.0
	for {
		avail := bodyBottom - 2 - y
		band := h - offset
		if band > avail {
			band = avail
		}
		if !b.dry {
			d.ClipRect(x, y, w, band, false)
			d.ImageOptions(name, x, y-offset, w, h, false, fpdf.ImageOptions{ImageType: typ}, 0, "")
			d.ClipEnd()
			d.SetDrawColor(160, 160, 160)
			d.Rect(x, y, w, band, "D")
			d.SetDrawColor(0, 0, 0)
		}
		offset += band
		if offset >= h-0.01 {
			d.SetY(y + band + 2)
			return nil
		}
		offset -= overlap
		d.AddPage()
		y = d.GetY()
	}
}

func pngInterlaced(data []byte) bool {
	// IHDR: 8-byte signature, 4 length, 4 type, then 13 bytes; interlace is the last.
	return len(data) > 28 && string(data[12:16]) == "IHDR" && data[28] == 1
}

func reencodePNG(data []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("PNG illisible : %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mail draws an imported e-mail: decoded headers, body text, attachments.
func (b *builder) mail(p *protocol.Piece) error {
	d := b.cur
	data, err := b.read(p)
	if err != nil {
		return err
	}
	m, err := parseMail(data)
	if err != nil {
		return fmt.Errorf("pièce n°%d : %w", p.Ref(), err)
	}
	for _, h := range [][2]string{{"De", m.From}, {"À", m.To}, {"Cc", m.Cc}, {"Date", m.Date}, {"Objet", m.Subject}} {
		if h[1] != "" {
			d.kv(h[0], h[1])
		}
	}
	if len(m.Attachments) > 0 {
		d.kv("P. j.", strings.Join(m.Attachments, " ; "))
	}
	d.Ln(2)
	d.SetDrawColor(160, 160, 160)
	d.Line(marginL, d.GetY(), marginL+bodyW, d.GetY())
	d.SetDrawColor(0, 0, 0)
	d.Ln(3)
	d.SetFont(sans, "", 10)
	body := m.Body
	if strings.TrimSpace(body) == "" {
		body = "(courriel sans texte lisible)"
	}
	d.MultiCell(bodyW, 4.8, body, "", "L", false)
	return nil
}

// integrity draws the integrity annex.
func (b *builder) integrity(entries []Entry) error {
	in := b.in
	d := b.cur
	d.SetFont(sans, "B", 15)
	d.CellFormat(bodyW, 8, "Annexe d'intégrité", "", 1, "C", false, 0, "")
	d.SetFont(sans, "", 9.5)
	d.MultiCell(bodyW, 4.6, nb("Pour chaque pièce : l'empreinte SHA-256 de chaque fichier, telle qu'inscrite au journal et recalculée lors de la production de ce dossier, "+
		"puis, pour les captures, l'heure de la prise, l'adresse du serveur et l'émetteur de son certificat, et l'état de l'horodatage. "+
		"Le journal est chaîné : chaque ligne contient l'empreinte de la précédente ; « anef-dossier verify » refait ces contrôles."), "", "J", false)
	d.Ln(3)
	for _, e := range entries {
		p := in.State.Piece(e.Number)
		if d.GetY() > bodyBottom-40 {
			d.AddPage()
		}
		d.SetFont(sans, "B", 9.5)
		d.MultiCell(bodyW, 4.8, nb(fmt.Sprintf("Pièce n°%d — %s", e.Number, e.Title)), "", "L", false)
		for _, f := range p.Files {
			if !b.dry {
				sum, _, err := protocol.HashFile(in.path(f.Path))
				if err != nil {
					return fmt.Errorf("pièce n°%d : %w", p.Ref(), err)
				}
				if sum != f.SHA256 {
					return fmt.Errorf("pièce n°%d (%s) : %w ; lancez anef-dossier verify", p.Ref(), f.Path, ErrTampered)
				}
			}
			d.SetFont(sans, "", 8)
			d.SetX(marginL + 4)
			d.CellFormat(60, 3.8, fmt.Sprintf("%s (%s, %s)", f.Path, roleLabel(f.Role), protocol.HumanSize(f.Size)), "", 1, "L", false, 0, "")
			d.SetFont(mono, "", 7.5)
			d.SetX(marginL + 4)
			d.CellFormat(bodyW-4, 3.8, "SHA-256 "+f.SHA256, "", 1, "L", false, 0, "")
		}
		var facts []string
		if isCapture(p) {
			if r := in.captureRecord(p); r != nil {
				facts = append(facts, "prise le "+protocol.FrDateTime(r.Shot)+" (heure de Paris ; horloge : "+firstNonEmpty(r.ClockSource, "non précisée")+")")
				if r.ServerIP != "" {
					srv := r.ServerIP
					if r.ServerPort > 0 {
						srv = fmt.Sprintf("%s, port %d", r.ServerIP, r.ServerPort)
					}
					facts = append(facts, "serveur "+srv)
				}
				if r.TLS != nil && r.TLS.Issuer != "" {
					facts = append(facts, "certificat émis par "+r.TLS.Issuer)
				} else if r.Insecure {
					facts = append(facts, "certificat non vérifié")
				}
				if r.Browser.Name != "" {
					facts = append(facts, "navigateur "+strings.TrimSpace(r.Browser.Name+" "+r.Browser.Version))
				}
				for _, u := range r.Unrecorded {
					facts = append(facts, "non enregistré : "+u)
				}
			} else {
				facts = append(facts, "fiche de preuve de la capture absente ou illisible")
			}
		} else {
			facts = append(facts, "pièce importée"+joinNonEmpty(" (fichier d'origine « ", p.OriginalName, " »)")+", ajoutée au journal le "+protocol.FrDateTime(p.AddedAt))
		}
		if note := b.pngNote(p); note != "" {
			facts = append(facts, note)
		}
		facts = append(facts, timestampStatus(in.State, p.Number))
		d.SetFont(sans, "", 8.5)
		d.SetX(marginL + 4)
		d.MultiCell(bodyW-4, 4.2, nb(strings.Join(facts, " ; ")), "", "L", false)
		d.Ln(2)
	}
	d.Ln(2)
	d.SetFont(sans, "B", 9.5)
	d.MultiCell(bodyW, 4.8, fmt.Sprintf("Journal : %d événements. Empreinte SHA-256 de sa dernière ligne :", in.State.Events), "", "L", false)
	d.SetFont(mono, "", 9)
	d.MultiCell(bodyW, 4.8, in.State.LastHash, "", "L", false)
	d.SetFont(sans, "", 8.5)
	d.MultiCell(bodyW, 4.2, nb("Dossier produit le "+protocol.FrDateTime(in.Now)+" par "+protocol.ToolVersion+"."), "", "L", false)
	return nil
}

// pngNote says when a PNG piece could not be embedded as it is: fpdf
// recompresses (losslessly) a PNG with transparency, and the dossier
// re-encodes an interlaced one. The original stays in pieces/.
func (b *builder) pngNote(p *protocol.Piece) string {
	if pieceKind(p) != "png" {
		return ""
	}
	f, err := b.in.open(p.Main().Path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 29)
	if _, err := io.ReadFull(f, head); err != nil || string(head[12:16]) != "IHDR" {
		return ""
	}
	switch {
	case head[28] == 1:
		return "image PNG entrelacée : réencodée sans perte pour le PDF (l'original est conservé dans pieces/)"
	case head[25] == 4 || head[25] == 6:
		return "image PNG avec transparence : recompressée sans perte pour le PDF (l'original est conservé dans pieces/)"
	}
	return ""
}

func roleLabel(role protocol.FileRole) string {
	switch role {
	case protocol.RolePiece:
		return "pièce"
	case protocol.RoleRaw:
		return "capture sans bandeau"
	case protocol.RoleEvidence:
		return "fiche de preuve"
	case protocol.RoleMHTML:
		return "archive MHTML de la page"
	case protocol.RoleWARC:
		return "archive web WARC (requêtes et réponses reçues)"
	}
	return string(role)
}

func timestampStatus(s *protocol.State, n int) string {
	var parts []string
	for _, t := range s.Timestamps {
		if t.Piece == n {
			parts = append(parts, fmt.Sprintf("horodatage RFC 3161 de %s le %s par %s (%s)", path.Base(t.File), protocol.FrDateTime(t.GenTime), t.Authority, t.Status.Label()))
		}
	}
	if len(parts) == 0 {
		return "horodatage : aucun jeton RFC 3161"
	}
	return strings.Join(parts, " ; ")
}

func joinNonEmpty(pre, v, post string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	return pre + v + post
}

// fitText shortens s with an ellipsis to fit width w in the current font.
// The cut is found by bisection over the runes: O(n log n), where dropping
// one rune at a time took minutes on a 1 MB page title (review 1, M2).
func fitText(d *doc, s string, w float64) string {
	if d.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r) // r[:lo]+"…" fits; r[:hi]+"…" does not, or hi = len
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.GetStringWidth(string(r[:mid])+"…") <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(r[:lo]) + "…"
}

// nb puts non-breaking spaces where French typography wants them.
var nbReplacer = strings.NewReplacer("« ", "«\u00a0", " »", "\u00a0»", " :", "\u00a0:", " ;", "\u00a0;", "n° ", "n°\u00a0")

func nb(s string) string { return nbReplacer.Replace(s) }

var _ = time.Now
