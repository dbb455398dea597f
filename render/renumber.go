package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"time"

	"anefdossier/protocol"
)

// renumberTo rewrites a PDF that has a classic cross-reference table (as
// pdfcpu writes it with object and xref streams off) into w, so that the
// output is byte-identical from run to run:
//   - objects are numbered 1, 2, 3... breadth-first from the trailer and
//     written in that order (pdfcpu's merge numbers the objects of each merged
//     file in map order, which changes from run to run; the references inside
//     each object are written in a stable order);
//   - the dates pdfcpu takes from the wall clock become now;
//   - the file id is derived from the bytes before the trailer.
//
// Unreachable objects are dropped. Stream data is copied from r untouched
// and never held in memory as a whole: the rewrite streams.
func renumberTo(w io.Writer, r io.ReaderAt, size int64, now time.Time) error {
	offsets, trailer, xrefPos, err := readXref(r, size)
	if err != nil {
		return err
	}
	type obj struct {
		num  int
		off  int64
		text []byte // the object after "N G obj", up to and including "stream\n"
		data int64  // where the rest starts (stream data, "endobj")
		end  int64
	}
	objs := make([]*obj, 0, len(offsets))
	for n, off := range offsets {
		objs = append(objs, &obj{num: n, off: off})
	}
	if len(objs) == 0 {
		return errors.New("pdf sans objet")
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].off < objs[j].off })
	byNum := make(map[int]*obj, len(objs))
	for i, o := range objs {
		o.end = xrefPos
		if i+1 < len(objs) {
			o.end = objs[i+1].off
		}
		if o.off < 0 || o.off > o.end || o.end > size {
			return errors.New("décalages xref incohérents")
		}
		head := o.end - o.off
		if head > 64<<10 {
			head = 64 << 10
		}
		buf := make([]byte, head)
		if _, err := r.ReadAt(buf, o.off); err != nil && err != io.EOF {
			return err
		}
		hdr := reObjHeader.FindIndex(buf)
		if hdr == nil || hdr[0] != 0 {
			return fmt.Errorf("objet %d introuvable à son décalage", o.num)
		}
		if s := reStream.FindIndex(buf[hdr[1]:]); s != nil {
			o.text = buf[hdr[1] : hdr[1]+s[1]]
			o.data = o.off + int64(hdr[1]+s[1])
		} else {
			if int64(len(buf)) < o.end-o.off {
				// A large object without stream: read it whole.
				buf = make([]byte, o.end-o.off)
				if _, err := r.ReadAt(buf, o.off); err != nil && err != io.EOF {
					return err
				}
			}
			o.text = buf[hdr[1]:]
			o.data = o.end
		}
		byNum[o.num] = o
	}
	mapping := map[int]int{}
	var order []*obj
	visit := func(text []byte) {
		for _, sm := range reRef.FindAllSubmatch(text, -1) {
			n, _ := strconv.Atoi(string(sm[1]))
			o, ok := byNum[n]
			if !ok {
				continue
			}
			if _, seen := mapping[n]; !seen {
				mapping[n] = len(order) + 1
				order = append(order, o)
			}
		}
	}
	visit(trailer)
	for i := 0; i < len(order); i++ {
		visit(order[i].text)
	}
	date := []byte("(" + now.UTC().Format("D:20060102150405") + "Z)")
	patch := func(b []byte) []byte {
		b = reRef.ReplaceAllFunc(b, func(m []byte) []byte {
			sm := reRef.FindSubmatch(m)
			n, _ := strconv.Atoi(string(sm[1]))
			if nn, ok := mapping[n]; ok {
				return []byte(strconv.Itoa(nn) + " 0 R")
			}
			return m
		})
		return reDate.ReplaceAll(b, append([]byte("/$1"), date...))
	}
	h := sha256.New()
	cw := &protocol.CountingWriter{W: io.MultiWriter(w, h)}
	if _, err := io.Copy(cw, io.NewSectionReader(r, 0, objs[0].off)); err != nil {
		return err
	}
	newOff := make([]int64, len(order))
	for i, o := range order {
		newOff[i] = cw.N
		if _, err := fmt.Fprintf(cw, "%d 0 obj", i+1); err != nil {
			return err
		}
		if _, err := cw.Write(patch(o.text)); err != nil {
			return err
		}
		if _, err := io.Copy(cw, io.NewSectionReader(r, o.data, o.end-o.data)); err != nil {
			return err
		}
	}
	xref := cw.N
	fmt.Fprintf(cw, "xref\n0 %d\n0000000000 65535 f\r\n", len(order)+1)
	for _, off := range newOff {
		fmt.Fprintf(cw, "%010d 00000 n\r\n", off)
	}
	id := hex.EncodeToString(h.Sum(nil)[:16])
	trailer = reID.ReplaceAll(patch(trailer), nil)
	trailer = reSize.ReplaceAll(trailer, []byte(fmt.Sprintf("/Size %d/ID[<%s><%s>]", len(order)+1, id, id)))
	_, err = fmt.Fprintf(cw, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", bytes.TrimSpace(trailer), xref)
	return err
}

// renumber is [renumberTo] on bytes.
func renumber(pdf []byte, now time.Time) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(pdf))
	if err := renumberTo(&out, bytes.NewReader(pdf), int64(len(pdf)), now); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

var (
	reRef       = regexp.MustCompile(`\b(\d+) (\d+) R\b`)
	reObjHeader = regexp.MustCompile(`^\d+ \d+ obj`)
	reStream    = regexp.MustCompile(`>>\s*stream\r?\n`)
	reSize      = regexp.MustCompile(`/Size\s+\d+`)
	reID        = regexp.MustCompile(`/ID\s*\[\s*<[0-9a-fA-F]*>\s*<[0-9a-fA-F]*>\s*\]`)
	reDate      = regexp.MustCompile(`/(CreationDate|ModDate)\s*\(D:[^)]*\)`)
	reTrailer   = regexp.MustCompile(`(?s)trailer\s*(<<.*>>)\s*startxref`)
)

// readXref parses the last classic cross-reference table of a PDF.
func readXref(r io.ReaderAt, size int64) (map[int]int64, []byte, int64, error) {
	tail := int64(1024)
	if tail > size {
		tail = size
	}
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return nil, nil, 0, err
	}
	i := bytes.LastIndex(buf, []byte("startxref"))
	if i < 0 {
		return nil, nil, 0, errors.New("startxref introuvable")
	}
	f := bytes.Fields(buf[i+len("startxref"):])
	if len(f) == 0 {
		return nil, nil, 0, errors.New("startxref vide")
	}
	pos, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil || pos < 0 || pos >= size {
		return nil, nil, 0, errors.New("startxref invalide")
	}
	sect := make([]byte, size-pos)
	if _, err := r.ReadAt(sect, pos); err != nil && err != io.EOF {
		return nil, nil, 0, err
	}
	if !bytes.HasPrefix(sect, []byte("xref")) {
		return nil, nil, 0, errors.New("table xref classique attendue")
	}
	t := reTrailer.FindSubmatch(sect)
	ti := bytes.Index(sect, []byte("trailer"))
	if t == nil || ti < 0 {
		return nil, nil, 0, errors.New("trailer introuvable")
	}
	offsets := map[int]int64{}
	cur := 0
	for _, l := range bytes.Split(sect[4:ti], []byte("\n")) {
		fs := bytes.Fields(l)
		switch {
		case len(fs) == 2:
			cur, _ = strconv.Atoi(string(fs[0]))
		case len(fs) == 3:
			if string(fs[2]) == "n" {
				off, _ := strconv.ParseInt(string(fs[0]), 10, 64)
				offsets[cur] = off
			}
			cur++
		}
	}
	return offsets, t[1], pos, nil
}
