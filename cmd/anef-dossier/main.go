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
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // dates are shown in Europe/Paris on any machine

	"github.com/urfave/cli/v2"

	"anefdossier/protocol"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0"

// registry of subcommands; each file registers its own in init().
var registry []*cli.Command

func register(c *cli.Command) { registry = append(registry, c) }

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run is the single exit point: it returns the exit code (0 success, 1
// failure, 2 usage error) and prints errors as one French line plus a hint.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "anef-dossier: erreur : erreur interne inattendue (%v)\n", r)
			fmt.Fprintln(stderr, "anef-dossier: astuce : signalez-la avec la commande exacte ; le dossier n'a pas été modifié après la dernière opération réussie (vérifiez avec anef-dossier verify)")
			code = 1
		}
	}()
	protocol.ToolVersion = "anef-dossier " + version
	if v := os.Getenv("ANEF_DOSSIER_TEST_NOW"); v != "" {
		// Tests only: a fixed clock for reproducible outputs.
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			protocol.Now = func() time.Time { return t }
		}
	}
	app := newApp(stdout, stderr)
	err := app.Run(permuteArgs(app, args))
	if err == nil {
		return 0
	}
	return report(stderr, err)
}

func newApp(stdout, stderr io.Writer) *cli.App {
	setFrenchHelp()
	cmds := cloneCommands(registry)
	sort.SliceStable(cmds, func(i, j int) bool { return order(cmds[i].Name) < order(cmds[j].Name) })
	app := &cli.App{
		Name:      "anef-dossier",
		Usage:     "constituer un dossier de preuves quand l'ANEF bloque une démarche",
		UsageText: "anef-dossier [options globales] commande [options] [arguments]",
		Version:   version,
		Description: `Capture les pages bloquées avec l'URL et la date incrustées, tient un journal chaîné de chaque démarche
(captures, Centre de contact citoyen, PAN, LRAR et courriels à la préfecture), indique l'étape obligatoire qui reste,
et produit la demande de solution de substitution (art. R.431-2 CESEDA), l'inventaire des pièces, le dossier complet
et l'export Télérecours.

Exemple :
   anef-dossier init ~/dossiers/dupont --protocol bug-technique
   anef-dossier -C ~/dossiers/dupont protocol next`,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dossier", Aliases: []string{"C"}, EnvVars: []string{"ANEF_DOSSIER"}, Value: ".",
				Usage: "dossier de l'affaire (par défaut le dossier courant)"},
			&cli.StringFlag{Name: "templates", EnvVars: []string{"ANEF_DOSSIER_TEMPLATES"},
				Usage: "dossier de modèles qui remplacent les modèles intégrés (protocoles, courriers)"},
		},
		Commands:             cmds,
		EnableBashCompletion: false,
		HideHelpCommand:      true,
		OnUsageError: func(c *cli.Context, err error, isSub bool) error {
			return usageErr(translateUsage(err.Error()), "anef-dossier --help")
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(stderr, "anef-dossier: erreur : commande inconnue « %s »\n", name)
			fmt.Fprintln(stderr, "anef-dossier: astuce : anef-dossier --help liste les commandes")
			os.Exit(2)
		},
		ExitErrHandler: func(c *cli.Context, err error) {},
	}
	for _, c := range allCommands(app.Commands) {
		if c.OnUsageError == nil {
			name := c.Name
			c.OnUsageError = func(cc *cli.Context, err error, isSub bool) error {
				return usageErr(translateUsage(err.Error()), "anef-dossier "+name+" --help")
			}
		}
	}
	return app
}

// cloneCommands copies the registered commands and their flags, so that every
// App starts from pristine definitions: urfave/cli mutates the commands it
// runs (help flags added, values parsed into the flags), and the tool may build
// more than one App in a process (tests, the demo).
func cloneCommands(cs []*cli.Command) []*cli.Command {
	out := make([]*cli.Command, len(cs))
	for i, c := range cs {
		cp := *c
		cp.Flags = make([]cli.Flag, len(c.Flags))
		for j, f := range c.Flags {
			v := reflect.ValueOf(f)
			if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
				nv := reflect.New(v.Elem().Type())
				nv.Elem().Set(v.Elem())
				cp.Flags[j] = nv.Interface().(cli.Flag)
			} else {
				cp.Flags[j] = f
			}
		}
		cp.Subcommands = cloneCommands(c.Subcommands)
		out[i] = &cp
	}
	return out
}

func allCommands(cs []*cli.Command) []*cli.Command {
	var out []*cli.Command
	for _, c := range cs {
		out = append(out, c)
		out = append(out, allCommands(c.Subcommands)...)
	}
	return out
}

var commandOrder = []string{"init", "check", "capture", "piece", "protocol", "note", "render", "timestamp", "verify", "export", "list", "demo"}

func order(name string) int {
	for i, n := range commandOrder {
		if n == name {
			return i
		}
	}
	return len(commandOrder)
}

// cliError is an error for the user: a French message, a hint, an exit code.
type cliError struct {
	msg  string
	hint string
	code int
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
	if ce.hint != "" {
		fmt.Fprintf(stderr, "anef-dossier: astuce : %s\n", oneLine(ce.hint))
	}
	return ce.code
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// translate turns a library error into a user error with a hint.
func translate(err error) *cliError {
	var je *protocol.JournalError
	var de *protocol.DossierError
	var up *protocol.ErrUnknownProtocol
	var us *protocol.UnknownStepError
	var ec cli.ExitCoder
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
	case errors.Is(err, protocol.ErrNotCase):
		return &cliError{msg: err.Error(), hint: "indiquez le dossier avec -C DOSSIER, ou créez-le avec anef-dossier init DOSSIER --protocol bug-technique", code: 1}
	case errors.Is(err, protocol.ErrNotEmpty):
		return &cliError{msg: err.Error(), hint: "choisissez un nouveau nom de dossier ; un dossier existant n'est jamais écrasé", code: 1}
	case errors.Is(err, protocol.ErrBusy):
		return &cliError{msg: err.Error(), hint: "attendez la fin de l'autre commande puis relancez", code: 1}
	case errors.Is(err, os.ErrPermission):
		return &cliError{msg: "accès refusé : " + err.Error(), hint: "vérifiez les droits du dossier (lecture seule ?)", code: 1}
	case errors.Is(err, syscall.EROFS):
		return &cliError{msg: "système de fichiers en lecture seule : " + err.Error(), hint: "le dossier est en lecture seule (clé USB protégée, disque monté en lecture seule ?) : rien n'a été inscrit au journal ; copiez le dossier sur un disque accessible en écriture", code: 1}
	case isNoSpace(err):
		return &cliError{msg: "disque plein : " + err.Error(), hint: "libérez de la place puis relancez ; rien n'a été inscrit au journal", code: 1}
	case errors.As(err, &ec):
		return &cliError{msg: err.Error(), code: ec.ExitCode()}
	}
	return &cliError{msg: err.Error(), code: 1}
}

func isNoSpace(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no space left on device")
}

var usageTranslations = []struct{ en, fr string }{
	{"flag provided but not defined: ", "option inconnue : "},
	{"flag needs an argument: ", "option sans valeur : "},
	{"invalid value ", "valeur invalide "},
	{" for flag ", " pour l'option "},
	{"Required flag ", "option obligatoire "},
	{"Required flags ", "options obligatoires "},
	{" not set", " absente"},
}

func translateUsage(s string) string {
	for _, t := range usageTranslations {
		s = strings.ReplaceAll(s, t.en, t.fr)
	}
	return s
}

var frenchFlags bool

func setFrenchHelp() {
	if !frenchFlags {
		frenchFlags = true
		orig := cli.FlagStringer
		cli.FlagStringer = func(f cli.Flag) string {
			return strings.NewReplacer("(default: ", "(par défaut : ", " value", " VALEUR", "(accepts multiple inputs)", "(répétable)").Replace(orig(f))
		}
	}
	cli.HelpFlag = &cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "affiche cette aide"}
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "affiche la version"}
	cli.AppHelpTemplate = `NOM :
   {{.Name}} — {{.Usage}}

UTILISATION :
   {{.UsageText}}

VERSION :
   {{.Version}}

DESCRIPTION :
   {{wrap .Description 3}}

COMMANDES :{{range .VisibleCommands}}
   {{join .Names ", "}}{{"\t"}}{{.Usage}}{{end}}

OPTIONS GLOBALES :{{range .VisibleFlags}}
   {{.}}{{end}}
`
	cli.CommandHelpTemplate = `NOM :
   {{.HelpName}} — {{.Usage}}

UTILISATION :
   {{if .UsageText}}{{wrap .UsageText 3}}{{else}}{{.HelpName}} [options]{{if .ArgsUsage}} {{.ArgsUsage}}{{end}}{{end}}{{if .Description}}

DESCRIPTION :
   {{wrap .Description 3}}{{end}}{{if .VisibleFlags}}

OPTIONS :{{range .VisibleFlags}}
   {{.}}{{end}}{{end}}
`
	cli.SubcommandHelpTemplate = `NOM :
   {{.HelpName}} — {{.Usage}}

UTILISATION :
   {{if .UsageText}}{{wrap .UsageText 3}}{{else}}{{.HelpName}} sous-commande [options]{{end}}{{if .Description}}

DESCRIPTION :
   {{wrap .Description 3}}{{end}}

SOUS-COMMANDES :{{range .VisibleCommands}}
   {{join .Names ", "}}{{"\t"}}{{.Usage}}{{end}}{{if .VisibleFlags}}

OPTIONS :{{range .VisibleFlags}}
   {{.}}{{end}}{{end}}
`
}
