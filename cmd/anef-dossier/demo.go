package main

import (
	"bytes"
	"fmt"
	iofs "io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"anefdossier/examples"
	"anefdossier/protocol"
)

var demoCmd = command{
	name:    "demo",
	summary: "démonstration hors ligne : site local, captures réelles, protocole, courriers, dossier, vérification",
	usage:   "anef-dossier demo [DOSSIER] [--serve [--no-open]]",
	help: `Sert sur la boucle locale (127.0.0.1) un petit site imitant l'ANEF et une préfecture, crée un dossier
fictif, capture ces pages avec Chromium, enregistre les étapes (CCC, PAN, préfecture) avec des pièces
d'exemple (un courriel .eml, une preuve de dépôt PDF), produit la lettre, l'inventaire, le dossier complet,
l'export Télérecours et les brouillons de courriels, puis vérifie le tout. Rien ne sort de la machine.
Par défaut le dossier créé est ./anef-demo-AAAAMMJJ-HHMMSS.

Exemple :
   anef-dossier demo /tmp/demo-anef
   anef-dossier demo --serve        (puis ouvre l'interface web sur le dossier de démonstration)`,
	run: runDemo,
}

type demoStage struct {
	name string
	took time.Duration
}

func runDemo(e *env, args []string) error {
	fs := e.flags()
	serve := fs.Bool("serve", "", "puis ouvre l'interface web sur le dossier de démonstration")
	noOpen := fs.Bool("no-open", "", "avec --serve : n'ouvre pas le navigateur (l'adresse est affichée)")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 0, 1, "au plus un DOSSIER"); err != nil {
		return err
	}
	dir := ""
	if len(pos) == 1 {
		dir = pos[0]
	}
	if dir == "" {
		dir = "anef-demo-" + time.Now().In(protocol.Paris).Format("20060102-150405")
	}
	site, err := iofs.Sub(examples.Site, "site")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return failure("impossible d'ouvrir un port local pour le site de démonstration : "+err.Error(), "vérifiez que la boucle locale (127.0.0.1) est disponible")
	}
	srv := &http.Server{Handler: http.FileServer(http.FS(site)), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	work, err := os.MkdirTemp("", "anef-demo-pieces-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	for _, name := range []string{"courriel-support.eml", "courriel-prefecture.eml", "preuve-depot-lrar.pdf", "dossier.yaml"} {
		b, err := iofs.ReadFile(examples.Demo, "demo/"+name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(work, name), b, 0o600); err != nil {
			return err
		}
	}
	today := protocol.FrDate(protocol.Now())
	var stages []demoStage
	stage := func(name string, steps ...[]string) error {
		e.outf("• %s…\n", name)
		start := time.Now()
		for _, args := range steps {
			if err := demoRun(e, args); err != nil {
				return err
			}
		}
		stages = append(stages, demoStage{name, time.Since(start)})
		return nil
	}
	C := []string{"anef-dossier", "-C", dir}
	with := func(args ...string) []string { return append(append([]string{}, C...), args...) }

	e.outf("Démonstration anef-dossier — site local %s, dossier %s\n", base, dir)
	if err := stage("Création du dossier fictif", []string{"anef-dossier", "init", dir, "--protocol", "bug-technique"}); err != nil {
		return err
	}
	yaml, _ := os.ReadFile(filepath.Join(work, "dossier.yaml"))
	yaml = bytes.Replace(yaml, []byte(`  url: ""`), []byte(`  url: "`+base+`/anef/demande.html"`), 1)
	// Dates relative to today, so that the demo shows live deadlines: a
	// permit expiring in 75 days (inside the renewal window of art. R.431-5
	// CESEDA) and a blockage seen for three weeks.
	now := protocol.Now().In(protocol.Paris)
	yaml = bytes.Replace(yaml, []byte(`date_expiration_titre: "2026-04-30"`), []byte(`date_expiration_titre: "`+now.AddDate(0, 0, 75).Format("2006-01-02")+`"`), 1)
	yaml = bytes.Replace(yaml, []byte(`depuis: "2026-03-02"`), []byte(`depuis: "`+now.AddDate(0, 0, -21).Format("2006-01-02")+`"`), 1)
	if err := protocol.ReplaceFile(filepath.Join(dir, protocol.DossierFile), yaml); err != nil {
		return err
	}
	if err := stage("Captures réelles avec Chromium (URL et date dans le bandeau)",
		with("capture", base+"/prefecture/procedure.html", "--title", "Capture de la page de la préfecture de démonstration décrivant la procédure à suivre en cas d'impossibilité de déposer en ligne"),
		with("capture", base+"/anef/demande.html", "--full-page", "--title", "Capture de la page du téléservice refusant de poursuivre le dépôt de la demande de renouvellement sur le motif « étudiant »"),
		with("capture", base+"/anef/nous-contacter.html", "--title", "Capture du formulaire « Nous contacter » rempli pour signaler le blocage"),
		with("capture", base+"/anef/nous-contacter-reponse.html", "--title", "Capture de la réponse automatique au formulaire « Nous contacter » (référence DEMO-2026-000123)"),
		with("capture", base+"/prefecture/rendez-vous.html", "--expect-text", "Aucun créneau", "--title", "Capture du module de rendez-vous de la préfecture de démonstration indiquant « Aucun créneau disponible »"),
	); err != nil {
		return err
	}
	if err := stage("Étapes CCC et PAN avec pièces importées",
		with("piece", "add", filepath.Join(work, "courriel-support.eml"), "--kind", "courriel", "--date", today,
			"--title", "Courriel adressé au support de l'ANEF signalant le blocage, avec la référence du formulaire"),
		with("protocol", "done", "ccc", "--channel", "formulaire", "--date", today, "--piece", "3", "--piece", "4"),
		with("protocol", "done", "ccc", "--channel", "courriel", "--ref", "DEMO-2026-000123", "--date", today, "--piece", "6",
			"--set", "reponse=réponse automatique sans solution", "--set", "impossibilite=non"),
		with("protocol", "done", "pan", "--date", today, "--set", "lieu=point d'accueil numérique de démonstration",
			"--set", "resultat=le conseiller constate le même message d'erreur"),
	); err != nil {
		return err
	}
	if err := stage("Préfecture : lettre, preuve de dépôt, courriel",
		with("render", "letter"),
		with("piece", "add", filepath.Join(work, "courriel-prefecture.eml"), "--kind", "courriel", "--date", today,
			"--title", "Courriel adressé à la préfecture de démonstration avec la copie de la lettre recommandée"),
		with("piece", "add", filepath.Join(work, "preuve-depot-lrar.pdf"), "--kind", "preuve-depot", "--date", today,
			"--title", "Preuve de dépôt de la lettre recommandée avec accusé de réception adressée à la préfecture"),
		with("protocol", "done", "prefecture", "--channel", "lrar", "--ref", "1A 000 000 0000 1", "--date", today, "--piece", "8"),
		with("protocol", "done", "prefecture", "--channel", "courriel", "--date", today, "--piece", "7"),
	); err != nil {
		return err
	}
	if err := stage("Rendu : lettre, inventaire, dossier complet, Télérecours, brouillons de courriels",
		with("render", "letter"), with("render", "inventory"), with("render", "dossier"),
		with("render", "telerecours"), with("render", "eml"),
	); err != nil {
		return err
	}
	if err := stage("Vérification hors ligne (empreintes et chaîne du journal)", with("verify")); err != nil {
		return err
	}
	e.outf("\nDurée de chaque étape :\n")
	var total time.Duration
	for _, s := range stages {
		total += s.took
		e.outf("  %-80s %6.2f s\n", s.name, s.took.Seconds())
	}
	e.outf("  %-80s %6.2f s\n", "Total", total.Seconds())
	e.outf("\nRésultats dans %s :\n", dir)
	for _, f := range []struct{ path, what string }{
		{"dossier.yaml", "la fiche de la personne (fictive)"},
		{"journal.jsonl", "le journal chaîné de chaque démarche"},
		{"pieces/", "les pièces : captures avec bandeau, captures brutes, MHTML, fiches de preuve .json"},
		{"out/", "la lettre, l'inventaire, le dossier complet, l'export Télérecours, les brouillons .eml"},
	} {
		e.outf("  %-16s %s\n", f.path, f.what)
	}
	if entries, err := os.ReadDir(filepath.Join(dir, protocol.OutDir)); err == nil {
		var names []string
		for _, e := range entries {
			if e.IsDir() {
				names = append(names, e.Name()+"/")
			} else {
				names = append(names, e.Name())
			}
		}
		e.outf("  out/ contient : %s\n", strings.Join(names, ", "))
	}
	e.outf("\nPour la suite : anef-dossier -C %s protocol status\n", dir)
	if *serve {
		return serveDemo(e, dir, *noOpen)
	}
	return nil
}

// demoRun runs one command of the tool in a child process, exactly as a
// user would type it; its output is shown indented, and its failure stops
// the demo.
func demoRun(e *env, args []string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	var out, errb bytes.Buffer
	cmd := &exec.Cmd{Path: exe, Args: append([]string{"anef-dossier"}, args[1:]...), Stdout: &out, Stderr: &errb}
	runErr := cmd.Run()
	for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if l != "" {
			e.outf("    %s\n", l)
		}
	}
	for _, l := range strings.Split(strings.TrimRight(errb.String(), "\n"), "\n") {
		if l != "" {
			fmt.Fprintf(e.stderr, "    %s\n", l)
		}
	}
	if runErr != nil {
		return failure("démonstration interrompue à « anef-dossier "+strings.Join(args[1:], " ")+" »", "le message ci-dessus en donne la raison")
	}
	return nil
}
