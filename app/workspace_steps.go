package app

import (
	"context"
	"errors"
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
	// Untitled are the imported pieces without an explicit inventory title
	// (art. R.412-2 al. 2 CJA), UntitledWarning says so in French (without
	// the command line: the page links to each piece's title form).
	Untitled        []*protocol.Piece
	UntitledWarning string
	// TitleAdvice: no copy of the residence document held (m14), or "".
	TitleAdvice string
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
	st, derr, err := loadState(cs)
	if err != nil {
		return nil, err
	}
	v := &CaseView{Rel: rel, State: st, Dossier: st.Dossier, DossierErr: derr, Next: st.Next()}
	v.Deadlines = st.Deadlines(st.Dossier, protocol.Now())
	v.Untitled, v.UntitledWarning = st.UntitledPieces(), st.UntitledReason()
	v.TitleAdvice = st.TitleCopyAdvice()
	return v, nil
}

// TitlePiece is [TitlePiece] on the case named rel; a refused title is a
// *UserError.
func (w *Workspace) TitlePiece(ctx context.Context, rel string, n int, title string) (protocol.Piece, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return protocol.Piece{}, err
	}
	ctx, cancel := w.lockContext(ctx)
	defer cancel()
	p, err := TitlePiece(ctx, cs, n, title)
	if errors.Is(err, protocol.ErrBadTitle) {
		return p, userErr(err.Error(), "un intitulé sur une ligne, qui dit ce que la pièce montre")
	}
	return p, err
}

// RecordStep is [RecordStep] on the case named rel, waiting at most
// LockWait for the case's lock; a record the protocol refuses is a
// *UserError in the words of the form.
func (w *Workspace) RecordStep(ctx context.Context, rel string, rec protocol.StepRecord) (*StepResult, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	ctx, cancel := w.lockContext(ctx)
	defer cancel()
	res, err := RecordStep(ctx, cs, rec)
	var ie *protocol.InvalidRecordError
	if errors.As(err, &ie) {
		return nil, userErr(uiWords(ie.Error()), "le formulaire de l'étape indique ce que chaque canal exige")
	}
	return res, err
}

// uiWords replaces the command-line option names in a library message by
// the names of the form's fields.
func uiWords(s string) string {
	return strings.NewReplacer("(--piece N)", "(cochez une pièce)", "exige --ref", "exige la référence", "exige --date", "exige la date",
		" (--channel)", "", "--channel", "canal", "--piece", "pièce", "--ref", "référence", "--date", "date", "--set ", "").Replace(s)
}

// Undo is [Undo] on the case named rel.
func (w *Workspace) Undo(ctx context.Context, rel string, u protocol.UndoRecord) (*UndoResult, error) {
	if strings.ContainsAny(u.Reason, "\r\n\x00") {
		return nil, userErr("le motif contient un saut de ligne", "donnez le motif sur une seule ligne")
	}
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	ctx, cancel := w.lockContext(ctx)
	defer cancel()
	res, err := Undo(ctx, cs, u)
	if errors.Is(err, protocol.ErrNothingToUndo) {
		return nil, userErr("rien à annuler pour cette étape", "")
	}
	return res, err
}
