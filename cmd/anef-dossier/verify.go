package main

import (
	"fmt"

	"anefdossier/app"
	"anefdossier/protocol"
)

var verifyCmd = command{
	name:    "verify",
	summary: "revérifie hors ligne le journal chaîné et l'empreinte de chaque pièce",
	usage:   "anef-dossier [-C DOSSIER] verify [--repair] [--root RACINE.pem] [--json]",
	help: `Relit le journal et sa chaîne de hachage, recalcule l'empreinte SHA-256 de chaque fichier de chaque
pièce et nomme la première ligne rompue ou la pièce modifiée. Sortie non nulle au moindre problème.
--repair traite ce qu'un arrêt brutal peut laisser, sans rien effacer : une dernière ligne incomplète du
journal va dans un fichier de quarantaine, un fichier écrit mais jamais inscrit va dans pieces/orphelins/.

Exemple :
   anef-dossier -C ~/dossiers/dupont verify`,
	run: runVerify,
}

func runVerify(e *env, args []string) error {
	fs := e.flags()
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	repair := fs.Bool("repair", "", "met en quarantaine une écriture interrompue (rien n'est effacé)")
	root := fs.String("root", "", "", "certificat racine (PEM) pour vérifier la chaîne des jetons d'horodatage (sinon racine: de ~/.config/anef-dossier/horodatage.yaml ; jamais une racine du dossier)")
	if err := fs.parseNone(e, args); err != nil {
		return err
	}
	cs, err := e.openCase()
	if err != nil {
		return err
	}
	rep, err := app.Verify(cs, app.VerifyRequest{Repair: *repair, Root: *root})
	if *repair {
		for _, d := range rep.Repaired {
			e.outf("Réparé : %s\n", d)
		}
		if err == nil && len(rep.Repaired) == 0 {
			e.outf("Rien à réparer.\n")
		}
	}
	if err != nil {
		return err
	}
	r, ok := rep.Report, rep.OK
	if *asJSON {
		if err := e.printJSON(rep); err != nil {
			return err
		}
	} else {
		if r.JournalOK {
			e.outf("Journal : %s, chaîne de hachage intacte (dernière empreinte %s).\n", protocol.Count(r.Events, "événement", "événements"), short(r.LastHash))
		} else {
			e.outf("Journal : PROBLÈME — %s (%s lues avant).\n", r.JournalMsg, protocol.Count(r.Events, "ligne valide", "lignes valides"))
		}
		bad := 0
		for _, f := range r.Files {
			if !f.OK {
				bad++
				e.outf("Pièce n°%d, %s (%s) : %s\n", f.Piece, f.Path, f.Role, f.Status)
			}
		}
		e.outf("Fichiers : %d vérifiés, %d en défaut.\n", len(r.Files), bad)
		for _, o := range r.Orphans {
			e.outf("Fichier non inscrit au journal : %s (arrêt pendant un enregistrement ? anef-dossier verify --repair le range dans pieces/orphelins/)\n", o)
		}
		for _, t := range r.Temps {
			e.outf("Fichier temporaire laissé par une écriture interrompue : %s\n", t)
		}
		if r.Head != "" {
			e.outf("Tête du journal : PROBLÈME — %s\n", r.Head)
		}
		for _, q := range r.Quarantined {
			e.outf("Quarantaine conservée : %s\n", q)
		}
		for _, p := range append(r.Extra, rep.Problems...) {
			e.outf("Problème : %s\n", p)
		}
		for _, n := range rep.Notes {
			e.outf("%s\n", n)
		}
		if ok {
			e.outf("Vérification réussie : le dossier est intact.\n")
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
