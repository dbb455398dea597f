package main

// RFC 3161 timestamps for capture. This file sorts after capture.go on
// purpose: its init() runs after the capture command is registered and adds
// --tsa and --tsa-root to it; capture.go calls stampCapture once the piece
// is added, inside the same Tx.

import (
	"errors"

	"github.com/urfave/cli/v2"

	"anefdossier/app"
	"anefdossier/protocol"
	"anefdossier/tsa"
)

func init() {
	for _, cmd := range registry {
		if cmd.Name == "capture" {
			cmd.Flags = append(cmd.Flags,
				&cli.StringSliceFlag{Name: "tsa", Usage: "horodate la capture auprès de cette autorité RFC 3161 (répétable ; sinon horodatage.autorites)"},
				&cli.StringFlag{Name: "tsa-root", Usage: "certificat racine (PEM) de l'autorité d'horodatage (sinon horodatage.racine)"})
		}
	}
}

// reportStamps tells what the timestamping of a piece just captured gave.
// It never fails the capture: offline, the piece stays "non horodatée" with a
// clear warning and `anef-dossier timestamp` adds the token later.
func reportStamps(c *cli.Context, res *app.CaptureResult) {
	p := res.Piece
	for _, r := range res.Stamps {
		if !c.Bool("json") {
			outf(c, "Pièce n°%d horodatée le %s par %s (%s) : %s\n", r.Piece, protocol.FrDateTime(r.GenTime), r.Authority, r.Status, r.Token)
		}
	}
	err := res.StampErr
	if err == nil {
		return
	}
	var ce *app.StampConfigError
	if errors.As(err, &ce) {
		warnf(c, "horodatage non demandé : %v ; la pièce n°%d reste non horodatée", err, p.Number)
		return
	}
	for _, m := range app.SplitJoined(err) {
		warnf(c, "horodatage de la pièce n°%d impossible : %s", p.Number, m)
	}
	if len(res.Stamps) == 0 {
		hint := "la capture est conservée, non horodatée ; anef-dossier timestamp l'horodatera"
		if errors.Is(err, tsa.ErrUnreachable) {
			hint += " quand l'autorité sera joignable"
		}
		warnf(c, "%s", hint)
	}
}
