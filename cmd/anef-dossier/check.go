package main

import (
	"anefdossier/protocol"
	"strings"
)

var checkCmd = command{
	name:    "check",
	summary: "vérifie dossier.yaml et liste ce qui manque à chaque courrier",
	usage:   "anef-dossier [-C DOSSIER] check [--json]",
	help: `Vérifie la syntaxe de dossier.yaml (clés inconnues, avec ligne et colonne), le format des champs
remplis (dates, numéro d'étranger à 10 chiffres, courriels, téléphones), puis liste, pour chaque document
que le protocole produira, les champs encore vides, et les pièces importées sans intitulé explicite
(art. R.412-2 al. 2 CJA : l'inventaire désigne chaque pièce par ce qu'elle montre). Un dossier à moitié rempli est normal : check ne
bloque pas les autres commandes. Sortie non nulle seulement si un champ rempli est invalide.

Exemple :
   anef-dossier -C ~/dossiers/dupont-amina check`,
	run: runCheck,
}

type checkDoc struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Missing []string `json:"missing_fields"`
	// Invalid are the fields the document uses whose value check refuses
	// (review 1, low 15: a document is never "prêt" with an invalid field).
	Invalid []string `json:"invalid_fields"`
}

// usesField tells whether doc uses field (a problem's field, perhaps with
// an index: prefecture.courriels[0]).
func usesField(doc *protocol.Document, field string) bool {
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	for _, f := range doc.Fields {
		if f == field {
			return true
		}
	}
	for _, g := range doc.AnyOf {
		for _, f := range g {
			if f == field {
				return true
			}
		}
	}
	return false
}

type checkResult struct {
	Valid     bool               `json:"valid"`
	Problems  []protocol.Problem `json:"problems"`
	Documents []checkDoc         `json:"documents"`
	// UntitledPieces: imported pieces without an explicit inventory title
	// (art. R.412-2 al. 2 CJA); a warning, not a failure.
	UntitledPieces []int  `json:"untitled_pieces"`
	Untitled       string `json:"untitled_warning,omitempty"`
	// Advice: no copy of the residence document held (m14).
	Advice string `json:"advice,omitempty"`
}

func runCheck(e *env, args []string) error {
	fs := e.flags()
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	if err := fs.parseNone(e, args); err != nil {
		return err
	}
	cs, err := e.openCase()
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
		e.warnf("dossier.yaml indique le protocole « %s » mais le dossier a été créé avec « %s » (le journal fait foi)", d.Protocol, id)
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
	res.UntitledPieces = []int{}
	if st, _, err := cs.State(); err == nil {
		for _, pc := range st.UntitledPieces() {
			res.UntitledPieces = append(res.UntitledPieces, pc.Number)
		}
		res.Untitled = st.UntitledWarning()
		res.Advice = st.TitleCopyAdvice()
	}
	for _, doc := range p.Documents {
		cd := checkDoc{ID: doc.ID, Title: doc.Title, Missing: []string{}, Invalid: []string{}}
		cd.Missing = append(cd.Missing, doc.Missing(d)...)
		for _, pr := range res.Problems {
			if pr.Field != "" && usesField(&doc, pr.Field) {
				cd.Invalid = append(cd.Invalid, pr.Field)
			}
		}
		res.Documents = append(res.Documents, cd)
	}
	if *asJSON {
		if err := e.printJSON(res); err != nil {
			return err
		}
	} else {
		if res.Valid {
			e.outf("dossier.yaml : syntaxe et formats corrects.\n")
		} else {
			e.outf("dossier.yaml : %s\n", protocol.Count(len(res.Problems), "problème", "problèmes"))
			for _, pr := range res.Problems {
				e.outf("  - %s\n", pr.String())
			}
		}
		for _, cd := range res.Documents {
			if len(cd.Missing) == 0 && len(cd.Invalid) == 0 {
				e.outf("%s : prêt.\n", cd.Title)
				continue
			}
			if len(cd.Invalid) > 0 {
				e.outf("%s : pas prêt, %s invalide(s) (voir ci-dessus) : %s\n", cd.Title, protocol.Count(len(cd.Invalid), "champ", "champs"), strings.Join(cd.Invalid, ", "))
				if len(cd.Missing) == 0 {
					continue
				}
			}
			e.outf("%s : il manque %s :\n", cd.Title, protocol.Count(len(cd.Missing), "champ", "champs"))
			for _, f := range cd.Missing {
				e.outf("  - %s (%s)\n", protocol.Label(f), f)
			}
		}
		if res.Untitled != "" {
			e.outf("Pièces : %s\n", res.Untitled)
		}
		if res.Advice != "" {
			e.outf("Conseil : %s\n", res.Advice)
		}
	}
	if !res.Valid {
		return failure("dossier.yaml contient des valeurs invalides", "corrigez les lignes indiquées ci-dessus")
	}
	return nil
}
