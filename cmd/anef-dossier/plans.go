package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"anefdossier/app"
	"anefdossier/protocol"
)

var capturePlanCmd = command{
	name:    "plan",
	summary: "programme des tentatives de capture réparties sur plusieurs semaines (exécutées par run-due)",
	usage:   "anef-dossier [-C DOSSIER] capture plan URL --every 1d --until DATE [--title TITRE] [--start DATE] [--expect-text TEXTE]\nanef-dossier [-C DOSSIER] capture plan --stop N [--reason TEXTE]",
	help: `Inscrit au journal un plan de tentatives : capturer l'adresse à intervalle régulier jusqu'à la date de fin.
Les tentatives sont prises par « anef-dossier run-due », que le programmateur du système lance (voir le
README : minuteur systemd, cron, launchd, Planificateur de tâches) et que l'interface web lance tant qu'elle
est ouverte. Une tentative manquée parce que la machine était éteinte est inscrite comme manquée, avec
l'heure prévue. « protocol status » montre l'avancement : tentatives faites, échouées, manquées, semaines.
L'intervalle est d'au moins une heure (ex. 6h, 1d, 2d).

Exemples :
   anef-dossier -C ~/dossiers/dupont capture plan "https://www.rdv-prefecture.interieur.gouv.fr/rdvpref/reservation/demarche/1234/cgu/" --every 1d --until 2026-04-30 --title "Prise de rendez-vous"
   anef-dossier -C ~/dossiers/dupont capture plan --stop 1`,
	run: runCapturePlan,
}

var dueCmd = command{
	name:    "due",
	summary: "liste les tentatives programmées qui sont dues, dans un ou plusieurs dossiers",
	usage:   "anef-dossier due [DOSSIERS...] [--json]",
	help: `Liste, pour chaque dossier (ou chaque dossier sous les dossiers donnés ; par défaut -C ou le dossier courant),
les plans de tentatives dont une tentative est due, sans rien capturer.

Exemple :
   anef-dossier due ~/dossiers`,
	run: runDue,
}

var runDueCmd = command{
	name:    "run-due",
	summary: "prend les tentatives programmées qui sont dues (à lancer par le programmateur du système)",
	usage:   "anef-dossier run-due [DOSSIERS...] [--json]",
	help: `Prend les tentatives dues de chaque plan (voir « capture plan ») dans les dossiers donnés (par défaut -C ou le
dossier courant, et les dossiers qu'il contient). Les moments passés pendant que la machine était éteinte sont
inscrits comme manqués avec l'heure prévue ; seule la dernière tentative due est prise. Lancée deux fois en même
temps, la commande ne prend jamais deux fois la même tentative. Sans tentative due, elle ne fait rien.

Exemple (minuteur systemd, cron...) :
   anef-dossier run-due ~/dossiers`,
	run: runRunDue,
}

// parseEvery reads an interval: a Go duration (6h, 90m) or days (1d, 2d).
func parseEvery(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d > 0 && d < 3650 {
			return time.Duration(d) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usageErr(fmt.Sprintf("--every « %s » : intervalle illisible", v), "exemple : --every 1d, --every 12h")
	}
	return d, nil
}

func runCapturePlan(e *env, args []string) error {
	fs := e.flags()
	every := fs.String("every", "", "", "intervalle entre deux tentatives, au moins une heure (ex. 1d, 12h)")
	until := fs.String("until", "", "", "date de la dernière tentative (ex. 2026-04-30 ou \"2026-04-30 18:00\")")
	start := fs.String("start", "", "", "date de la première tentative (par défaut : maintenant)")
	title := fs.String("title", "t", "", "intitulé des captures pour l'inventaire")
	expect := fs.String("expect-text", "", "", "note si ce texte figure dans la page (ex. \"Aucun créneau\")")
	fullPage := fs.Bool("full-page", "", "capture toute la hauteur de la page")
	stop := fs.String("stop", "", "", "arrête le plan de ce numéro")
	reason := fs.String("reason", "", "", "avec --stop : pourquoi le plan est arrêté")
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if *stop != "" {
		if err := fs.needArgs(pos, 0, 0, "pas d'URL avec --stop"); err != nil {
			return err
		}
		cs, err := e.openCase()
		if err != nil {
			return err
		}
		p, err := app.StopPlan(ctx, cs, *stop, strings.TrimSpace(*reason))
		if errors.Is(err, protocol.ErrNoPlan) {
			return failure(err.Error(), "les plans sont listés par « anef-dossier protocol status »")
		} else if err != nil {
			return failure(err.Error(), "rien n'a été changé")
		}
		if *asJSON {
			return e.printJSON(p)
		}
		e.outf("Plan n°%s arrêté le %s : %s\n", p.ID, protocol.FrDateTime(p.Stopped), planLine(p, protocol.Now()))
		return nil
	}
	if err := fs.needArgs(pos, 1, 1, "une URL"); err != nil {
		return err
	}
	if *every == "" || *until == "" {
		return usageErr("--every et --until sont nécessaires", "exemple : capture plan URL --every 1d --until 2026-04-30")
	}
	d, err := parseEvery(*every)
	if err != nil {
		return err
	}
	end, _, err := parseUserDate("until", *until)
	if err != nil {
		return err
	}
	var begin time.Time
	if *start != "" {
		if begin, _, err = parseUserDate("start", *start); err != nil {
			return err
		}
	}
	if strings.ContainsAny(*title, "\r\n") {
		return usageErr("le titre contient un saut de ligne", "donnez le titre sur une seule ligne")
	}
	cs, err := e.openCase()
	if err != nil {
		return err
	}
	rec, err := app.CreatePlan(ctx, cs, app.NewPlan{URL: pos[0], Title: strings.TrimSpace(*title), Every: d, Start: begin, Until: end,
		ExpectText: *expect, FullPage: *fullPage})
	if err != nil {
		return usageErr(err.Error(), "exemple : capture plan URL --every 1d --until 2026-04-30 (intervalle d'au moins une heure, fin après le début)")
	}
	if *asJSON {
		return e.printJSON(rec)
	}
	p := &protocol.PlanState{PlanRecord: rec}
	e.outf("Plan n°%s inscrit au journal : %s\n", rec.ID, planLine(p, protocol.Now()))
	e.outf("Les tentatives sont prises par « anef-dossier run-due » : programmez-le (README, « Tentatives programmées »).\n")
	return nil
}

// planLine sums up a plan on one line.
func planLine(p *protocol.PlanState, now time.Time) string {
	s := fmt.Sprintf("%s toutes les %s du %s au %s (%d tentatives prévues)", p.URL, frInterval(p.Interval()),
		protocol.FrDateTime(p.Start), protocol.FrDateTime(p.Until), len(p.Slots()))
	if n := p.Next(now); !n.IsZero() {
		s += ", prochaine le " + protocol.FrDateTime(n)
	}
	return s
}

func frInterval(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return protocol.Count(int(d/(24*time.Hour)), "jour", "jours")
	}
	if d%time.Hour == 0 {
		return protocol.Count(int(d/time.Hour), "heure", "heures")
	}
	return d.String()
}

// planCases opens the cases named (or found under the folders named).
// planCommand parses the arguments of due and run-due (--json, then case
// folders) and opens the cases under them.
func planCommand(e *env, args []string) ([]*protocol.Case, bool, error) {
	fs := e.flags()
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	pos, err := fs.parse(e, args)
	if err != nil {
		return nil, false, err
	}
	cases, err := planCases(e, pos)
	return cases, *asJSON, err
}

func planCases(e *env, pos []string) ([]*protocol.Case, error) {
	roots := pos
	if len(roots) == 0 {
		roots = []string{e.dir}
	}
	var out []*protocol.Case
	for _, r := range roots {
		dirs, unreadable, err := protocol.FindCases(r)
		if err != nil {
			return nil, failure(err.Error(), "indiquez un dossier existant")
		}
		for d, err := range unreadable {
			e.warnf("%s illisible : %v", d, err)
		}
		for _, d := range dirs {
			cs, err := protocol.Open(d, e.tmplFS())
			if err != nil {
				e.warnf("%s : %v", d, err)
				continue
			}
			out = append(out, cs)
		}
	}
	return out, nil
}

func runDue(e *env, args []string) error {
	cases, asJSON, err := planCommand(e, args)
	if err != nil {
		return err
	}
	now := protocol.Now()
	items, err := app.DueAttempts(cases, now)
	if err != nil {
		return err
	}
	if asJSON {
		type dueJSON struct {
			Case string      `json:"dossier"`
			Plan string      `json:"plan"`
			URL  string      `json:"url"`
			Due  []time.Time `json:"pending"`
		}
		out := []dueJSON{}
		for _, it := range items {
			out = append(out, dueJSON{Case: it.Case.Dir, Plan: it.Plan.ID, URL: it.Plan.URL, Due: it.Due})
		}
		return e.printJSON(out)
	}
	if len(items) == 0 {
		e.outf("Aucune tentative due.\n")
		return nil
	}
	for _, it := range items {
		e.outf("%s, plan n°%s : %s depuis le %s (%s)\n", it.Case.Dir, it.Plan.ID,
			protocol.Count(len(it.Due), "tentative due", "tentatives dues"), protocol.FrDateTime(it.Due[0]), it.Plan.URL)
	}
	return nil
}

func runRunDue(e *env, args []string) error {
	cases, asJSON, err := planCommand(e, args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var all []app.RunOutcome
	var errs []error
	for _, cs := range cases {
		out, err := app.RunDue(ctx, cs, nil)
		all = append(all, out...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s : %w", cs.Dir, err))
		}
	}
	if asJSON {
		type runJSON struct {
			Case    string               `json:"dossier"`
			Plan    string               `json:"plan"`
			Attempt protocol.PlanAttempt `json:"tentative"`
		}
		out := []runJSON{}
		for _, o := range all {
			out = append(out, runJSON{o.Case, o.Plan, o.Attempt})
		}
		if err := e.printJSON(out); err != nil {
			return err
		}
	} else {
		for _, o := range all {
			a := o.Attempt
			switch a.Outcome {
			case protocol.AttemptMade:
				e.outf("%s, plan n°%s : tentative prévue le %s faite, pièce n°%d\n", o.Case, o.Plan, protocol.FrDateTime(a.Due), a.Piece)
			case protocol.AttemptFailed:
				e.outf("%s, plan n°%s : tentative prévue le %s échouée : %s\n", o.Case, o.Plan, protocol.FrDateTime(a.Due), a.Reason)
			default:
				e.outf("%s, plan n°%s : tentative prévue le %s manquée (inscrite au journal)\n", o.Case, o.Plan, protocol.FrDateTime(a.Due))
			}
		}
		if len(all) == 0 && len(errs) == 0 {
			e.outf("Aucune tentative due.\n")
		}
	}
	if len(errs) > 0 {
		return failure(errors.Join(errs...).Error(), "les tentatives prises sont inscrites ; relancez run-due")
	}
	return nil
}

// planJSON is a plan's progress in `protocol status --json`.
type planJSON struct {
	ID       string                 `json:"id"`
	URL      string                 `json:"url"`
	Every    string                 `json:"every"`
	Start    time.Time              `json:"start"`
	Until    time.Time              `json:"until"`
	Stopped  time.Time              `json:"stopped,omitzero"`
	Planned  int                    `json:"planned"`
	Made     int                    `json:"made"`
	Failed   int                    `json:"failed"`
	Missed   int                    `json:"missed"`
	Pending  int                    `json:"pending"`
	Weeks    int                    `json:"distinct_weeks"`
	Next     time.Time              `json:"next,omitzero"`
	Attempts []protocol.PlanAttempt `json:"attempts"`
}

func plansJSON(plans []*protocol.PlanState, now time.Time) []planJSON {
	var out []planJSON
	for _, p := range plans {
		g := p.Progress(now)
		out = append(out, planJSON{ID: p.ID, URL: p.URL, Every: p.Every, Start: p.Start, Until: p.Until, Stopped: p.Stopped,
			Planned: g.Planned, Made: g.Made, Failed: g.Failed, Missed: g.Missed, Pending: g.Pending, Weeks: g.Weeks,
			Next: p.Next(now), Attempts: append([]protocol.PlanAttempt{}, p.Attempts...)})
	}
	return out
}

// printPlans writes the plans' progress in the terms judges use (CE 10 June
// 2020 n°435594: attempts spread over several weeks).
func printPlans(e *env, plans []*protocol.PlanState, now time.Time) {
	if len(plans) == 0 {
		return
	}
	e.outf("\nTentatives programmées :\n")
	for _, p := range plans {
		g := p.Progress(now)
		e.outf("  - plan n°%s : %s\n", p.ID, planLine(p, now))
		line := fmt.Sprintf("%s, %s, %s", protocol.Count(g.Made, "tentative faite", "tentatives faites"),
			protocol.Count(g.Failed, "échouée", "échouées"), protocol.Count(g.Missed, "manquée (machine éteinte)", "manquées (machine éteinte)"))
		if g.Made+g.Failed > 0 {
			line += fmt.Sprintf(", réparties sur %s (du %s au %s)", protocol.Count(g.Weeks, "semaine distincte", "semaines distinctes"),
				protocol.FrDate(g.First), protocol.FrDate(g.Last))
		}
		e.outf("      %s\n", line)
		if g.Pending > 0 {
			e.outf("      %s : lancez « anef-dossier run-due »\n", protocol.Count(g.Pending, "tentative due", "tentatives dues"))
		}
		if !p.Stopped.IsZero() {
			e.outf("      arrêté le %s\n", protocol.FrDateTime(p.Stopped))
		}
	}
}
