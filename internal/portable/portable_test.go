package portable

import (
	"strings"
	"testing"
)

// Names Windows refuses or changes, whatever their case and extension.
var bad = []string{
	"CON", "con", "Con", "PRN", "aux", "NUL", "nul.txt", "COM1", "com9.pdf", "LPT1", "lpt3.tar.gz", "COM¹",
	"CONIN$", "conout$.log", "AUX .txt", "con.", "aux ", "NUL.tar.gz",
	"a<b", "a>b", "a:b", `a"b`, "a/b", `a\b`, "a|b", "a?b", "a*b", "tab\there", "nl\nx", "bell\x07", "del\x7f",
	"trailing.", "trailing ", "trailing. .", ".", "..", "", strings.Repeat("é", 128), "bad\xffutf8",
}

// Names every system takes.
var good = []string{
	"001-capture-ecran.png", "CONTRAT.pdf", "console", "auxiliaire.txt", "nullité.pdf", "COM10", "lpt", "con-1",
	"COMx", ".tmp-a", ".hidden", "Dossier Dupont", "Pièce n°3 (copie)", "été", strings.Repeat("a", 255), "a.b.c",
}

func TestProblem(t *testing.T) {
	for _, n := range bad {
		if Problem(n) == "" {
			t.Errorf("Problem(%q) = \"\", want a reason", n)
		}
	}
	for _, n := range good {
		if p := Problem(n); p != "" {
			t.Errorf("Problem(%q) = %q, want none", n, p)
		}
	}
}

func TestName(t *testing.T) {
	want := map[string]string{
		"aux":                  "_aux",
		"AUX":                  "_AUX",
		"con.":                 "_con",
		"con.txt":              "_con.txt",
		"CON .tar.gz":          "_CON .tar.gz",
		"com1":                 "_com1",
		"Dossier: Dupont?":     "Dossier_ Dupont_",
		"dossier. . ":          "dossier",
		"...":                  "repli",
		"":                     "repli",
		"a\x00b\x1fc":          "a_b_c",
		"Dupont <Amina>":       "Dupont _Amina_",
		"bad\xffutf8":          "bad_utf8",
		"Dossier Dupont Amina": "Dossier Dupont Amina",
	}
	for in, w := range want {
		if got := Name(in, 60, "repli"); got != w {
			t.Errorf("Name(%q) = %q, want %q", in, got, w)
		}
	}
	// Every bad name becomes a good one, within the bound.
	for _, n := range append(bad, good...) {
		for _, max := range []int{3, 8, 60, 0} {
			got := Name(n, max, "dossier")
			if p := Problem(got); p != "" {
				t.Errorf("Name(%q, %d) = %q: %s", n, max, got, p)
			}
			if max > 0 && len(got) > max && got != "dossier" {
				t.Errorf("Name(%q, %d) = %q: over %d bytes", n, max, got, max)
			}
		}
	}
	// Cutting never splits a character.
	if got := Name(strings.Repeat("é", 40), 9, "x"); got != "éééé" {
		t.Errorf("cut: %q", got)
	}
}

func TestCollisions(t *testing.T) {
	got := Collisions([]string{"pieces/Note.txt", "pieces/note.txt", "out/a.pdf", "pieces/NOTE.TXT", "b", "e\u0301t\u00e9", "\u00e9t\u00e9"})
	if len(got) != 2 || len(got[0]) != 3 || got[0][0] != "pieces/Note.txt" || len(got[1]) != 2 {
		t.Fatalf("Collisions = %q", got)
	}
	if got := Collisions([]string{"a", "b", "001-x.png", "002-x.png"}); len(got) != 0 {
		t.Fatalf("Collisions of distinct names = %q", got)
	}
}
