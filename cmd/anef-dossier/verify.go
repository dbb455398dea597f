package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"anefdossier/app"
	"anefdossier/protocol"
)

func init() {
	register(&cli.Command{
		Name:      "verify",
		Usage:     "revérifie hors ligne le journal chaîné et l'empreinte de chaque pièce",
		UsageText: "anef-dossier [-C DOSSIER] verify [--repair] [--json]",
		Description: `Relit le journal et sa chaîne de hachage, recalcule l'empreinte SHA-256 de chaque fichier de chaque
pièce et nomme la première ligne rompue ou la pièce modifiée. Sortie non nulle au moindre problème.
--repair traite ce qu'un arrêt brutal peut laisser, sans rien effacer : une dernière ligne incomplète du
journal va dans un fichier de quarantaine, un fichier écrit mais jamais inscrit va dans pieces/orphelins/.

Exemple :
   anef-dossier -C ~/dossiers/dupont verify`,
		Flags: []cli.Flag{
			jsonFlag,
			&cli.BoolFlag{Name: "repair", Usage: "met en quarantaine une écriture interrompue (rien n'est effacé)"},
			&cli.StringFlag{Name: "root", Usage: "certificat racine (PEM) pour vérifier la chaîne des jetons d'horodatage (sinon horodatage.racine)"},
		},
		Action: runVerify,
	})
}

func runVerify(c *cli.Context) error {
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	rep, err := app.Verify(cs, app.VerifyRequest{Repair: c.Bool("repair"), Root: c.String("root")})
	if c.Bool("repair") {
		for _, d := range rep.Repaired {
			outf(c, "Réparé : %s\n", d)
		}
		if err == nil && len(rep.Repaired) == 0 {
			outf(c, "Rien à réparer.\n")
		}
	}
	if err != nil {
		return err
	}
	r, ok := rep.Report, rep.OK
	if c.Bool("json") {
		if err := printJSON(c, rep); err != nil {
			return err
		}
	} else {
		if r.JournalOK {
			outf(c, "Journal : %s, chaîne de hachage intacte (dernière empreinte %s).\n", protocol.Count(r.Events, "événement", "événements"), short(r.LastHash))
		} else {
			outf(c, "Journal : PROBLÈME — %s (%s lues avant).\n", r.JournalMsg, protocol.Count(r.Events, "ligne valide", "lignes valides"))
		}
		bad := 0
		for _, f := range r.Files {
			if !f.OK {
				bad++
				outf(c, "Pièce n°%d, %s (%s) : %s\n", f.Piece, f.Path, f.Role, f.Status)
			}
		}
		outf(c, "Fichiers : %d vérifiés, %d en défaut.\n", len(r.Files), bad)
		for _, o := range r.Orphans {
			outf(c, "Fichier non inscrit au journal : %s (arrêt pendant un enregistrement ? anef-dossier verify --repair le range dans pieces/orphelins/)\n", o)
		}
		for _, t := range r.Temps {
			outf(c, "Fichier temporaire laissé par une écriture interrompue : %s\n", t)
		}
		if r.Head != "" {
			outf(c, "Tête du journal : PROBLÈME — %s\n", r.Head)
		}
		for _, q := range r.Quarantined {
			outf(c, "Quarantaine conservée : %s\n", q)
		}
		for _, p := range append(r.Extra, rep.Problems...) {
			outf(c, "Problème : %s\n", p)
		}
		for _, n := range rep.Notes {
			outf(c, "%s\n", n)
		}
		if ok {
			outf(c, "Vérification réussie : le dossier est intact.\n")
		}
	}
	if !ok {
		hint := "ne modifiez rien à la main ; conservez le dossier tel quel"
		if (r.JournalError != nil && r.JournalError.Truncated) || len(r.Orphans) > 0 || len(r.Temps) > 0 || r.HeadRepairable {
			hint = "anef-dossier verify --repair traite une écriture interrompue sans rien effacer"
		}
		return failure("vérification échouée : le dossier n'est pas intact", hint)
	}
	return nil
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return fmt.Sprint(h)
}
