package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"anefdossier/protocol"
	"anefdossier/render"
)

// TestExampleCaseStillOpens opens examples/cas-exemple as committed before
// the naming rule (docs/STYLE.md) moved the journal's values to English
// tokens: its French values ("importée", "brut", "preuve", "sans-tete") read
// as the current constants, the case verifies and renders, and nothing in it
// is rewritten.
func TestExampleCaseStillOpens(t *testing.T) {
	src := filepath.Join("..", "examples", "cas-exemple")
	journal, err := os.ReadFile(filepath.Join(src, protocol.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "cas")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	cs, err := protocol.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, derr, err := cs.State()
	if err != nil || derr != nil {
		t.Fatalf("state: %v, dossier: %v", err, derr)
	}
	prov := map[protocol.Provenance]int{}
	roles := map[protocol.FileRole]int{}
	for _, p := range st.Pieces {
		prov[p.Provenance]++
		for _, f := range p.Files {
			roles[f.Role]++
		}
	}
	if prov[protocol.ProvenanceCapture] != 3 || prov[protocol.ProvenanceImported] != 5 || len(prov) != 2 {
		t.Errorf("provenances: %v", prov)
	}
	if roles[protocol.RoleRaw] != 3 || roles[protocol.RoleEvidence] != 3 || roles[protocol.RolePiece] != 8 || len(roles) != 3 {
		t.Errorf("roles: %v", roles)
	}
	p1 := st.Piece(1)
	if f, ok := p1.File(protocol.RoleEvidence); !ok || f.Path != "pieces/001-capture.preuve.json" {
		t.Errorf("evidence of piece 1: %+v", f)
	}
	var sum protocol.CaptureSummary
	if err := json.Unmarshal(p1.Record, &sum); err != nil || sum.Mode != protocol.ModeHeadless {
		t.Errorf("summary mode %q (%v)", sum.Mode, err)
	}
	if next := st.Next(); next != nil {
		t.Errorf("every mandatory step is done in the example, next = %s", next.Step.ID)
	}
	rep, err := Verify(cs, VerifyRequest{})
	if err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	in, err := Render(cs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.InventoryPDF(render.ForJudge); err != nil {
		t.Errorf("inventory: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, protocol.JournalFile))
	if string(after) != string(journal) {
		t.Error("the journal was rewritten")
	}
	// The evidence record keeps its French token when written again.
	var rec protocol.CaptureRecord
	data, _ := os.ReadFile(filepath.Join(dir, "pieces", "001-capture.preuve.json"))
	if err := json.Unmarshal(data, &rec); err != nil || rec.Mode != protocol.ModeHeadless {
		t.Fatalf("record mode %q (%v)", rec.Mode, err)
	}
	out, _ := json.Marshal(rec)
	var back map[string]any
	if json.Unmarshal(out, &back); back["mode"] != "sans-tete" || back["outil"] == nil {
		t.Errorf("record written back: mode %v", back["mode"])
	}
}
