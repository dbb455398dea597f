package tsa

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"anefdossier/protocol"
)

// AnchorJournal anchors the journal outside the case (review 1, M4): it asks
// each authority for an RFC 3161 token over the SHA-256 of the journal's last
// line (which chains every line before it), keeps each verified token
// write-once in ancres/ and appends a journal.anchored event naming it. It
// does nothing when the last event is already an anchor (nothing changed
// since) or the journal is empty. A failed authority leaves nothing behind;
// its error is returned (joined), the case is otherwise unchanged.
func AnchorJournal(ctx context.Context, tx *protocol.Tx, authorities []string, roots *x509.CertPool) ([]protocol.AnchorRecord, error) {
	events := tx.Events()
	if len(events) == 0 || len(authorities) == 0 || events[len(events)-1].Type == protocol.EventAnchor {
		return nil, nil
	}
	line := len(events)
	head := events[line-1].Hash
	digest, err := hex.DecodeString(head)
	if err != nil || len(digest) != 32 {
		return nil, fmt.Errorf("empreinte de la ligne %d illisible", line)
	}
	if err := os.MkdirAll(tx.Case().Path(protocol.AnchorsDir), protocol.DirMode); err != nil {
		return nil, fmt.Errorf("création de %s : %w", protocol.AnchorsDir, err)
	}
	return stampEach(ctx, tx, authorities, digest, roots, protocol.EventAnchor,
		func(token []byte) (string, error) { return writeAnchor(tx, line, token) },
		func(url, rel string, token []byte, info Info) protocol.AnchorRecord {
			return protocol.AnchorRecord{Line: line, Head: head, Token: rel, TokenSHA: protocol.HashBytes(token), Authority: url,
				Signer: info.Signer, GenTime: info.GenTime, RequestedAt: info.RequestedAt, Status: string(info.Status)}
		})
}

// writeAnchor stores an anchor token write-once (ancres/journal-L000013.1.tsr),
// with the first free index.
func writeAnchor(tx *protocol.Tx, line int, token []byte) (string, error) {
	rel, err := writeFirstFree(tx, func(k int) string { return fmt.Sprintf("%s/journal-L%06d.%d.tsr", protocol.AnchorsDir, line, k) }, nil, token)
	if err != nil {
		return "", fmt.Errorf("jeton d'ancrage de la ligne %d : %w", line, err)
	}
	return rel, nil
}

// AnchorCheck is the offline verification of one anchor token.
type AnchorCheck struct {
	Line   int    `json:"line"`         // journal line of the journal.anchored event
	Covers int    `json:"covers_lines"` // the token covers lines 1..Covers
	Token  string `json:"token"`
	OK     bool   `json:"ok"`
	Status string `json:"status"`
	Info   *Info  `json:"timestamp,omitempty"`
}

// Anchoring is what verify says of the journal's external anchoring.
type Anchoring struct {
	Checks []AnchorCheck `json:"anchors"`
	// AnchoredTo is the last line covered by a valid anchor (0: none).
	AnchoredTo int `json:"anchored_to_line"`
	// By is the token that covers it.
	By *AnchorCheck `json:"anchored_by,omitempty"`
	// Lines is the number of lines of the journal.
	Lines int `json:"lines"`
	// Unanchored are the lines after AnchoredTo that record a change (the
	// journal.anchored records themselves are not counted).
	Unanchored []int `json:"unanchored_lines"`
}

// CheckAnchors verifies every journal.anchored event of events, offline: the
// line it covers exists before it and has the recorded SHA-256, the token
// file is present with its recorded SHA-256, the token is valid for that
// hash (chain up to roots when roots is not nil) and its time is close to the
// time it was requested.
func CheckAnchors(c *protocol.Case, events []protocol.Event, roots *x509.CertPool) Anchoring {
	a := Anchoring{Lines: len(events), Checks: []AnchorCheck{}, Unanchored: []int{}}
	for i, e := range events {
		if e.Type != protocol.EventAnchor {
			continue
		}
		ch := AnchorCheck{Line: e.Line}
		var r protocol.AnchorRecord
		if err := e.Decode(&r); err != nil {
			ch.Status = "enregistrement d'ancrage illisible"
			a.Checks = append(a.Checks, ch)
			continue
		}
		ch.Covers, ch.Token = r.Line, r.Token
		switch {
		case r.Line < 1 || r.Line > i:
			ch.Status = fmt.Sprintf("l'ancrage dit couvrir la ligne %d, qui n'existe pas avant lui", r.Line)
		case events[r.Line-1].Hash != r.Head:
			ch.Status = fmt.Sprintf("la ligne %d n'a plus l'empreinte ancrée (ligne modifiée depuis l'ancrage)", r.Line)
		case !strings.HasPrefix(r.Token, protocol.AnchorsDir+"/"):
			ch.Status = "chemin de jeton refusé"
		default:
			ch0 := checkOne(c, r.Token, r.TokenSHA, r.Head, true, roots, Check{})
			ch.OK, ch.Status, ch.Info = ch0.OK, ch0.Status, ch0.Info
			if ch.OK {
				req := r.RequestedAt
				if req.IsZero() {
					req = e.Time
				}
				if err := CheckSkew(ch.Info.GenTime, req); err != nil {
					ch.OK, ch.Status = false, err.Error()+" (jeton antidaté ou postdaté ?)"
				}
			}
		}
		if ch.OK && ch.Covers > a.AnchoredTo {
			a.AnchoredTo = ch.Covers
			c := ch
			a.By = &c
		}
		a.Checks = append(a.Checks, ch)
	}
	for _, e := range events {
		if e.Line > a.AnchoredTo && e.Type != protocol.EventAnchor {
			a.Unanchored = append(a.Unanchored, e.Line)
		}
	}
	return a
}

// Summary says in French up to which line the journal is anchored, by which
// token, and which lines are not.
func (a Anchoring) Summary() []string {
	var out []string
	if a.By == nil {
		out = append(out, fmt.Sprintf("Ancrage du journal : aucun jeton valide sur la tête du journal ; ses %d lignes ne sont pas ancrées hors du dossier (une réécriture complète du journal et de journal.head ne serait pas détectée ; configurez une autorité d'horodatage).", a.Lines))
		return out
	}
	out = append(out, fmt.Sprintf("Ancrage du journal : lignes 1 à %d ancrées par %s le %s, %s.", a.AnchoredTo, a.By.Token,
		protocol.FrDateTime(a.By.Info.GenTime), Voucher(a.By.Info)))
	if n := len(a.Unanchored); n > 0 {
		out = append(out, fmt.Sprintf("Ancrage du journal : %s : %s (ajoutées après le dernier ancrage ; anef-dossier timestamp les ancre).",
			protocol.Count(n, "ligne non ancrée", "lignes non ancrées"), lineList(a.Unanchored)))
	}
	return out
}

func lineList(l []int) string {
	var parts []string
	for i := 0; i < len(l); {
		j := i
		for j+1 < len(l) && l[j+1] == l[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprintf("ligne %d", l[i]))
		} else {
			parts = append(parts, fmt.Sprintf("lignes %d à %d", l[i], l[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
