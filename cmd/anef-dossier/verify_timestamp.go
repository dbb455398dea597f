package main

// This file sorts after verify.go on purpose: its init() runs after the
// verify command is registered, and adds --root to it.

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"anefdossier/protocol"
	"anefdossier/tsa"
)

func init() {
	for _, cmd := range registry {
		if cmd.Name == "verify" {
			cmd.Flags = append(cmd.Flags, &cli.StringFlag{Name: "root",
				Usage: "certificat racine (PEM) pour vérifier la chaîne des jetons d'horodatage (sinon horodatage.racine)"})
		}
	}
	verifyHooks = append(verifyHooks, verifyTimestamps)
}

// verifyTimestamps re-checks every RFC 3161 token offline: present, same
// SHA-256 as recorded, valid token for the hash the journal records.
func verifyTimestamps(c *cli.Context, rep *verifyReport) error {
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	roots, rootPath, err := tsa.CaseRoots(cs)
	if p := c.String("root"); p != "" {
		rootPath = p
		roots, err = tsa.LoadRoots(p)
	}
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("racine d'horodatage %s illisible : %v", rootPath, err))
		roots = nil
	}
	checks := tsa.CheckTokens(cs, rep.events, roots)
	rep.Timestamps = checks
	if checks == nil {
		rep.Timestamps = []tsa.Check{}
	}
	stamped := map[int]bool{}
	for _, ch := range checks {
		if !ch.OK {
			rep.Problems = append(rep.Problems, fmt.Sprintf("pièce n°%d, jeton d'horodatage %s : %s", ch.Piece, ch.Token, ch.Status))
			continue
		}
		stamped[ch.Piece] = true
		rep.Notes = append(rep.Notes, fmt.Sprintf("Horodatage pièce n°%d : %s le %s par %s, %s.", ch.Piece, ch.Token,
			protocol.FrDateTime(ch.Info.GenTime), ch.Info.Authority, ch.Status))
	}
	pieces := 0
	for _, e := range rep.events {
		if e.Type == protocol.EventPiece {
			pieces++
		}
	}
	if n := pieces - len(stamped); n > 0 && len(checks) > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s sans horodatage valide (anef-dossier timestamp les horodate).", plural(n, "pièce", "pièces")))
	}
	return nil
}
