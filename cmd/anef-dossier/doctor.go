package main

import (
	"context"
	"os"
	"os/signal"

	"anefdossier/app"
	"anefdossier/protocol"
)

var doctorCmd = command{
	name:    "doctor",
	summary: "vérifie cette machine et ce dossier : navigateur, écriture unique, protection, horodatage, polices, espace libre",
	usage:   "anef-dossier [-C DOSSIER] doctor [--browser PROGRAMME] [--offline] [--no-browser] [--json]",
	help: `Dit ce que l'outil trouve sur cette machine et dans le dossier (celui de -C, par défaut le dossier
courant ; s'il n'est pas encore un dossier d'affaire, celui où il serait créé), avec pour chaque point ce qu'il
faut faire :
  - le navigateur utilisé pour les captures (Chrome, Edge, Brave ou Chromium), démarré un instant sans fenêtre
    pour lire sa version ;
  - le système de fichiers du dossier et la façon dont une pièce y est écrite une seule fois (essayée dans un
    sous-dossier temporaire, supprimé aussitôt) ;
  - la protection du dossier (droits 0700/0600, ou sous Windows les droits du profil) ;
  - les autorités d'horodatage configurées, à qui un jeton d'essai est demandé (l'empreinte d'un texte sans
    rapport avec le dossier) ;
  - les polices dont les pages capturées ont besoin, l'espace libre, les programmes extérieurs (aucun requis).
doctor ne modifie pas le dossier. Sortie non nulle si un point empêche le travail (marqué « problème »).

Exemple :
   anef-dossier -C ~/dossiers/dupont-amina doctor
   anef-dossier doctor --offline --no-browser`,
	run: runDoctor,
}

var doctorMarks = map[string]string{app.StatusOK: "[ok]", app.StatusWarning: "[attention]", app.StatusProblem: "[problème]"}

func runDoctor(e *env, args []string) error {
	fs := e.flags()
	browser := fs.String("browser", "", "", "programme du navigateur à examiner (sinon ANEF_DOSSIER_BROWSER, puis les emplacements habituels)")
	offline := fs.Bool("offline", "", "ne contacte pas les autorités d'horodatage")
	noBrowser := fs.Bool("no-browser", "", "ne démarre pas le navigateur (sa version n'est pas lue)")
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	if err := fs.parseNone(e, args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r := app.Doctor(ctx, app.DoctorRequest{Dir: e.dir, Templates: e.tmplFS(), Browser: *browser,
		NoBrowserStart: *noBrowser, Offline: *offline})
	if *asJSON {
		if err := e.printJSON(r); err != nil {
			return err
		}
	} else {
		e.outf("%s, %s\n", r.Tool, r.System)
		what := "pas encore un dossier d'affaire"
		if r.IsCase {
			what = "dossier d'affaire"
		}
		e.outf("Dossier examiné : %s (%s)\n", r.Dir, what)
		for _, f := range r.Findings {
			e.outf("\n%s %s\n", doctorMarks[f.Status], f.Title)
			for _, l := range f.Found {
				e.outf("    %s\n", l)
			}
			if f.Hint != "" {
				e.outf("    → %s\n", f.Hint)
			}
		}
	}
	if n := r.Problems(); n > 0 {
		return failure(protocol.Count(n, "point empêche", "points empêchent")+" le travail (marqués « problème »)", "suivez l'indication donnée sous chacun")
	}
	return nil
}
