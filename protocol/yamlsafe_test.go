package protocol

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Review 1, H4: a 2 KB alias bomb in dossier.yaml exhausted 10 GB; it is now
// refused before any expansion, with its line.
func TestDossierAliasBombRefused(t *testing.T) {
	items := []string{`&a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]`}
	for i := 1; i < 9; i++ {
		refs := strings.TrimSuffix(strings.Repeat("*a"+string(rune('0'+i-1))+",", 10), ",")
		items = append(items, "&a"+string(rune('0'+i))+" ["+refs+"]")
	}
	data := "protocole: bug-technique\nprefecture:\n  courriels: [" + strings.Join(items, ", ") + "]\n"
	_, _, err := ParseDossier("dossier.yaml", []byte(data))
	var de *DossierError
	if !errors.As(err, &de) || !strings.Contains(de.Problem.Message, "ancre ou alias YAML") || de.Problem.Line != 3 {
		t.Fatalf("got %v", err)
	}
}

func TestDossierSpecialFileRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "dossier.yaml")); err != nil {
		t.Skip(err)
	}
	if _, _, err := LoadDossier(filepath.Join(dir, "dossier.yaml")); !errors.Is(err, ErrSymlink) {
		t.Fatalf("link to /dev/zero: %v", err)
	}
	big := filepath.Join(dir, "gros.yaml")
	os.WriteFile(big, []byte("protocole: x\n"+strings.Repeat("#", MaxDossierFile)), 0o600)
	if _, _, err := LoadDossier(big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("2 MB dossier.yaml: %v", err)
	}
}
