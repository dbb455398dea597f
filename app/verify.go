package app

import (
	"fmt"

	"anefdossier/protocol"
	"anefdossier/tsa"
)

// VerifyRequest says how to verify a case.
type VerifyRequest struct {
	// Repair quarantines what an interrupted write left (a truncated last
	// line, files written but never recorded); nothing is erased.
	Repair bool
	// Root is the root certificate (PEM) the timestamp tokens are checked
	// against; "": the user's settings (never the case's own).
	Root string
}

// VerifyResult is what [Verify] found. Its JSON form is the output of
// `verify --json`.
type VerifyResult struct {
	*protocol.Report
	OK         bool        `json:"ok"`
	Problems   []string    `json:"other_problems"`
	Notes      []string    `json:"notes,omitempty"`
	Timestamps []tsa.Check `json:"timestamps"`
	// Anchoring says up to which line the journal is anchored outside the
	// case, and by which token (review 1, M4).
	Anchoring tsa.Anchoring `json:"anchoring"`
	// Repaired lists what --repair did, in French.
	Repaired []string `json:"-"`
}

// Verify re-checks a case offline: the journal and its hash chain, the
// fingerprint of every file of every piece, and every RFC 3161 token.
func Verify(cs *protocol.Case, req VerifyRequest) (*VerifyResult, error) {
	var repaired []string
	if req.Repair {
		done, err := cs.Repair()
		repaired = done
		if err != nil {
			return &VerifyResult{Repaired: repaired}, err
		}
	}
	r, events, err := cs.Verify()
	if err != nil {
		return &VerifyResult{Repaired: repaired}, err
	}
	res := &VerifyResult{Report: r, Problems: []string{}, Repaired: repaired}
	// The trust anchor never comes from the case (review 1, H2): --root,
	// else the user's settings.
	roots, rootPath, notes, err := tsa.VerifyRoots(cs, req.Root)
	if err != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("racine d'horodatage %s : %v", rootPath, err))
		roots = nil
	}
	checks := tsa.CheckTokens(cs, events, roots)
	res.Timestamps = checks
	if checks == nil {
		res.Timestamps = []tsa.Check{}
	}
	stamped := map[int]bool{}
	for _, ch := range checks {
		if !ch.OK {
			res.Problems = append(res.Problems, fmt.Sprintf("pièce n°%d, jeton d'horodatage %s : %s", ch.Piece, ch.Token, ch.Status))
			continue
		}
		stamped[ch.Piece] = true
		res.Notes = append(res.Notes, fmt.Sprintf("Horodatage pièce n°%d : %s le %s, %s.", ch.Piece, ch.Token,
			protocol.FrDateTime(ch.Info.GenTime), tsa.Voucher(ch.Info)))
	}
	res.Anchoring = tsa.CheckAnchors(cs, events, roots)
	for _, ch := range res.Anchoring.Checks {
		if !ch.OK {
			res.Problems = append(res.Problems, fmt.Sprintf("ancrage du journal (ligne %d, jeton %s) : %s", ch.Line, ch.Token, ch.Status))
		}
	}
	if len(checks) > 0 || len(res.Anchoring.Checks) > 0 {
		for _, n := range notes {
			res.Notes = append(res.Notes, "Remarque : "+n+".")
		}
	}
	pieces := 0
	for _, e := range events {
		if e.Type == protocol.EventPiece {
			pieces++
		}
	}
	if n := pieces - len(stamped); n > 0 && len(checks) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s sans horodatage valide (anef-dossier timestamp les horodate).", protocol.Count(n, "pièce", "pièces")))
	}
	res.Notes = append(res.Notes, res.Anchoring.Summary()...)
	res.OK = r.OK() && len(res.Problems) == 0
	return res, nil
}
