package app

import (
	"errors"
	"fmt"
	"strings"

	"anefdossier/protocol"
	"anefdossier/render"
)

// notFrozen is the warning given when the letter cannot be rendered as sent
// (dossier.yaml lacks what it needs): the sending is recorded all the same,
// since it happened, and the user is told how to file the copy sent.
func notFrozen(err error) string {
	return "la lettre envoyée n'a pas pu être rangée telle qu'envoyée (" + err.Error() +
		") : importez la copie de la lettre réellement envoyée (anef-dossier piece add COPIE.pdf --kind lettre-envoyee --title \"...\") ; elle figurera au dossier comme pièce numérotée"
}

// freezeSent runs inside the transaction that records rec. When rec's
// channel sends a letter (its "envoie"), the letter is rendered as of the
// sending day, with the LRAR number of rec and the pieces existing that day
// (never the proofs of its own sending), and stored as the next numbered,
// write-once piece; rec.Letter points at it. A copy of the letter given by
// the user with the record (a piece of kind lettre-envoyee) is used instead.
// Nothing is written when rec is invalid.
func freezeSent(tx *protocol.Tx, cs *protocol.Case, rec *protocol.StepRecord) (*protocol.Piece, string, error) {
	st, _, err := tx.State()
	if err != nil {
		return nil, "", err
	}
	step := st.Protocol.Step(rec.Step)
	if step == nil {
		return nil, "", nil // RecordStep reports the unknown step
	}
	check := *rec
	if err := st.ValidateRecord(&check); err != nil {
		return nil, "", nil // RecordStep reports it, before anything is written
	}
	ch := step.Channel(check.Channel)
	if ch == nil || ch.Sends == "" {
		return nil, "", nil
	}
	*rec = check
	for _, n := range rec.Pieces {
		if p := st.Piece(n); p != nil && p.Kind == "lettre-envoyee" {
			rec.Letter = n
			return p, "", nil
		}
	}
	if st.Dossier == nil {
		return nil, notFrozen(errors.New("dossier.yaml illisible")), nil
	}
	in := &render.Input{Dir: cs.Dir, Dossier: st.Dossier, State: st, Templates: cs.Templates, Now: protocol.Now()}
	if rec.Date != nil {
		in.Now = *rec.Date
	}
	l, pdf, err := in.SentLetterPDF(ch.Sends, *rec)
	if err != nil {
		return nil, notFrozen(err), nil
	}
	title := "Copie de la lettre"
	if ch.ID == "lrar" || strings.Contains(ch.Title, "recommandée") {
		title += " recommandée avec accusé de réception"
	}
	if rec.Ref != "" {
		title += " n° " + rec.Ref
	}
	title += " envoyée le " + protocol.FrDate(in.Now) + " : « " + l.Subject + " »"
	p, _, err := tx.AddPiece(protocol.NewPiece{Kind: "lettre-envoyee", Title: title, Date: in.Now,
		Provenance: protocol.ProvenanceSent, OriginalName: ch.Sends + ".pdf",
		Files: []protocol.NewFile{{Role: protocol.RolePiece, Ext: ".pdf", Data: pdf}}})
	if err != nil {
		return nil, "", fmt.Errorf("copie de la lettre envoyée : %w", err)
	}
	rec.Letter = p.Number
	return &p, "", nil
}
