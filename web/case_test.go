package web

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anefdossier/protocol"
)

func journalLines(t *testing.T, dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, protocol.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func TestDossierStepAndUndo(t *testing.T) {
	ts := newTestServer(t, 0)
	ts.ws.NewCase("dupont", "bug-technique")
	dir := filepath.Join(ts.ws.Root, "dupont")
	code, body := ts.get("/d/dupont/")
	if code != 200 || !strings.Contains(body, "Prochaine étape obligatoire : Captures") || !strings.Contains(body, "Contact du Centre de contact citoyen") {
		t.Fatalf("dossier page: %d", code)
	}
	// a form generated from the protocol: the CCC channels and fields are there
	for _, want := range []string{`name="canal" value="telephone"`, `name="champ.impossibilite"`, "numéro de référence attribué au courriel"} {
		if !strings.Contains(body, want) {
			t.Errorf("step form lacks %s", want)
		}
	}
	n := journalLines(t, dir)
	// refused: the e-mail channel needs a piece and a reference
	code, body = ts.post("/d/dupont/etape", url.Values{"etape": {"ccc"}, "canal": {"courriel"}, "date": {"2026-03-10"}, "champ.reponse": {"aucune, rappel demandé"}})
	if code != 400 || !strings.Contains(body, "exige une pièce") {
		t.Fatalf("invalid record: %d", code)
	}
	if !strings.Contains(body, `value="aucune, rappel demandé"`) {
		t.Error("typed values lost after a refusal")
	}
	if journalLines(t, dir) != n {
		t.Fatal("a refused record was written")
	}
	code, body = ts.post("/d/dupont/etape", url.Values{"etape": {"pan"}, "date": {"2026-03-12"}, "champ.lieu": {"PAN de la mairie, salle 2"}})
	if code != 200 || !strings.Contains(body, "Étape enregistrée : Rendez-vous au point d&#39;accueil numérique (PAN) — le 12/03/2026, lieu du PAN : PAN de la mairie, salle 2") {
		t.Fatalf("record: %d %s", code, body)
	}
	if journalLines(t, dir) != n+1 {
		t.Fatal("record not appended")
	}
	code, body = ts.post("/d/dupont/annuler", url.Values{"etape": {"pan"}, "motif": {"mauvaise date"}})
	if code != 200 || !strings.Contains(body, "Annulation enregistrée (1 enregistrement)") {
		t.Fatalf("undo: %d", code)
	}
	if journalLines(t, dir) != n+2 {
		t.Fatal("undo did not append")
	}
	if strings.Contains(body, "PAN de la mairie") {
		t.Error("undone record still shown as recorded")
	}
}

func TestBusyCaseKeepsTheEdit(t *testing.T) {
	ts := newTestServer(t, 0)
	ts.ws.LockWait = 200 * 1e6
	ts.ws.NewCase("dupont", "bug-technique")
	cs, _ := protocol.Open(filepath.Join(ts.ws.Root, "dupont"), nil)
	tx, err := cs.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := ts.ws.Form("dupont")
	form := url.Values{"base_hash": {f.Hash}, "f.personne.nom": {"Occupé"}}
	for k, v := range f.Values() {
		form.Set("base."+k, v)
	}
	code, body := ts.post("/d/dupont/fiche", form)
	if code != 409 || !strings.Contains(body, "occupé") || !strings.Contains(body, `value="Occupé"`) || !strings.Contains(body, "data-autosubmit") {
		t.Fatalf("busy: %d %s", code, body)
	}
	tx.Close()
	// the automatic retry sends the same form: it is saved
	code, body = ts.post("/d/dupont/fiche", form)
	if code != 200 || !strings.Contains(body, "Fiche enregistrée") {
		t.Fatalf("retry: %d", code)
	}
	if f2, _ := ts.ws.Form("dupont"); f2.Field("personne.nom").Value != "Occupé" {
		t.Fatal("edit lost")
	}
}
