package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"anefdossier/app"
	"anefdossier/protocol"
	"anefdossier/render"
)

var pieceCmd = command{
	name:    "piece",
	summary: "importe, liste, intitule ou écarte les pièces du dossier",
	usage:   "anef-dossier [-C DOSSIER] piece add|list|title|set-aside ...",
	subs:    []*command{&pieceAddCmd, &pieceListCmd, &pieceTitleCmd, &pieceSetAsideCmd},
}

var pieceSetAsideCmd = command{
	name:    "set-aside",
	summary: "écarte une pièce des documents, avec un motif (le fichier et le journal la gardent)",
	usage:   "anef-dossier [-C DOSSIER] piece set-aside N --reason MOTIF",
	help: `Inscrit au journal que la pièce N est écartée, avec son motif. Rien n'est effacé : le fichier reste dans
pieces/, verify continue d'en contrôler l'empreinte, le journal garde son historique. Le dossier, l'inventaire,
l'export Télérecours et le courriel ne l'incluent plus, et les pièces suivantes y sont renumérotées sans trou
(art. R.412-2 du code de justice administrative). Une pièce écartée ne peut pas être réintégrée : importez à
nouveau le fichier si besoin.

Exemple :
   anef-dossier -C ~/dossiers/dupont piece set-aside 8 --reason "PDF protégé par mot de passe, illisible"`,
	run: runPieceSetAside,
}

func runPieceSetAside(e *env, args []string) error {
	fs := e.flags()
	reason := fs.String("reason", "r", "", "motif, gardé au journal (obligatoire)")
	_, n, cs, err := pieceCommand(e, fs, args, 1, "un numéro de pièce")
	if err != nil {
		return err
	}
	res, err := app.SetAside(context.Background(), cs, n, *reason)
	var ue *app.UnknownPieceError
	switch {
	case errors.Is(err, protocol.ErrNoReason):
		return usageErr(err.Error(), `--reason "pourquoi la pièce est écartée"`)
	case errors.Is(err, protocol.ErrBadReason):
		return usageErr(err.Error(), "donnez le motif sur une seule ligne")
	case errors.As(err, &ue):
		return usageErr(err.Error(), "anef-dossier piece list donne les numéros")
	case errors.Is(err, protocol.ErrAlreadySetAside):
		return failure(err.Error(), "rien n'a été changé")
	case err != nil:
		return err
	}
	e.outf("Pièce n°%d écartée des documents : %s (motif : %s). Le fichier reste dans le dossier et au journal.\n",
		res.Piece.Number, res.Piece.Main().Path, protocol.Neutralize(res.Record.Reason))
	e.outf("Les documents comptent désormais %s, numérotées sans trou ; relancez anef-dossier render.\n", protocol.Count(res.Kept, "pièce", "pièces"))
	e.printAnchor(res.Anchor)
	return nil
}

var pieceTitleCmd = command{
	name:    "title",
	summary: "donne à une pièce son intitulé pour l'inventaire : ce qu'elle montre",
	usage:   "anef-dossier [-C DOSSIER] piece title N TITRE",
	help: `L'inventaire des pièces désigne chacune par un libellé suffisamment explicite (art. R.412-2 al. 2 CJA).
Une pièce importée sans --title n'a que son type et sa date ; cette commande lui donne son intitulé.
Le fichier de la pièce n'est pas touché : le journal garde l'intitulé donné, et sa date.

Exemple :
   anef-dossier -C ~/dossiers/dupont piece title 4 "Capture d'écran de l'ANEF constatant l'impossibilité de créer un compte avec le numéro de visa"`,
	run: runPieceTitle,
}

func runPieceTitle(e *env, args []string) error {
	fs := e.flags()
	pos, n, cs, err := pieceCommand(e, fs, args, 2, "un numéro de pièce et un TITRE")
	if err != nil {
		return err
	}
	p, err := app.TitlePiece(context.Background(), cs, n, pos[1])
	if errors.Is(err, protocol.ErrBadTitle) {
		return usageErr(err.Error(), "un intitulé sur une ligne, qui dit ce que la pièce montre ; anef-dossier piece list donne les numéros")
	}
	if err != nil {
		return err
	}
	e.outf("Pièce n°%d : intitulé « %s »\n", p.Number, p.Title)
	return nil
}

var pieceAddCmd = command{
	name:    "add",
	summary: "importe un fichier extérieur comme pièce (capture de téléphone, PDF, courriel .eml)",
	usage:   "anef-dossier [-C DOSSIER] piece add FICHIER [--kind TYPE] [--title TITRE] [--date DATE]",
	help: `Copie le fichier dans pieces/ sans jamais le modifier, calcule son empreinte SHA-256, note sa taille,
son nom d'origine, la provenance « importée » et la date déclarée, puis l'inscrit au journal.
Types : ` + protocol.KindIDs() + `.

Exemple :
   anef-dossier -C ~/dossiers/dupont piece add ~/Téléchargements/reponse-ccc.eml --kind reponse-ccc --date 12/03/2026`,
	run: runPieceAdd,
}

var pieceListCmd = command{
	name:    "list",
	summary: "liste les pièces numérotées",
	usage:   "anef-dossier [-C DOSSIER] piece list [--json]",
	help:    "Exemple :\n   anef-dossier -C ~/dossiers/dupont piece list",
	run:     runPieceList,
}

func runPieceAdd(e *env, args []string) error {
	fs := e.flags()
	kind := fs.String("kind", "k", "", "type de pièce (déduit de l'extension sinon)")
	title := fs.String("title", "t", "", "intitulé pour l'inventaire : ce que la pièce montre")
	date := fs.String("date", "d", "", "date de la pièce (10/03/2026 ou 2026-03-10, heure facultative)")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 1, 1, "un FICHIER"); err != nil {
		return err
	}
	in := app.Import{Src: pos[0], Kind: *kind, Title: *title}
	if *date != "" {
		t, hasTime, err := parseUserDate("date", *date)
		if err != nil {
			return err
		}
		in.Date, in.DateHasTime = t, hasTime
	}
	cs, err := e.openCase()
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
		hint := "importez un fichier png, jpg, pdf, eml, txt ou mhtml intact"
		var pe *render.PieceError
		if errors.As(err, &pe) {
			hint = pe.Hint + " ; rien n'a été enregistré"
		} else if errors.Is(err, os.ErrPermission) {
			hint = "vérifiez que vous pouvez lire ce fichier (droits d'accès) ; rien n'a été enregistré"
		}
		return failure(err.Error(), hint)
	case err != nil:
		return err
	}
	for _, d := range dups {
		e.warnf("ce fichier a la même empreinte que la pièce n°%d (doublon)", d)
	}
	e.outf("Pièce n°%d ajoutée : %s (SHA-256 %s, %d octets)\n", p.Number, p.Main().Path, p.Main().SHA256, p.Main().Size)
	return nil
}

type pieceJSON struct {
	Number       int                  `json:"number"`
	Kind         string               `json:"kind"`
	Title        string               `json:"title"`
	Date         string               `json:"date"`
	Provenance   protocol.Provenance  `json:"provenance"`
	OriginalName string               `json:"original_name,omitempty"`
	Files        []protocol.PieceFile `json:"files"`
	Timestamped  bool                 `json:"timestamped"`
	SetAside     string               `json:"set_aside_reason,omitempty"`
}

func runPieceList(e *env, args []string) error {
	fs := e.flags()
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	if err := fs.parseNone(e, args); err != nil {
		return err
	}
	cs, err := e.openCase()
	if err != nil {
		return err
	}
	st, _, err := cs.State()
	if err != nil {
		return err
	}
	stamped := map[int]bool{}
	for _, t := range st.Timestamps {
		stamped[t.Piece] = true
	}
	if *asJSON {
		out := []pieceJSON{}
		for _, p := range st.Pieces {
			j := pieceJSON{Number: p.Number, Kind: p.Kind, Title: p.Title, Date: p.Date.Format("2006-01-02T15:04:05Z07:00"),
				Provenance: p.Provenance, OriginalName: p.OriginalName, Files: p.Files, Timestamped: stamped[p.Number]}
			if p.SetAside != nil {
				j.SetAside = p.SetAside.Reason
			}
			out = append(out, j)
		}
		return e.printJSON(out)
	}
	if len(st.Pieces) == 0 {
		e.outf("Aucune pièce pour l'instant. Ajoutez-en avec anef-dossier capture URL ou anef-dossier piece add FICHIER.\n")
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
		if p.SetAside != nil {
			ts += fmt.Sprintf(" [écartée le %s : %s]", protocol.FrDate(p.SetAside.At), p.SetAside.Reason)
		}
		e.outf("n°%d  %s  %-14s %s (%s)%s\n", p.Number, date, p.Kind, protocol.Neutralize(title), p.Provenance.Label(), protocol.Neutralize(ts))
	}
	return nil
}

// pieceCommand parses the arguments of a command on one piece (its number
// first, as the user types it: "3" or "n°3", then nargs-1 more) and opens the
// case.
func pieceCommand(e *env, fs *flagSet, args []string, nargs int, what string) ([]string, int, *protocol.Case, error) {
	pos, err := fs.parse(e, args)
	if err != nil {
		return nil, 0, nil, err
	}
	if err := fs.needArgs(pos, nargs, nargs, what); err != nil {
		return nil, 0, nil, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(pos[0], "n°"))
	if err != nil || n < 1 {
		return nil, 0, nil, usageErr(fmt.Sprintf("« %s » n'est pas un numéro de pièce", pos[0]), "anef-dossier piece list donne les numéros")
	}
	cs, err := e.openCase()
	return pos, n, cs, err
}
