package protocol

import (
	"strings"
	"testing"
)

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{
		"Préfecture de Lyon":      "Préfecture de Lyon",
		"ligne 1\nligne 2\tfin":   "ligne 1\nligne 2\tfin",
		"nul\x00esc\x1b[31mrouge": "nul[U+0000]esc[U+001B][31mrouge",
		"facture\u202Efdp.exe":    "facture[U+202E]fdp.exe",
		"isolé\u2066x\u2069":      "isolé[U+2066]x[U+2069]",
		"del\x7f c1\u0085":        "del[U+007F] c1[U+0085]",
		"mauvais \xff utf8":       "mauvais \uFFFD utf8",
		"vrai \uFFFD gardé":       "vrai \uFFFD gardé",
	} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	if got := Clip("àéîõü", 3); got != "àéî…" {
		t.Fatalf("Clip = %q", got)
	}
	if got := Clip("court", 10); got != "court" {
		t.Fatalf("Clip = %q", got)
	}
	long := strings.Repeat("é", 1<<20)
	if got := Clip(long, 500); len([]rune(got)) != 501 {
		t.Fatalf("Clip of 1M runes gives %d runes", len([]rune(got)))
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 octets", 1023: "1023 octets", 1024: "1 ko", 1536: "1 ko", 1<<20 - 1: "1023 ko",
		1 << 20: "1 Mo", 200 << 20: "200 Mo", 3<<20 + 1<<19: "3.5 Mo", 1 << 30: "1 Go", 1<<30 + 1<<29: "1536 Mo", 1<<30 + 1: "1024.0 Mo",
	} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
