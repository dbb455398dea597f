package protocol

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// FuzzParseJournal: the journal reader never panics, and whatever it accepts
// re-chains: every accepted event's Prev is the hash of the line before.
func FuzzParseJournal(f *testing.F) {
	var buf bytes.Buffer
	prev := GenesisHash
	for i, typ := range []string{EventCreated, EventPiece, EventStepDone} {
		ev, line, err := NewEvent(prev, time.Date(2026, 3, 10, 10, i, 0, 0, time.UTC), typ, map[string]any{"n": i})
		if err != nil {
			f.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
		prev = ev.Hash
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()-7])
	f.Add([]byte("{}\n"))
	f.Add([]byte("\n\n"))
	f.Add([]byte(`{"id":"x","time":"2026-01-01T00:00:00Z","type":"t","prev":"` + GenesisHash + `"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		events, err := ParseJournal("fuzz", bytes.NewReader(data))
		if err != nil {
			var je *JournalError
			if !errors.As(err, &je) {
				t.Fatalf("error of unexpected type %T: %v", err, err)
			}
			if je.Line != len(events)+1 {
				t.Fatalf("error at line %d after %d good events", je.Line, len(events))
			}
		}
		p := GenesisHash
		for _, e := range events {
			if e.Prev != p {
				t.Fatalf("accepted a broken chain at line %d", e.Line)
			}
			p = e.Hash
		}
	})
}

// FuzzParseDossier: the dossier.yaml loader and validator never panic, and
// an error always carries a message.
func FuzzParseDossier(f *testing.F) {
	f.Add([]byte("protocole: bug-technique\npersonne:\n  nom: \"Dupont\"\n"))
	f.Add([]byte("personne: [\n"))
	f.Add([]byte("inconnu: 1\n"))
	f.Add([]byte("personne:\n  date_naissance: 31/02/2026\n  numero_etranger: 12ab\n"))
	f.Add([]byte("prefecture:\n  courriels: [\"a@b\", 3]\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, file, err := ParseDossier("dossier.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, p := range d.Validate(file) {
			if p.Message == "" {
				t.Fatal("problem without message")
			}
		}
	})
}
