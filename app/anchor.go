package app

import (
	"context"
	"crypto/x509"
	"fmt"

	"anefdossier/protocol"
	"anefdossier/tsa"
)

// Anchored is what anchoring the journal after a change did (review 1, M4):
// the tokens recorded over the journal's head, or why there is none.
type Anchored struct {
	Records []protocol.AnchorRecord
	// Failure says in French why the journal stays unanchored though an
	// authority is configured ("" when anchored, or when no authority is
	// configured). The change itself is recorded either way.
	Failure string
}

// Lines says in French what happened, one line per token or failure; none
// when no authority is configured.
func (a *Anchored) Lines() []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, r := range a.Records {
		out = append(out, fmt.Sprintf("Journal ancré jusqu'à la ligne %d le %s par %s : %s", r.Line, protocol.FrDateTime(r.GenTime), r.Authority, r.Token))
	}
	if a.Failure != "" {
		out = append(out, "journal non ancré hors du dossier : "+a.Failure+" ; le changement est bien enregistré, anef-dossier timestamp ancrera le journal plus tard")
	}
	return out
}

// anchor anchors the journal of tx with the authorities of the case or the
// user's settings (flags of a timestamp run when given). With none
// configured it does nothing and returns nil.
func anchor(ctx context.Context, tx *protocol.Tx, authorities []string, roots *x509.CertPool) *Anchored {
	if len(authorities) == 0 {
		return nil
	}
	recs, err := tsa.AnchorJournal(ctx, tx, authorities, roots)
	a := &Anchored{Records: recs}
	if err != nil {
		a.Failure = err.Error()
	}
	return a
}

// anchorConfigured anchors tx with the configured authorities (dossier.yaml,
// then the user's settings). A configuration that cannot be read is reported
// as a failure, never as an error of the change just recorded.
func anchorConfigured(ctx context.Context, cs *protocol.Case, tx *protocol.Tx) *Anchored {
	cfg, err := tsa.ResolveConfig(cs, nil, "")
	if err != nil {
		return &Anchored{Failure: err.Error()}
	}
	if len(cfg.Authorities) == 0 {
		return nil
	}
	roots, err := cfg.Roots()
	if err != nil {
		return &Anchored{Failure: err.Error()}
	}
	return anchor(ctx, tx, cfg.Authorities, roots)
}
