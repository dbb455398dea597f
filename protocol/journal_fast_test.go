package protocol

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// benchJournal returns a valid journal of n events shaped like those of a
// real case (as genCases in cmd/anef-dossier writes them): half capture
// pieces with five files and the capture summary, then step records, then
// notes.
func benchJournal(tb testing.TB, p *Protocol, n int) []byte {
	tb.Helper()
	var j bytes.Buffer
	prev := GenesisHash
	clock := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	add := func(typ string, data any) {
		clock = clock.Add(7 * time.Hour)
		ev, line, err := NewEvent(prev, clock, typ, data)
		if err != nil {
			tb.Fatal(err)
		}
		prev = ev.Hash
		j.Write(line)
		j.WriteByte('\n')
	}
	add(EventCreated, CreatedData{Protocol: p.ID, Tool: "bench"})
	count := 1
	found := true
	for pieces := 1; count < n/2; count, pieces = count+1, pieces+1 {
		var files []PieceFile
		for _, role := range []string{"piece", "brut", "mhtml", "document", "preuve"} {
			files = append(files, PieceFile{Role: FileRole(role), Path: fmt.Sprintf("pieces/%03d-capture.%s", pieces, role), SHA256: strings.Repeat("ab", 32), Size: 123456})
		}
		rec, err := json.Marshal(CaptureSummary{URL: "https://www.exemple-prefecture.gouv.fr/booking/create/12345/0",
			FinalURL: "https://www.exemple-prefecture.gouv.fr/booking/create/12345/1", Status: 200, ServerIP: "192.0.2.10",
			TLSIssuer: "CN=Certigna Services CA, O=Dhimyotis, C=FR", Mode: "sans-tete", ExpectText: "Aucun créneau disponible",
			ExpectFound: &found, PageTitle: "Prendre rendez-vous - Les services de l'État"})
		if err != nil {
			tb.Fatal(err)
		}
		add(EventPiece, Piece{Number: pieces, Kind: "capture", Date: clock, DateHasTime: true, Provenance: ProvenanceCapture,
			Title: "Capture de la page de rendez-vous de la préfecture", Files: files, Record: rec})
	}
steps:
	for _, st := range p.Steps {
		if len(st.AnyOf) > 0 {
			break
		}
		chans := st.Channels
		if len(chans) == 0 {
			chans = []Channel{{}}
		}
		for _, ch := range chans {
			if count >= n-1 {
				break steps
			}
			d := clock
			add(EventStepDone, StepRecord{Step: st.ID, Channel: ch.ID, Ref: "REF-2026-0042", Date: &d, Pieces: []int{1}})
			count++
		}
	}
	for ; count < n; count++ {
		add(EventNote, NoteRecord{Text: "appel au CCC sans réponse, à rappeler"})
	}
	return j.Bytes()
}

func benchProtocol(tb testing.TB) *Protocol {
	tb.Helper()
	p, err := LoadProtocol(nil, Protocols(nil)[0])
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkParseJournal: reading and chain-checking a 50-event journal.
func BenchmarkParseJournal(b *testing.B) {
	data := benchJournal(b, benchProtocol(b), 50)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJournal("bench", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFold: folding the events of a 50-event journal.
func BenchmarkFold(b *testing.B) {
	p := benchProtocol(b)
	events, err := ParseJournal("bench", bytes.NewReader(benchJournal(b, p, 50)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Fold(p, events, nil)
	}
}

// parseJournalStrict is ParseJournal as it was before the canonical fast
// path: every line through a strict json.Decoder. FuzzParseJournalFast holds
// the two to the same results.
func parseJournalStrict(path string, r io.Reader) ([]Event, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	var events []Event
	prev := GenesisHash
	var offset int64
	for lineNo := 1; ; lineNo++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) == 0 && err == io.EOF {
			return events, nil
		}
		if err != nil && err != io.EOF {
			return events, fmt.Errorf("lecture du journal %s : %w", path, err)
		}
		complete := err == nil
		line := bytes.TrimSuffix(raw, []byte("\n"))
		start := offset
		offset += int64(len(raw))
		if !complete {
			return events, &JournalError{Path: path, Line: lineNo, Offset: start, Truncated: true,
				Reason: "dernière ligne incomplète (écriture interrompue, sans fin de ligne)"}
		}
		var ev Event
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil || dec.More() {
			atEnd := false
			if _, perr := br.Peek(1); perr == io.EOF {
				atEnd = true
			}
			reason := "ligne illisible (JSON invalide)"
			return events, &JournalError{Path: path, Line: lineNo, Offset: start, Truncated: atEnd && !json.Valid(line), Reason: reason}
		}
		if ev.ID == "" || ev.Type == "" || ev.Time.IsZero() {
			return events, &JournalError{Path: path, Line: lineNo, Offset: start, Reason: "événement incomplet (id, date ou type manquant)"}
		}
		if ev.Prev != prev {
			return events, &JournalError{Path: path, Line: lineNo, Offset: start,
				Reason: "chaîne de hachage rompue : l'empreinte de la ligne précédente ne correspond pas (ligne modifiée, supprimée ou déplacée)"}
		}
		ev.Line = lineNo
		ev.Hash = HashLine(line)
		prev = ev.Hash
		events = append(events, ev)
	}
}

// chain re-chains lines (without newlines) into a journal: each line's prev
// is set to the hash of the line before when it holds the placeholder PREV.
func chain(lines ...string) []byte {
	var b bytes.Buffer
	prev := GenesisHash
	for _, l := range lines {
		l = strings.Replace(l, "PREV", prev, 1)
		prev = HashLine([]byte(l))
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// journalSeeds are real journals, tampered, truncated, and lines of every
// shape next to the canonical one.
func journalSeeds(tb testing.TB) [][]byte {
	// A short journal to tamper with (the fuzzer crawls on large inputs),
	// and a full one.
	real := benchJournal(tb, benchProtocol(tb), 10)
	lines := strings.Split(strings.TrimSuffix(string(real), "\n"), "\n")
	seeds := [][]byte{benchJournal(tb, benchProtocol(tb), 50), real, real[:len(real)-1], real[:len(real)/2], real[:0]}
	tamper := func(old, new string) []byte { return []byte(strings.Replace(string(real), old, new, 1)) }
	seeds = append(seeds,
		tamper(`"kind":"capture"`, `"kind":"capturE"`),
		tamper(`,"data":`, `,"extra":1,"data":`),
		tamper(`"protocol":`, `"x":1}, "data":{"protocol":`),
		tamper(`"type":"dossier.created"`, `"type":"dossier.created","id":"x"`),
		tamper("\n", "\r\n"),
		tamper("\n", " \n"),
		tamper("\n", "}\n"),
		tamper("\n", "]\n"),
		tamper("\n", "\n\n"),
		tamper(`"time":"2026-01-05T16:00:00Z"`, `"time":"2026-01-05T16:00:00+00:00"`),
		tamper(`"time":"2026-01-05T16:00:00Z"`, `"time":"2026-13-05T16:00:00Z"`),
		tamper(`"time":"2026-01-05T16:00:00Z"`, `"time":null`),
		tamper(`{"id":`, `{"ID":`),
		tamper(`{"id":`, ` {"id":`),
		tamper(`"data":{`, `"data": {`),
		tamper(`"data":{"protocol":"`, `"data":{"protocol":"\u0041`),
	)
	m := len(lines) / 2
	mid := lines[m]
	seeds = append(seeds, []byte(strings.Join(lines[:m], "\n")+"\n"+mid[:len(mid)-1]+`,"x":{}}`+"\n"))
	seeds = append(seeds, []byte(strings.Join(lines[:m], "\n")+"\n"+mid[:len(mid)/2]+"\n"+strings.Join(lines[m+1:], "\n")+"\n"))
	// Lines chained afresh: the chain holds, only the shape differs.
	const head = `{"id":"01a2","time":"2026-01-05T16:00:00Z","type":"note.added","prev":"PREV"`
	for _, tail := range []string{`}`, `,"data":null}`, `,"data":1}`, `,"data":"x"}`, `,"data":[1,{"a":"}"}]}`, `,"data":{"t":"a\"b,"}}`,
		`,"data":1,"x":2}`, `,"data":{},"data":{}}`, `,"data":{} }`, `,"data":"\u00e9"}`, `,"data":"` + strings.Repeat("a", 70000) + `"}`,
		`,"data":{"t":"é"}}`, `,"data":{"t":"` + "\xff" + `"}}`, `,"data":tru}`, `,"data":{"a":1}}}`, `,"Data":{}}`} {
		seeds = append(seeds, chain(head+tail, head+tail))
	}
	seeds = append(seeds,
		chain(`{"id":"é","time":"2026-01-05T16:00:00Z","type":"t","prev":"PREV"}`),
		chain(`{"id":"","time":"2026-01-05T16:00:00Z","type":"t","prev":"PREV"}`),
		chain(`{"id":"a","time":"0001-01-01T00:00:00Z","type":"t","prev":"PREV"}`),
		chain(`{"id":"a","time":"2026-01-05T16:00:00Z","type":"","prev":"PREV"}`),
		chain(`{"id":"a","time":"2026-01-05T16:00:00Z","type":"t","prev":"PREV","data":{}}`+"\t"),
		chain(`{"id":"a","time":"2026-01-05T16:00:00Z","type":"t","prev":"PREV","data":{"x":"`+strings.Repeat("b", 1<<17)+`"}}`),
	)
	return seeds
}

// sameParse: ParseJournal through a buffer of size bytes and
// parseJournalBytes give what the strict reader gives.
func sameParse(t *testing.T, data []byte, r io.Reader, size int) {
	t.Helper()
	want, wantErr := parseJournalStrict("fuzz", bytes.NewReader(data))
	got, gotErr := parseJournal("fuzz", r, size)
	check := func(how string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: events differ:\n got %d %+v\nwant %d %+v", how, len(got), got, len(want), want)
		}
		if !reflect.DeepEqual(gotErr, wantErr) {
			t.Fatalf("%s: errors differ:\n got %#v\nwant %#v", how, gotErr, wantErr)
		}
	}
	check(fmt.Sprintf("buffer of %d bytes", size))
	in := append([]byte(nil), data...)
	got, gotErr = parseJournalBytes("fuzz", in)
	for i := range in {
		in[i] = 'X' // the events must not share the caller's bytes
	}
	check("bytes")
}

func TestParseJournalFastSeeds(t *testing.T) {
	for _, s := range journalSeeds(t) {
		sameParse(t, s, bytes.NewReader(s), 64*1024)
		sameParse(t, s, iotest.OneByteReader(bytes.NewReader(s)), 64*1024)
		sameParse(t, s, bytes.NewReader(s), 16)
	}
	// The fast path does take the lines NewEvent writes.
	real := benchJournal(t, benchProtocol(t), 50)
	var arena []byte
	for _, l := range bytes.Split(bytes.TrimSuffix(real, []byte("\n")), []byte("\n")) {
		var ev Event
		if !parseCanonical(l, &ev, &arena) {
			t.Fatalf("canonical line refused: %s", l)
		}
	}
}

// FuzzParseJournalFast: ParseJournal (canonical lines cut by hand) returns
// exactly what the strict decoder returned, events and errors alike, for
// any input; and every line the fast path takes decodes the same with the
// strict decoder.
func FuzzParseJournalFast(f *testing.F) {
	for _, s := range journalSeeds(f) {
		if len(s) < 16*1024 { // large inputs slow the fuzzer down to a crawl
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameParse(t, data, bytes.NewReader(data), 64*1024)
		// A 16-byte buffer (bufio's least): most lines are gathered in
		// pieces, as lines over 64 KiB are by ParseJournal.
		sameParse(t, data, iotest.OneByteReader(bytes.NewReader(data)), 16)
		var arena []byte
		for _, line := range bytes.Split(data, []byte("\n")) {
			var fast Event
			if !parseCanonical(line, &fast, &arena) {
				continue
			}
			var strict Event
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&strict); err != nil || dec.More() {
				t.Fatalf("fast path took a line the decoder refuses (%v): %q", err, line)
			}
			if !reflect.DeepEqual(fast, strict) {
				t.Fatalf("fast %+v\nstrict %+v", fast, strict)
			}
		}
	})
}

// BenchmarkParseJournalBytes: the same, in place (as list reads).
func BenchmarkParseJournalBytes(b *testing.B) {
	data := benchJournal(b, benchProtocol(b), 50)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseJournalBytes("bench", data); err != nil {
			b.Fatal(err)
		}
	}
}
