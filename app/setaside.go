package app

import (
	"context"
	"errors"

	"anefdossier/protocol"
)

// SetAsideResult is what setting a piece aside did.
type SetAsideResult struct {
	Piece  protocol.Piece
	Record protocol.SetAsideRecord
	// Kept is the number of pieces the documents still include.
	Kept   int
	Anchor *Anchored
}

// SetAside sets piece n of cs aside with a reason (review 1, H3): an
// appended piece.set_aside event; the file stays, verify still checks it,
// the documents leave it out and renumber the others continuously. A piece
// unknown is an *[UnknownPieceError].
func SetAside(ctx context.Context, cs *protocol.Case, n int, reason string) (*SetAsideResult, error) {
	tx, err := cs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	st, _, err := tx.State()
	if err != nil {
		return nil, err
	}
	p := st.Piece(n)
	if p == nil {
		return nil, &UnknownPieceError{n}
	}
	rec := protocol.SetAsideRecord{Piece: n, Reason: reason}
	if err := tx.SetAside(rec); err != nil {
		return nil, err
	}
	after, _, err := tx.State()
	if err != nil {
		return nil, err
	}
	res := &SetAsideResult{Piece: *after.Piece(n), Record: *after.Piece(n).SetAside}
	for _, q := range after.Pieces {
		if q.SetAside == nil {
			res.Kept++
		}
	}
	res.Anchor = anchorConfigured(ctx, cs, tx)
	return res, nil
}

// SetAside is [SetAside] on the case named rel; a refused reason or a piece
// already set aside is a *UserError.
func (w *Workspace) SetAside(ctx context.Context, rel string, n int, reason string) (*SetAsideResult, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	ctx, cancel := w.lockContext(ctx)
	defer cancel()
	res, err := SetAside(ctx, cs, n, reason)
	var ue *UnknownPieceError
	switch {
	case errors.Is(err, protocol.ErrNoReason):
		return nil, userErr(err.Error(), "indiquez pourquoi la pièce est écartée (par exemple « PDF protégé par mot de passe, illisible »)")
	case errors.Is(err, protocol.ErrAlreadySetAside), errors.As(err, &ue):
		return nil, userErr(err.Error(), "")
	case errors.Is(err, protocol.ErrBadReason):
		return nil, userErr(err.Error(), "donnez le motif sur une seule ligne")
	}
	return res, err
}
