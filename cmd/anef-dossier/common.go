package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"anefdossier/protocol"
	"anefdossier/templates"
)

// jsonFlag is the --json flag of every read command.
var jsonFlag = &cli.BoolFlag{Name: "json", Usage: "sortie JSON (pour d'autres outils)"}

// tmplFS returns the template tree, overridden by --templates when given.
func tmplFS(c *cli.Context) fs.FS {
	return templates.Open(c.String("templates"))
}

// caseDir returns the folder given by --dossier / -C / ANEF_DOSSIER.
func caseDir(c *cli.Context) string {
	for _, l := range c.Lineage() {
		if l.IsSet("dossier") {
			return l.String("dossier")
		}
	}
	return c.String("dossier")
}

// openCase opens the case folder of the command.
func openCase(c *cli.Context) (*protocol.Case, error) {
	return protocol.Open(caseDir(c), tmplFS(c))
}

// loadState reads the journal and folds it over the case's protocol and
// dossier.yaml. A broken journal is an error.
func loadState(c *cli.Context, cs *protocol.Case) (*protocol.State, error) {
	st, _, err := cs.State()
	return st, err
}

func printJSON(c *cli.Context, v any) error {
	enc := json.NewEncoder(c.App.Writer)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func outf(c *cli.Context, format string, a ...any) {
	fmt.Fprintf(c.App.Writer, format, a...)
}

func warnf(c *cli.Context, format string, a ...any) {
	fmt.Fprintf(c.App.ErrWriter, "anef-dossier: attention : "+format+"\n", a...)
}

// parseUserDate reads a date flag, or returns a usage error naming the flag.
func parseUserDate(flag, v string) (time.Time, bool, error) {
	t, hasTime, err := protocol.ParseDate(v)
	if err != nil {
		return t, false, usageErr(fmt.Sprintf("--%s : %v", flag, err), "exemple : --"+flag+" 10/03/2026 ou --"+flag+" \"2026-03-10 14:30\"")
	}
	return t, hasTime, nil
}

// parsePieceNumbers reads --piece values ("3", "n°3", "3,4").
func parsePieceNumbers(vals []string) ([]int, error) {
	var out []int
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(part), "n°"), "#"))
			if part == "" {
				continue
			}
			n, err := strconv.Atoi(part)
			if err != nil || n < 1 {
				return nil, usageErr(fmt.Sprintf("--piece « %s » : numéro de pièce attendu", v), "anef-dossier piece list donne les numéros")
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// needArgs checks the number of positional arguments.
func needArgs(c *cli.Context, min, max int, what string) error {
	n := c.Args().Len()
	if n < min || (max >= 0 && n > max) {
		return usageErr(fmt.Sprintf("%s attendu", what), fmt.Sprintf("anef-dossier %s --help", c.Command.FullName()))
	}
	return nil
}
