package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// flagSet is the flags of one command: a standard flag.FlagSet, plus the
// short alias of each flag and the French help built from them.
type flagSet struct {
	fs    *flag.FlagSet
	cmd   *command
	path  string            // "anef-dossier protocol done"
	short map[string]string // long name -> short alias
	order []string          // long names, as declared
}

func newFlagSet(cmd *command, path string) *flagSet {
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in French by run
	return &flagSet{fs: fs, cmd: cmd, path: path, short: map[string]string{}}
}

func (f *flagSet) add(name, short string) {
	f.order = append(f.order, name)
	if short != "" {
		f.short[name] = short
	}
}

// String declares --name (and -short when not "") with a default value.
func (f *flagSet) String(name, short, value, usage string) *string {
	p := f.fs.String(name, value, usage)
	if short != "" {
		f.fs.StringVar(p, short, value, usage)
	}
	f.add(name, short)
	return p
}

// Bool declares a switch.
func (f *flagSet) Bool(name, short, usage string) *bool {
	p := f.fs.Bool(name, false, usage)
	if short != "" {
		f.fs.BoolVar(p, short, false, usage)
	}
	f.add(name, short)
	return p
}

// Int declares an integer flag.
func (f *flagSet) Int(name string, value int, usage string) *int {
	p := f.fs.Int(name, value, usage)
	f.add(name, "")
	return p
}

// Duration declares a duration flag (90s, 6h).
func (f *flagSet) Duration(name string, value time.Duration, usage string) *time.Duration {
	p := f.fs.Duration(name, value, usage)
	f.add(name, "")
	return p
}

// Strings declares a repeatable flag: each occurrence adds its value exactly
// as typed (no splitting on commas).
func (f *flagSet) Strings(name, short, usage string) *[]string {
	var v stringList
	f.fs.Var(&v, name, usage)
	if short != "" {
		f.fs.Var(&v, short, usage)
	}
	f.add(name, short)
	return (*[]string)(&v)
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// isSet tells whether the flag was given on the command line.
func (f *flagSet) isSet(name string) bool {
	set := false
	f.fs.Visit(func(fl *flag.Flag) {
		if fl.Name == name || fl.Name == f.short[name] {
			set = true
		}
	})
	return set
}

// errHelpShown stops a command after its --help was printed (exit 0).
var errHelpShown = errors.New("aide affichée")

// parse reads the command line of the command: flags may come before or
// after the positional arguments ("init cas --protocol api"), as users type
// them. It parses, takes one positional argument, and parses again; after
// "--" everything is positional. It returns the positional arguments.
func (f *flagSet) parse(e *env, args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.help(e.stdout)
				return nil, errHelpShown
			}
			return nil, usageErr(flagErrorFr(err), f.path+" --help")
		}
		rest := f.fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// needArgs checks the number of positional arguments.
// parseNone parses a command that takes options only.
func (f *flagSet) parseNone(e *env, args []string) error {
	pos, err := f.parse(e, args)
	if err != nil {
		return err
	}
	return f.needArgs(pos, 0, 0, "aucun argument")
}

func (f *flagSet) needArgs(pos []string, min, max int, what string) error {
	if len(pos) < min || (max >= 0 && len(pos) > max) {
		return usageErr(what+" attendu", f.path+" --help")
	}
	return nil
}

// flagErrorFr says in French what the flag package reports in English.
func flagErrorFr(err error) string {
	s := err.Error()
	for _, t := range []struct{ en, fr string }{
		{"flag provided but not defined: ", "option inconnue : "},
		{"flag needs an argument: ", "option sans valeur : "},
		{"invalid boolean value ", "valeur invalide (oui/non attendu) "},
		{"invalid value ", "valeur invalide "},
		{" for flag ", " pour l'option "},
		{": parse error", ""},
		{": value out of range", " : hors limites"},
	} {
		s = strings.ReplaceAll(s, t.en, t.fr)
	}
	return s
}

// help prints the French help of the command: name, usage, description with
// its example, and the options.
func (f *flagSet) help(w io.Writer) {
	c := f.cmd
	fmt.Fprintf(w, "NOM :\n   %s — %s\n\nUTILISATION :\n%s\n", f.path, c.summary, indent(c.usage))
	if c.help != "" {
		fmt.Fprintf(w, "\nDESCRIPTION :\n%s\n", indent(c.help))
	}
	if len(c.subs) > 0 {
		fmt.Fprintf(w, "\nSOUS-COMMANDES :\n")
		listCommands(w, c.subs)
	}
	fmt.Fprintf(w, "\nOPTIONS :\n")
	f.printFlags(w)
}

func (f *flagSet) printFlags(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, name := range f.order {
		fl := f.fs.Lookup(name)
		spell := func(n string) string {
			dash := "--"
			if len(n) == 1 {
				dash = "-"
			}
			if isBool(fl) {
				return dash + n
			}
			return dash + n + " VALEUR"
		}
		names := spell(name)
		if s := f.short[name]; s != "" {
			names += ", " + spell(s)
		}
		usage := fl.Usage
		if _, ok := fl.Value.(*stringList); ok {
			usage += " (répétable)"
		} else if fl.DefValue != "" && fl.DefValue != "0" && fl.DefValue != "false" && fl.DefValue != "0s" && !strings.Contains(usage, "par défaut") {
			usage += " (par défaut : " + fl.DefValue + ")"
		}
		fmt.Fprintf(tw, "   %s\t%s\n", names, usage)
	}
	help := "affiche cette aide"
	if f.cmd.name == "anef-dossier" {
		help += " ; anef-dossier COMMANDE --help : l'aide d'une commande"
	}
	fmt.Fprintf(tw, "   --help, -h\t%s\n", help)
	tw.Flush()
}

func isBool(fl *flag.Flag) bool {
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "   " + l
		}
	}
	return strings.Join(lines, "\n")
}
