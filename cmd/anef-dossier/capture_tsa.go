package main

// RFC 3161 timestamps for capture. This file sorts after capture.go on
// purpose: its init() runs after the capture command is registered and adds
// --tsa and --tsa-root to it; capture.go calls stampCapture once the piece
// is added, inside the same Tx.

import (
	"errors"

	"github.com/urfave/cli/v2"

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

// stampCapture timestamps a piece just captured when authorities are
// configured (--tsa, dossier.yaml or the user file). It never fails the
// capture: offline, the piece stays "non horodatée" with a clear warning and
// `anef-dossier timestamp` adds the token later.
func stampCapture(c *cli.Context, tx *protocol.Tx, p protocol.Piece) {
	cfg, err := tsa.ResolveConfig(tx.Case(), c.StringSlice("tsa"), c.String("tsa-root"))
	if err != nil {
		warnf(c, "horodatage non demandé : %v ; la pièce n°%d reste non horodatée", err, p.Number)
		return
	}
	if len(cfg.Authorities) == 0 {
		return
	}
	roots, err := cfg.Roots()
	if err != nil {
		warnf(c, "horodatage non demandé : %v ; la pièce n°%d reste non horodatée", err, p.Number)
		return
	}
	recs, err := tsa.StampPiece(c.Context, tx, p, cfg.Authorities, roots)
	for _, r := range recs {
		if !c.Bool("json") {
			outf(c, "Pièce n°%d horodatée le %s par %s (%s) : %s\n", r.Piece, protocol.FrDateTime(r.GenTime), r.Authority, r.Status, r.Token)
		}
	}
	if err != nil {
		for _, m := range splitJoined(err) {
			warnf(c, "horodatage de la pièce n°%d impossible : %s", p.Number, m)
		}
		if len(recs) == 0 {
			hint := "la capture est conservée, non horodatée ; anef-dossier timestamp l'horodatera"
			if errors.Is(err, tsa.ErrUnreachable) {
				hint += " quand l'autorité sera joignable"
			}
			warnf(c, "%s", hint)
		}
	}
}
