package main

import (
	"strings"

	"anefdossier/app"
	"anefdossier/protocol"
)

var initCmd = command{
	name:    "init",
	summary: "crée le dossier d'une affaire avec un dossier.yaml commenté",
	usage:   "anef-dossier init DOSSIER --protocol bug-technique",
	help: `Crée le dossier (droits 0700, fichiers 0600), un dossier.yaml commenté à remplir, le journal chaîné
et les dossiers pieces/ et out/. Refuse un dossier existant non vide.

Exemple :
   anef-dossier init ~/dossiers/dupont-amina --protocol bug-technique`,
	run: runInit,
}

func runInit(e *env, args []string) error {
	fs := e.flags()
	proto := fs.String("protocol", "p", "bug-technique", "blocage constaté : "+strings.Join(protocol.Protocols(e.tmplFS()), ", "))
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 1, 1, "un seul DOSSIER"); err != nil {
		return err
	}
	dir := pos[0]
	if _, err := app.InitCase(dir, *proto, e.tmplFS()); err != nil {
		return err
	}
	e.outf("Dossier créé : %s (protocole %s)\n", dir, *proto)
	e.outf("Étape suivante : remplissez %s/dossier.yaml puis lancez : anef-dossier -C %s check\n", dir, dir)
	return nil
}
