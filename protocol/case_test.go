package protocol

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func newCase(t *testing.T) *Case {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cas")
	c, err := Init(dir, "bug-technique", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func addText(t *testing.T, c *Case, name, content string) Piece {
	t.Helper()
	src := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(src, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	tx, err := c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	p, _, err := tx.AddPiece(NewPiece{Kind: "autre", Provenance: ProvenanceImported, OriginalName: name,
		Files: []NewFile{{Role: "piece", Ext: ".txt", Src: src}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func journalLines(t *testing.T, c *Case) [][]byte {
	t.Helper()
	data, err := os.ReadFile(c.Path(JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(data, []byte("\n"))
}

func writeLines(t *testing.T, c *Case, lines [][]byte) {
	t.Helper()
	if err := os.WriteFile(c.Path(JournalFile), bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestInitModes(t *testing.T) {
	c := newCase(t)
	for _, p := range []string{"", PiecesDir, OutDir} {
		st, err := os.Stat(c.Path(p))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != DirMode {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), DirMode)
		}
	}
	for _, f := range []string{DossierFile, JournalFile} {
		st, _ := os.Stat(c.Path(f))
		if st.Mode().Perm() != FileMode {
			t.Errorf("%s: mode %v, want %v", f, st.Mode().Perm(), FileMode)
		}
	}
	p := addText(t, c, "a.txt", "bonjour")
	st, _ := os.Stat(c.Path(p.Main().Path))
	if st.Mode().Perm() != FileMode {
		t.Errorf("piece mode %v", st.Mode().Perm())
	}
	if _, err := Init(c.Dir, "bug-technique", nil); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("Init on a non-empty folder: %v", err)
	}
	var up *UnknownProtocolError
	if _, err := Init(filepath.Join(t.TempDir(), "x"), "nope", nil); !errors.As(err, &up) || !strings.Contains(err.Error(), "bug-technique") {
		t.Errorf("unknown protocol: %v", err)
	}
}

func TestJournalChainAndTampering(t *testing.T) {
	c := newCase(t)
	for i := 0; i < 4; i++ {
		addText(t, c, fmt.Sprintf("p%d.txt", i), fmt.Sprintf("contenu %d", i))
	}
	rep, events, err := c.Verify()
	if err != nil || !rep.OK() || len(events) != 5 {
		t.Fatalf("fresh case: ok=%v events=%d err=%v", rep.OK(), len(events), err)
	}
	orig := journalLines(t, c)
	cases := []struct {
		name     string
		mutate   func([][]byte) [][]byte
		wantLine int
		trunc    bool
	}{
		{"edited line", func(l [][]byte) [][]byte {
			l[2] = bytes.Replace(l[2], []byte("p1.txt"), []byte("p9.txt"), 1)
			return l
		}, 4, false},
		{"removed line", func(l [][]byte) [][]byte { return append(l[:2:2], l[3:]...) }, 3, false},
		{"reordered lines", func(l [][]byte) [][]byte { l[2], l[3] = l[3], l[2]; return l }, 3, false},
		{"truncated last line", func(l [][]byte) [][]byte {
			last := l[len(l)-2]
			l[len(l)-2] = last[:len(last)/2]
			return l
		}, 5, true},
		{"edited first line", func(l [][]byte) [][]byte {
			l[0] = bytes.Replace(l[0], []byte("bug-technique"), []byte("api"), 1)
			return l
		}, 2, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lines := make([][]byte, len(orig))
			for i := range orig {
				lines[i] = append([]byte(nil), orig[i]...)
			}
			writeLines(t, c, tc.mutate(lines))
			defer writeLines(t, c, orig)
			rep, _, err := c.Verify()
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || rep.JournalError == nil {
				t.Fatalf("tampering not detected")
			}
			if rep.JournalError.Line != tc.wantLine || rep.JournalError.Truncated != tc.trunc {
				t.Fatalf("got line %d truncated=%v (%s), want line %d truncated=%v", rep.JournalError.Line, rep.JournalError.Truncated, rep.JournalError.Reason, tc.wantLine, tc.trunc)
			}
			if _, err := c.Begin(context.Background()); err == nil {
				t.Fatal("Begin accepted a broken journal")
			}
		})
	}
}

func TestRepairQuarantinesTruncatedLine(t *testing.T) {
	c := newCase(t)
	addText(t, c, "a.txt", "a")
	f, _ := os.OpenFile(c.Path(JournalFile), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"id":"0193","time":"2026-03-10T10:00:00Z","ty`)
	f.Close()
	rep, _, _ := c.Verify()
	if rep.OK() || rep.JournalError == nil || !rep.JournalError.Truncated || rep.JournalError.Line != 3 {
		t.Fatalf("truncated line not reported precisely: %+v", rep.JournalError)
	}
	done, err := c.Repair()
	if err != nil || len(done) != 1 {
		t.Fatalf("repair: %v %v", done, err)
	}
	rep, events, _ := c.Verify()
	if !rep.OK() || len(events) != 2 || len(rep.Quarantined) != 1 {
		t.Fatalf("after repair ok=%v events=%d quarantined=%v", rep.OK(), len(events), rep.Quarantined)
	}
	q, _ := os.ReadFile(c.Path(rep.Quarantined[0]))
	if !strings.HasPrefix(string(q), `{"id":"0193"`) {
		t.Fatalf("quarantine lost the bytes: %q", q)
	}
	// Appending works again after repair.
	addText(t, c, "b.txt", "b")
	if rep, _, _ := c.Verify(); !rep.OK() {
		t.Fatal("case invalid after repair and append")
	}
}

func TestRepairRefusesTampering(t *testing.T) {
	c := newCase(t)
	addText(t, c, "a.txt", "a")
	addText(t, c, "b.txt", "b")
	lines := journalLines(t, c)
	lines[1] = bytes.Replace(lines[1], []byte(`"a.txt"`), []byte(`"z.txt"`), 1)
	writeLines(t, c, lines)
	if _, err := c.Repair(); err == nil {
		t.Fatal("repair accepted a tampered journal")
	}
}

func TestAlteredAndMissingPiece(t *testing.T) {
	c := newCase(t)
	p1 := addText(t, c, "a.txt", "original")
	p2 := addText(t, c, "b.txt", "second")
	if err := os.WriteFile(c.Path(p1.Main().Path), []byte("Original"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(c.Path(p2.Main().Path))
	rep, _, _ := c.Verify()
	if rep.OK() {
		t.Fatal("altered piece not detected")
	}
	got := map[int]string{}
	for _, f := range rep.Files {
		if !f.OK {
			got[f.Piece] = f.Status
		}
	}
	if !strings.HasPrefix(got[1], "modifié") || got[2] != "absent" {
		t.Fatalf("statuses: %v", got)
	}
}

func TestOrphanAfterCrashBeforeEvent(t *testing.T) {
	c := newCase(t)
	addText(t, c, "a.txt", "a")
	// A crash between writing the file and appending the event.
	if err := WriteFileOnce(c.Path(PiecesDir, "002-autre.txt"), []byte("b")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(c.Path(PiecesDir, ".tmp-003-autre.txt-123"), []byte("partial"), 0o600)
	rep, _, _ := c.Verify()
	if rep.OK() || len(rep.Orphans) != 1 || rep.Orphans[0] != "pieces/002-autre.txt" || len(rep.Temps) != 1 {
		t.Fatalf("orphans %v temps %v", rep.Orphans, rep.Temps)
	}
	if _, err := c.Repair(); err != nil {
		t.Fatal(err)
	}
	rep, _, _ = c.Verify()
	if !rep.OK() {
		t.Fatalf("not ok after repair: %+v", rep)
	}
	if _, err := os.Stat(c.Path(PiecesDir, "orphelins", "002-autre.txt")); err != nil {
		t.Fatal("orphan not kept:", err)
	}
	// The next piece must not collide with the orphan's old name.
	p := addText(t, c, "c.txt", "c")
	if p.Number != 2 {
		t.Fatalf("number %d", p.Number)
	}
}

func TestWriteOnceRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x")
	if err := WriteFileOnce(p, []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileOnce(p, []byte("2")); !errors.Is(err, ErrExists) {
		t.Fatalf("overwrite: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "1" {
		t.Fatal("file changed")
	}
}

// TestConcurrentAppends: 10 writers on one case produce 10 events and a
// valid chain (the lock serialises them).
func TestConcurrentAppends(t *testing.T) {
	c := newCase(t)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c2, err := Open(c.Dir, nil)
			if err != nil {
				errs <- err
				return
			}
			tx, err := c2.Begin(context.Background())
			if err != nil {
				errs <- err
				return
			}
			defer tx.Close()
			_, _, err = tx.AddPiece(NewPiece{Kind: "autre", Files: []NewFile{{Ext: ".txt", Data: []byte(fmt.Sprint(i))}}})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rep, events, err := c.Verify()
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	if len(events) != 11 || len(rep.Files) != 10 {
		t.Fatalf("events %d files %d", len(events), len(rep.Files))
	}
}

func TestDuplicateHash(t *testing.T) {
	c := newCase(t)
	addText(t, c, "a.txt", "même")
	src := filepath.Join(t.TempDir(), "b.txt")
	os.WriteFile(src, []byte("même"), 0o600)
	tx, _ := c.Begin(context.Background())
	defer tx.Close()
	_, dups, err := tx.AddPiece(NewPiece{Kind: "autre", Files: []NewFile{{Ext: ".txt", Src: src}}})
	if err != nil || len(dups) != 1 || dups[0] != 1 {
		t.Fatalf("dups %v err %v", dups, err)
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    string
		hasTime bool
	}{
		{"2026-03-10", "2026-03-10T00:00:00+01:00", false},
		{"10/03/2026", "2026-03-10T00:00:00+01:00", false},
		{"10/03/2026 14:30", "2026-03-10T14:30:00+01:00", true},
		{"10/03/2026 14h30", "2026-03-10T14:30:00+01:00", true},
		{"2026-07-01 09:00", "2026-07-01T09:00:00+02:00", true},
		{"2026-03-10T10:00:00Z", "2026-03-10T10:00:00Z", true},
	} {
		got, ht, err := ParseDate(tc.in)
		if err != nil || got.Format(time.RFC3339) != tc.want || ht != tc.hasTime {
			t.Errorf("ParseDate(%q) = %s %v %v, want %s %v", tc.in, got.Format(time.RFC3339), ht, err, tc.want, tc.hasTime)
		}
	}
	for _, bad := range []string{"", "31/02/2026", "2026-13-01", "demain", "10-03-2026"} {
		if _, _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	if got := FrLongDate(time.Date(2026, 3, 1, 12, 0, 0, 0, Paris)); got != "1er mars 2026" {
		t.Errorf("FrLongDate = %q", got)
	}
}

func TestTempFileAtRootIsNamedAndSetAside(t *testing.T) {
	c := newCase(t)
	addText(t, c, "a.txt", "a")
	os.WriteFile(c.Path(".tmp-journal.head-42"), []byte("x"), 0o600)
	rep, _, _ := c.Verify()
	if rep.OK() || len(rep.Temps) != 1 || rep.Temps[0] != ".tmp-journal.head-42" {
		t.Fatalf("temps %v", rep.Temps)
	}
	if _, err := c.Repair(); err != nil {
		t.Fatal(err)
	}
	if rep, _, _ := c.Verify(); !rep.OK() {
		t.Fatalf("after repair: %+v", rep)
	}
}
