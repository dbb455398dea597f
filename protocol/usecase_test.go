package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

func TestAddCaptureRecipe(t *testing.T) {
	c := newCase(t)
	tx, err := c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	found := true
	rec := &CaptureRecord{Mode: ModeAttached, URLRequested: "https://a.example/x", FinalURL: "https://a.example/y",
		Status: 503, TLS: &TLSInfo{Issuer: "CN=Test"}, Shot: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC),
		ExpectText: "Aucun", ExpectFound: &found, PageTitle: "Titre"}
	nc := NewCapture{Record: rec, Bannered: []byte("bannered"), Raw: []byte("raw"), MHTML: []byte("mhtml"),
		Body: []byte("<html>"), BodyExt: ".html", Title: "Capture d'essai"}
	np, err := nc.Piece()
	if err != nil {
		t.Fatal(err)
	}
	planned, err := np.Stored(tx.NextPieceNumber())
	if err != nil {
		t.Fatal(err)
	}
	p, err := tx.AddCapture(nc)
	if err != nil {
		t.Fatal(err)
	}
	var roles []FileRole
	for _, f := range p.Files {
		roles = append(roles, f.Role)
		data, err := os.ReadFile(c.Path(f.Path))
		if err != nil || HashBytes(data) != f.SHA256 {
			t.Errorf("%s: not stored as recorded (%v)", f.Path, err)
		}
	}
	if want := []FileRole{RolePiece, RoleRaw, RoleMHTML, RoleDocument, RoleEvidence}; !reflect.DeepEqual(roles, want) {
		t.Errorf("roles = %v, want %v", roles, want)
	}
	if p.Provenance != ProvenanceAttached || p.Kind != KindCapture || p.Title != "Capture d'essai" || !p.Date.Equal(rec.Shot) {
		t.Errorf("piece = %+v", p)
	}
	if p.Files[4].Path != "pieces/001-capture.preuve.json" {
		t.Errorf("evidence path = %s", p.Files[4].Path)
	}
	// Stored computes, without writing, the very record AddPiece appended.
	p.EventID, p.AddedAt = "", time.Time{}
	if !reflect.DeepEqual(planned, p) {
		t.Errorf("Stored = %+v\nAddCapture = %+v", planned, p)
	}
	var sum CaptureSummary
	if err := json.Unmarshal(p.Record, &sum); err != nil || sum.TLSIssuer != "CN=Test" || sum.Mode != ModeAttached || sum.Status != 503 {
		t.Errorf("summary = %+v (%v)", sum, err)
	}
	if _, err := (NewCapture{}).Piece(); err == nil {
		t.Error("a capture without image is accepted")
	}
}

func TestRecordStepAndUndo(t *testing.T) {
	c := newCase(t)
	addText(t, c, "a.txt", "preuve")
	tx, err := c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	// Unknown step, then a record the protocol refuses: nothing appended.
	n := len(tx.Events())
	var us *UnknownStepError
	if _, _, err := tx.RecordStep(&StepRecord{Step: "nope"}); !errors.As(err, &us) {
		t.Fatalf("unknown step: %v", err)
	}
	var ie *InvalidRecordError
	if _, _, err := tx.RecordStep(&StepRecord{Step: "ccc", Channel: "courriel"}); !errors.As(err, &ie) {
		t.Fatalf("invalid record: %v", err)
	}
	if len(tx.Events()) != n {
		t.Fatal("a refused record was appended")
	}
	d := time.Date(2026, 3, 11, 0, 0, 0, 0, Paris)
	rec := &StepRecord{Step: "ccc", Channel: "courriel", Ref: "REF-1", Date: &d, Pieces: []int{1},
		Fields: map[string]string{"impossibilite": "oui"}}
	before, after, err := tx.RecordStep(rec)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Fields["impossibilite"] != "true" {
		t.Errorf("record not normalised: %v", rec.Fields)
	}
	if len(before.StepState("ccc").Records) != 0 || len(after.StepState("ccc").Records) != 1 || len(tx.Events()) != n+1 {
		t.Errorf("before/after: %d, %d records", len(before.StepState("ccc").Records), len(after.StepState("ccc").Records))
	}
	if got, err := tx.Undo(UndoRecord{Step: "ccc", Channel: "telephone"}); !errors.Is(err, ErrNothingToUndo) || got != 0 {
		t.Errorf("undo of an empty channel: %d, %v", got, err)
	}
	if got, err := tx.Undo(UndoRecord{Step: "ccc"}); err != nil || got != 1 {
		t.Errorf("undo: %d, %v", got, err)
	}
	st, _, err := tx.State()
	if err != nil || len(st.StepState("ccc").Records) != 0 {
		t.Errorf("after undo: %v", err)
	}
}

func TestStateReturnsDossierErrorBeside(t *testing.T) {
	c := newCase(t)
	st, derr, err := c.State()
	if err != nil || derr != nil || st.Dossier == nil {
		t.Fatalf("fresh case: %v, %v", derr, err)
	}
	if err := os.WriteFile(c.Path(DossierFile), []byte("personne: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, derr, err = c.State()
	var de *DossierError
	if err != nil || st == nil || st.Dossier != nil || !errors.As(derr, &de) {
		t.Fatalf("broken dossier.yaml: st=%v derr=%v err=%v", st, derr, err)
	}
	if st.Protocol.ID != "bug-technique" {
		t.Errorf("protocol = %s", st.Protocol.ID)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 pièce", 1: "1 pièce", 2: "2 pièces"} {
		if got := Count(n, "pièce", "pièces"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// A capture whose fourth file cannot be written (here: its name is taken,
// as when the disk fills up at that file) leaves none of its files and
// nothing in the journal; a file that was already there is untouched.
func TestAddCaptureWholeOrAbsent(t *testing.T) {
	c := newCase(t)
	os.MkdirAll(c.Path(PiecesDir), DirMode)
	taken := c.Path(PiecesDir, "001-capture.warc.gz")
	if err := os.WriteFile(taken, []byte("autre"), 0o600); err != nil {
		t.Fatal(err)
	}
	tx, err := c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec := &CaptureRecord{URLRequested: "https://a.example/", Shot: time.Now()}
	_, err = tx.AddCapture(NewCapture{Record: rec, Bannered: []byte("b"), Raw: []byte("r"), MHTML: []byte("m"), WARC: []byte("w"), Title: "x"})
	tx.Close()
	if !errors.Is(err, ErrExists) {
		t.Fatalf("AddCapture over a taken name: %v", err)
	}
	ents, _ := os.ReadDir(c.Path(PiecesDir))
	if len(ents) != 1 || ents[0].Name() != "001-capture.warc.gz" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files left: %v", names)
	}
	if b, _ := os.ReadFile(taken); string(b) != "autre" {
		t.Error("the file already there was changed")
	}
	if _, events, _ := c.Verify(); len(events) != 1 {
		t.Errorf("%d events, want only the case's creation", len(events))
	}
}
