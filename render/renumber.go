package render

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// renumber rewrites a PDF with a classic cross-reference table so that its
// objects are numbered 1, 2, 3... breadth-first from the trailer and written
// in that order. pdfcpu's merge numbers the objects of each merged file in map
// order, which changes from run to run; the references inside each object are
// written in a stable order, so numbering by traversal makes the output
// byte-identical. Unreachable objects are dropped; stream data is copied
// untouched.
func renumber(pdf []byte) ([]byte, error) {
	offsets, trailer, err := readXref(pdf)
	if err != nil {
		return nil, err
	}
	type obj struct {
		num, off int
	}
	objs := make([]obj, 0, len(offsets))
	for n, off := range offsets {
		objs = append(objs, obj{n, off})
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].off < objs[j].off })
	if len(objs) == 0 {
		return nil, errors.New("pdf sans objet")
	}
	xrefPos := bytes.LastIndex(pdf, []byte("\nxref"))
	if xrefPos < 0 {
		return nil, errors.New("table xref introuvable")
	}
	// Cut the file into objects: the text before any stream (where the
	// references are) and the rest, copied as is.
	type part struct{ text, rest []byte }
	parts := make(map[int]part, len(objs))
	for i, o := range objs {
		end := xrefPos + 1
		if i+1 < len(objs) {
			end = objs[i+1].off
		}
		if o.off > end || end > len(pdf) {
			return nil, errors.New("décalages xref incohérents")
		}
		body := pdf[o.off:end]
		hdr := reObjHeader.FindIndex(body)
		if hdr == nil || hdr[0] != 0 {
			return nil, fmt.Errorf("objet %d introuvable à son décalage", o.num)
		}
		rest := body[hdr[1]:]
		if s := reStream.FindIndex(rest); s != nil {
			parts[o.num] = part{rest[:s[1]], rest[s[1]:]}
		} else {
			parts[o.num] = part{rest, nil}
		}
	}
	// Number the objects breadth-first from the trailer, following the
	// references in the order they are written (pdfcpu sorts dict keys).
	mapping := map[int]int{}
	var order []int
	visit := func(text []byte) {
		for _, sm := range reRef.FindAllSubmatch(text, -1) {
			n, _ := strconv.Atoi(string(sm[1]))
			if _, ok := parts[n]; !ok {
				continue
			}
			if _, seen := mapping[n]; !seen {
				mapping[n] = len(order) + 1
				order = append(order, n)
			}
		}
	}
	visit(trailer)
	for i := 0; i < len(order); i++ {
		visit(parts[order[i]].text)
	}
	patch := func(b []byte) []byte {
		return reRef.ReplaceAllFunc(b, func(m []byte) []byte {
			sm := reRef.FindSubmatch(m)
			n, _ := strconv.Atoi(string(sm[1]))
			if nn, ok := mapping[n]; ok {
				return []byte(fmt.Sprintf("%d 0 R", nn))
			}
			return m
		})
	}
	var out bytes.Buffer
	out.Grow(len(pdf) + 1024)
	out.Write(pdf[:objs[0].off])
	newOff := make([]int, len(order))
	for i, n := range order {
		newOff[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj", i+1)
		out.Write(patch(parts[n].text))
		out.Write(parts[n].rest)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f\r\n", len(order)+1)
	for _, off := range newOff {
		fmt.Fprintf(&out, "%010d 00000 n\r\n", off)
	}
	trailer = reSize.ReplaceAll(patch(trailer), []byte(fmt.Sprintf("/Size %d", len(order)+1)))
	fmt.Fprintf(&out, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", bytes.TrimSpace(trailer), xref)
	return out.Bytes(), nil
}

var (
	reRef       = regexp.MustCompile(`\b(\d+) (\d+) R\b`)
	reObjHeader = regexp.MustCompile(`^\d+ \d+ obj`)
	reStream    = regexp.MustCompile(`>>\s*stream\r?\n`)
	reSize      = regexp.MustCompile(`/Size\s+\d+`)
	reTrailer   = regexp.MustCompile(`(?s)trailer\s*(<<.*>>)\s*startxref`)
)

// readXref parses the last classic cross-reference table of a PDF.
func readXref(pdf []byte) (map[int]int, []byte, error) {
	i := bytes.LastIndex(pdf, []byte("startxref"))
	if i < 0 {
		return nil, nil, errors.New("startxref introuvable")
	}
	f := bytes.Fields(pdf[i+len("startxref"):])
	if len(f) == 0 {
		return nil, nil, errors.New("startxref vide")
	}
	pos, err := strconv.Atoi(string(f[0]))
	if err != nil || pos < 0 || pos >= len(pdf) || !bytes.HasPrefix(pdf[pos:], []byte("xref")) {
		return nil, nil, errors.New("table xref classique attendue")
	}
	t := reTrailer.FindSubmatch(pdf[pos:])
	if t == nil {
		return nil, nil, errors.New("trailer introuvable")
	}
	lines := bytes.Split(pdf[pos+4:pos+bytes.Index(pdf[pos:], []byte("trailer"))], []byte("\n"))
	offsets := map[int]int{}
	cur := 0
	for _, l := range lines {
		fs := bytes.Fields(l)
		switch {
		case len(fs) == 2:
			cur, _ = strconv.Atoi(string(fs[0]))
		case len(fs) == 3:
			if string(fs[2]) == "n" {
				off, _ := strconv.Atoi(string(fs[0]))
				offsets[cur] = off
			}
			cur++
		}
	}
	return offsets, t[1], nil
}
