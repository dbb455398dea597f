package app

import (
	"context"
	"fmt"
	"strings"

	"anefdossier/protocol"
)

// CaseView is a case as the Dossier page shows it.
type CaseView struct {
	Rel        string
	State      *protocol.State
	Dossier    *protocol.Dossier // nil when dossier.yaml cannot be read
	DossierErr error
	Next       *protocol.StepState
	Deadlines  []protocol.DeadlineState
}

// Person is "SURNAME First names" from dossier.yaml, or "".
func (v *CaseView) Person() string {
	if v.Dossier == nil {
		return ""
	}
	return strings.TrimSpace(strings.ToUpper(v.Dossier.Person.Surname) + " " + v.Dossier.Person.FirstNames)
}

// Case reads the state of a case: steps, pieces, deadlines, warnings.
func (w *Workspace) Case(rel string) (*CaseView, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	st, d, err := loadState(cs)
	if err != nil {
		return nil, err
	}
	v := &CaseView{Rel: rel, State: st, Dossier: d, Next: st.Next()}
	if d == nil {
		_, _, v.DossierErr = cs.Dossier()
	}
	v.Deadlines = st.Deadlines(d, protocol.Now())
	return v, nil
}

// RecordedStep tells what recording a step did.
type RecordedStep struct {
	Step    *protocol.Step
	Record  protocol.StepRecord
	Done    bool
	Missing string
	// NewWarnings are the warnings the record raised.
	NewWarnings []string
	Next        *protocol.StepState
}

// RecordStep validates a step record against the case's protocol and
// appends it to the journal under the case lock, as `protocol done` does.
func (w *Workspace) RecordStep(ctx context.Context, rel string, rec protocol.StepRecord) (*RecordedStep, error) {
	for _, v := range []string{rec.Step, rec.Channel, rec.Ref, rec.Note} {
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, userErr("une valeur contient un saut de ligne : donnez chaque valeur sur une seule ligne", "")
		}
	}
	for _, v := range rec.Fields {
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, userErr("une valeur contient un saut de ligne : donnez chaque valeur sur une seule ligne", "")
		}
	}
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	tx, err := w.begin(ctx, cs)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	p, err := tx.Protocol()
	if err != nil {
		return nil, err
	}
	d, _, derr := cs.Dossier()
	if derr != nil {
		d = nil
	}
	before := protocol.FoldDossier(p, tx.Events(), d)
	if err := before.ValidateRecord(&rec); err != nil {
		if _, ok := err.(*protocol.UnknownStepError); ok {
			return nil, err
		}
		return nil, userErr(uiWords(err.Error()), "le formulaire de l'étape indique ce que chaque canal exige")
	}
	if _, err := tx.Append(protocol.EventStepDone, rec); err != nil {
		return nil, err
	}
	after := protocol.FoldDossier(p, tx.Events(), d)
	res := &RecordedStep{Step: p.Step(rec.Step), Record: rec, Next: after.Next()}
	known := map[string]bool{}
	for _, w := range before.Warnings {
		known[w] = true
	}
	for _, w := range after.Warnings {
		if !known[w] {
			res.NewWarnings = append(res.NewWarnings, w)
		}
	}
	s := after.StepState(rec.Step)
	res.Done, res.Missing = s.Done, s.Missing
	return res, nil
}

// uiWords replaces the command-line option names in a library message by
// the names of the form's fields.
func uiWords(s string) string {
	return strings.NewReplacer("(--piece N)", "(cochez une pièce)", "exige --ref", "exige la référence", "exige --date", "exige la date",
		"(--channel)", "", "--channel", "canal", "--piece", "pièce", "--ref", "référence", "--date", "date").Replace(s)
}

// Undo cancels the records of a step (one channel, or all) by appending an
// undo event, as `protocol undo` does; the records stay in the journal.
// It returns how many records it cancelled.
func (w *Workspace) Undo(ctx context.Context, rel string, u protocol.UndoRecord) (int, error) {
	if strings.ContainsAny(u.Reason, "\r\n\x00") {
		return 0, userErr("le motif contient un saut de ligne", "donnez le motif sur une seule ligne")
	}
	cs, err := w.Open(rel)
	if err != nil {
		return 0, err
	}
	tx, err := w.begin(ctx, cs)
	if err != nil {
		return 0, err
	}
	defer tx.Close()
	p, err := tx.Protocol()
	if err != nil {
		return 0, err
	}
	step := p.Step(u.Step)
	if step == nil {
		return 0, &protocol.UnknownStepError{ID: u.Step, Known: p.StepIDs()}
	}
	st := protocol.Fold(p, tx.Events()).StepState(u.Step)
	n := 0
	for _, r := range st.Records {
		if u.Channel == "" || r.Channel == u.Channel {
			n++
		}
	}
	if n == 0 {
		return 0, userErr(fmt.Sprintf("rien à annuler pour l'étape « %s »", step.Title), "")
	}
	if _, err := tx.Append(protocol.EventStepUndo, u); err != nil {
		return 0, err
	}
	return n, nil
}
