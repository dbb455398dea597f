package protocol

import (
	"strings"
	"testing"
)

// What really happens (issue 10, point 5): an unanswered call to the CCC,
// made before any e-mail, is recordable with its call log and no reference;
// the written CCC answer is asked for before the préfecture step (M7).
func TestLegalUnansweredCallAndWrittenAnswer(t *testing.T) {
	j := newSyn(t, "bug-technique")
	j.piece("capture", "2024-01-11")
	log := j.piece("journal-appels", "2024-02-12")
	j.done("ccc", "telephone", "", "12/02/2024", []int{log}, "sans_reponse=oui", "numero=0 806 001 620")
	if !hasWarning(j.state(), "Aucune réponse écrite du CCC") {
		t.Errorf("no alert without a written CCC answer: %v", j.state().Warnings)
	}
	// A form with impossibilite=oui but only a capture is still not written.
	form := j.piece("formulaire-ccc", "2024-02-12")
	j.done("ccc", "formulaire", "", "12/02/2024", []int{form}, "impossibilite=oui")
	if !hasWarning(j.state(), "Aucune réponse écrite du CCC") {
		t.Errorf("a form capture counted as a written answer: %v", j.state().Warnings)
	}
	// A reference given must still be one of the e-mails.
	if err := j.try("ccc", "telephone", "REF-X", "13/02/2024", []int{log}); err == nil {
		t.Error("an unknown e-mail reference was accepted")
	}
	ans := j.piece("reponse-ccc", "2024-02-20")
	mail := j.piece("courriel", "2024-02-14")
	j.done("ccc", "courriel", "ANEF-123", "14/02/2024", []int{mail, ans}, "impossibilite=oui")
	if hasWarning(j.state(), "Aucune réponse écrite du CCC") {
		t.Errorf("alert kept with a written answer: %v", j.state().Warnings)
	}
	j.done("ccc", "telephone", "ANEF-123", "21/02/2024", []int{log})
}

// M10 of the legal review: CE n°436288 and n°493514 are stated as their
// abstracts hold, not beyond (no "silence on an appointment request creates
// no decision"; a letter sent by post in breach of the personal-appearance
// rule, not "any other channel").
func TestLegalRdvCaseLawWording(t *testing.T) {
	p, err := LoadProtocol(nil, "rdv-indisponible")
	if err != nil {
		t.Fatal(err)
	}
	sum := strings.Join(strings.Fields(p.Summary), " ")
	for _, want := range []string{"La convocation à un rendez-vous n'est pas une décision attaquable", "délai raisonnable", "n°436288", "n°435594"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q: %s", want, sum)
		}
	}
	canal := strings.Join(strings.Fields(p.Step("canal").Proof), " ")
	if !strings.Contains(canal, "envoyée par courrier alors que la présentation personnelle était exigée") || !strings.Contains(canal, "n°493514") {
		t.Errorf("n°493514 not stated as the avis holds: %s", canal)
	}
	all := sum + canal
	for _, s := range p.Steps {
		all += s.Proof + s.Advice
	}
	for _, bad := range []string{"ne crée pas de décision", "n'a pas d'effet", "silence gardé sur une demande de rendez-vous"} {
		if strings.Contains(strings.Join(strings.Fields(all), " "), bad) {
			t.Errorf("overstated case law %q still in the protocol", bad)
		}
	}
}
