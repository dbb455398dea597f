package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"anefdossier/app"
	"anefdossier/protocol"
	"anefdossier/tsa"
)

var timestampCmd = command{
	name:    "timestamp",
	summary: "horodate des pièces auprès d'autorités RFC 3161 (jeton .tsr gardé à côté de la pièce)",
	usage:   "anef-dossier [-C DOSSIER] timestamp [PIECE...] [--tsa URL]... [--root RACINE.pem] [--json]",
	help: `Envoie l'empreinte SHA-256 (jamais le fichier) de chaque pièce à une ou plusieurs autorités
d'horodatage RFC 3161, vérifie aussitôt le jeton reçu (signature, empreinte, nonce, et chaîne jusqu'à la
racine configurée), le garde à côté de la pièce (pieces/001-capture.png.1.tsr) et l'inscrit au journal.
Sans PIECE : toutes les pièces pas encore horodatées.
Autorités : --tsa, sinon horodatage.autorites de dossier.yaml, sinon ~/.config/anef-dossier/horodatage.yaml.
Racine de confiance : --root, sinon « racine: » de ~/.config/anef-dossier/horodatage.yaml ; jamais une racine
nommée par dossier.yaml ou rangée dans le dossier (un dossier ne choisit pas qui le vérifie). Sans racine le
jeton est noté « racine non vérifiée ». Un jeton dont l'heure s'écarte de plus de 5 minutes de l'heure de la
demande est refusé ; une redirection de l'autorité vers une autre adresse aussi.
Hors ligne : message clair, la pièce reste « non horodatée », relancez plus tard.

Exemple :
   anef-dossier -C ~/dossiers/dupont timestamp --tsa https://freetsa.org/tsr --root freetsa-cacert.pem
   anef-dossier -C ~/dossiers/dupont timestamp 3 4`,
	run: runTimestamp,
}

type timestampJSON struct {
	Recorded []protocol.TimestampRecord `json:"timestamps"`
	Anchors  []protocol.AnchorRecord    `json:"journal_anchors"`
	Failures []string                   `json:"failures"`
}

func runTimestamp(e *env, args []string) error {
	fs := e.flags()
	tsas := fs.Strings("tsa", "", "adresse d'une autorité d'horodatage RFC 3161")
	root := fs.String("root", "", "", "certificat racine de confiance (PEM) pour vérifier la chaîne")
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 0, -1, "des numéros de pièce"); err != nil {
		return err
	}
	nums, err := parsePieceNumbers(pos)
	if err != nil {
		return err
	}
	cs, err := e.openCase()
	if err != nil {
		return err
	}
	res, err := app.Timestamp(context.Background(), cs, app.TimestampRequest{Pieces: nums, TSA: *tsas, Root: *root})
	var re *app.RootsError
	var ue *app.UnknownPieceError
	switch {
	case errors.Is(err, app.ErrNoAuthority):
		return failure(err.Error(), "indiquez --tsa URL, ou horodatage.autorites dans dossier.yaml, ou ~/.config/anef-dossier/horodatage.yaml")
	case errors.As(err, &re):
		return failure(err.Error(), "indiquez un fichier PEM de certificat racine avec --root ou racine: dans ~/.config/anef-dossier/horodatage.yaml")
	case errors.As(err, &ue):
		return usageErr(err.Error(), "anef-dossier piece list donne les numéros")
	case err != nil:
		return tsaConfigError(err)
	}
	for _, n := range res.Notes {
		e.warnf("%s", n)
	}
	out := timestampJSON{Recorded: []protocol.TimestampRecord{}, Failures: []string{}, Anchors: []protocol.AnchorRecord{}}
	if res.Anchor != nil {
		out.Anchors = append(out.Anchors, res.Anchor.Records...)
		if res.Anchor.Failure != "" {
			out.Failures = append(out.Failures, "journal non ancré : "+res.Anchor.Failure)
		}
	}
	if res.Asked == 0 {
		if *asJSON {
			return e.printJSON(out)
		}
		e.outf("Toutes les pièces sont déjà horodatées (donnez un numéro de pièce pour ajouter un jeton).\n")
		e.printAnchor(res.Anchor)
		return nil
	}
	for _, r := range res.Recorded {
		out.Recorded = append(out.Recorded, r)
		if !*asJSON {
			e.outf("Pièce n°%d horodatée le %s par %s (%s) : %s\n", r.Piece, protocol.FrDateTime(r.GenTime), r.Authority, r.Status.Label(), r.Token)
		}
	}
	for _, f := range res.Failures {
		for _, m := range f.Messages {
			msg := fmt.Sprintf("pièce n°%d : %s", f.Piece, strings.TrimSpace(m))
			out.Failures = append(out.Failures, msg)
			if !*asJSON {
				e.warnf("%s", msg)
			}
		}
	}
	if *asJSON {
		if err := e.printJSON(out); err != nil {
			return err
		}
	} else {
		e.printAnchor(res.Anchor)
	}
	if res.ReadOnly {
		return failure("système de fichiers en lecture seule : le jeton ne peut pas être gardé dans le dossier",
			"copiez le dossier sur un disque accessible en écriture puis relancez anef-dossier timestamp ; rien n'a été inscrit au journal")
	}
	if failed := len(res.Failures); failed > 0 {
		hint := "la pièce reste « non horodatée » ; rien n'est perdu, relancez anef-dossier timestamp"
		if res.Offline {
			hint = "vérifiez la connexion ou l'adresse de l'autorité ; la pièce reste « non horodatée », relancez anef-dossier timestamp plus tard"
		}
		return failure(fmt.Sprintf("%s sans nouvel horodatage sur %d", protocol.Count(failed, "pièce", "pièces"), res.Asked), hint)
	}
	return nil
}

func tsaConfigError(err error) error {
	if errors.Is(err, tsa.ErrBadURL) {
		return usageErr(err.Error(), "exemple : --tsa https://freetsa.org/tsr")
	}
	if errors.Is(err, tsa.ErrRootInCase) {
		return usageErr(err.Error(), "téléchargez la racine sur le site de l'autorité et gardez-la hors du dossier ; --root CHEMIN")
	}
	return err
}
