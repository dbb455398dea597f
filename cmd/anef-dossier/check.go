package main

import (
	"github.com/urfave/cli/v2"

	"anefdossier/protocol"
)

func init() {
	register(&cli.Command{
		Name:      "check",
		Usage:     "vérifie dossier.yaml et liste ce qui manque à chaque courrier",
		UsageText: "anef-dossier [-C DOSSIER] check [--json]",
		Description: `Vérifie la syntaxe de dossier.yaml (clés inconnues, avec ligne et colonne), le format des champs
remplis (dates, numéro d'étranger à 10 chiffres, courriels, téléphones), puis liste, pour chaque document
que le protocole produira, les champs encore vides. Un dossier à moitié rempli est normal : check ne
bloque pas les autres commandes. Sortie non nulle seulement si un champ rempli est invalide.

Exemple :
   anef-dossier -C ~/dossiers/dupont-amina check`,
		Flags:  []cli.Flag{jsonFlag},
		Action: runCheck,
	})
}

type checkDoc struct {
	ID      string   `json:"id"`
	Title   string   `json:"titre"`
	Missing []string `json:"champs_manquants"`
}

type checkResult struct {
	Valid     bool               `json:"valide"`
	Problems  []protocol.Problem `json:"problemes"`
	Documents []checkDoc         `json:"documents"`
}

func runCheck(c *cli.Context) error {
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	d, file, err := cs.Dossier()
	if err != nil {
		return err
	}
	events, _ := cs.Events()
	id := cs.ProtocolID(events)
	if d.Protocol != "" && d.Protocol != id {
		warnf(c, "dossier.yaml indique le protocole « %s » mais le dossier a été créé avec « %s » (le journal fait foi)", d.Protocol, id)
	}
	p, err := protocol.LoadProtocol(cs.Templates, id)
	if err != nil {
		return err
	}
	res := checkResult{Problems: d.Validate(file)}
	res.Valid = len(res.Problems) == 0
	if res.Problems == nil {
		res.Problems = []protocol.Problem{}
	}
	for _, doc := range p.Documents {
		cd := checkDoc{ID: doc.ID, Title: doc.Title, Missing: []string{}}
		for _, f := range doc.Missing(d) {
			cd.Missing = append(cd.Missing, f)
		}
		res.Documents = append(res.Documents, cd)
	}
	if c.Bool("json") {
		if err := printJSON(c, res); err != nil {
			return err
		}
	} else {
		if res.Valid {
			outf(c, "dossier.yaml : syntaxe et formats corrects.\n")
		} else {
			outf(c, "dossier.yaml : %s\n", protocol.Count(len(res.Problems), "problème", "problèmes"))
			for _, pr := range res.Problems {
				outf(c, "  - %s\n", pr.String())
			}
		}
		for _, cd := range res.Documents {
			if len(cd.Missing) == 0 {
				outf(c, "%s : prêt.\n", cd.Title)
				continue
			}
			outf(c, "%s : il manque %s :\n", cd.Title, protocol.Count(len(cd.Missing), "champ", "champs"))
			for _, f := range cd.Missing {
				outf(c, "  - %s (%s)\n", protocol.Label(f), f)
			}
		}
	}
	if !res.Valid {
		return failure("dossier.yaml contient des valeurs invalides", "corrigez les lignes indiquées ci-dessus")
	}
	return nil
}
