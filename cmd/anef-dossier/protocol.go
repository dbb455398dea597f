package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"anefdossier/app"
	"anefdossier/protocol"
)

var protocolCmd = command{
	name:    "protocol",
	summary: "étapes de la procédure : où en est le dossier, que faire ensuite, enregistrer une étape",
	usage:   "anef-dossier [-C DOSSIER] protocol status|next|done|undo ...",
	subs:    []*command{&protocolStatusCmd, &protocolNextCmd, &protocolDoneCmd, &protocolUndoCmd},
}

var protocolStatusCmd = command{
	name:    "status",
	summary: "chaque étape : faite (date, preuves), à faire ou facultative, et les délais",
	usage:   "anef-dossier [-C DOSSIER] protocol status [--json]",
	help:    "Exemple :\n   anef-dossier -C ~/dossiers/dupont protocol status",
	run:     runStatus,
}

var protocolNextCmd = command{
	name:    "next",
	summary: "la prochaine étape obligatoire, ce qui la prouve et la commande qui l'enregistre",
	usage:   "anef-dossier [-C DOSSIER] protocol next [--json]",
	help:    "Exemple :\n   anef-dossier -C ~/dossiers/dupont protocol next",
	run:     runNext,
}

var protocolDoneCmd = command{
	name:    "done",
	summary: "enregistre une étape faite (un canal, une date, une référence, des pièces)",
	usage:   "anef-dossier [-C DOSSIER] protocol done ETAPE [--channel CANAL] [--ref REF] [--date DATE] [--piece N]... [--set CHAMP=VALEUR]...",
	help: `Ajoute un événement au journal ; rien n'est jamais effacé. Les étapes peuvent être enregistrées dans
le désordre, mais l'outil avertit (par exemple une LRAR avant tout contact avec le CCC).
Chaque --set donne une information telle quelle, virgules et apostrophes comprises.

Exemples :
   anef-dossier protocol done ccc --channel courriel --ref "REF-2026-0042" --date 11/03/2026 --piece 3
   anef-dossier protocol done ccc --channel telephone --ref "REF-2026-0042" --date 12/03/2026 --piece 4 --set reponse="personne n'a décroché, rappel demandé" --set impossibilite=oui
   anef-dossier protocol done prefecture --channel lrar --ref "1A 234 567 8901 2" --date 14/03/2026`,
	run: runDone,
}

var protocolUndoCmd = command{
	name:    "undo",
	summary: "annule une étape enregistrée par erreur (ajoute un événement, n'efface rien)",
	usage:   "anef-dossier [-C DOSSIER] protocol undo ETAPE [--channel CANAL] [--reason MOTIF]",
	help:    "Exemple :\n   anef-dossier protocol undo prefecture --channel lrar --reason \"mauvais numéro\"",
	run:     runUndo,
}

type stepJSON struct {
	ID        string                `json:"id"`
	Title     string                `json:"title"`
	Mandatory bool                  `json:"mandatory"`
	Done      bool                  `json:"done"`
	Status    string                `json:"status"`
	Missing   string                `json:"missing,omitempty"`
	Pieces    []int                 `json:"pieces,omitempty"`
	Records   []protocol.StepRecord `json:"records,omitempty"`
	Proof     string                `json:"proof"`
	Command   string                `json:"command"`
}

type deadlineJSON struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Date     string `json:"date"`
	DateFr   string `json:"date_long"`
	DaysLeft int    `json:"days_left"`
	Nature   string `json:"kind"`
	Closed   bool   `json:"closed"`
	Source   string `json:"source"`
	Note     string `json:"note,omitempty"`
}

func stepStatus(st *protocol.StepState) string {
	switch {
	case st.Done:
		return "faite"
	case !st.Step.Mandatory:
		return "facultative"
	}
	return "à faire"
}

func toStepJSON(st *protocol.StepState) stepJSON {
	sj := stepJSON{ID: st.Step.ID, Title: st.Step.Title, Mandatory: st.Step.Mandatory, Done: st.Done, Status: stepStatus(st),
		Pieces: st.Pieces, Records: st.Records, Proof: oneLine(st.Step.Proof), Command: st.Step.Command}
	if !st.Done {
		sj.Missing = st.Missing
	}
	return sj
}

func deadlinesOf(st *protocol.State) []protocol.DeadlineState {
	return st.Deadlines(st.Dossier, protocol.Now())
}

func toDeadlineJSON(ds []protocol.DeadlineState) []deadlineJSON {
	out := []deadlineJSON{}
	for _, d := range ds {
		out = append(out, deadlineJSON{ID: d.Deadline.ID, Title: d.Deadline.Title, Date: d.Date.Format("2006-01-02"),
			DateFr: protocol.FrLongDate(d.Date), DaysLeft: d.DaysLeft, Nature: d.Deadline.KindOrDefault(), Closed: d.Closed, Source: d.Source, Note: d.Note})
	}
	return out
}

func runStatus(e *env, args []string) error {
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
	dls := deadlinesOf(st)
	plans, err := app.CasePlans(cs)
	if err != nil {
		return err
	}
	if *asJSON {
		out := struct {
			Protocol  string         `json:"protocol"`
			Steps     []stepJSON     `json:"steps"`
			Deadlines []deadlineJSON `json:"deadlines"`
			Warnings  []string       `json:"warnings"`
			Pieces    int            `json:"pieces"`
			Plans     []planJSON     `json:"plans,omitempty"`
		}{Protocol: st.Protocol.ID, Deadlines: toDeadlineJSON(dls), Warnings: append([]string{}, st.Warnings...), Pieces: len(st.Pieces),
			Plans: plansJSON(plans, protocol.Now())}
		for _, s := range st.Steps {
			out.Steps = append(out.Steps, toStepJSON(s))
		}
		return e.printJSON(out)
	}
	e.outf("Protocole : %s (%s)\n", st.Protocol.Title, st.Protocol.ID)
	e.outf("Pièces : %d\n\n", len(st.Pieces))
	for i, s := range st.Steps {
		mark := "[ ]"
		if s.Done {
			mark = "[x]"
		} else if !s.Step.Mandatory {
			mark = "[-]"
		}
		e.outf("%s %d. %s — %s\n", mark, i+1, s.Step.Title, stepStatus(s))
		if s.Step.Auto != nil && len(s.Pieces) > 0 {
			var ns []string
			for _, n := range s.Pieces {
				ns = append(ns, fmt.Sprintf("n°%d", n))
			}
			e.outf("      pièces : %s\n", strings.Join(ns, ", "))
		}
		for _, r := range s.Records {
			e.outf("      %s\n", s.Step.Describe(r))
		}
		if !s.Done && s.Missing != "" && s.Step.Mandatory {
			e.outf("      manque : %s\n", s.Missing)
		}
	}
	if len(dls) > 0 {
		e.outf("\nDélais :\n")
		for _, d := range dls {
			closed := ""
			if d.Closed {
				closed = " (sans objet : étape faite)"
				if d.ClosedReason != "" {
					closed = " (sans objet : " + d.ClosedReason + ")"
				}
				if d.Late {
					closed = " (HORS DÉLAI : " + d.ClosedReason + ")"
				}
			}
			e.outf("  - %s : %s (%s)%s\n", d.Deadline.Title, protocol.FrLongDate(d.Date), d.When(), closed)
			if d.Note != "" && (!d.Closed || d.Late) {
				e.outf("      %s\n", oneLine(d.Note))
			}
		}
	}
	printPlans(e, plans, protocol.Now())
	for _, w := range statusWarnings(st) {
		e.outf("\nAttention : %s\n", w)
	}
	if c := st.TitleCopyAdvice(); c != "" {
		e.outf("\nConseil : %s\n", c)
	}
	return nil
}

// statusWarnings are the case's warnings, then the pieces that lack an
// explicit inventory title (art. R.412-2 al. 2 CJA).
func statusWarnings(st *protocol.State) []string {
	out := append([]string{}, st.Warnings...)
	if w := st.UntitledWarning(); w != "" {
		out = append(out, w)
	}
	return out
}

func runNext(e *env, args []string) error {
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
	next := st.Next()
	dls := deadlinesOf(st)
	if *asJSON {
		out := struct {
			Finished  bool           `json:"finished"`
			Step      *stepJSON      `json:"step,omitempty"`
			Final     string         `json:"final,omitempty"`
			Deadlines []deadlineJSON `json:"deadlines"`
			Warnings  []string       `json:"warnings"`
		}{Finished: next == nil, Deadlines: toDeadlineJSON(dls), Warnings: append([]string{}, st.Warnings...)}
		if next != nil {
			sj := toStepJSON(next)
			out.Step = &sj
		} else {
			out.Final = oneLine(st.Protocol.Final)
		}
		return e.printJSON(out)
	}
	if next == nil {
		e.outf("%s\n", oneLine(st.Protocol.Final))
	} else {
		e.outf("Prochaine étape obligatoire : %s (%s)\n", next.Step.Title, next.Step.ID)
		if next.Missing != "" {
			e.outf("Manque : %s\n", next.Missing)
		}
		e.outf("Ce qui la prouve : %s\n", oneLine(next.Step.Proof))
		if len(next.Step.Channels) > 0 {
			e.outf("Canaux :\n")
			for _, ch := range next.Step.Channels {
				needs := ""
				if len(ch.Needs) > 0 {
					needs = " — exige : " + strings.NewReplacer("piece", "--piece", "ref", "--ref", "date", "--date").Replace(strings.Join(ch.Needs, ", "))
				}
				e.outf("  - %s : %s%s\n", ch.ID, ch.Title, needs)
			}
		}
		if next.Step.Advice != "" {
			e.outf("Conseil : %s\n", oneLine(next.Step.Advice))
		}
		e.outf("Commande : %s\n", next.Step.Command)
	}
	if d := protocol.NextDeadline(dls); d != nil {
		e.outf("Prochain délai : %s, le %s (%s)\n", d.Deadline.Title, protocol.FrLongDate(d.Date), d.When())
	}
	for _, w := range st.Warnings {
		e.outf("Attention : %s\n", w)
	}
	return nil
}

func runDone(e *env, args []string) error {
	fs := e.flags()
	channel := fs.String("channel", "c", "", "canal utilisé (formulaire, courriel, telephone, lrar...)")
	ref := fs.String("ref", "r", "", "référence (numéro de courriel, numéro de LRAR...)")
	date := fs.String("date", "d", "", "date de la démarche (10/03/2026, heure facultative)")
	pieces := fs.Strings("piece", "n", "numéro d'une pièce qui le prouve")
	sets := fs.Strings("set", "s", "autre information de l'étape, CHAMP=VALEUR, prise telle quelle")
	note := fs.String("note", "", "", "remarque libre")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 1, 1, "une ETAPE"); err != nil {
		return err
	}
	rec := protocol.StepRecord{Step: pos[0], Channel: *channel, Ref: strings.TrimSpace(*ref), Note: *note}
	if *date != "" {
		t, _, err := parseUserDate("date", *date)
		if err != nil {
			return err
		}
		rec.Date = &t
	}
	if rec.Pieces, err = parsePieceNumbers(*pieces); err != nil {
		return err
	}
	for _, kv := range *sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usageErr(fmt.Sprintf("--set « %s » : CHAMP=VALEUR attendu", kv), "exemple : --set reponse=\"dépôt impossible\"")
		}
		if rec.Fields == nil {
			rec.Fields = map[string]string{}
		}
		rec.Fields[strings.TrimSpace(k)] = v
	}
	cs, err := e.openCase()
	if err != nil {
		return err
	}
	res, err := app.RecordStep(context.Background(), cs, rec)
	if errors.Is(err, app.ErrMultiline) {
		return usageErr(err.Error(), "donnez chaque valeur sur une seule ligne ; elle sera reprise telle quelle dans les courriers")
	}
	if err != nil {
		return err
	}
	e.outf("Étape enregistrée : %s — %s\n", res.Step.Title, res.Step.Describe(res.Record))
	if res.Letter != nil {
		e.outf("Lettre telle qu'envoyée rangée comme pièce n°%d : %s (%s)\n", res.Letter.Number, res.Letter.Title, res.Letter.Main().Path)
	}
	for _, w := range res.NewWarnings {
		e.warnf("%s", w)
	}
	if res.Done {
		e.outf("L'étape « %s » est complète.\n", res.Step.Title)
	} else if res.Missing != "" {
		e.outf("L'étape « %s » n'est pas encore complète : manque %s.\n", res.Step.Title, res.Missing)
	}
	if res.Next != nil {
		e.outf("Prochaine étape obligatoire : %s (anef-dossier protocol next)\n", res.Next.Step.Title)
	}
	e.printAnchor(res.Anchor)
	return nil
}

// printAnchor tells how the journal was anchored after a change (nothing
// when no timestamp authority is configured).
func (e *env) printAnchor(a *app.Anchored) {
	if a == nil {
		return
	}
	for _, r := range a.Records {
		e.outf("Journal ancré jusqu'à la ligne %d le %s par %s (%s) : %s\n", r.Line, protocol.FrDateTime(r.GenTime), r.Authority, protocol.TimestampStatus(r.Status).Label(), r.Token)
	}
	if a.Failure != "" {
		e.warnf("journal non ancré hors du dossier : %s ; le changement est bien enregistré, anef-dossier timestamp ancrera le journal plus tard", a.Failure)
	}
}

func runUndo(e *env, args []string) error {
	fs := e.flags()
	channel := fs.String("channel", "c", "", "n'annule que ce canal")
	reason := fs.String("reason", "", "", "motif de l'annulation")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 1, 1, "une ETAPE"); err != nil {
		return err
	}
	cs, err := e.openCase()
	if err != nil {
		return err
	}
	res, err := app.Undo(context.Background(), cs, protocol.UndoRecord{Step: pos[0], Channel: *channel, Reason: *reason})
	if errors.Is(err, protocol.ErrNothingToUndo) {
		return failure(err.Error(), "anef-dossier protocol status montre ce qui est enregistré")
	}
	if err != nil {
		return err
	}
	e.outf("Annulation enregistrée : %s (%s). Les enregistrements restent lisibles dans le journal.\n", res.Step.Title, protocol.Count(res.Records, "enregistrement", "enregistrements"))
	e.printAnchor(res.Anchor)
	return nil
}
