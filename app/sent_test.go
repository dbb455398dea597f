package app

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anefdossier/protocol"
	"anefdossier/render"
)

// C3: recording the sending of the LRAR freezes the letter as sent into a
// numbered, write-once piece: the day's date, the LRAR number, the pieces of
// that day without the proof of its own posting; later renders use it.
func TestSendingFreezesTheLetter(t *testing.T) {
	ctx := context.Background()
	cs := newCase(t)
	dossier, err := os.ReadFile("../examples/cas-exemple/dossier.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cs.Path("dossier.yaml"), dossier, 0o600); err != nil {
		t.Fatal(err)
	}
	file := func(name, body string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	day := func(s string) *time.Time {
		d, _, err := protocol.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	imp := func(name, kind, title, date string) int {
		p, _, err := ImportPiece(ctx, cs, Import{Src: file(name, name+" "+date), Kind: kind, Title: title, Date: *day(date)})
		if err != nil {
			t.Fatal(err)
		}
		return p.Number
	}
	imp("c1.txt", "capture", "Capture de l'ANEF refusant le dépôt, le 10/03/2026", "10/03/2026")
	form := imp("f.txt", "formulaire-ccc", "Formulaire « Nous contacter » envoyé le 11/03/2026", "11/03/2026")
	if _, err := RecordStep(ctx, cs, protocol.StepRecord{Step: "ccc", Channel: "formulaire", Date: day("11/03/2026"), Pieces: []int{form}}); err != nil {
		t.Fatal(err)
	}
	proof := imp("depot.txt", "preuve-depot", "Preuve de dépôt de la LRAR du 26/03/2026", "26/03/2026")

	// An invalid sending writes nothing (no piece, no letter).
	if _, err := RecordStep(ctx, cs, protocol.StepRecord{Step: "prefecture", Channel: "lrar", Date: day("26/03/2026")}); err == nil {
		t.Fatal("LRAR without its number accepted")
	}
	setNow := func(t time.Time) { protocol.Now = func() time.Time { return t } }
	defer func() { protocol.Now = time.Now }()
	setNow(time.Date(2026, 3, 27, 9, 0, 0, 0, protocol.Paris))
	res, err := RecordStep(ctx, cs, protocol.StepRecord{Step: "prefecture", Channel: "lrar", Ref: "1A 111 222 3334 5",
		Date: day("26/03/2026"), Pieces: []int{proof}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Letter == nil || res.Letter.Number != proof+1 || res.Record.Letter != res.Letter.Number || res.Letter.Kind != "lettre-envoyee" {
		t.Fatalf("letter not frozen: %+v / %+v", res.Letter, res.Record)
	}
	if !strings.Contains(res.Letter.Title, "n° 1A 111 222 3334 5 envoyée le 26/03/2026") {
		t.Errorf("title: %s", res.Letter.Title)
	}
	sent, err := os.ReadFile(cs.Path(res.Letter.Main().Path))
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, sent)
	for _, want := range []string{"le 26 mars 2026", "Lettre recommandée avec accusé de réception n° 1A 111 222 3334 5", "Pièce n°1", "Pièce n°2"} {
		if !strings.Contains(text, want) {
			t.Errorf("frozen letter lacks %q", want)
		}
	}
	for _, bad := range []string{"Pièce n°3", "Preuve de dépôt", "Pièce n°4", render.DraftMark, "Lettre recommandée avec accusé de réception n° 1A 111 222 3334 5 (copie"} {
		if strings.Contains(text, bad) {
			t.Errorf("frozen letter has %q", bad)
		}
	}
	if protocol.HashBytes(sent) != res.Letter.Main().SHA256 {
		t.Errorf("frozen letter's fingerprint not the journal's")
	}

	// Months later, render letter gives the very bytes sent; the dossier has
	// no fresh render in its place.
	setNow(time.Date(2026, 11, 26, 9, 0, 0, 0, protocol.Paris))
	in, err := Render(cs)
	if err != nil {
		t.Fatal(err)
	}
	name, again, err := in.LetterFile("lettre-substitution")
	if err != nil || name != "lettre-substitution.pdf" || !bytes.Equal(again, sent) {
		t.Errorf("render letter after sending: %s, same bytes %v, %v", name, bytes.Equal(again, sent), err)
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext absent")
	}
	f := filepath.Join(t.TempDir(), "l.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(out), "\u00a0", " ")
}
