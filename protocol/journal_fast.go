package protocol

import (
	"bytes"
)

// Journal lines written by [NewEvent] all have one shape, json.Marshal's of an
// [Event]: {"id":"…","time":"…","type":"…","prev":"…","data":…} with the keys
// in that order, no spaces, and plain ASCII in the four strings. list reads
// thousands of such lines; decoding each with a strict json.Decoder (one scan
// to find the value, another to decode it) was half its time. A line of
// exactly that shape is checked as it is cut into its fields (the data by a
// single pass of [jsonValue]); any other line, valid or not, goes to the
// strict decoder, so that what is accepted and every error stay those of the
// decoder (FuzzParseJournalFast compares both on arbitrary input).

var (
	canonID   = []byte(`{"id":"`)
	canonTime = []byte(`","time":"`)
	canonType = []byte(`","type":"`)
	canonPrev = []byte(`","prev":"`)
	canonData = []byte(`","data":`)
)

// parseCanonical decodes a line of the canonical shape into ev, copying Data
// into *arena. It is false when the line is not of that shape (or its data is
// not valid JSON, or its time does not parse): the caller must then use the
// strict decoder, which decides.
func parseCanonical(line []byte, ev *Event, arena *[]byte) bool {
	rest, ok := bytes.CutPrefix(line, canonID)
	if !ok {
		return false
	}
	id, rest, ok := plainString(rest, canonTime)
	if !ok {
		return false
	}
	tm, rest, ok := plainString(rest, canonType)
	if !ok {
		return false
	}
	typ, rest, ok := plainString(rest, canonPrev)
	if !ok {
		return false
	}
	i := bytes.IndexByte(rest, '"')
	if i < 0 || !plainASCII(rest[:i]) {
		return false
	}
	prev, rest := rest[:i], rest[i:]
	var data []byte
	switch {
	case len(rest) == 2 && rest[1] == '}': // `"}`: no data
	case bytes.HasPrefix(rest, canonData) && rest[len(rest)-1] == '}':
		// The rest of the line was checked above, byte by byte; the data
		// must be one valid value, without spaces around it, at depth 1.
		data = rest[len(canonData) : len(rest)-1]
		if end, ok := jsonValue(data, 0, 1); !ok || end != len(data) {
			return false
		}
	default:
		return false
	}
	// The quotes around the time are those of the line, as the decoder
	// passes them to time.Time's UnmarshalJSON.
	var t Event
	start := len(canonID) + len(id) + len(canonTime)
	if err := t.Time.UnmarshalJSON(line[start-1 : start+len(tm)+1]); err != nil {
		return false
	}
	t.ID, t.Type, t.Prev = string(id), eventType(typ), string(prev)
	if data != nil {
		t.Data = copyTo(arena, data)
	}
	*ev = t
	return true
}

// plainString returns the bytes of s up to sep, when they hold only printable
// ASCII without quote or backslash (so that they are their own JSON string
// value), and what follows sep.
func plainString(s, sep []byte) (value, rest []byte, ok bool) {
	i := bytes.IndexByte(s, '"')
	if i < 0 || !bytes.HasPrefix(s[i:], sep) || !plainASCII(s[:i]) {
		return nil, nil, false
	}
	return s[:i], s[i+len(sep):], true
}

func plainASCII(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c > 0x7e || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

// eventType returns the known event types without allocating.
func eventType(b []byte) string {
	switch string(b) {
	case EventCreated:
		return EventCreated
	case EventPiece:
		return EventPiece
	case EventStepDone:
		return EventStepDone
	case EventStepUndo:
		return EventStepUndo
	case EventNote:
		return EventNote
	case EventTimestamp:
		return EventTimestamp
	case EventCaptureFailed:
		return EventCaptureFailed
	}
	return string(b)
}

// copyTo copies b into the shared block *arena (a new block when it is
// full) and returns the copy, with its capacity capped so that an append to
// it never writes into the next one.
func copyTo(arena *[]byte, b []byte) []byte {
	if cap(*arena)-len(*arena) < len(b) {
		size := 32 * 1024
		if len(b) > size/4 {
			return append([]byte(nil), b...)
		}
		*arena = make([]byte, 0, size)
	}
	n := len(*arena)
	*arena = append(*arena, b...)
	return (*arena)[n : n+len(b) : n+len(b)]
}
