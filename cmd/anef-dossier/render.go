package main

import (
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"

	"anefdossier/app"
	"anefdossier/protocol"
	"anefdossier/render"
)

var renderCmd = command{
	name:    "render",
	summary: "produit les courriers, l'inventaire, le dossier complet, l'export Télérecours et les brouillons de courriel",
	usage:   "anef-dossier [-C DOSSIER] render letter|inventory|dossier|telerecours|eml",
	help: `Tout est produit dans out/ à partir de dossier.yaml et du journal ; rien n'est inventé : s'il manque une
information (par exemple l'adresse postale de la préfecture), la commande s'arrête et donne la liste des champs à remplir.
Le journal n'est pas modifié : ces fichiers peuvent être reproduits à tout moment.`,
	subs: []*command{&renderLetterCmd, &renderInventoryCmd, &renderDossierCmd, &renderTelerecoursCmd, &renderEmlCmd},
}

var renderLetterCmd = command{
	name:    "letter",
	summary: "un courrier du protocole en PDF (par défaut la demande adressée à la préfecture)",
	usage:   "anef-dossier [-C DOSSIER] render letter [--document ID] [--all] [--draft]",
	help: `Courriers de bug-technique : lettre-substitution (LRAR à la préfecture), lettre-pan (lettre explicative
pour le point d'accueil numérique), courriel-ccc et courriel-prefecture (texte des courriels, en PDF).
Modèles : templates/letters/ ; --templates DOSSIER pour les adapter sans recompiler.

Une lettre que le protocole envoie (la LRAR) est un projet tant que son envoi n'est pas enregistré : fichier
out/ID-projet.pdf, mention « Projet » en pied de page. Elle est refusée tant que les diligences qu'elle relate ne sont
pas faites (la commande dit lesquelles et comment les enregistrer ; rien n'est écrit), sauf --draft. Une fois l'envoi
enregistré (anef-dossier protocol done prefecture --channel lrar ...), la lettre telle qu'envoyée est une pièce
numérotée : render letter en écrit la copie exacte dans out/ID.pdf.

Exemples :
   anef-dossier -C ~/dossiers/dupont render letter
   anef-dossier -C ~/dossiers/dupont render letter --document lettre-pan`,
	run: runRenderLetter,
}

var renderInventoryCmd = command{
	name:    "inventory",
	summary: "l'inventaire des pièces en PDF (out/inventaire-des-pieces.pdf)",
	usage:   "anef-dossier [-C DOSSIER] render inventory [--destinataire prefecture|juge]",
	help:    "Pour la préfecture (par défaut) : sans article du code de justice administrative. Pour le juge :\n« X c/ Préfet de ... » et art. R.412-2 CJA. Une colonne donne la date de chaque pièce.\n\nExemple :\n   anef-dossier -C ~/dossiers/dupont render inventory --destinataire juge",
	run:     runRenderInventory,
}

var renderDossierCmd = command{
	name:    "dossier",
	summary: "le dossier complet en un PDF : garde et sommaire, lettre, inventaire, pièces, annexe d'intégrité",
	usage:   "anef-dossier [-C DOSSIER] render dossier",
	help: `Chaque pièce est précédée de l'en-tête « Pièce n°N — intitulé » ; les captures sont à la largeur de la page
et continuées sur plusieurs pages sans être recompressées ; les PDF importés sont fusionnés et tamponnés ; les courriels
.eml sont rendus lisibles. L'empreinte de chaque pièce est recalculée : une pièce modifiée arrête la production.

Exemple :
   anef-dossier -C ~/dossiers/dupont render dossier`,
	run: runRenderDossier,
}

var renderTelerecoursCmd = command{
	name:    "telerecours",
	summary: "un PDF par pièce et l'inventaire, nommés pour Télérecours (out/telerecours/)",
	usage:   "anef-dossier [-C DOSSIER] render telerecours",
	help: `Noms : numéro de la pièce d'abord, sans accents, espaces ni points (sauf l'extension), 80 caractères au plus
(consignes du guide Télérecours ; un fichier par pièce). Chaque fichier fait au plus 32 Mo ; une pièce plus lourde est découpée et l'inventaire le signale.

Exemple :
   anef-dossier -C ~/dossiers/dupont render telerecours`,
	run: runRenderTelerecours,
}

var renderEmlCmd = command{
	name:    "eml",
	summary: "brouillons de courriel (.eml) : à la préfecture (lettre et pièces jointes) et au CCC",
	usage:   "anef-dossier [-C DOSSIER] render eml",
	help: `Les brouillons s'ouvrent dans un logiciel de messagerie (en-tête X-Unsent: 1) ; vérifiez-les puis envoyez-les
vous-même. Les adresses viennent de dossier.yaml ; celle du support ANEF est sourcée (templates/SOURCES.md, ccc-courriel).

Exemple :
   anef-dossier -C ~/dossiers/dupont render eml`,
	run: runRenderEml,
}

func loadRender(e *env) (*render.Input, error) {
	cs, err := e.openCase()
	if err != nil {
		return nil, err
	}
	return app.Render(cs)
}

// renderErr gives a render error its French hint.
// pieceErrRe matches an error about one piece (its number in the case).
var pieceErrRe = regexp.MustCompile(`^pièce n°([0-9]+)\b`)

func renderErr(err error) error {
	var me *render.MissingError
	switch {
	case errors.As(err, &me):
		return failure(err.Error(), "complétez dossier.yaml puis relancez ; anef-dossier check liste ce qui manque pour chaque courrier")
	case errors.Is(err, render.ErrTampered):
		return failure(err.Error(), "anef-dossier verify indique quels fichiers ont changé depuis leur ajout")
	case errors.Is(err, render.ErrNoDocument):
		return usageErr(err.Error(), "anef-dossier render letter --help")
	case pieceErrRe.MatchString(err.Error()):
		// One bad piece must never block the dossier (review 1, H3).
		n := pieceErrRe.FindStringSubmatch(err.Error())[1]
		return failure(err.Error(), "si cette pièce est inutilisable, écartez-la des documents (son fichier et le journal la gardent) : anef-dossier piece set-aside "+n+" --reason MOTIF, puis relancez")
	}
	return err
}

func wrote(e *env, path string, size int) {
	e.outf("Écrit : %s (%s)\n", path, protocol.HumanSize(int64(size)))
}

func runRenderLetter(e *env, args []string) error {
	fs := e.flags()
	document := fs.String("document", "d", "", "identifiant du document (voir la liste dans l'aide)")
	all := fs.Bool("all", "", "tous les documents du protocole")
	draft := fs.Bool("draft", "", "projet de lettre même si des diligences manquent encore")
	if err := fs.parseNone(e, args); err != nil {
		return err
	}
	in, err := loadRender(e)
	if err != nil {
		return err
	}
	ids := []string{*document}
	switch {
	case *all:
		ids = in.Documents()
	case ids[0] == "":
		id := in.MainLetterID()
		if id == "" {
			return failure("ce protocole ne déclare aucun courrier", "anef-dossier render letter --document ID")
		}
		ids = []string{id}
	}
	// Check every document before writing any: nothing is written to out/
	// when a letter would recount diligences not done.
	if !*draft {
		for _, id := range ids {
			if err := in.CheckDiligences(id); err != nil {
				var de *render.DiligenceError
				if errors.As(err, &de) {
					return &cliError{msg: de.Summary(), lines: de.Lines(), code: 1,
						hint: "anef-dossier protocol status montre chaque étape ; render letter --draft donne un projet marqué comme tel"}
				}
				return failure(err.Error(), "anef-dossier protocol status ; ou render letter --draft pour un projet")
			}
		}
	}
	for _, id := range ids {
		name, pdf, err := in.LetterFile(id)
		if err != nil {
			return renderErr(err)
		}
		p, err := in.WriteOut(name, pdf)
		if err != nil {
			return err
		}
		wrote(e, p, len(pdf))
	}
	return nil
}

func runRenderInventory(e *env, args []string) error {
	fs := e.flags()
	to := fs.String("destinataire", "", render.ForPrefecture, "prefecture ou juge")
	if err := fs.parseNone(e, args); err != nil {
		return err
	}
	in, err := loadRender(e)
	if err != nil {
		return err
	}
	if *to != render.ForPrefecture && *to != render.ForJudge {
		return usageErr(fmt.Sprintf("destinataire « %s » inconnu", *to), "--destinataire prefecture ou --destinataire juge")
	}
	pdf, err := in.InventoryPDF(*to)
	if err != nil {
		return renderErr(err)
	}
	p, err := in.WriteOut(render.InventoryFile, pdf)
	if err != nil {
		return err
	}
	wrote(e, p, len(pdf))
	return nil
}

func runRenderDossier(e *env, args []string) error {
	fs := e.flags()
	if err := fs.parseNone(e, args); err != nil {
		return err
	}
	in, err := loadRender(e)
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
	wrote(e, p, int(size))
	return nil
}

func runRenderTelerecours(e *env, args []string) error {
	fs := e.flags()
	if err := fs.parseNone(e, args); err != nil {
		return err
	}
	in, err := loadRender(e)
	if err != nil {
		return err
	}
	files, err := in.Telerecours()
	if err != nil {
		return renderErr(err)
	}
	for _, f := range files {
		e.outf("%s (%s)%s\n", f.Path, protocol.HumanSize(int64(f.Size)), strings.TrimRight(" "+f.Note, " "))
	}
	e.outf("%s écrits dans %s\n", protocol.Count(len(files), "fichier", "fichiers"), in.OutPath(render.TelerecoursDir))
	return nil
}

func runRenderEml(e *env, args []string) error {
	fs := e.flags()
	if err := fs.parseNone(e, args); err != nil {
		return err
	}
	in, err := loadRender(e)
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
		wrote(e, p, len(d.Data))
		if d.Warning != "" {
			e.warnf("%s", d.Warning)
		}
	}
	return nil
}
