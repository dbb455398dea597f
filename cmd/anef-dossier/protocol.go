package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"anefdossier/app"
	"anefdossier/protocol"
)

func init() {
	register(&cli.Command{
		Name:      "protocol",
		Usage:     "étapes de la procédure : où en est le dossier, que faire ensuite, enregistrer une étape",
		UsageText: "anef-dossier [-C DOSSIER] protocol status|next|done|undo ...",
		Subcommands: []*cli.Command{
			{
				Name:        "status",
				Usage:       "chaque étape : faite (date, preuves), à faire ou facultative, et les délais",
				UsageText:   "anef-dossier [-C DOSSIER] protocol status [--json]",
				Description: "Exemple :\n   anef-dossier -C ~/dossiers/dupont protocol status",
				Flags:       []cli.Flag{jsonFlag},
				Action:      runStatus,
			},
			{
				Name:        "next",
				Usage:       "la prochaine étape obligatoire, ce qui la prouve et la commande qui l'enregistre",
				UsageText:   "anef-dossier [-C DOSSIER] protocol next [--json]",
				Description: "Exemple :\n   anef-dossier -C ~/dossiers/dupont protocol next",
				Flags:       []cli.Flag{jsonFlag},
				Action:      runNext,
			},
			{
				Name:      "done",
				Usage:     "enregistre une étape faite (un canal, une date, une référence, des pièces)",
				UsageText: "anef-dossier [-C DOSSIER] protocol done ETAPE [--channel CANAL] [--ref REF] [--date DATE] [--piece N]... [--set CHAMP=VALEUR]...",
				Description: `Ajoute un événement au journal ; rien n'est jamais effacé. Les étapes peuvent être enregistrées dans
le désordre, mais l'outil avertit (par exemple une LRAR avant tout contact avec le CCC).

Exemples :
   anef-dossier protocol done ccc --channel courriel --ref "REF-2026-0042" --date 11/03/2026 --piece 3
   anef-dossier protocol done ccc --channel telephone --ref "REF-2026-0042" --date 12/03/2026 --piece 4 --set reponse="dépôt impossible" --set impossibilite=oui
   anef-dossier protocol done prefecture --channel lrar --ref "1A 234 567 8901 2" --date 14/03/2026`,
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "channel", Aliases: []string{"c"}, Usage: "canal utilisé (formulaire, courriel, telephone, lrar...)"},
					&cli.StringFlag{Name: "ref", Aliases: []string{"r"}, Usage: "référence (numéro de courriel, numéro de LRAR...)"},
					&cli.StringFlag{Name: "date", Aliases: []string{"d"}, Usage: "date de la démarche (10/03/2026, heure facultative)"},
					&cli.StringSliceFlag{Name: "piece", Aliases: []string{"n"}, Usage: "numéro d'une pièce qui le prouve (répétable)"},
					&cli.StringSliceFlag{Name: "set", Aliases: []string{"s"}, Usage: "autre information de l'étape, CHAMP=VALEUR (répétable)"},
					&cli.StringFlag{Name: "note", Usage: "remarque libre"},
				},
				Action: runDone,
			},
			{
				Name:        "undo",
				Usage:       "annule une étape enregistrée par erreur (ajoute un événement, n'efface rien)",
				UsageText:   "anef-dossier [-C DOSSIER] protocol undo ETAPE [--channel CANAL] [--reason MOTIF]",
				Description: "Exemple :\n   anef-dossier protocol undo prefecture --channel lrar --reason \"mauvais numéro\"",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "channel", Aliases: []string{"c"}, Usage: "n'annule que ce canal"},
					&cli.StringFlag{Name: "reason", Usage: "motif de l'annulation"},
				},
				Action: runUndo,
			},
		},
	})
}

type stepJSON struct {
	ID        string                `json:"id"`
	Title     string                `json:"titre"`
	Mandatory bool                  `json:"obligatoire"`
	Done      bool                  `json:"faite"`
	Status    string                `json:"statut"`
	Missing   string                `json:"manque,omitempty"`
	Pieces    []int                 `json:"pieces,omitempty"`
	Records   []protocol.StepRecord `json:"enregistrements,omitempty"`
	Proof     string                `json:"preuve"`
	Command   string                `json:"commande"`
}

type deadlineJSON struct {
	ID       string `json:"id"`
	Title    string `json:"titre"`
	Date     string `json:"date"`
	DateFr   string `json:"date_fr"`
	DaysLeft int    `json:"jours_restants"`
	Nature   string `json:"nature"`
	Closed   bool   `json:"sans_objet"`
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

func deadlinesOf(c *cli.Context, cs *protocol.Case, st *protocol.State) []protocol.DeadlineState {
	return st.Deadlines(st.Dossier, protocol.Now())
}

func toDeadlineJSON(ds []protocol.DeadlineState) []deadlineJSON {
	out := []deadlineJSON{}
	for _, d := range ds {
		out = append(out, deadlineJSON{ID: d.Deadline.ID, Title: d.Deadline.Title, Date: d.Date.Format("2006-01-02"),
			DateFr: protocol.FrLongDate(d.Date), DaysLeft: d.DaysLeft, Nature: d.Deadline.KindOrDefault(), Closed: d.Closed, Source: d.Deadline.Source, Note: d.Note})
	}
	return out
}

func daysLeftFr(n int) string {
	switch {
	case n == 0:
		return "aujourd'hui"
	case n == 1:
		return "demain"
	case n > 1:
		return fmt.Sprintf("dans %d jours", n)
	case n == -1:
		return "dépassé d'un jour"
	}
	return fmt.Sprintf("dépassé de %d jours", -n)
}

// deadlineWhen says how far a deadline is: a due date is "dépassé" once
// past, an opening or an event simply happened ("il y a").
func deadlineWhen(d protocol.DeadlineState) string {
	if d.DaysLeft < 0 && d.Deadline.KindOrDefault() != protocol.KindDue {
		if d.DaysLeft == -1 {
			return "hier"
		}
		return fmt.Sprintf("il y a %d jours", -d.DaysLeft)
	}
	return daysLeftFr(d.DaysLeft)
}

func describeRecord(step *protocol.Step, r protocol.StepRecord) string {
	var parts []string
	if r.Channel != "" {
		if ch := step.Channel(r.Channel); ch != nil {
			parts = append(parts, ch.Title)
		} else {
			parts = append(parts, r.Channel)
		}
	}
	if r.Date != nil {
		parts = append(parts, "le "+protocol.FrDate(*r.Date))
	}
	if r.Ref != "" {
		parts = append(parts, "réf. "+r.Ref)
	}
	if len(r.Pieces) > 0 {
		var ns []string
		for _, n := range r.Pieces {
			ns = append(ns, fmt.Sprintf("n°%d", n))
		}
		parts = append(parts, "pièces "+strings.Join(ns, ", "))
	}
	for _, f := range step.Fields {
		if v, ok := r.Fields[f.ID]; ok {
			switch f.Type {
			case "booleen":
				if v == "true" {
					v = "oui"
				} else {
					v = "non"
				}
			case "date":
				if t, err := time.Parse(time.RFC3339, v); err == nil {
					v = protocol.FrDate(t)
				}
			}
			parts = append(parts, fmt.Sprintf("%s : %s", f.Title, v))
		}
	}
	return strings.Join(parts, ", ")
}

func runStatus(c *cli.Context) error {
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	st, err := loadState(c, cs)
	if err != nil {
		return err
	}
	dls := deadlinesOf(c, cs, st)
	if c.Bool("json") {
		out := struct {
			Protocol  string         `json:"protocole"`
			Steps     []stepJSON     `json:"etapes"`
			Deadlines []deadlineJSON `json:"delais"`
			Warnings  []string       `json:"avertissements"`
			Pieces    int            `json:"pieces"`
		}{Protocol: st.Protocol.ID, Deadlines: toDeadlineJSON(dls), Warnings: append([]string{}, st.Warnings...), Pieces: len(st.Pieces)}
		for _, s := range st.Steps {
			out.Steps = append(out.Steps, toStepJSON(s))
		}
		return printJSON(c, out)
	}
	outf(c, "Protocole : %s (%s)\n", st.Protocol.Title, st.Protocol.ID)
	outf(c, "Pièces : %d\n\n", len(st.Pieces))
	for i, s := range st.Steps {
		mark := "[ ]"
		if s.Done {
			mark = "[x]"
		} else if !s.Step.Mandatory {
			mark = "[-]"
		}
		outf(c, "%s %d. %s — %s\n", mark, i+1, s.Step.Title, stepStatus(s))
		if s.Step.Auto != nil && len(s.Pieces) > 0 {
			var ns []string
			for _, n := range s.Pieces {
				ns = append(ns, fmt.Sprintf("n°%d", n))
			}
			outf(c, "      pièces : %s\n", strings.Join(ns, ", "))
		}
		for _, r := range s.Records {
			outf(c, "      %s\n", describeRecord(s.Step, r))
		}
		if !s.Done && s.Missing != "" && s.Step.Mandatory {
			outf(c, "      manque : %s\n", s.Missing)
		}
	}
	if len(dls) > 0 {
		outf(c, "\nDélais :\n")
		for _, d := range dls {
			closed := ""
			if d.Closed {
				closed = " (sans objet : étape faite)"
				if d.ClosedReason != "" {
					closed = " (sans objet : " + d.ClosedReason + ")"
				}
			}
			outf(c, "  - %s : %s (%s)%s\n", d.Deadline.Title, protocol.FrLongDate(d.Date), deadlineWhen(d), closed)
			if d.Note != "" && !d.Closed {
				outf(c, "      %s\n", oneLine(d.Note))
			}
		}
	}
	for _, w := range st.Warnings {
		outf(c, "\nAttention : %s\n", w)
	}
	return nil
}

func runNext(c *cli.Context) error {
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	st, err := loadState(c, cs)
	if err != nil {
		return err
	}
	next := st.Next()
	dls := deadlinesOf(c, cs, st)
	if c.Bool("json") {
		out := struct {
			Finished  bool           `json:"termine"`
			Step      *stepJSON      `json:"etape,omitempty"`
			Final     string         `json:"fin,omitempty"`
			Deadlines []deadlineJSON `json:"delais"`
			Warnings  []string       `json:"avertissements"`
		}{Finished: next == nil, Deadlines: toDeadlineJSON(dls), Warnings: append([]string{}, st.Warnings...)}
		if next != nil {
			sj := toStepJSON(next)
			out.Step = &sj
		} else {
			out.Final = oneLine(st.Protocol.Final)
		}
		return printJSON(c, out)
	}
	if next == nil {
		outf(c, "%s\n", oneLine(st.Protocol.Final))
	} else {
		outf(c, "Prochaine étape obligatoire : %s (%s)\n", next.Step.Title, next.Step.ID)
		if next.Missing != "" {
			outf(c, "Manque : %s\n", next.Missing)
		}
		outf(c, "Ce qui la prouve : %s\n", oneLine(next.Step.Proof))
		if len(next.Step.Channels) > 0 {
			outf(c, "Canaux :\n")
			for _, ch := range next.Step.Channels {
				needs := ""
				if len(ch.Needs) > 0 {
					needs = " — exige : " + strings.NewReplacer("piece", "--piece", "ref", "--ref", "date", "--date").Replace(strings.Join(ch.Needs, ", "))
				}
				outf(c, "  - %s : %s%s\n", ch.ID, ch.Title, needs)
			}
		}
		if next.Step.Advice != "" {
			outf(c, "Conseil : %s\n", oneLine(next.Step.Advice))
		}
		outf(c, "Commande : %s\n", next.Step.Command)
	}
	if d := protocol.NextDeadline(dls); d != nil {
		outf(c, "Prochain délai : %s, le %s (%s)\n", d.Deadline.Title, protocol.FrLongDate(d.Date), deadlineWhen(*d))
	}
	for _, w := range st.Warnings {
		outf(c, "Attention : %s\n", w)
	}
	return nil
}

func runDone(c *cli.Context) error {
	if err := needArgs(c, 1, 1, "une ETAPE"); err != nil {
		return err
	}
	for _, v := range append([]string{c.Args().First(), c.String("channel"), c.String("ref"), c.String("note")}, c.StringSlice("set")...) {
		if strings.ContainsAny(v, "\r\n\x00") {
			return usageErr("une valeur contient un saut de ligne ou un caractère nul : « "+strings.NewReplacer("\r", "\\r", "\n", "\\n", "\x00", "\\0").Replace(v)+" »",
				"donnez chaque valeur sur une seule ligne ; elle sera reprise telle quelle dans les courriers")
		}
	}
	rec := protocol.StepRecord{Step: c.Args().First(), Channel: c.String("channel"), Ref: strings.TrimSpace(c.String("ref")), Note: c.String("note")}
	if v := c.String("date"); v != "" {
		t, _, err := parseUserDate("date", v)
		if err != nil {
			return err
		}
		rec.Date = &t
	}
	pieces, err := parsePieceNumbers(c.StringSlice("piece"))
	if err != nil {
		return err
	}
	rec.Pieces = pieces
	for _, kv := range c.StringSlice("set") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usageErr(fmt.Sprintf("--set « %s » : CHAMP=VALEUR attendu", kv), "exemple : --set reponse=\"dépôt impossible\"")
		}
		if rec.Fields == nil {
			rec.Fields = map[string]string{}
		}
		rec.Fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	res, err := app.RecordStep(context.Background(), cs, rec)
	var ie *protocol.InvalidRecordError
	if errors.As(err, &ie) {
		return usageErr(err.Error(), "anef-dossier protocol next montre ce que l'étape exige")
	}
	if err != nil {
		return err
	}
	outf(c, "Étape enregistrée : %s — %s\n", res.Step.Title, describeRecord(res.Step, res.Record))
	for _, w := range res.NewWarnings {
		warnf(c, "%s", w)
	}
	if res.Done {
		outf(c, "L'étape « %s » est complète.\n", res.Step.Title)
	} else if res.Missing != "" {
		outf(c, "L'étape « %s » n'est pas encore complète : manque %s.\n", res.Step.Title, res.Missing)
	}
	if res.Next != nil {
		outf(c, "Prochaine étape obligatoire : %s (anef-dossier protocol next)\n", res.Next.Step.Title)
	}
	return nil
}

func runUndo(c *cli.Context) error {
	if err := needArgs(c, 1, 1, "une ETAPE"); err != nil {
		return err
	}
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	res, err := app.Undo(context.Background(), cs, protocol.UndoRecord{Step: c.Args().First(), Channel: c.String("channel"), Reason: c.String("reason")})
	if errors.Is(err, protocol.ErrNothingToUndo) {
		return failure(err.Error(), "anef-dossier protocol status montre ce qui est enregistré")
	}
	if err != nil {
		return err
	}
	outf(c, "Annulation enregistrée : %s (%s). Les enregistrements restent lisibles dans le journal.\n", res.Step.Title, protocol.Count(res.Records, "enregistrement", "enregistrements"))
	return nil
}
