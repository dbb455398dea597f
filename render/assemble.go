package render

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

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

// pdfPiece reads an imported PDF piece (checked against the journal, except
// in the counting pass) and counts its pages.
func (b *builder) pdfPiece(p *protocol.Piece) ([]byte, int, error) {
	var data []byte
	var err error
	if b.dry {
		data, err = os.ReadFile(b.in.path(p.Main().Path))
	} else {
		data, err = b.in.readPiece(p)
	}
	if err != nil {
		return nil, 0, err
	}
	n, err := api.PageCount(bytes.NewReader(data), pdfConf())
	if err != nil {
		return nil, 0, fmt.Errorf("pièce n°%d : PDF illisible : %w", p.Number, err)
	}
	return data, n, nil
}

// stamped reads an imported PDF and stamps every page with its piece number
// at the top right and, when first > 0, "Page X / Y" at the bottom.
func stamped(data []byte, number, first, total int) (ctx *model.Context, err error) {
	defer catch(&err)
	ctx, err = api.ReadAndValidate(bytes.NewReader(data), pdfConf())
	if err != nil {
		return nil, err
	}
	n := ctx.PageCount
	m := map[int][]*model.Watermark{}
	for i := 1; i <= n; i++ {
		label := fmt.Sprintf("Pièce n°%d", number)
		if n > 1 {
			label += fmt.Sprintf(" — page %d / %d", i, n)
		}
		top, err := api.TextWatermark(label, "font:Helvetica-Bold, points:10, position:tr, offset:-14 -10, scale:1 abs, rot:0, fillcolor:#B00000, backgroundcolor:#FFFFFF, margins:2, border:1 round #B00000", true, false, types.POINTS)
		if err != nil {
			return nil, err
		}
		m[i] = append(m[i], top)
		if first > 0 {
			foot, err := api.TextWatermark(fmt.Sprintf("Page %d / %d", first+i-1, total), "font:Helvetica, points:8, position:bc, offset:0 14, scale:1 abs, rot:0, fillcolor:#5A5A5A, backgroundcolor:#FFFFFF, margins:1", true, false, types.POINTS)
			if err != nil {
				return nil, err
			}
			m[i] = append(m[i], foot)
		}
	}
	if err := pdfcpu.AddWatermarksSliceMap(ctx, m); err != nil {
		return nil, err
	}
	return ctx, nil
}

// mergeSegment adds an fpdf segment to the merged document.
func (b *builder) mergeSegment(data []byte, name string) (err error) {
	defer catch(&err)
	conf := pdfConf()
	conf.Cmd = model.MERGECREATE
	ctx, err := api.ReadAndValidate(bytes.NewReader(data), conf)
	if err != nil {
		return fmt.Errorf("assemblage du PDF : %w", err)
	}
	return b.mergeCtx(ctx, name)
}

// mergeCtx appends a document to the merged one (or starts it).
func (b *builder) mergeCtx(ctx *model.Context, name string) (err error) {
	defer catch(&err)
	if b.dest == nil {
		b.dest = ctx
		b.dest.EnsureVersionForWriting()
		return nil
	}
	if err := pdfcpu.MergeXRefTables(name, ctx, b.dest, false, false); err != nil {
		return fmt.Errorf("assemblage du PDF (%s) : %w", name, err)
	}
	return nil
}

// writeMerged sets the outline (one bookmark per section and per piece),
// writes the merged document to a private temporary file under out/, then
// rewrites it into w deterministically (see [renumberTo]).
func (b *builder) writeMerged(w io.Writer) (err error) {
	defer catch(&err)
	if bms := outline(b.marks); len(bms) > 0 {
		if err := pdfcpu.AddBookmarks(b.dest, bms, true); err != nil {
			return fmt.Errorf("signets du PDF : %w", err)
		}
	}
	dir := b.in.OutPath("")
	if err := mkdirPrivate(dir); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-assemblage-*.pdf")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := api.WriteContext(b.dest, f); err != nil {
		return fmt.Errorf("écriture du PDF : %w", err)
	}
	b.dest = nil
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return renumberTo(w, f, st.Size(), b.in.Now)
}

// writeContext writes a pdfcpu context deterministically, in memory.
func writeContext(ctx *model.Context, in *Input) ([]byte, error) {
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		return nil, fmt.Errorf("écriture du PDF : %w", err)
	}
	return renumber(buf.Bytes(), in.Now)
}

// outline turns the marks into a two-level bookmark tree.
func outline(ms []mark) []pdfcpu.Bookmark {
	var out []pdfcpu.Bookmark
	for _, m := range ms {
		bm := pdfcpu.Bookmark{Title: m.Title, PageFrom: m.Page}
		if m.Level > 0 && len(out) > 0 {
			out[len(out)-1].Kids = append(out[len(out)-1].Kids, bm)
			continue
		}
		out = append(out, bm)
	}
	return out
}

// catch turns a panic inside pdfcpu (it has a few on unusual input) into an
// error: a bad imported PDF must not crash the command.
func catch(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("erreur interne de pdfcpu : %v", r)
	}
}
