package protocol

import (
	"errors"
	"fmt"
)

// State reads the journal (under a shared lock) and folds it over the case's
// protocol and dossier.yaml: the one way a command or the renderer sees a
// case. A broken journal or an unknown protocol is err. An unreadable
// dossier.yaml does not stop the fold: it is returned as dossierErr, beside a
// state folded without it (st.Dossier is then nil), and each caller decides
// whether it matters (render stops, status shows the steps anyway).
func (c *Case) State() (st *State, dossierErr, err error) {
	events, err := c.Events()
	if err != nil {
		return nil, nil, err
	}
	return c.fold(events)
}

// State is [Case.State] for the case being changed, from the events this Tx
// holds (including those it appended).
func (t *Tx) State() (st *State, dossierErr, err error) {
	return t.c.fold(t.events)
}

func (c *Case) fold(events []Event) (*State, error, error) {
	p, err := LoadProtocol(c.Templates, c.ProtocolID(events))
	if err != nil {
		return nil, nil, err
	}
	d, _, derr := c.Dossier()
	if derr != nil {
		d = nil
	}
	return Fold(p, events, d), derr, nil
}

// Protocol loads the protocol of the case being changed.
func (t *Tx) Protocol() (*Protocol, error) {
	return LoadProtocol(t.c.Templates, t.c.ProtocolID(t.events))
}

// InvalidRecordError is a step record the protocol refuses (missing channel,
// reference or piece, unknown field...). An unknown step is an
// [UnknownStepError] instead.
type InvalidRecordError struct{ Err error }

func (e *InvalidRecordError) Error() string { return e.Err.Error() }
func (e *InvalidRecordError) Unwrap() error { return e.Err }

// RecordStep records a step done: it checks the record against the protocol
// and what the case already holds, normalises it (default channel, booleans
// and dates of extra fields), appends the step.done event, and returns the
// states before and after, so that the caller can tell what changed (new
// warnings, the step now complete, the next step).
func (t *Tx) RecordStep(rec *StepRecord) (before, after *State, err error) {
	before, _, err = t.State()
	if err != nil {
		return nil, nil, err
	}
	if err := before.ValidateRecord(rec); err != nil {
		var us *UnknownStepError
		if errors.As(err, &us) {
			return nil, nil, err
		}
		return nil, nil, &InvalidRecordError{err}
	}
	if _, err := t.Append(EventStepDone, *rec); err != nil {
		return nil, nil, err
	}
	after = Fold(before.Protocol, t.events, before.Dossier)
	return before, after, nil
}

// ErrNothingToUndo is returned by [Tx.Undo] when the step (or channel) has no
// record to cancel.
var ErrNothingToUndo = errors.New("rien à annuler")

// Undo cancels the records of a step (only those of u.Channel when given)
// by appending a step.undone event: nothing is erased, the records stay
// readable in the journal. It returns how many records it cancelled.
func (t *Tx) Undo(u UndoRecord) (int, error) {
	st, _, err := t.State()
	if err != nil {
		return 0, err
	}
	ss := st.StepState(u.Step)
	if ss == nil {
		return 0, &UnknownStepError{ID: u.Step, Known: st.Protocol.StepIDs()}
	}
	n := 0
	for _, r := range ss.Records {
		if u.Channel == "" || r.Channel == u.Channel {
			n++
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("%w pour l'étape %s", ErrNothingToUndo, u.Step)
	}
	if _, err := t.Append(EventStepUndo, u); err != nil {
		return 0, err
	}
	return n, nil
}
