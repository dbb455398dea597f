package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"anefdossier/protocol"
	"anefdossier/tsa"
)

// ErrNoAuthority is returned by [Timestamp] when no timestamp authority is
// configured (flag, dossier.yaml or the user's settings).
var ErrNoAuthority = errors.New("aucune autorité d'horodatage configurée")

// RootsError is a root certificate that cannot be read.
type RootsError struct{ Err error }

func (e *RootsError) Error() string { return e.Err.Error() }
func (e *RootsError) Unwrap() error { return e.Err }

// UnknownPieceError is a piece number the case does not have.
type UnknownPieceError struct{ Number int }

func (e *UnknownPieceError) Error() string { return fmt.Sprintf("pièce n°%d inconnue", e.Number) }

// TimestampRequest says which pieces to timestamp, and with whom.
type TimestampRequest struct {
	Pieces []int    // none: every piece not yet timestamped
	TSA    []string // authorities; none: the case's or the user's settings
	Root   string   // root certificate (PEM); "": the user's settings (never the case's)
}

// PieceFailure is why a piece got no new timestamp.
type PieceFailure struct {
	Piece    int
	Messages []string // one per authority that failed
}

// TimestampResult is what [Timestamp] did.
type TimestampResult struct {
	Asked    int // pieces to timestamp (0: all were already timestamped)
	Recorded []protocol.TimestampRecord
	Failures []PieceFailure
	Offline  bool // an authority could not be reached
	ReadOnly bool // the case's file system is read-only
	// Notes are remarks on the settings (a root named by dossier.yaml,
	// ignored), in French.
	Notes []string
	// Anchor is the token over the journal's head taken at the end of the
	// run (none when nothing changed since the last anchor).
	Anchor *Anchored
}

// Timestamp asks RFC 3161 authorities to timestamp pieces of cs (see
// [tsa.StampPiece]), under the case's exclusive lock. A failed piece does
// not stop the others; the result tells which failed and why.
func Timestamp(ctx context.Context, cs *protocol.Case, req TimestampRequest) (*TimestampResult, error) {
	cfg, err := tsa.ResolveConfig(cs, req.TSA, req.Root)
	if err != nil {
		return nil, err
	}
	if len(cfg.Authorities) == 0 {
		return nil, ErrNoAuthority
	}
	roots, err := cfg.Roots()
	if err != nil {
		return nil, &RootsError{err}
	}
	tx, err := cs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	st, _, err := tx.State()
	if err != nil {
		return nil, err
	}
	var todo []protocol.Piece
	if len(req.Pieces) > 0 {
		for _, n := range req.Pieces {
			pc := st.Piece(n)
			if pc == nil {
				return nil, &UnknownPieceError{n}
			}
			todo = append(todo, *pc)
		}
	} else {
		done := tsa.Stamped(tx.Events())
		for _, pc := range st.Pieces {
			if done[pc.Number] == 0 {
				todo = append(todo, pc)
			}
		}
	}
	res := &TimestampResult{Asked: len(todo), Notes: cfg.Notes}
	for _, pc := range todo {
		recs, err := tsa.StampPiece(ctx, tx, pc, cfg.Authorities, roots)
		res.Recorded = append(res.Recorded, recs...)
		if err != nil {
			res.Offline = res.Offline || errors.Is(err, tsa.ErrUnreachable)
			res.ReadOnly = res.ReadOnly || errors.Is(err, syscall.EROFS)
			res.Failures = append(res.Failures, PieceFailure{Piece: pc.Number, Messages: SplitJoined(err)})
		}
	}
	// Anchor the journal too (review 1, M4), even when no piece needed a
	// token: steps recorded offline get their anchor here.
	res.Anchor = anchor(ctx, tx, cfg.Authorities, roots)
	return res, nil
}

// SplitJoined returns the messages of an errors.Join (one per error).
func SplitJoined(err error) []string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{strings.TrimSpace(err.Error())}
}
