package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"anefdossier/app"
	"anefdossier/protocol"
)

func init() {
	register(&cli.Command{
		Name:      "init",
		Usage:     "crée le dossier d'une affaire avec un dossier.yaml commenté",
		UsageText: "anef-dossier init DOSSIER --protocol bug-technique",
		Description: `Crée le dossier (droits 0700, fichiers 0600), un dossier.yaml commenté à remplir, le journal chaîné
et les dossiers pieces/ et out/. Refuse un dossier existant non vide.

Exemple :
   anef-dossier init ~/dossiers/dupont-amina --protocol bug-technique`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "protocol", Aliases: []string{"p"}, Value: "bug-technique",
				Usage: "blocage constaté : " + strings.Join(protocol.Protocols(nil), ", ")},
		},
		Action: runInit,
	})
}

func runInit(c *cli.Context) error {
	if err := needArgs(c, 1, 1, "un seul DOSSIER"); err != nil {
		return err
	}
	dir := c.Args().First()
	if _, err := app.InitCase(dir, c.String("protocol"), tmplFS(c)); err != nil {
		return err
	}
	outf(c, "Dossier créé : %s (protocole %s)\n", dir, c.String("protocol"))
	outf(c, "Étape suivante : remplissez %s/dossier.yaml puis lancez : anef-dossier -C %s check\n", dir, dir)
	return nil
}
