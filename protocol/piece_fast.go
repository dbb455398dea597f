package protocol

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"
)

// The data of a piece.added event written by this tool is json.Marshal's of
// a [Piece]: fixed key order, no spaces. Folding a journal of captures spent
// most of its time in json.Unmarshal of these (a validity scan, then a
// reflective decode of the files). decodePiece cuts data of exactly that
// shape by hand, checking each byte as it goes, and hands anything else to
// json.Unmarshal, so that the result, and whether the piece is readable at
// all, stay json.Unmarshal's (FuzzDecodePiece compares both).

// decodePiece is e.Decode(pc) for a piece.added event.
func decodePiece(e Event, pc *Piece) error {
	if len(e.Data) == 0 {
		return nil
	}
	if p, ok := cutPiece(e.Data); ok {
		*pc = p
		return nil
	}
	return json.Unmarshal(e.Data, pc)
}

// cutPiece decodes data of the canonical shape; ok is false for any other.
func cutPiece(data []byte) (p Piece, ok bool) {
	c := cursor{s: data, ok: true, text: string(data)}
	c.lit(`{"number":`)
	n := c.int()
	p.Number = int(n)
	if int64(p.Number) != n {
		return Piece{}, false
	}
	c.lit(`,"kind":`)
	p.Kind = c.str()
	if c.opt(`,"title":`) {
		p.Title = c.str()
	}
	c.lit(`,"date":`)
	date := c.quoted()
	if c.opt(`,"date_has_time":`) {
		p.DateHasTime = c.bool()
	}
	c.lit(`,"provenance":`)
	p.Provenance = Provenance(c.str())
	if c.opt(`,"original_name":`) {
		p.OriginalName = c.str()
	}
	c.lit(`,"files":`)
	switch {
	case c.opt(`null`):
	case c.opt(`[]`):
		p.Files = []PieceFile{}
	case c.opt(`[`):
		p.Files = make([]PieceFile, 0, 5)
		for c.ok {
			var f PieceFile
			c.lit(`{"role":`)
			f.Role = FileRole(c.str())
			c.lit(`,"path":`)
			f.Path = c.str()
			c.lit(`,"sha256":`)
			f.SHA256 = c.str()
			c.lit(`,"size":`)
			f.Size = c.int()
			c.lit(`}`)
			p.Files = append(p.Files, f)
			if !c.opt(`,`) {
				break
			}
		}
		c.lit(`]`)
	default:
		return Piece{}, false
	}
	if c.opt(`,"record":`) {
		// The record is the one part not read byte by byte: one valid
		// value, without spaces, at depth 1, then the final brace.
		end, ok := jsonValue(c.s, 0, 1)
		if !ok {
			return Piece{}, false
		}
		p.Record = append(json.RawMessage(nil), c.s[:end]...)
		c.s = c.s[end:]
	}
	c.lit(`}`)
	if !c.ok || len(c.s) != 0 {
		return Piece{}, false
	}
	if err := p.Date.UnmarshalJSON(date); err != nil {
		return Piece{}, false
	}
	return p, true
}

// decodeStep is e.Decode(r) for a step.done event, cut by hand when the
// data has json.Marshal's shape of a [StepRecord] without extra fields
// (FuzzDecodeRecords compares it with json.Unmarshal).
func decodeStep(e Event, r *StepRecord) error {
	if len(e.Data) == 0 {
		return nil
	}
	if v, ok := cutStep(e.Data); ok {
		*r = v
		return nil
	}
	return json.Unmarshal(e.Data, r)
}

func cutStep(data []byte) (r StepRecord, ok bool) {
	c := cursor{s: data, ok: true, text: string(data)}
	c.lit(`{"step":`)
	r.Step = c.str()
	if c.opt(`,"channel":`) {
		r.Channel = c.str()
	}
	if c.opt(`,"ref":`) {
		r.Ref = c.str()
	}
	if c.opt(`,"date":`) {
		q := c.quoted()
		if !c.ok {
			return StepRecord{}, false
		}
		r.Date = new(time.Time)
		if err := r.Date.UnmarshalJSON(q); err != nil {
			return StepRecord{}, false
		}
	}
	if c.opt(`,"pieces":[`) {
		r.Pieces = []int{}
		for c.ok && !c.opt(`]`) {
			if len(r.Pieces) > 0 {
				c.lit(`,`)
			}
			n := c.int()
			if int64(int(n)) != n {
				return StepRecord{}, false
			}
			r.Pieces = append(r.Pieces, int(n))
		}
	}
	if c.opt(`,"note":`) {
		r.Note = c.str()
	}
	c.lit(`}`)
	if !c.ok || len(c.s) != 0 {
		return StepRecord{}, false
	}
	return r, true
}

// decodeNote is e.Decode(n) for a note.added event.
func decodeNote(e Event, n *NoteRecord) error {
	if len(e.Data) == 0 {
		return nil
	}
	c := cursor{s: e.Data, ok: true}
	c.lit(`{"text":`)
	text := c.str()
	c.lit(`}`)
	if c.ok && len(c.s) == 0 {
		n.Text = text
		return nil
	}
	return json.Unmarshal(e.Data, n)
}

// cursor reads a canonical JSON text from the front of s; the first thing
// that does not match clears ok, and every later call is then a no-op.
type cursor struct {
	s  []byte
	ok bool
	// text, when set, is the whole text as a string: str returns parts of
	// it, one allocation for all the strings of a piece instead of one each.
	text string
}

// opt consumes p if s starts with it.
func (c *cursor) opt(p string) bool {
	if c.ok && len(c.s) >= len(p) && string(c.s[:len(p)]) == p {
		c.s = c.s[len(p):]
		return true
	}
	return false
}

// lit consumes p, which must be there.
func (c *cursor) lit(p string) {
	if !c.opt(p) {
		c.ok = false
	}
}

// quoted consumes a string without escapes, control bytes or invalid UTF-8
// (so that its bytes are its value) and returns it with its quotes.
func (c *cursor) quoted() []byte {
	if !c.ok || len(c.s) == 0 || c.s[0] != '"' {
		c.ok = false
		return nil
	}
	i := bytes.IndexByte(c.s[1:], '"') + 1
	if i == 0 {
		c.ok = false
		return nil
	}
	v := c.s[1:i]
	for _, b := range v {
		if b < 0x20 || b == '\\' {
			c.ok = false
			return nil
		}
	}
	if !utf8.Valid(v) {
		c.ok = false
		return nil
	}
	q := c.s[:i+1]
	c.s = c.s[i+1:]
	return q
}

func (c *cursor) str() string {
	q := c.quoted()
	if !c.ok {
		return ""
	}
	if c.text != "" {
		end := len(c.text) - len(c.s) - 1
		return c.text[end-(len(q)-2) : end]
	}
	return string(q[1 : len(q)-1])
}

// int consumes a non-negative integer of at most 18 digits (no overflow of
// an int64, nor of an int on 64-bit systems), without a leading zero.
func (c *cursor) int() int64 {
	if !c.ok {
		return 0
	}
	n, i := int64(0), 0
	for i < len(c.s) && i < 19 && c.s[i] >= '0' && c.s[i] <= '9' {
		n = n*10 + int64(c.s[i]-'0')
		i++
	}
	if i == 0 || i > 18 || (i > 1 && c.s[0] == '0') {
		c.ok = false
		return 0
	}
	c.s = c.s[i:]
	return n
}

func (c *cursor) bool() bool {
	switch {
	case c.opt("true"):
		return true
	case c.opt("false"):
		return false
	}
	c.ok = false
	return false
}
