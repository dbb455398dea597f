package main

import (
	"errors"

	"anefdossier/app"
	"anefdossier/protocol"
	"anefdossier/tsa"
)

// reportStamps tells what the timestamping of a piece just captured gave.
// It never fails the capture: offline, the piece stays "non horodatée" with a
// clear warning and `anef-dossier timestamp` adds the token later.
func reportStamps(e *env, res *app.CaptureResult, asJSON bool) {
	p := res.Piece
	for _, r := range res.Stamps {
		if !asJSON {
			e.outf("Pièce n°%d horodatée le %s par %s (%s) : %s\n", r.Piece, protocol.FrDateTime(r.GenTime), r.Authority, r.Status.Label(), r.Token)
		}
	}
	err := res.StampErr
	if err == nil {
		return
	}
	var ce *app.StampConfigError
	if errors.As(err, &ce) {
		e.warnf("horodatage non demandé : %v ; la pièce n°%d reste non horodatée", err, p.Number)
		return
	}
	for _, m := range app.SplitJoined(err) {
		e.warnf("horodatage de la pièce n°%d impossible : %s", p.Number, m)
	}
	if len(res.Stamps) == 0 {
		hint := "la capture est conservée, non horodatée ; anef-dossier timestamp l'horodatera"
		if errors.Is(err, tsa.ErrUnreachable) {
			hint += " quand l'autorité sera joignable"
		}
		e.warnf("%s", hint)
	}
}
