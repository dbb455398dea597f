package render

import (
	"strings"
	"testing"

	"anefdossier/internal/portable"
)

// Télérecours names from titles full of what Windows refuses (device names,
// < > : " / \ | ? *, control characters, trailing dots and spaces, accents,
// emoji, 300 characters) are valid on every system, at most maxName
// characters, and distinct even where case is ignored (issue 13).
func TestTelerecoursNamesPortable(t *testing.T) {
	titles := []string{"CON", "aux", "NUL.txt", "com1", "LPT1 ", "con.", "Prn . .", `Capture <ANEF> : "bloquée" | 1/2 ?*`,
		"a\\b", "tab\tnl\nbell\x07", "trailing...", "trailing   ", "", "   ", "....", "Écran d'accueil — été 2026 🙂",
		strings.Repeat("Très long titre ", 20), "ÉCRAN", "écran", "Ecran"}
	var names []string
	for width := 2; width <= 3; width++ {
		for i, title := range titles {
			for _, part := range []string{"", "_partie1", "_partie2"} {
				n := TelerecoursName(i+1, width, title, part)
				if p := portable.Problem(n); p != "" {
					t.Errorf("TelerecoursName(%q) = %q: %s", title, n, p)
				}
				if len(n) > maxName {
					t.Errorf("TelerecoursName(%q) = %q: %d characters", title, n, len(n))
				}
				if width == 2 {
					names = append(names, n)
				}
			}
		}
	}
	names = append(names, InventoryFile, DossierFile, TelerecoursName(0, 2, "Inventaire", ""))
	if c := portable.Collisions(names); len(c) > 0 {
		t.Errorf("names equal when case is ignored: %q", c)
	}
}
