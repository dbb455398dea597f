package protocol

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// EventPieceSetAside sets a piece aside (review 1, H3): the file stays in the
// case and in the journal (verify still checks its bytes), but the documents
// (dossier, inventory, Télérecours export, e-mail) no longer include it, and
// the pieces that follow are renumbered there so that the inventory stays
// continuous (art. R.412-2 CJA).
const EventPieceSetAside = "piece.set_aside"

// SetAsideRecord is the data of a piece.set_aside event.
type SetAsideRecord struct {
	Piece  int    `json:"piece"`
	Reason string `json:"reason"`
	// At is when it was set aside (the event's time; not serialised).
	At time.Time `json:"-"`
}

// MaxReason bounds the reason given for setting a piece aside.
const MaxReason = 2000

var (
	// ErrAlreadySetAside: the piece is already set aside.
	ErrAlreadySetAside = errors.New("pièce déjà écartée")
	// ErrNoReason: a piece is never set aside without a reason.
	ErrNoReason = errors.New("motif manquant : une pièce n'est écartée qu'avec un motif, gardé au journal")
	// ErrBadReason: a reason on several lines, or too long.
	ErrBadReason = errors.New("motif refusé")
)

// SetAside appends a piece.set_aside event for piece r.Piece with reason
// r.Reason (one line, at most MaxReason characters). Nothing is erased.
func (t *Tx) SetAside(r SetAsideRecord) error {
	r.Reason = strings.TrimSpace(r.Reason)
	switch {
	case r.Reason == "":
		return ErrNoReason
	case strings.ContainsAny(r.Reason, "\r\n\x00"):
		return fmt.Errorf("%w : il contient un saut de ligne ou un caractère nul", ErrBadReason)
	case utf8.RuneCountInString(r.Reason) > MaxReason:
		return fmt.Errorf("%w : trop long (%d caractères au plus)", ErrBadReason, MaxReason)
	}
	st, _, err := t.State()
	if err != nil {
		return err
	}
	p := st.Piece(r.Piece)
	if p == nil {
		return fmt.Errorf("pièce n°%d inconnue", r.Piece)
	}
	if p.SetAside != nil {
		return fmt.Errorf("%w : pièce n°%d, le %s (« %s »)", ErrAlreadySetAside, r.Piece, FrDate(p.SetAside.At), p.SetAside.Reason)
	}
	_, err = t.Append(EventPieceSetAside, r)
	return err
}

// setAside returns the pieces set aside by events, by number.
func setAside(events []Event) map[int]*SetAsideRecord {
	var out map[int]*SetAsideRecord
	for _, e := range events {
		if e.Type != EventPieceSetAside {
			continue
		}
		var r SetAsideRecord
		if e.Decode(&r) != nil || r.Piece < 1 {
			continue
		}
		if out == nil {
			out = map[int]*SetAsideRecord{}
		}
		if out[r.Piece] == nil {
			r.At = e.Time
			out[r.Piece] = &r
		}
	}
	return out
}

// renumbering maps the numbers of the pieces kept to continuous numbers
// (1, 2, 3…), the pieces set aside to 0.
func renumbering(events []Event, aside map[int]*SetAsideRecord) map[int]int {
	m := map[int]int{}
	n := 0
	for _, e := range events {
		if e.Type != EventPiece {
			continue
		}
		var p Piece
		if e.Decode(&p) != nil {
			continue
		}
		if aside[p.Number] != nil {
			m[p.Number] = 0
			continue
		}
		n++
		m[p.Number] = n
	}
	return m
}

// FoldDocuments is [Fold] as the documents see the case: the pieces set
// aside are left out, the others renumbered continuously, and every
// reference to a piece (step records, timestamps) follows the new numbers;
// a reference to a piece set aside is dropped.
func FoldDocuments(p *Protocol, events []Event, d *Dossier) *State {
	aside := setAside(events)
	if len(aside) == 0 {
		return Fold(p, events, d)
	}
	return foldState(p, events, d, renumbering(events, aside))
}

// DocumentState is [Case.State] as the documents see the case (see
// [FoldDocuments]).
func (c *Case) DocumentState() (st *State, dossierErr, err error) {
	events, err := c.Events()
	if err != nil {
		return nil, nil, err
	}
	pr, err := LoadProtocol(c.Templates, c.ProtocolID(events))
	if err != nil {
		return nil, nil, err
	}
	d, _, derr := c.Dossier()
	if derr != nil {
		d = nil
	}
	return FoldDocuments(pr, events, d), derr, nil
}

// remap returns the new numbers of ns, dropping pieces set aside.
func remap(ns []int, m map[int]int) []int {
	var out []int
	for _, n := range ns {
		if v, ok := m[n]; !ok {
			out = append(out, n) // unknown piece: kept, Fold warns about it
		} else if v > 0 {
			out = append(out, v)
		}
	}
	return out
}
