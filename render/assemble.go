package render

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/go-fonts/liberation/liberationsansbold"
	"github.com/go-fonts/liberation/liberationsansregular"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"

	"anefdossier/protocol"
)

// pdfConf is pdfcpu's configuration for our outputs: no object or xref
// streams, so that the dates and the file id pdfcpu takes from the wall clock
// can be replaced afterwards by the render's (see [deterministic]).
func pdfConf() *model.Configuration {
	conf := model.NewDefaultConfiguration()
	conf.WriteObjectStream = false
	conf.WriteXRefStream = false
	conf.ValidationMode = model.ValidationRelaxed
	conf.Optimize = false
	conf.OptimizeBeforeWriting = false
	conf.CreateBookmarks = false
	return conf
}

// readPDF reads and validates a PDF: what pdfcpu's api.ReadAndValidate does
// for our configuration. The api package is not imported: it pulls in
// pdfcpu's form filling and with it go-runewidth, whose init() costs every
// command of the binary about 40 ms at start-up.
func readPDF(rs io.ReadSeeker) (*model.Context, error) {
	ctx, err := pdfcpu.Read(rs, pdfConf())
	if err != nil {
		return nil, fmt.Errorf("read context: %w", err)
	}
	if err := validate.XRefTable(ctx); err != nil {
		return nil, fmt.Errorf("validation error (obj#:%d): %w", ctx.CurObj, err)
	}
	return ctx, nil
}

// pdfPages counts the pages of an imported PDF piece in the first pass
// and remembers them for the second, which reads the piece (checked against
// the journal) only when it copies it.
func (b *builder) pdfPages(p *protocol.Piece) (int, error) {
	if !b.dry {
		return b.pageCounts[p.Number], nil
	}
	f, err := b.in.open(p.Main().Path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	ctx, err := readPDF(f)
	if err != nil {
		return 0, fmt.Errorf("pièce n°%d : PDF illisible : %w", p.Ref(), err)
	}
	b.pageCounts[p.Number] = ctx.PageCount
	return ctx.PageCount, nil
}

// stamped reads an imported PDF and stamps every page with its piece number
// at the top right and, when first > 0, "Page X / Y" at the bottom. The
// stamps are drawn by fpdf in the embedded Liberation font, one stamp page
// per page of the piece and of the same size, laid over it by pdfcpu.
func stamped(data []byte, number, first, total int) (ctx *model.Context, err error) {
	defer catch(&err)
	ctx, err = readPDF(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	dims, err := ctx.PageDims()
	if err != nil {
		return nil, err
	}
	stamps, err := stampPages(dims, number, first, total)
	if err != nil {
		return nil, err
	}
	wm, err := pdfcpu.ParsePDFWatermarkDetails("", "pos:c, scale:1 abs, rot:0", true, types.POINTS)
	if err != nil {
		return nil, err
	}
	wm.PDF = bytes.NewReader(stamps)
	wm.PdfMultiStartPageNrSrc = 1
	wm.PdfMultiStartPageNrDest = 1
	if err := pdfcpu.AddWatermarks(ctx, nil, wm); err != nil {
		return nil, err
	}
	return ctx, nil
}

// stampPages draws the stamps: transparent pages of the given sizes with a
// framed "Pièce n°N" label and, when first > 0, the page number.
func stampPages(dims []types.Dim, number, first, total int) ([]byte, error) {
	f := fpdf.New("P", "pt", "A4", "")
	f.SetCreationDate(fixedStampDate)
	f.SetModificationDate(fixedStampDate)
	f.SetCatalogSort(true)
	f.SetAutoPageBreak(false, 0)
	f.AddUTF8FontFromBytes(sans, "", liberationsansregular.TTF)
	f.AddUTF8FontFromBytes(sans, "B", liberationsansbold.TTF)
	n := len(dims)
	for i, d := range dims {
		f.AddPageFormat("P", fpdf.SizeType{Wd: d.Width, Ht: d.Height})
		label := fmt.Sprintf("Pièce n°%d", number)
		if n > 1 {
			label += fmt.Sprintf(" — page %d / %d", i+1, n)
		}
		f.SetFont(sans, "B", 10)
		w := f.GetStringWidth(label) + 10
		f.SetFillColor(255, 255, 255)
		f.SetDrawColor(176, 0, 0)
		f.SetTextColor(176, 0, 0)
		f.SetLineWidth(1)
		f.SetXY(d.Width-w-14, 10)
		f.CellFormat(w, 16, label, "1", 0, "C", true, 0, "")
		if first > 0 {
			f.SetFont(sans, "", 8)
			f.SetTextColor(90, 90, 90)
			txt := fmt.Sprintf("Page %d / %d", first+i, total)
			w := f.GetStringWidth(txt) + 8
			f.SetXY((d.Width-w)/2, d.Height-24)
			f.CellFormat(w, 12, txt, "", 0, "C", true, 0, "")
		}
	}
	if err := f.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fixedStampDate keeps the stamp documents identical from run to run (their
// own dates do not reach the output).
var fixedStampDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// mergeSegment appends the pages of an fpdf segment to the output.
func (b *builder) mergeSegment(data []byte) (err error) {
	defer catch(&err)
	ctx, err := readPDF(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("assemblage du PDF : %w", err)
	}
	return b.out.addPages(ctx, 1, ctx.PageCount)
}

// catch turns a panic inside pdfcpu (it has a few on unusual input) into an
// error: a bad imported PDF must not crash the command.
func catch(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("erreur interne de pdfcpu : %v", r)
	}
}
