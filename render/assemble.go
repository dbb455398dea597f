package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"

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

// assemble merges the fpdf segments and the stamped imported PDFs in order,
// sets the outline (one bookmark per section and per piece) and writes the
// result deterministically.
func assemble(b *builder) (out []byte, err error) {
	defer catch(&err)
	conf := pdfConf()
	conf.Cmd = model.MERGECREATE
	var dest *model.Context
	dest, err = api.ReadAndValidate(bytes.NewReader(b.segments[0]), conf)
	if err != nil {
		return nil, fmt.Errorf("assemblage du PDF : %w", err)
	}
	dest.EnsureVersionForWriting()
	add := func(ctx *model.Context, name string) error {
		if err := pdfcpu.MergeXRefTables(name, ctx, dest, false, false); err != nil {
			return fmt.Errorf("assemblage du PDF (%s) : %w", name, err)
		}
		return nil
	}
	for i := range b.segments {
		if i > 0 {
			ctx, err := api.ReadAndValidate(bytes.NewReader(b.segments[i]), conf)
			if err != nil {
				return nil, fmt.Errorf("assemblage du PDF : %w", err)
			}
			if err := add(ctx, fmt.Sprintf("segment %d", i)); err != nil {
				return nil, err
			}
		}
		b.segments[i] = nil
		for _, im := range b.imports {
			if im.afterSegment != i {
				continue
			}
			ctx, err := stamped(im.data, im.piece.Number, im.first, b.total)
			if err != nil {
				return nil, fmt.Errorf("pièce n°%d : tampon impossible : %w", im.piece.Number, err)
			}
			if err := add(ctx, fmt.Sprintf("pièce %d", im.piece.Number)); err != nil {
				return nil, err
			}
		}
	}
	if bms := outline(b.marks); len(bms) > 0 {
		if err := pdfcpu.AddBookmarks(dest, bms, true); err != nil {
			return nil, fmt.Errorf("signets du PDF : %w", err)
		}
	}
	return writeContext(dest, b.in)
}

// writeContext writes a pdfcpu context with the render's dates and id.
func writeContext(ctx *model.Context, in *Input) ([]byte, error) {
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		return nil, fmt.Errorf("écriture du PDF : %w", err)
	}
	out, err := renumber(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("écriture du PDF : %w", err)
	}
	return deterministic(out, in), nil
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

var (
	reDate = regexp.MustCompile(`/(CreationDate|ModDate)\s*\((D:[^)]*)\)`)
	reID   = regexp.MustCompile(`/ID\s*\[\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\]`)
)

// deterministic replaces, in place and without changing any length (so the
// cross-reference offsets stay right), the wall-clock dates pdfcpu wrote with
// the render's clock, and the file id with one derived from the content.
func deterministic(pdf []byte, in *Input) []byte {
	t := in.Now.UTC()
	for _, m := range reDate.FindAllSubmatchIndex(pdf, -1) {
		old := pdf[m[4]:m[5]]
		var repl string
		switch len(old) {
		case 16:
			repl = t.Format("D:20060102150405")
		case 17:
			repl = t.Format("D:20060102150405") + "Z"
		case 22:
			repl = t.Format("D:20060102150405") + "+00'00"
		case 23:
			repl = t.Format("D:20060102150405") + "+00'00'"
		default:
			continue
		}
		copy(old, repl)
	}
	if m := reID.FindSubmatchIndex(pdf); m != nil {
		for _, g := range [][2]int{{m[2], m[3]}, {m[4], m[5]}} {
			for i := g[0]; i < g[1]; i++ {
				pdf[i] = '0'
			}
		}
		sum := sha256.Sum256(pdf)
		id := hex.EncodeToString(sum[:])
		for _, g := range [][2]int{{m[2], m[3]}, {m[4], m[5]}} {
			n := g[1] - g[0]
			for len(id) < n {
				id += id
			}
			copy(pdf[g[0]:g[1]], id[:n])
		}
	}
	return pdf
}

// catch turns a panic inside pdfcpu (it has a few on unusual input) into an
// error: a bad imported PDF must not crash the command.
func catch(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("erreur interne de pdfcpu : %v", r)
	}
}
