package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"anefdossier/protocol"
)

// pdfOut writes one PDF object by object, as its parts come: the pages of
// each part (an fpdf segment, a stamped imported PDF) are copied with every
// object they reference, renumbered, and only the part being copied is in
// memory; the page tree, the outline, the catalog and the cross-reference
// table are written at the end. Streams are copied as they are encoded
// (images are never decoded). Objects are numbered in the order they are
// first met, walking each page then what it references with dictionary keys
// in sorted order, so the output is byte-identical from run to run; the file
// id is the hash of the bytes before the cross-reference table.
type pdfOut struct {
	w     *protocol.CountingWriter
	h     hash.Hash // of everything written
	offs  []int64   // offset of object n at offs[n-1]
	pages []int     // object numbers of the pages, in order
	// pngs are the PNG pieces copied from their files, by the data of
	// their placeholder (see [pngSource]).
	pngs map[string]pngSource
}

// pagesRoot is the number of the page tree's root: reserved, written last.
const pagesRoot = 1

func newPDFOut(w io.Writer) (*pdfOut, error) {
	h := sha256.New()
	o := &pdfOut{w: &protocol.CountingWriter{W: io.MultiWriter(w, h)}, h: h, pngs: map[string]pngSource{}}
	o.alloc() // pagesRoot
	_, err := io.WriteString(o.w, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return o, err
}

func (o *pdfOut) alloc() int {
	o.offs = append(o.offs, -1)
	return len(o.offs)
}

// begin starts object n at the current offset.
func (o *pdfOut) begin(n int) error {
	o.offs[n-1] = o.w.N
	_, err := fmt.Fprintf(o.w, "%d 0 obj\n", n)
	return err
}

func (o *pdfOut) writeObj(n int, obj types.Object) error {
	if err := o.begin(n); err != nil {
		return err
	}
	s := "null"
	if obj != nil {
		s = obj.PDFString()
	}
	_, err := fmt.Fprintf(o.w, "%s\nendobj\n", s)
	return err
}

// inheritable are the page attributes a page may take from the page tree.
var inheritable = []string{"Resources", "MediaBox", "CropBox", "Rotate"}

type srcPage struct {
	ref  types.IndirectRef
	dict types.Dict
	inh  types.Dict
}

// pageList walks a part's page tree in order; nodes collects the tree's
// inner nodes.
func pageList(ctx *model.Context, ref types.IndirectRef, inh types.Dict, nodes map[int]bool, out *[]srcPage, depth int) error {
	if depth > 64 || nodes[ref.ObjectNumber.Value()] {
		return errors.New("arbre des pages invalide")
	}
	d, err := ctx.DereferenceDict(ref)
	if err != nil || d == nil {
		return fmt.Errorf("arbre des pages invalide : %v", err)
	}
	here := types.Dict{}
	for k, v := range inh {
		here[k] = v
	}
	for _, k := range inheritable {
		if v, ok := d[k]; ok {
			here[k] = v
		}
	}
	kids, ok := d["Kids"]
	if t := d.Type(); (t != nil && *t == "Page") || !ok {
		*out = append(*out, srcPage{ref, d, here})
		return nil
	}
	nodes[ref.ObjectNumber.Value()] = true
	arr, err := ctx.DereferenceArray(kids)
	if err != nil {
		return err
	}
	for _, k := range arr {
		if kr, ok := k.(types.IndirectRef); ok {
			if err := pageList(ctx, kr, here, nodes, out, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// addPages copies pages first to last (from 1) of a part.
func (o *pdfOut) addPages(ctx *model.Context, first, last int) error {
	root, err := ctx.Pages()
	if err != nil {
		return err
	}
	nodes := map[int]bool{}
	var pages []srcPage
	if err := pageList(ctx, *root, nil, nodes, &pages, 0); err != nil {
		return err
	}
	if first < 1 || last > len(pages) || first > last {
		return fmt.Errorf("pages %d à %d hors du document (%d pages)", first, last, len(pages))
	}
	// num maps the part's object numbers to the output's; 0 stands for
	// null (a page left out).
	num := map[int]int{}
	for n := range nodes {
		num[n] = pagesRoot
	}
	for i, p := range pages {
		n := 0
		if i+1 >= first && i+1 <= last {
			n = o.alloc()
		}
		num[p.ref.ObjectNumber.Value()] = n
	}
	var queue []types.IndirectRef
	var conv func(types.Object) types.Object
	conv = func(x types.Object) types.Object {
		switch v := x.(type) {
		case types.IndirectRef:
			src := v.ObjectNumber.Value()
			n, ok := num[src]
			if !ok {
				n = o.alloc()
				num[src] = n
				queue = append(queue, v)
			}
			if n == 0 {
				return nil
			}
			return *types.NewIndirectRef(n, 0)
		case types.Dict:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			d := make(types.Dict, len(v))
			for _, k := range keys {
				d[k] = conv(v[k])
			}
			return d
		case types.Array:
			a := make(types.Array, len(v))
			for i, e := range v {
				a[i] = conv(e)
			}
			return a
		}
		return x
	}
	for _, p := range pages[first-1 : last] {
		d := types.Dict{}
		for k, v := range p.dict {
			d[k] = v
		}
		for _, k := range inheritable {
			if _, ok := d[k]; !ok && p.inh[k] != nil {
				d[k] = p.inh[k]
			}
		}
		delete(d, "Parent")
		n := num[p.ref.ObjectNumber.Value()]
		d = conv(d).(types.Dict)
		d["Parent"] = *types.NewIndirectRef(pagesRoot, 0)
		if err := o.writeObj(n, d); err != nil {
			return err
		}
		o.pages = append(o.pages, n)
		// Then everything this page references, breadth first.
		for len(queue) > 0 {
			ref := queue[0]
			queue = queue[1:]
			if err := o.copyObj(ctx, ref, num[ref.ObjectNumber.Value()], conv); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyObj writes the part's object ref as object n.
func (o *pdfOut) copyObj(ctx *model.Context, ref types.IndirectRef, n int, conv func(types.Object) types.Object) error {
	obj, err := ctx.Dereference(ref)
	if err != nil {
		return fmt.Errorf("objet %d illisible : %w", ref.ObjectNumber.Value(), err)
	}
	sd, ok := obj.(types.StreamDict)
	if !ok {
		return o.writeObj(n, conv(obj))
	}
	if src, ok := o.pngs[string(sd.Raw)]; ok && sd.Subtype() != nil && *sd.Subtype() == "Image" {
		return o.copyPNG(n, src)
	}
	if sd.Raw == nil && sd.Content != nil {
		if err := sd.Encode(); err != nil {
			return err
		}
	}
	d := sd.Dict.Clone().(types.Dict)
	delete(d, "Length") // may be an indirect object: written directly
	d = conv(d).(types.Dict)
	d["Length"] = types.Integer(len(sd.Raw))
	if err := o.begin(n); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(o.w, "%s\nstream\n", d.PDFString()); err != nil {
		return err
	}
	if _, err := o.w.Write(sd.Raw); err != nil {
		return err
	}
	_, err = io.WriteString(o.w, "\nendstream\nendobj\n")
	return err
}

func pdfText(s string) types.HexLiteral {
	return types.NewHexLiteral([]byte(types.EncodeUTF16String(s)))
}

// finish writes the outline (one item per mark, the second level under the
// level-0 item before it), the page tree, the document information, the
// catalog, the cross-reference table and the trailer.
func (o *pdfOut) finish(title string, now time.Time, marks []mark) error {
	ref := func(n int) types.IndirectRef { return *types.NewIndirectRef(n, 0) }
	catalog := types.Dict{"Type": types.Name("Catalog"), "Pages": ref(pagesRoot)}
	if len(marks) > 0 {
		type item struct {
			n    int
			m    mark
			kids []*item
		}
		var top []*item
		for _, m := range marks {
			if m.Page < 1 || m.Page > len(o.pages) {
				return fmt.Errorf("signet « %s » : page %d absente", m.Title, m.Page)
			}
			it := &item{m: m}
			if m.Level > 0 && len(top) > 0 {
				top[len(top)-1].kids = append(top[len(top)-1].kids, it)
			} else {
				top = append(top, it)
			}
		}
		outlines := o.alloc()
		for _, t := range top {
			t.n = o.alloc()
			for _, k := range t.kids {
				k.n = o.alloc()
			}
		}
		var write func(parent int, items []*item) error
		write = func(parent int, items []*item) error {
			for i, it := range items {
				d := types.Dict{"Title": pdfText(it.m.Title), "Parent": ref(parent),
					"Dest": types.Array{ref(o.pages[it.m.Page-1]), types.Name("Fit")}}
				if i > 0 {
					d["Prev"] = ref(items[i-1].n)
				}
				if i+1 < len(items) {
					d["Next"] = ref(items[i+1].n)
				}
				if len(it.kids) > 0 {
					d["First"], d["Last"], d["Count"] = ref(it.kids[0].n), ref(it.kids[len(it.kids)-1].n), types.Integer(len(it.kids))
				}
				if err := o.writeObj(it.n, d); err != nil {
					return err
				}
				if err := write(it.n, it.kids); err != nil {
					return err
				}
			}
			return nil
		}
		if err := write(outlines, top); err != nil {
			return err
		}
		if err := o.writeObj(outlines, types.Dict{"Type": types.Name("Outlines"), "First": ref(top[0].n),
			"Last": ref(top[len(top)-1].n), "Count": types.Integer(len(marks))}); err != nil {
			return err
		}
		catalog["Outlines"] = ref(outlines)
		catalog["PageMode"] = types.Name("UseOutlines")
	}
	kids := make(types.Array, len(o.pages))
	for i, n := range o.pages {
		kids[i] = ref(n)
	}
	if err := o.writeObj(pagesRoot, types.Dict{"Type": types.Name("Pages"), "Kids": kids, "Count": types.Integer(len(kids))}); err != nil {
		return err
	}
	date := types.StringLiteral(now.UTC().Format("D:20060102150405") + "Z")
	info := o.alloc()
	if err := o.writeObj(info, types.Dict{"Title": pdfText(title), "Creator": types.StringLiteral("anef-dossier"),
		"Producer": types.StringLiteral("anef-dossier"), "CreationDate": date, "ModDate": date}); err != nil {
		return err
	}
	cat := o.alloc()
	if err := o.writeObj(cat, catalog); err != nil {
		return err
	}
	xref := o.w.N
	var b bytes.Buffer
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(o.offs)+1)
	for n, off := range o.offs {
		if off < 0 {
			return fmt.Errorf("objet %d non écrit", n+1)
		}
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	id := hex.EncodeToString(o.h.Sum(nil)[:16])
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]>>\nstartxref\n%d\n%%%%EOF\n", len(o.offs)+1, cat, info, id, id, xref)
	_, err := o.w.Write(b.Bytes())
	return err
}

// writePDF writes pages first to last of a document alone to w and
// returns the size written.
func writePDF(w io.Writer, ctx *model.Context, first, last int, title string, now time.Time) (_ int64, err error) {
	defer catch(&err)
	o, err := newPDFOut(w)
	if err != nil {
		return 0, err
	}
	if err := o.addPages(ctx, first, last); err != nil {
		return 0, err
	}
	if err := o.finish(title, now, nil); err != nil {
		return 0, err
	}
	return o.w.N, nil
}
