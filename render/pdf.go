package render

import (
	"bytes"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/go-fonts/liberation/liberationmonoregular"
	"github.com/go-fonts/liberation/liberationsansbold"
	"github.com/go-fonts/liberation/liberationsansitalic"
	"github.com/go-fonts/liberation/liberationsansregular"
)

// Page geometry, in millimetres (A4 portrait).
const (
	pageW      = 210.0
	pageH      = 297.0
	marginL    = 20.0
	marginR    = 20.0
	marginT    = 18.0
	footerH    = 14.0
	bodyW      = pageW - marginL - marginR
	bodyBottom = pageH - footerH
)

// Font families: one sans family for everything, a mono one for hashes.
const (
	sans = "sans"
	mono = "mono"
)

// doc wraps an fpdf document with what every output shares: embedded
// Liberation fonts, fixed dates, "Page X / Y" footers written literally and an
// optional running header.
type doc struct {
	*fpdf.Fpdf
	total    int // pages in the final document (from a first pass); 0 = unknown
	offset   int // pages that come before this document (merged outputs)
	noFooter bool
	header   string // running header of the current section, "" for none
	// mark is a discreet footer note (a draft letter), "" for none.
	mark string
}

func newDoc(now time.Time, title string) *doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCreationDate(now)
	f.SetModificationDate(now)
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.SetCreator("anef-dossier", true)
	f.SetProducer("anef-dossier (fpdf)", true)
	f.SetTitle(title, true)
	f.SetMargins(marginL, marginT, marginR)
	f.SetAutoPageBreak(true, footerH+4)
	f.AddUTF8FontFromBytes(sans, "", liberationsansregular.TTF)
	f.AddUTF8FontFromBytes(sans, "B", liberationsansbold.TTF)
	f.AddUTF8FontFromBytes(sans, "I", liberationsansitalic.TTF)
	f.AddUTF8FontFromBytes(mono, "", liberationmonoregular.TTF)
	d := &doc{Fpdf: f}
	f.SetHeaderFuncMode(d.drawHeader, false)
	f.SetFooterFunc(d.drawFooter)
	return d
}

// pageNo is the number of the current page in the final document.
func (d *doc) pageNo() int { return d.offset + d.PageNo() }

func (d *doc) drawHeader() {
	if d.header == "" {
		return
	}
	d.SetFont(sans, "", 8)
	d.SetTextColor(90, 90, 90)
	d.SetXY(marginL, 8)
	d.CellFormat(bodyW, 4, fitText(d, d.header, bodyW), "", 0, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.SetXY(marginL, marginT)
}

func (d *doc) drawFooter() {
	if d.noFooter {
		return
	}
	d.SetFont(sans, "", 8)
	d.SetTextColor(90, 90, 90)
	d.SetXY(marginL, pageH-10)
	txt := fmt.Sprintf("Page %d", d.pageNo())
	if d.total > 0 {
		txt = fmt.Sprintf("Page %d / %d", d.pageNo(), d.total)
	}
	if d.mark != "" {
		d.CellFormat(bodyW, 4, d.mark, "", 0, "R", false, 0, "")
		d.SetX(marginL)
	}
	d.CellFormat(bodyW, 4, txt, "", 0, "C", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

// lines writes lines left-aligned at x with width w.
func (d *doc) linesAt(x, w float64, size float64, style string, lines []string) {
	d.SetFont(sans, style, size)
	for _, l := range lines {
		d.SetX(x)
		d.MultiCell(w, size*0.48, l, "", "L", false)
	}
}

// output returns the PDF bytes or fpdf's stored error.
func (d *doc) output() ([]byte, error) {
	if err := d.Error(); err != nil {
		return nil, fmt.Errorf("mise en page du PDF : %w", err)
	}
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("écriture du PDF : %w", err)
	}
	return buf.Bytes(), nil
}
