package main

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"anefdossier/app"
	"anefdossier/protocol"
	"anefdossier/render"
)

func init() {
	register(&cli.Command{
		Name:      "render",
		Usage:     "produit les courriers, l'inventaire, le dossier complet, l'export Télérecours et les brouillons de courriel",
		UsageText: "anef-dossier [-C DOSSIER] render letter|inventory|dossier|telerecours|eml",
		Description: `Tout est produit dans out/ à partir de dossier.yaml et du journal ; rien n'est inventé : s'il manque une
information (par exemple l'adresse postale de la préfecture), la commande s'arrête et donne la liste des champs à remplir.
Le journal n'est pas modifié : ces fichiers peuvent être reproduits à tout moment.`,
		Subcommands: []*cli.Command{
			{
				Name:      "letter",
				Usage:     "un courrier du protocole en PDF (par défaut la demande adressée à la préfecture)",
				UsageText: "anef-dossier [-C DOSSIER] render letter [--document ID] [--all]",
				Description: `Courriers de bug-technique : lettre-substitution (LRAR à la préfecture), lettre-pan (lettre explicative
pour le point d'accueil numérique), courriel-ccc et courriel-prefecture (texte des courriels, en PDF).
Modèles : templates/letters/ ; --templates DOSSIER pour les adapter sans recompiler.

Exemples :
   anef-dossier -C ~/dossiers/dupont render letter
   anef-dossier -C ~/dossiers/dupont render letter --document lettre-pan`,
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "document", Aliases: []string{"d"}, Usage: "identifiant du document (voir la liste dans l'aide)"},
					&cli.BoolFlag{Name: "all", Usage: "tous les documents du protocole"},
				},
				Action: runRenderLetter,
			},
			{
				Name:        "inventory",
				Usage:       "l'inventaire des pièces en PDF (out/inventaire-des-pieces.pdf)",
				UsageText:   "anef-dossier [-C DOSSIER] render inventory",
				Description: "Exemple :\n   anef-dossier -C ~/dossiers/dupont render inventory",
				Action:      runRenderInventory,
			},
			{
				Name:      "dossier",
				Usage:     "le dossier complet en un PDF : garde et sommaire, lettre, inventaire, pièces, annexe d'intégrité",
				UsageText: "anef-dossier [-C DOSSIER] render dossier",
				Description: `Chaque pièce est précédée de l'en-tête « Pièce n°N — intitulé » ; les captures sont à la largeur de la page
et continuées sur plusieurs pages sans être recompressées ; les PDF importés sont fusionnés et tamponnés ; les courriels
.eml sont rendus lisibles. L'empreinte de chaque pièce est recalculée : une pièce modifiée arrête la production.

Exemple :
   anef-dossier -C ~/dossiers/dupont render dossier`,
				Action: runRenderDossier,
			},
			{
				Name:      "telerecours",
				Usage:     "un PDF par pièce et l'inventaire, nommés pour Télérecours (out/telerecours/)",
				UsageText: "anef-dossier [-C DOSSIER] render telerecours",
				Description: `Noms : numéro de la pièce d'abord, sans accents, espaces ni points (sauf l'extension), 80 caractères au plus
(art. R.414-5 CJA). Chaque fichier fait au plus 32 Mo ; une pièce plus lourde est découpée et l'inventaire le signale.

Exemple :
   anef-dossier -C ~/dossiers/dupont render telerecours`,
				Action: runRenderTelerecours,
			},
			{
				Name:      "eml",
				Usage:     "brouillons de courriel (.eml) : à la préfecture (lettre et pièces jointes) et au CCC",
				UsageText: "anef-dossier [-C DOSSIER] render eml",
				Description: `Les brouillons s'ouvrent dans un logiciel de messagerie (en-tête X-Unsent: 1) ; vérifiez-les puis envoyez-les
vous-même. Les adresses viennent de dossier.yaml ; celle du support ANEF est sourcée (templates/SOURCES.md, ccc-courriel).

Exemple :
   anef-dossier -C ~/dossiers/dupont render eml`,
				Action: runRenderEml,
			},
		},
	})
}

func loadRender(c *cli.Context) (*render.Input, error) {
	cs, err := openCase(c)
	if err != nil {
		return nil, err
	}
	return app.Render(cs)
}

// renderErr gives a render error its French hint.
func renderErr(err error) error {
	var me *render.MissingError
	switch {
	case errors.As(err, &me):
		return failure(err.Error(), "complétez dossier.yaml puis relancez ; anef-dossier check liste ce qui manque pour chaque courrier")
	case errors.Is(err, render.ErrTampered):
		return failure(err.Error(), "anef-dossier verify indique quels fichiers ont changé depuis leur ajout")
	case errors.Is(err, render.ErrNoDocument):
		return usageErr(err.Error(), "anef-dossier render letter --help")
	}
	return err
}

func wrote(c *cli.Context, path string, size int) {
	outf(c, "Écrit : %s (%s)\n", path, humanBytes(size))
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f Mo", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d ko", n>>10)
	}
	return fmt.Sprintf("%d octets", n)
}

func runRenderLetter(c *cli.Context) error {
	if err := needArgs(c, 0, 0, "aucun argument"); err != nil {
		return err
	}
	in, err := loadRender(c)
	if err != nil {
		return err
	}
	ids := []string{c.String("document")}
	switch {
	case c.Bool("all"):
		ids = in.Documents()
	case ids[0] == "":
		id := in.MainLetterID()
		if id == "" {
			return failure("ce protocole ne déclare aucun courrier", "anef-dossier render letter --document ID")
		}
		ids = []string{id}
	}
	for _, id := range ids {
		pdf, err := in.LetterPDF(id)
		if err != nil {
			return renderErr(err)
		}
		p, err := in.WriteOut(id+".pdf", pdf)
		if err != nil {
			return err
		}
		wrote(c, p, len(pdf))
	}
	return nil
}

func runRenderInventory(c *cli.Context) error {
	if err := needArgs(c, 0, 0, "aucun argument"); err != nil {
		return err
	}
	in, err := loadRender(c)
	if err != nil {
		return err
	}
	pdf, err := in.InventoryPDF()
	if err != nil {
		return renderErr(err)
	}
	p, err := in.WriteOut(render.InventoryFile, pdf)
	if err != nil {
		return err
	}
	wrote(c, p, len(pdf))
	return nil
}

func runRenderDossier(c *cli.Context) error {
	if err := needArgs(c, 0, 0, "aucun argument"); err != nil {
		return err
	}
	in, err := loadRender(c)
	if err != nil {
		return err
	}
	// fpdf and pdfcpu hold pages in memory: a soft limit makes the garbage
	// collector return what each finished part no longer needs.
	debug.SetMemoryLimit(192 << 20)
	p, size, err := in.WriteOutWith(render.DossierFile, in.WriteDossier)
	if err != nil {
		return renderErr(err)
	}
	wrote(c, p, int(size))
	return nil
}

func runRenderTelerecours(c *cli.Context) error {
	if err := needArgs(c, 0, 0, "aucun argument"); err != nil {
		return err
	}
	in, err := loadRender(c)
	if err != nil {
		return err
	}
	files, err := in.Telerecours()
	if err != nil {
		return renderErr(err)
	}
	for _, f := range files {
		outf(c, "%s (%s)%s\n", f.Path, humanBytes(f.Size), strings.TrimRight(" "+f.Note, " "))
	}
	outf(c, "%s écrits dans %s\n", protocol.Count(len(files), "fichier", "fichiers"), in.OutPath(render.TelerecoursDir))
	return nil
}

func runRenderEml(c *cli.Context) error {
	if err := needArgs(c, 0, 0, "aucun argument"); err != nil {
		return err
	}
	in, err := loadRender(c)
	if err != nil {
		return err
	}
	drafts, err := in.Drafts()
	if err != nil {
		return renderErr(err)
	}
	for _, d := range drafts {
		p, err := in.WriteOut(d.Name, d.Data)
		if err != nil {
			return err
		}
		wrote(c, p, len(d.Data))
		if d.Warning != "" {
			warnf(c, "%s", d.Warning)
		}
	}
	return nil
}
