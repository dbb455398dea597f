package protocol

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// M12 of the legal review (R.412-2 al. 2 CJA): a piece imported without a
// title is flagged with the command that titles it; the title given later
// is a journal event, the piece's file and event are unchanged, and the
// flag goes away.
func TestUntitledPieceFlaggedThenTitled(t *testing.T) {
	c := newCase(t)
	p := addText(t, c, "IMG_2031.txt", "capture")
	tx, err := c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	eml, _, err := tx.AddPiece(NewPiece{Kind: "courriel", Provenance: ProvenanceImported,
		Files: []NewFile{{Role: RolePiece, Ext: ".eml", Data: []byte("Subject: Demande\r\n\r\nx")}}})
	if err != nil {
		t.Fatal(err)
	}
	proof, _, err := tx.AddPiece(NewPiece{Kind: "preuve-depot", Provenance: ProvenanceImported,
		Files: []NewFile{{Role: RolePiece, Ext: ".txt", Data: []byte("preuve")}}})
	if err != nil {
		t.Fatal(err)
	}
	tool, _, err := tx.AddPiece(NewPiece{Kind: "capture", Provenance: ProvenanceCapture,
		Files: []NewFile{{Role: RolePiece, Ext: ".txt", Data: []byte("outil")}}})
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	st, _, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, u := range st.UntitledPieces() {
		got = append(got, u.Number)
	}
	if len(got) != 1 || got[0] != p.Number {
		t.Fatalf("untitled pieces = %v, want only n°%d (not the e-mail n°%d, the postage proof n°%d, the tool's capture n°%d)",
			got, p.Number, eml.Number, proof.Number, tool.Number)
	}
	w := st.UntitledWarning()
	for _, want := range []string{"n°1", "R.412-2 al. 2 CJA", `anef-dossier piece title 1 "`} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q lacks %q", w, want)
		}
	}
	before, err := os.ReadFile(c.Path(p.Main().Path))
	if err != nil {
		t.Fatal(err)
	}

	tx, err = c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		n     int
		title string
	}{{1, "  "}, {1, "deux\nlignes"}, {99, "Capture"}, {1, strings.Repeat("é", MaxPieceTitle+1)}} {
		if _, err := tx.TitlePiece(bad.n, bad.title); !errors.Is(err, ErrBadTitle) {
			t.Errorf("TitlePiece(%d, %.20q) = %v, want ErrBadTitle", bad.n, bad.title, err)
		}
	}
	const title = "Capture d'écran de l'ANEF constatant le refus du numéro de visa"
	if _, err := tx.TitlePiece(1, "  "+title+" "); err != nil {
		t.Fatal(err)
	}
	tx.Close()
	st, _, err = c.State()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Piece(1).Title; got != title {
		t.Errorf("title = %q, want %q", got, title)
	}
	if st.Piece(1).TitledAt.IsZero() {
		t.Error("the date the title was given is not kept")
	}
	if len(st.UntitledPieces()) != 0 || st.UntitledWarning() != "" {
		t.Errorf("still flagged after the title: %v", st.UntitledWarning())
	}
	after, _ := os.ReadFile(c.Path(p.Main().Path))
	if string(after) != string(before) {
		t.Error("titling changed the piece's file")
	}
	if rep, _, err := c.Verify(); err != nil || !rep.OK() {
		t.Errorf("verify after titling: %+v, %v", rep, err)
	}

	// A piece set aside is in no document: it is not flagged.
	untitled := addText(t, c, "IMG_2032.txt", "autre capture")
	tx, err = c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.SetAside(SetAsideRecord{Piece: untitled.Number, Reason: "doublon"}); err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if st, _, err = c.State(); err != nil {
		t.Fatal(err)
	}
	if len(st.UntitledPieces()) != 0 {
		t.Errorf("a piece set aside is flagged: %v", st.UntitledWarning())
	}
}

// m14 of the legal review: with the expiry date of the document held in
// dossier.yaml and no copy of it among the pieces, the tool advises to import
// one; a piece of kind « titre » ends the advice.
func TestTitleCopyAdvice(t *testing.T) {
	j := newSyn(t, "bug-technique")
	st := j.state()
	st.Dossier = &Dossier{}
	if a := st.TitleCopyAdvice(); a != "" {
		t.Errorf("advice without an expiry date: %q", a)
	}
	st.Dossier.Procedure.ExpiryDate = "2026-05-31"
	if a := st.TitleCopyAdvice(); !strings.Contains(a, "--kind titre") {
		t.Errorf("advice = %q, want the command importing the title", a)
	}
	j.piece("titre", "2025-06-01")
	st = j.state()
	st.Dossier = &Dossier{Procedure: Procedure{ExpiryDate: "2026-05-31"}}
	if a := st.TitleCopyAdvice(); a != "" {
		t.Errorf("advice kept with a copy of the title: %q", a)
	}
}
