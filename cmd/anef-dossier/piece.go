package main

import (
	"context"
	"errors"
	"strings"

	"github.com/urfave/cli/v2"

	"anefdossier/app"
	"anefdossier/protocol"
)

func init() {
	register(&cli.Command{
		Name:      "piece",
		Usage:     "importe ou liste les pièces du dossier",
		UsageText: "anef-dossier [-C DOSSIER] piece add|list ...",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "importe un fichier extérieur comme pièce (capture de téléphone, PDF, courriel .eml)",
				UsageText: "anef-dossier [-C DOSSIER] piece add FICHIER [--kind TYPE] [--title TITRE] [--date DATE]",
				Description: `Copie le fichier dans pieces/ sans jamais le modifier, calcule son empreinte SHA-256, note sa taille,
son nom d'origine, la provenance « importée » et la date déclarée, puis l'inscrit au journal.
Types : ` + protocol.KindIDs() + `.

Exemple :
   anef-dossier -C ~/dossiers/dupont piece add ~/Téléchargements/reponse-ccc.eml --kind reponse-ccc --date 12/03/2026`,
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "kind", Aliases: []string{"k"}, Usage: "type de pièce (déduit de l'extension sinon)"},
					&cli.StringFlag{Name: "title", Aliases: []string{"t"}, Usage: "intitulé pour l'inventaire : ce que la pièce montre"},
					&cli.StringFlag{Name: "date", Aliases: []string{"d"}, Usage: "date de la pièce (10/03/2026 ou 2026-03-10, heure facultative)"},
				},
				Action: runPieceAdd,
			},
			{
				Name:        "list",
				Usage:       "liste les pièces numérotées",
				UsageText:   "anef-dossier [-C DOSSIER] piece list [--json]",
				Description: "Exemple :\n   anef-dossier -C ~/dossiers/dupont piece list",
				Flags:       []cli.Flag{jsonFlag},
				Action:      runPieceList,
			},
		},
	})
}

func runPieceAdd(c *cli.Context) error {
	if err := needArgs(c, 1, 1, "un FICHIER"); err != nil {
		return err
	}
	in := app.Import{Src: c.Args().First(), Kind: c.String("kind"), Title: c.String("title")}
	if v := c.String("date"); v != "" {
		t, hasTime, err := parseUserDate("date", v)
		if err != nil {
			return err
		}
		in.Date, in.DateHasTime = t, hasTime
	}
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	p, dups, err := app.ImportPiece(context.Background(), cs, in)
	var ke *app.UnknownKindError
	var ie *app.ImportError
	switch {
	case errors.As(err, &ke):
		return usageErr(err.Error(), "types : "+protocol.KindIDs())
	case errors.As(err, &ie) && strings.Contains(err.Error(), "saut de ligne"):
		return usageErr(err.Error(), "donnez le titre sur une seule ligne")
	case errors.As(err, &ie):
		return failure(err.Error(), "importez un fichier png, jpg, pdf, eml, txt ou mhtml intact")
	case err != nil:
		return err
	}
	for _, d := range dups {
		warnf(c, "ce fichier a la même empreinte que la pièce n°%d (doublon)", d)
	}
	outf(c, "Pièce n°%d ajoutée : %s (SHA-256 %s, %d octets)\n", p.Number, p.Main().Path, p.Main().SHA256, p.Main().Size)
	return nil
}

type pieceJSON struct {
	Number       int                  `json:"numero"`
	Kind         string               `json:"type"`
	Title        string               `json:"titre"`
	Date         string               `json:"date"`
	Provenance   protocol.Provenance  `json:"provenance"`
	OriginalName string               `json:"nom_origine,omitempty"`
	Files        []protocol.PieceFile `json:"fichiers"`
	Timestamped  bool                 `json:"horodatee"`
}

func runPieceList(c *cli.Context) error {
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	st, err := loadState(c, cs)
	if err != nil {
		return err
	}
	stamped := map[int]bool{}
	for _, t := range st.Timestamps {
		stamped[t.Piece] = true
	}
	if c.Bool("json") {
		out := []pieceJSON{}
		for _, p := range st.Pieces {
			out = append(out, pieceJSON{Number: p.Number, Kind: p.Kind, Title: p.Title, Date: p.Date.Format("2006-01-02T15:04:05Z07:00"),
				Provenance: p.Provenance, OriginalName: p.OriginalName, Files: p.Files, Timestamped: stamped[p.Number]})
		}
		return printJSON(c, out)
	}
	if len(st.Pieces) == 0 {
		outf(c, "Aucune pièce pour l'instant. Ajoutez-en avec anef-dossier capture URL ou anef-dossier piece add FICHIER.\n")
		return nil
	}
	for _, p := range st.Pieces {
		date := protocol.FrDate(p.Date)
		if p.DateHasTime {
			date = protocol.FrDateTime(p.Date)
		}
		title := p.Title
		if title == "" {
			if k := protocol.KindByID(p.Kind); k != nil {
				title = k.Title
			}
		}
		ts := ""
		if stamped[p.Number] {
			ts = " [horodatée]"
		}
		outf(c, "n°%d  %s  %-14s %s (%s)%s\n", p.Number, date, p.Kind, title, p.Provenance, ts)
	}
	return nil
}
