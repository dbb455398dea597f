package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anefdossier/protocol"
)

func newWS(t *testing.T) (*Workspace, string) {
	t.Helper()
	root := t.TempDir()
	w, err := NewWorkspace(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := w.NewCase("dupont", "bug-technique")
	if err != nil {
		t.Fatal(err)
	}
	return w, rel
}

func TestFormSaveKeepsCommentsAndUnknownKeys(t *testing.T) {
	w, rel := newWS(t)
	path := filepath.Join(w.Root, rel, protocol.DossierFile)
	data, _ := os.ReadFile(path)
	// a key the form does not know, a block list and a hand comment
	data = []byte(strings.Replace(string(data), "personne:\n", "personne:\n  # note de l'avocat\n  surnom: \"Mimi\"\n", 1))
	data = []byte(strings.Replace(string(data), "  courriels: []", "  courriels:\n    - \"a@exemple.fr\"\n    - b@exemple.fr", 1))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := w.Form(rel)
	if err != nil {
		t.Fatal(err)
	}
	if f.Field("personne.nom") == nil || f.Field("personne.nom").Help == "" {
		t.Fatalf("nom field without help: %+v", f.Field("personne.nom"))
	}
	if got := f.Field("prefecture.courriels").Value; got != "a@exemple.fr\nb@exemple.fr" {
		t.Fatalf("courriels = %q", got)
	}
	if len(f.Problems) == 0 || !strings.Contains(f.Problems[0].Message, "surnom") {
		t.Fatalf("unknown key not reported: %+v", f.Problems)
	}
	vals := f.Values()
	vals["personne.nom"] = `Dupont "dit" # pas un commentaire`
	vals["personne.lieu_naissance.ville"] = "Bamako"
	vals["prefecture.courriels"] = "c@exemple.fr\r\n\r\nd@exemple.fr"
	vals["procedure.delai_silence_jours"] = "60"
	vals["procedure.accuse_reception_sans_mentions"] = "true"
	vals["personne.courriel"] = "pas-un-courriel"
	vals["blocage.description"] = "Ligne 1\nLigne 2"
	res, err := w.SaveForm(context.Background(), rel, FormSave{BaseHash: f.Hash, Base: f.Values(), Values: vals})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Saved || res.Changed != 7 {
		t.Fatalf("saved=%v changed=%d", res.Saved, res.Changed)
	}
	out, _ := os.ReadFile(path)
	s := string(out)
	for _, want := range []string{"# note de l'avocat", `surnom: "Mimi"`, "# nom de famille, tel qu'il figure",
		`nom: "Dupont \"dit\" # pas un commentaire"`, `courriels: ["c@exemple.fr", "d@exemple.fr"]`,
		"delai_silence_jours: 60   # délai", `description: "Ligne 1\nLigne 2"`} {
		if !strings.Contains(s, want) {
			t.Errorf("saved file lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "b@exemple.fr") {
		t.Errorf("old list item kept")
	}
	// the saved file reads back with the values typed
	f2, err := w.Form(rel)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"personne.nom": `Dupont "dit" # pas un commentaire`, "personne.lieu_naissance.ville": "Bamako",
		"prefecture.courriels": "c@exemple.fr\nd@exemple.fr", "procedure.accuse_reception_sans_mentions": "true", "blocage.description": "Ligne 1\nLigne 2"} {
		if got := f2.Field(k).Value; got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// check's problem is next to its field
	if fl := res.Form.Field("personne.courriel"); len(fl.Problems) == 0 {
		t.Errorf("no problem on personne.courriel: %+v (form problems %+v)", fl, res.Form.Problems)
	}
}

func TestFormInsertsMissingKey(t *testing.T) {
	w, rel := newWS(t)
	path := filepath.Join(w.Root, rel, protocol.DossierFile)
	data, _ := os.ReadFile(path)
	data = []byte(strings.Replace(string(data), "  canal_propre: \"\"", "", 1))
	data = []byte(strings.Replace(string(data), "horodatage:\n  autorites: []", "horodatage:\n  autoritesx: []", 1))
	os.WriteFile(path, data, 0o600)
	f, _ := w.Form(rel)
	vals := f.Values()
	vals["prefecture.canal_propre"] = "Démarches numériques"
	res, err := w.SaveForm(context.Background(), rel, FormSave{BaseHash: f.Hash, Base: f.Values(), Values: vals})
	if err != nil || !res.Saved {
		t.Fatalf("%v %+v", err, res)
	}
	f2, _ := w.Form(rel)
	if got := f2.Field("prefecture.canal_propre").Value; got != "Démarches numériques" {
		t.Fatalf("canal_propre = %q", got)
	}
}

func TestFormConflictWritesNothing(t *testing.T) {
	w, rel := newWS(t)
	path := filepath.Join(w.Root, rel, protocol.DossierFile)
	f, _ := w.Form(rel)
	// another program changes the file after the form was opened
	data, _ := os.ReadFile(path)
	edited := strings.Replace(string(data), `  nom: ""   `, `  nom: "DISQUE"`, 1)
	edited = strings.Replace(edited, `  prenoms: ""`, `  prenoms: "Awa"`, 1)
	if edited == string(data) {
		t.Fatal("test edit did not apply")
	}
	os.WriteFile(path, []byte(edited), 0o600)
	vals := f.Values()
	vals["personne.nom"] = "FORMULAIRE"
	vals["personne.nationalite"] = "malienne"
	res, err := w.SaveForm(context.Background(), rel, FormSave{BaseHash: f.Hash, Base: f.Values(), Values: vals})
	if err != nil {
		t.Fatal(err)
	}
	if res.Saved || !res.Conflict {
		t.Fatalf("saved over a changed file: %+v", res)
	}
	now, _ := os.ReadFile(path)
	if string(now) != edited {
		t.Fatal("file written despite the conflict")
	}
	nom := res.Form.Field("personne.nom")
	if !nom.Conflict || nom.Disk != "DISQUE" || nom.Value != "FORMULAIRE" {
		t.Errorf("nom: %+v", nom)
	}
	if p := res.Form.Field("personne.prenoms"); p.Conflict || !p.Changed || p.Value != "Awa" {
		t.Errorf("prenoms: %+v", p)
	}
	if n := res.Form.Field("personne.nationalite"); n.Conflict || n.Value != "malienne" {
		t.Errorf("nationalite: %+v", n)
	}
	// saving again from the conflict form writes
	res2, err := w.SaveForm(context.Background(), rel, FormSave{BaseHash: res.Form.Hash, Base: func() map[string]string {
		m := map[string]string{}
		for _, s := range res.Form.Sections {
			for _, fl := range s.Fields {
				m[fl.Path] = fl.Disk
			}
		}
		return m
	}(), Values: res.Form.Values()})
	if err != nil || !res2.Saved {
		t.Fatalf("%v %+v", err, res2)
	}
	f3, _ := w.Form(rel)
	if f3.Field("personne.nom").Value != "FORMULAIRE" || f3.Field("personne.prenoms").Value != "Awa" {
		t.Fatalf("after resolve: %q %q", f3.Field("personne.nom").Value, f3.Field("personne.prenoms").Value)
	}
}

func TestResolveConfines(t *testing.T) {
	w, rel := newWS(t)
	outside := t.TempDir()
	os.Symlink(outside, filepath.Join(w.Root, "fuite"))
	for _, bad := range []string{"../x", "/etc", "a/../../x", "fuite", "fuite/x", "a\x00b", `..\x`} {
		if _, err := w.Resolve(bad); err == nil {
			t.Errorf("Resolve(%q) accepted", bad)
		}
	}
	if _, err := w.Resolve(rel); err != nil {
		t.Fatal(err)
	}
}
