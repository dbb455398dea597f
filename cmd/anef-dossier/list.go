package main

import (
	"bufio"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"anefdossier/protocol"
)

var listCmd = command{
	name:    "list",
	summary: "tous les dossiers sous un dossier : prochaine étape et prochain délai, le plus urgent d'abord",
	usage:   "anef-dossier list [DOSSIER] [--json] [--refresh | --no-cache]",
	help: `Cherche les dossiers anef-dossier (ceux qui ont un journal.jsonl) sous DOSSIER (par défaut le dossier
courant, ou celui de -C) et affiche une ligne par dossier : la personne, le protocole, la prochaine étape
obligatoire, le prochain délai avec sa date et les jours restants. Les dossiers illisibles (journal modifié,
dossier.yaml invalide) sont signalés sur leur ligne, en tête ; les autres sont listés quand même.

Chaque commande qui modifie un dossier y écrit aussi un petit résumé (.summary.json : ce que list affiche,
avec la taille et la date du journal et de dossier.yaml et l'empreinte du protocole dont il est tiré) ; list
lit ce résumé quand il correspond encore aux fichiers du dossier, et relit le dossier en entier sinon (dossier.yaml
retouché à la main, journal écrit par une version plus ancienne, protocole modifié). list n'écrit rien, sauf
avec --refresh, qui réécrit les résumés absents ou périmés (chaque dossier verrouillé le temps de l'écriture ;
un dossier occupé par une autre commande est laissé tel quel). Le contrôle de l'intégrité reste le rôle de
anef-dossier verify ; --no-cache ignore les résumés et relit tout.

Exemple :
   anef-dossier list ~/dossiers
   anef-dossier list ~/dossiers --json`,
	run: runList,
}

type listPerson struct {
	Surname    string `json:"surname"`
	FirstNames string `json:"first_names"`
}

type listStep struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Missing string `json:"missing,omitempty"`
}

type listEntry struct {
	Dir      string        `json:"case"`
	Person   listPerson    `json:"person"`
	Protocol string        `json:"protocol"`
	Finished bool          `json:"finished"`
	Next     *listStep     `json:"next_step"`
	Deadline *deadlineJSON `json:"next_deadline"`
	Warnings int           `json:"warnings"`
	Error    string        `json:"error,omitempty"`
}

func runList(e *env, args []string) error {
	fs := e.flags()
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	noCache := fs.Bool("no-cache", "", "relit chaque dossier en entier, sans son résumé")
	refresh := fs.Bool("refresh", "", "réécrit les résumés absents ou périmés des dossiers relus en entier")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 0, 1, "au plus un DOSSIER"); err != nil {
		return err
	}
	root := e.dir
	if len(pos) == 1 {
		root = pos[0]
	}
	dirs, unreadable, err := protocol.FindCases(root)
	if err != nil {
		return failure(err.Error(), "indiquez un dossier existant : anef-dossier list ~/dossiers")
	}
	list := protocol.SummarizeCases(dirs, e.tmplFS(), protocol.Now(),
		protocol.ListOptions{IgnoreSummaries: *noCache, Refresh: *refresh})
	folded := 0
	for i := range list {
		if list[i].Folded && list[i].Err == nil {
			folded++
		}
	}
	for dir, err := range unreadable {
		list = append(list, protocol.CaseSummary{Dir: dir, Err: fmt.Errorf("%w : %v", protocol.ErrUnreadableFolder, err)})
	}
	protocol.SortByUrgency(list)

	entries := make([]listEntry, 0, len(list))
	broken := 0
	for i := range list {
		s := &list[i]
		e := listEntry{Dir: relTo(root, s.Dir), Person: listPerson{s.Surname, s.FirstNames}, Protocol: s.Protocol,
			Finished: s.Finished && s.Err == nil, Warnings: s.WarningCount}
		if s.Next != nil {
			e.Next = &listStep{ID: s.Next.Step.ID, Title: s.Next.Step.Title, Missing: s.Next.Missing}
		}
		if s.Deadline != nil {
			e.Deadline = &toDeadlineJSON([]protocol.DeadlineState{*s.Deadline})[0]
		}
		if s.Err != nil {
			e.Error = oneLine(s.Err.Error())
			broken++
		}
		entries = append(entries, e)
	}
	if broken > 0 {
		e.warnf("%s sur %d illisible(s) : voir la colonne ERREUR (anef-dossier -C DOSSIER verify)", protocol.Count(broken, "dossier", "dossiers"), len(entries))
	}
	if folded > 0 && !*noCache && !*refresh {
		fmt.Fprintf(e.stderr, "anef-dossier: %s en entier (résumé absent ou périmé) ; anef-dossier list --refresh met les résumés à jour\n",
			protocol.Count(folded, "dossier relu", "dossiers relus"))
	}
	if *asJSON {
		return e.printJSON(entries)
	}
	if len(entries) == 0 {
		e.outf("Aucun dossier anef-dossier sous %s.\n", root)
		return nil
	}
	// One write for the whole table, not one per cell.
	out := bufio.NewWriter(e.stdout)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DÉLAI\tDATE\tPERSONNE\tPROTOCOLE\tPROCHAINE ÉTAPE\tÉCHÉANCE\tDOSSIER")
	for i, e := range entries {
		s := &list[i]
		who := s.Who()
		if who == "" {
			who = "(nom non renseigné)"
		}
		protocolID := e.Protocol
		if protocolID == "" {
			protocolID = "?"
		}
		if e.Error != "" {
			fmt.Fprintf(tw, "ERREUR\t-\t%s\t%s\t%s\t-\t%s\n", cell(who), cell(protocolID), protocol.Clip(e.Error, 2*maxCell), cell(e.Dir))
			continue
		}
		when, date, title := "-", "-", "aucun délai connu"
		if s.Deadline != nil {
			when, date, title = s.Deadline.When(), protocol.FrDate(s.Deadline.Date), s.Deadline.Deadline.Title
		}
		step := "toutes les étapes obligatoires sont faites"
		if s.Next != nil {
			step = s.Next.Step.Title
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", when, date, cell(who), cell(protocolID), cell(step), cell(title), cell(e.Dir))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s.\n", protocol.Count(len(entries), "dossier", "dossiers"))
	return out.Flush()
}

// relTo shows a case folder relative to the listed root when possible.
func relTo(root, dir string) string {
	if rel, err := filepath.Rel(root, dir); err == nil {
		return rel
	}
	return dir
}
