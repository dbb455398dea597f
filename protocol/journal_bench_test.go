package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
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
		for _, role := range []FileRole{RolePiece, RoleRaw, RoleMHTML, RoleDocument, RoleEvidence} {
			files = append(files, PieceFile{Role: role, Path: fmt.Sprintf("pieces/%03d-capture.%s", pieces, role), SHA256: strings.Repeat("ab", 32), Size: 123456})
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
