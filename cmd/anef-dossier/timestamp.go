package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"anefdossier/protocol"
	"anefdossier/tsa"
)

func init() {
	register(&cli.Command{
		Name:      "timestamp",
		Usage:     "horodate des pièces auprès d'autorités RFC 3161 (jeton .tsr gardé à côté de la pièce)",
		UsageText: "anef-dossier [-C DOSSIER] timestamp [PIECE...] [--tsa URL]... [--root RACINE.pem] [--json]",
		Description: `Envoie l'empreinte SHA-256 (jamais le fichier) de chaque pièce à une ou plusieurs autorités
d'horodatage RFC 3161, vérifie aussitôt le jeton reçu (signature, empreinte, nonce, et chaîne jusqu'à la
racine configurée), le garde à côté de la pièce (pieces/001-capture.png.1.tsr) et l'inscrit au journal.
Sans PIECE : toutes les pièces pas encore horodatées.
Autorités : --tsa, sinon horodatage.autorites de dossier.yaml, sinon ~/.config/anef-dossier/horodatage.yaml.
Racine : --root, sinon horodatage.racine ; sans racine le jeton est noté « racine non vérifiée ».
Hors ligne : message clair, la pièce reste « non horodatée », relancez plus tard.

Exemple :
   anef-dossier -C ~/dossiers/dupont timestamp --tsa https://freetsa.org/tsr --root freetsa-cacert.pem
   anef-dossier -C ~/dossiers/dupont timestamp 3 4`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "tsa", Usage: "adresse d'une autorité d'horodatage RFC 3161 (répétable)"},
			&cli.StringFlag{Name: "root", Usage: "certificat racine de confiance (PEM) pour vérifier la chaîne"},
			jsonFlag,
		},
		Action: runTimestamp,
	})
}

type timestampJSON struct {
	Recorded []protocol.TimestampRecord `json:"horodatages"`
	Failures []string                   `json:"echecs"`
}

func runTimestamp(c *cli.Context) error {
	nums, err := parsePieceNumbers(c.Args().Slice())
	if err != nil {
		return err
	}
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	cfg, err := tsa.ResolveConfig(cs, c.StringSlice("tsa"), c.String("root"))
	if err != nil {
		return tsaConfigError(err)
	}
	if len(cfg.Authorities) == 0 {
		return failure("aucune autorité d'horodatage configurée",
			"indiquez --tsa URL, ou horodatage.autorites dans dossier.yaml, ou ~/.config/anef-dossier/horodatage.yaml")
	}
	roots, err := cfg.Roots()
	if err != nil {
		return failure(err.Error(), "indiquez un fichier PEM de certificat racine avec --root ou horodatage.racine")
	}
	tx, err := cs.Begin(context.Background())
	if err != nil {
		return err
	}
	defer tx.Close()
	p, err := tx.Protocol()
	if err != nil {
		return err
	}
	st := protocol.Fold(p, tx.Events())
	byNum := map[int]protocol.Piece{}
	for _, pc := range st.Pieces {
		byNum[pc.Number] = pc
	}
	var todo []protocol.Piece
	if len(nums) > 0 {
		for _, n := range nums {
			pc, ok := byNum[n]
			if !ok {
				return usageErr(fmt.Sprintf("pièce n°%d inconnue", n), "anef-dossier piece list donne les numéros")
			}
			todo = append(todo, pc)
		}
	} else {
		done := tsa.Stamped(tx.Events())
		for _, pc := range st.Pieces {
			if done[pc.Number] == 0 {
				todo = append(todo, pc)
			}
		}
	}
	out := timestampJSON{Recorded: []protocol.TimestampRecord{}, Failures: []string{}}
	if len(todo) == 0 {
		if c.Bool("json") {
			return printJSON(c, out)
		}
		outf(c, "Toutes les pièces sont déjà horodatées (donnez un numéro de pièce pour ajouter un jeton).\n")
		return nil
	}
	offline, readOnly := false, false
	failed := 0
	for _, pc := range todo {
		recs, err := tsa.StampPiece(c.Context, tx, pc, cfg.Authorities, roots)
		for _, r := range recs {
			out.Recorded = append(out.Recorded, r)
			if !c.Bool("json") {
				outf(c, "Pièce n°%d horodatée le %s par %s (%s) : %s\n", r.Piece, protocol.FrDateTime(r.GenTime), r.Authority, r.Status, r.Token)
			}
		}
		if err != nil {
			failed++
			offline = offline || errors.Is(err, tsa.ErrUnreachable)
			readOnly = readOnly || errors.Is(err, syscall.EROFS)
			for _, e := range splitJoined(err) {
				msg := fmt.Sprintf("pièce n°%d : %s", pc.Number, e)
				out.Failures = append(out.Failures, msg)
				if !c.Bool("json") {
					warnf(c, "%s", msg)
				}
			}
		}
	}
	if c.Bool("json") {
		if err := printJSON(c, out); err != nil {
			return err
		}
	}
	if readOnly {
		return failure("système de fichiers en lecture seule : le jeton ne peut pas être gardé dans le dossier",
			"copiez le dossier sur un disque accessible en écriture puis relancez anef-dossier timestamp ; rien n'a été inscrit au journal")
	}
	if failed > 0 {
		hint := "la pièce reste « non horodatée » ; rien n'est perdu, relancez anef-dossier timestamp"
		if offline {
			hint = "vérifiez la connexion ou l'adresse de l'autorité ; la pièce reste « non horodatée », relancez anef-dossier timestamp plus tard"
		}
		return failure(fmt.Sprintf("%s sans nouvel horodatage sur %d", plural(failed, "pièce", "pièces"), len(todo)), hint)
	}
	return nil
}

// splitJoined returns the messages of an errors.Join.
func splitJoined(err error) []string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{strings.TrimSpace(err.Error())}
}

func tsaConfigError(err error) error {
	if errors.Is(err, tsa.ErrBadURL) {
		return usageErr(err.Error(), "exemple : --tsa https://freetsa.org/tsr")
	}
	return err
}
