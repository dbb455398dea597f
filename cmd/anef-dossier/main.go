// Command anef-dossier builds a court-ready evidence dossier for a person
// locked out of ANEF, the Interior Ministry's portal for residence permits.
//
// It captures the blocked pages with the URL and the date burned in, keeps a
// hash-chained journal of every diligence (captures, Centre de contact citoyen,
// point d'accueil numérique, registered letter and e-mails to the préfecture),
// tells which mandatory step remains, and renders the letter asking for the
// solution de substitution (art. R.431-2 CESEDA), the inventaire des pièces,
// the whole dossier and a Télérecours export.
//
// Usage (French, as the tool speaks to its users):
//
//	anef-dossier init DOSSIER --protocol bug-technique
//	anef-dossier -C DOSSIER check
//	anef-dossier -C DOSSIER capture "https://administration-etrangers-en-france.interieur.gouv.fr/..."
//	anef-dossier -C DOSSIER protocol next
//	anef-dossier -C DOSSIER render dossier
//	anef-dossier -C DOSSIER verify
//
// Every command has --help in French with an example.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"text/tabwriter"
	_ "time/tzdata" // dates are shown in Europe/Paris on any machine

	"anefdossier/app"
	"anefdossier/capture"
	"anefdossier/protocol"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0"

// commands is the table of the tool's commands, in the order of the help.
// Each command is defined in its own file (init.go, capture.go...): its
// French help and a function that parses its flags, calls one use case of
// package app and prints the result.
var commands = []*command{
	&initCmd,
	&checkCmd,
	&captureCmd,
	&pieceCmd,
	&protocolCmd,
	&renderCmd,
	&timestampCmd,
	&verifyCmd,
	&exportCmd,
	&listCmd,
	&serveCmd,
	&dueCmd,
	&runDueCmd,
	&demoCmd,
	&doctorCmd,
}

// command is one command of the tool, or a group of subcommands
// (protocol status|next|done|undo).
type command struct {
	name    string
	summary string // one line, in the list of commands
	usage   string // UTILISATION lines
	help    string // what it does, with an example
	// run parses the command's flags (e.flags()) and runs it; nil for a
	// group that only has subcommands.
	run  func(e *env, args []string) error
	subs []*command
}

// env is what a command runs with: the global options and the outputs.
type env struct {
	stdout, stderr io.Writer
	dir            string // --dossier, -C, ANEF_DOSSIER
	templates      string // --templates, ANEF_DOSSIER_TEMPLATES
	cmd            *command
	path           string // "anef-dossier protocol done"
}

// flags returns a new flag set for the command being run.
func (e *env) flags() *flagSet { return newFlagSet(e.cmd, e.path) }

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run is the single exit point: it returns the exit code (0 success, 1
// failure, 2 usage error, unknown commands included) and prints errors as
// one French line plus a hint.
func run(args []string, stdout, stderr io.Writer) (code int) {
	// Last, once the result is printed: the browsers of the captures exit
	// and their temporary profiles are removed (never a leftover process or
	// folder, never a wait before the result).
	defer capture.WaitBrowsers()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "anef-dossier: erreur : erreur interne inattendue (%v)\n", r)
			fmt.Fprintln(stderr, "anef-dossier: astuce : signalez-la avec la commande exacte ; le dossier n'a pas été modifié après la dernière opération réussie (vérifiez avec anef-dossier verify)")
			code = 1
		}
	}()
	protocol.ToolVersion = "anef-dossier " + version
	e := &env{stdout: stdout, stderr: stderr}
	err := e.main(args[1:])
	if err == nil || errors.Is(err, errHelpShown) {
		return 0
	}
	return report(stderr, err)
}

// main reads the global options, then runs the command named next.
func (e *env) main(args []string) error {
	root := &command{name: "anef-dossier", summary: "constituer un dossier de preuves quand l'ANEF bloque une démarche",
		usage: "anef-dossier [options globales] commande [options] [arguments]", help: mainHelp, subs: commands}
	e.cmd, e.path = root, "anef-dossier"
	fs := e.flags()
	dir := os.Getenv("ANEF_DOSSIER")
	if dir == "" {
		dir = "."
	}
	fs.fs.StringVar(&e.dir, "dossier", dir, "dossier de l'affaire (par défaut le dossier courant)")
	fs.fs.StringVar(&e.dir, "C", dir, "")
	fs.add("dossier", "C")
	fs.fs.StringVar(&e.templates, "templates", os.Getenv("ANEF_DOSSIER_TEMPLATES"),
		"dossier de modèles qui remplacent les modèles intégrés (protocoles, courriers)")
	fs.add("templates", "")
	showVersion := fs.Bool("version", "v", "affiche la version")
	// Global options come before the command (as git -C).
	if err := fs.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printMainHelp(e.stdout, fs)
			return nil
		}
		return usageErr(flagErrorFr(err), "anef-dossier --help")
	}
	if *showVersion {
		fmt.Fprintf(e.stdout, "anef-dossier version %s\n", version)
		return nil
	}
	rest := fs.fs.Args()
	if len(rest) == 0 {
		printMainHelp(e.stdout, fs)
		return nil
	}
	return e.dispatch(root, rest)
}

// dispatch runs the subcommand of c named by args[0], or c itself.
func (e *env) dispatch(c *command, args []string) error {
	if len(c.subs) > 0 && len(args) > 0 {
		for _, s := range c.subs {
			if s.name == args[0] {
				e.cmd, e.path = s, e.path+" "+s.name
				return e.dispatch(s, args[1:])
			}
		}
	}
	if c.run != nil {
		return c.run(e, args)
	}
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "-help" {
		if len(args) == 0 && c.name != "anef-dossier" {
			// A group without its subcommand: show what it offers.
			e.flags().help(e.stdout)
			return usageErr("sous-commande attendue", e.path+" --help")
		}
		e.flags().help(e.stdout)
		return nil
	}
	if c.name == "anef-dossier" {
		return usageErr(fmt.Sprintf("commande inconnue « %s »", args[0]), "anef-dossier --help liste les commandes")
	}
	return usageErr(fmt.Sprintf("sous-commande inconnue « %s »", args[0]), e.path+" --help liste les sous-commandes")
}

const mainHelp = `Capture les pages bloquées avec l'URL et la date incrustées, tient un journal chaîné de chaque démarche
(captures, Centre de contact citoyen, PAN, LRAR et courriels à la préfecture), indique l'étape obligatoire qui reste,
et produit la demande de solution de substitution (art. R.431-2 CESEDA), l'inventaire des pièces, le dossier complet
et l'export Télérecours.

Exemple :
   anef-dossier init ~/dossiers/dupont --protocol bug-technique
   anef-dossier -C ~/dossiers/dupont protocol next`

func printMainHelp(w io.Writer, fs *flagSet) {
	c := fs.cmd
	fmt.Fprintf(w, "NOM :\n   anef-dossier — %s\n\nUTILISATION :\n%s\n\nVERSION :\n   %s\n\nDESCRIPTION :\n%s\n\nCOMMANDES :\n",
		c.summary, indent(c.usage), version, indent(c.help))
	listCommands(w, c.subs)
	fmt.Fprintf(w, "\nOPTIONS GLOBALES :\n")
	fs.printFlags(w)
}

func listCommands(w io.Writer, cs []*command) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range cs {
		fmt.Fprintf(tw, "   %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
}

// cliError is an error for the user: a French message, a hint, an exit code.
type cliError struct {
	msg  string
	hint string
	code int
	// lines are printed one a line under the message (a list of what is
	// missing, each with the command that records it).
	lines []string
}

func (e *cliError) Error() string { return e.msg }

func failure(msg, hint string) error  { return &cliError{msg: msg, hint: hint, code: 1} }
func usageErr(msg, hint string) error { return &cliError{msg: msg, hint: hint, code: 2} }

// report prints an error and returns its exit code.
func report(stderr io.Writer, err error) int {
	var ce *cliError
	if !errors.As(err, &ce) {
		ce = translate(err)
	}
	fmt.Fprintf(stderr, "anef-dossier: erreur : %s\n", oneLine(ce.msg))
	for _, l := range ce.lines {
		fmt.Fprintf(stderr, "anef-dossier:   %s\n", oneLine(l))
	}
	if ce.hint != "" {
		fmt.Fprintf(stderr, "anef-dossier: astuce : %s\n", oneLine(ce.hint))
	}
	return ce.code
}

func oneLine(s string) string {
	return protocol.Neutralize(strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " "))
}

// frenchFS is err's message with the system's English part (" write
// /x/y: no space left on device") replaced by French words naming the file
// (review 1, low 22).
func frenchFS(err error) string {
	msg := err.Error()
	var le *os.LinkError
	var pe *fs.PathError
	switch {
	case errors.As(err, &le):
		return strings.Replace(msg, le.Error(), "en liant "+le.New, 1)
	case errors.As(err, &pe):
		verb := map[string]string{"open": "en ouvrant", "write": "en écrivant", "mkdir": "en créant", "sync": "en enregistrant",
			"rename": "en renommant", "chmod": "en changeant les droits de", "remove": "en supprimant", "read": "en lisant"}[pe.Op]
		if verb == "" {
			verb = "sur"
		}
		return strings.Replace(msg, pe.Error(), verb+" "+pe.Path, 1)
	}
	for en, fr := range map[string]string{"no space left on device": "plus de place", "permission denied": "permission refusée", "read-only file system": "lecture seule"} {
		msg = strings.ReplaceAll(msg, en, fr)
	}
	return msg
}

// translate turns a library error into a user error with a hint.
func translate(err error) *cliError {
	var je *protocol.JournalError
	var de *protocol.DossierError
	var up *protocol.UnknownProtocolError
	var us *protocol.UnknownStepError
	var ir *protocol.InvalidRecordError
	var up2 *app.UnknownPieceError
	switch {
	case errors.As(err, &je):
		hint := "le journal a été modifié : ne le corrigez pas à la main ; conservez le dossier tel quel et examinez la ligne indiquée"
		if je.Truncated {
			hint = "une écriture a été interrompue : anef-dossier verify --repair met la ligne en quarantaine sans rien effacer"
		}
		return &cliError{msg: err.Error(), hint: hint, code: 1}
	case errors.As(err, &de):
		return &cliError{msg: err.Error(), hint: "corrigez dossier.yaml à la ligne indiquée, puis lancez anef-dossier check", code: 1}
	case errors.As(err, &up):
		return &cliError{msg: err.Error(), hint: "choisissez un des protocoles connus avec --protocol", code: 2}
	case errors.As(err, &us):
		return &cliError{msg: err.Error(), hint: "anef-dossier protocol status liste les étapes", code: 2}
	case errors.As(err, &ir):
		return &cliError{msg: err.Error(), hint: "anef-dossier protocol next montre ce que l'étape exige", code: 2}
	case errors.As(err, &up2):
		return &cliError{msg: err.Error(), hint: "anef-dossier piece list donne les numéros", code: 2}
	case errors.Is(err, protocol.ErrNotCase):
		return &cliError{msg: err.Error(), hint: "indiquez le dossier avec -C DOSSIER, ou créez-le avec anef-dossier init DOSSIER --protocol bug-technique", code: 1}
	case errors.Is(err, protocol.ErrNotEmpty):
		return &cliError{msg: err.Error(), hint: "choisissez un nouveau nom de dossier ; un dossier existant n'est jamais écrasé", code: 1}
	case errors.Is(err, protocol.ErrBusy):
		return &cliError{msg: err.Error(), hint: "attendez la fin de l'autre commande puis relancez", code: 1}
	case errors.Is(err, protocol.ErrExists):
		// A file written and never recorded (a crash) holds the next name
		// (review 1, low 17).
		return &cliError{msg: err.Error(), hint: "un fichier laissé par une écriture interrompue occupe ce nom : anef-dossier verify --repair le range dans pieces/orphelins/ sans rien effacer, puis relancez ; rien n'a été inscrit au journal", code: 1}
	case errors.Is(err, protocol.ErrSymlink), errors.Is(err, protocol.ErrNotRegular):
		return &cliError{msg: err.Error(), hint: "rien n'a été lu ni écrit au travers ; vérifiez d'où vient ce fichier, puis remplacez-le par le fichier lui-même (cp --dereference)", code: 1}
	case errors.Is(err, os.ErrPermission):
		return &cliError{msg: "accès refusé : " + frenchFS(err), hint: "vérifiez les droits du dossier (lecture seule ?)", code: 1}
	case errors.Is(err, syscall.EROFS):
		return &cliError{msg: "système de fichiers en lecture seule : " + frenchFS(err), hint: "le dossier est en lecture seule (clé USB protégée, disque monté en lecture seule ?) : rien n'a été inscrit au journal ; copiez le dossier sur un disque accessible en écriture", code: 1}
	case errors.Is(err, syscall.ENOSPC):
		return &cliError{msg: "disque plein : " + frenchFS(err), hint: "libérez de la place puis relancez ; rien n'a été inscrit au journal", code: 1}
	}
	return &cliError{msg: err.Error(), code: 1}
}
