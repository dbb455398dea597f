package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anefdossier/capture"
	"anefdossier/protocol"
)

func newCase(t *testing.T) *protocol.Case {
	t.Helper()
	cs, err := InitCase(filepath.Join(t.TempDir(), "cas"), "bug-technique", nil)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestImportPieceAndRecordStep(t *testing.T) {
	ctx := context.Background()
	cs := newCase(t)
	src := filepath.Join(t.TempDir(), "reponse.eml")
	if err := os.WriteFile(src, []byte("From: a@example.org\r\nSubject: test\r\n\r\nbonjour\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var ke *UnknownKindError
	if _, _, err := ImportPiece(ctx, cs, Import{Src: src, Kind: "inconnu"}); !errors.As(err, &ke) {
		t.Fatalf("unknown kind: %v", err)
	}
	var ie *ImportError
	if _, _, err := ImportPiece(ctx, cs, Import{Src: src + ".absent"}); !errors.As(err, &ie) {
		t.Fatalf("missing file: %v", err)
	}
	p, dups, err := ImportPiece(ctx, cs, Import{Src: src})
	if err != nil || p.Number != 1 || p.Kind != "courriel" || p.Provenance != protocol.ProvenanceImported || len(dups) != 0 {
		t.Fatalf("import: %+v %v %v", p, dups, err)
	}
	if _, dups, _ = ImportPiece(ctx, cs, Import{Src: src}); len(dups) != 1 || dups[0] != 1 {
		t.Errorf("duplicate not reported: %v", dups)
	}

	// A value with a comma and an apostrophe is recorded exactly as given.
	d := time.Date(2026, 3, 12, 0, 0, 0, 0, protocol.Paris)
	answer := "personne n'a décroché, rappel demandé"
	res, err := RecordStep(ctx, cs, protocol.StepRecord{Step: "ccc", Channel: "courriel", Ref: "REF-1", Date: &d, Pieces: []int{1},
		Fields: map[string]string{"reponse": answer}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.Fields["reponse"] != answer || res.Step.ID != "ccc" || res.Next == nil {
		t.Errorf("result = %+v", res)
	}
	st, _, err := cs.State()
	if err != nil || st.StepState("ccc").Records[0].Fields["reponse"] != answer {
		t.Fatalf("stored: %v", err)
	}
	var inv *protocol.InvalidRecordError
	if _, err := RecordStep(ctx, cs, protocol.StepRecord{Step: "ccc", Channel: "telephone", Ref: "a\nb"}); !errors.As(err, &inv) {
		t.Errorf("a newline is accepted: %v", err)
	}
	u, err := Undo(ctx, cs, protocol.UndoRecord{Step: "ccc"})
	if err != nil || u.Records != 1 || u.Step.ID != "ccc" {
		t.Errorf("undo: %+v %v", u, err)
	}
	if _, err := Undo(ctx, cs, protocol.UndoRecord{Step: "ccc"}); !errors.Is(err, protocol.ErrNothingToUndo) {
		t.Errorf("second undo: %v", err)
	}
}

func TestTimestampWithoutAuthority(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cs := newCase(t)
	if _, err := Timestamp(context.Background(), cs, TimestampRequest{}); !errors.Is(err, ErrNoAuthority) {
		t.Errorf("err = %v", err)
	}
}

// TestCaptureStoresAPiece captures a page served on loopback with the real
// Chromium and checks the piece the use case stored.
func TestCaptureStoresAPiece(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("no chromium")
	}
	t.Setenv("HOME", t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("<html><head><title>Indisponible</title></head><body><p>Aucun créneau disponible</p></body></html>"))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	cs := newCase(t)
	url := "http://" + ln.Addr().String() + "/rdv"
	res, err := Capture(context.Background(), cs, CaptureRequest{Page: capture.Options{URL: url, ExpectText: "Aucun créneau", Timeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Piece
	if p.Number != 1 || p.Title != "Capture de la page « Indisponible »" || p.Provenance != protocol.ProvenanceCapture {
		t.Errorf("piece = %+v", p)
	}
	if _, ok := p.File(protocol.RoleEvidence); !ok {
		t.Error("no evidence record")
	}
	if res.Record.Status != 503 || res.Record.ExpectFound == nil || !*res.Record.ExpectFound || !strings.HasPrefix(res.Record.FinalURL, url) {
		t.Errorf("record = %+v", res.Record)
	}
	rep, err := Verify(cs, VerifyRequest{})
	if err != nil || !rep.OK || len(rep.Files) != len(p.Files) {
		t.Errorf("verify: %+v %v", rep, err)
	}
}
