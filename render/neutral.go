package render

import "anefdossier/protocol"

// Every text drawn in a PDF goes through these methods, which shadow fpdf's:
// control and reordering characters from outside text (a page title, an
// e-mail subject, a received dossier.yaml) are shown as their code, never
// passed to the PDF (review 1, low 13).

// MultiCell draws neutralised text (see [protocol.Neutralize]).
func (d *doc) MultiCell(w, h float64, txt, border, align string, fill bool) {
	d.Fpdf.MultiCell(w, h, protocol.Neutralize(txt), border, align, fill)
}

// CellFormat draws neutralised text.
func (d *doc) CellFormat(w, h float64, txt, border string, ln int, align string, fill bool, link int, linkStr string) {
	d.Fpdf.CellFormat(w, h, protocol.Neutralize(txt), border, ln, align, fill, link, linkStr)
}

// SplitText splits neutralised text as MultiCell will draw it.
func (d *doc) SplitText(txt string, w float64) []string {
	return d.Fpdf.SplitText(protocol.Neutralize(txt), w)
}

// MaxTitle bounds a title shown in a render (inventory line, heading, file
// name part): page titles and e-mail subjects come from outside, and the
// journal keeps them whole.
const MaxTitle = 600

// maxHeader bounds an e-mail header shown in a render.
const maxHeader = 2000
