package protocol

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// Review 1, H3: a piece set aside leaves the documents' state; the others
// are renumbered without a gap, and the references follow.
func TestSetAsideRenumbersDocuments(t *testing.T) {
	c := newCase(t)
	for _, n := range []string{"a.txt", "b.txt", "c.txt"} {
		addText(t, c, n, "contenu "+n)
	}
	tx, err := c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d := time.Date(2026, 3, 11, 0, 0, 0, 0, Paris)
	if _, _, err := tx.RecordStep(&StepRecord{Step: "ccc", Channel: "courriel", Ref: "R", Date: &d, Pieces: []int{2, 3},
		Fields: map[string]string{"impossibilite": "oui"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Append(EventPieceTitled, PieceTitle{Number: 3, Title: "Troisième"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetAside(SetAsideRecord{Piece: 2, Reason: " "}); !errors.Is(err, ErrNoReason) {
		t.Errorf("empty reason: %v", err)
	}
	if err := tx.SetAside(SetAsideRecord{Piece: 2, Reason: "a\nb"}); !errors.Is(err, ErrBadReason) {
		t.Errorf("multi-line reason: %v", err)
	}
	if err := tx.SetAside(SetAsideRecord{Piece: 2, Reason: "illisible"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetAside(SetAsideRecord{Piece: 2, Reason: "encore"}); !errors.Is(err, ErrAlreadySetAside) {
		t.Errorf("twice: %v", err)
	}
	tx.Close()

	st, _, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Pieces) != 3 || st.Piece(2).SetAside == nil || st.Piece(2).SetAside.Reason != "illisible" || st.Piece(3).SetAside != nil {
		t.Fatalf("case state: %+v", st.Pieces)
	}
	doc, _, err := c.DocumentState()
	if err != nil {
		t.Fatal(err)
	}
	var nums []int
	var names []string
	for _, p := range doc.Pieces {
		nums = append(nums, p.Number)
		names = append(names, p.OriginalName)
	}
	if !reflect.DeepEqual(nums, []int{1, 2}) || !reflect.DeepEqual(names, []string{"a.txt", "c.txt"}) {
		t.Errorf("documents: %v %v, want [1 2] [a.txt c.txt]", nums, names)
	}
	if doc.Pieces[1].Ref() != 3 || st.Piece(3).Ref() != 3 {
		t.Errorf("case number of the documents' piece 2: %d, want 3", doc.Pieces[1].Ref())
	}
	if doc.Pieces[1].Title != "Troisième" {
		t.Errorf("the title given to old piece 3 is not on new piece 2: %+v", doc.Pieces)
	}
	if got := doc.StepState("ccc").Records[0].Pieces; !reflect.DeepEqual(got, []int{2}) {
		t.Errorf("step record cites %v in the documents, want [2] (old 3; old 2 set aside)", got)
	}
	// the journal keeps every event; verify still checks the piece set aside
	r, _, err := c.Verify()
	if err != nil || !r.OK() || len(r.Files) != 3 {
		t.Errorf("verify: %v, %+v", err, r)
	}
}
