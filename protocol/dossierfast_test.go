package protocol

import (
	"bytes"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"text/template"

	"anefdossier/templates"
)

func quickTemplate(t testing.TB) string {
	raw, err := fs.ReadFile(templates.FS, "dossier.yaml.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	template.Must(template.New("d").Parse(string(raw))).Execute(&buf, map[string]string{"Protocol": "api", "Protocols": "api"})
	return buf.String()
}

var quickEdits = []struct {
	old, new string
	quick    bool // whether the quick reader must take it
}{
	{``, ``, true},
	{`  nom: ""`, `  nom: "DUPONT"`, true},
	{`  nom: ""`, `  nom: Dupont-Durand d'Arc   # commentaire`, true},
	{`  prenoms: ""`, `  prenoms: 'Marie Anne'`, true},
	{`  prenoms: ""`, `  prenoms: 'l''autre'`, false},
	{`  prenoms: ""`, `  prenoms: "Marie \"Anne\""`, false},
	{`date_expiration_titre: ""`, `date_expiration_titre: "2026-06-30"`, true},
	{`date_expiration_titre: ""`, `date_expiration_titre: 2026-06-30`, false},
	{`delai_silence_jours: 0`, `delai_silence_jours: 60`, true},
	{`delai_silence_jours: 0`, `delai_silence_jours: "60"`, false},
	{`voies_recours_mentionnees: false`, `voies_recours_mentionnees: true`, true},
	{`voies_recours_mentionnees: false`, `voies_recours_mentionnees: yes`, false},
	{`  courriels: []`, `  courriels: ["a@exemple.gouv.fr", "b@exemple.gouv.fr"]`, true},
	{`  courriels: []`, "  courriels:\n    - a@exemple.gouv.fr", false},
	{`  nom: ""`, `  nom: true`, false},
	{`  nom: ""`, `  nom: 12`, false},
	{`  nom: ""`, `  nomm: "x"`, false},
	{`  ville: ""`, "  ville: \"\"\n  ville: \"x\"", false},
	{`  adresse: ""`, `  adresse: "1 rue X | 75001 Paris"`, true},
	{`  description: ""`, "  description: >\n    long", false},
	{`personne:`, `personne: &p`, false},
	{`  nom: ""`, "\tnom: \"x\"", false},
	{`  nom: ""`, `   nom: "x"`, false},
}

func TestQuickDossierMatchesParser(t *testing.T) {
	base := quickTemplate(t)
	for _, e := range quickEdits {
		src := base
		if e.old != "" {
			if !strings.Contains(src, e.old) {
				t.Fatalf("template has no %q", e.old)
			}
			src = strings.Replace(src, e.old, e.new, 1)
		}
		q, ok := quickDossier([]byte(src))
		if ok != e.quick {
			t.Errorf("%q: quick=%v, want %v", e.new, ok, e.quick)
		}
		full, _, err := ParseDossier("dossier.yaml", []byte(src))
		if ok {
			if err != nil {
				t.Errorf("%q: quick reader accepted what the parser refuses: %v", e.new, err)
			} else if !reflect.DeepEqual(q, full) {
				t.Errorf("%q: quick %+v\nfull %+v", e.new, q, full)
			}
		}
	}
}

// FuzzQuickDossier: whatever the quick reader accepts, the full parser
// accepts with the same result.
func FuzzQuickDossier(f *testing.F) {
	base := quickTemplate(f)
	for _, e := range quickEdits {
		f.Add(strings.Replace(base, e.old, e.new, 1))
	}
	f.Add("personne:\n  nom: x\n")
	f.Fuzz(func(t *testing.T, src string) {
		q, ok := quickDossier([]byte(src))
		if !ok {
			return
		}
		full, _, err := ParseDossier("dossier.yaml", []byte(src))
		if err != nil {
			t.Fatalf("quick accepted, parser refused: %v", err)
		}
		if !reflect.DeepEqual(q, full) {
			t.Fatalf("quick %+v\nfull %+v", q, full)
		}
	})
}
