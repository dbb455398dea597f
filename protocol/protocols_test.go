package protocol

import (
	"io/fs"
	"strings"
	"testing"

	"anefdossier/templates"
)

func TestEmbeddedProtocolsLoad(t *testing.T) {
	for _, id := range Protocols(nil) {
		if _, err := LoadProtocol(nil, id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}

// Every source cited by a protocol (deadlines, alerts) is an id of
// templates/SOURCES.md, and every letter template is one of the agreed names.
func TestProtocolSourcesKnown(t *testing.T) {
	raw, err := fs.ReadFile(templates.FS, "SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "| ") {
			ids[strings.TrimSpace(strings.Split(line, "|")[1])] = true
		}
	}
	for _, id := range Protocols(nil) {
		p, err := LoadProtocol(nil, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Deadlines {
			if !ids[d.Source] {
				t.Errorf("%s: délai %s: source %q absente de SOURCES.md", id, d.ID, d.Source)
			}
		}
		for _, a := range p.Alerts {
			if a.Source != "" && !ids[a.Source] {
				t.Errorf("%s: alerte %s: source %q absente de SOURCES.md", id, a.ID, a.Source)
			}
		}
	}
	want := map[string]string{"api": "demande-api.tmpl", "complement": "lettre-complement.tmpl",
		"rdv-indisponible": "lettre-rdv-indisponible.tmpl", "limite-conception": "lettre-limite-conception.tmpl"}
	for id, tmpl := range want {
		p, err := LoadProtocol(nil, id)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range p.Documents {
			found = found || d.Template == tmpl
		}
		if !found {
			t.Errorf("%s: aucun document n'utilise le modèle %s", id, tmpl)
		}
	}
}
