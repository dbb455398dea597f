package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"anefdossier/protocol"
	"anefdossier/templates"
)

// tmplFS returns the template tree, overridden by --templates when given.
func (e *env) tmplFS() fs.FS {
	return templates.Open(e.templates)
}

// openCase opens the case folder given by --dossier / -C / ANEF_DOSSIER.
func (e *env) openCase() (*protocol.Case, error) {
	return protocol.Open(e.dir, e.tmplFS())
}

func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// outf prints to the terminal. What it prints may come from a case received
// from someone else (a name, a title, a file name): control characters are
// shown as their code, never sent raw to the terminal (review 1, low 13).
func (e *env) outf(format string, a ...any) {
	fmt.Fprint(e.stdout, protocol.Neutralize(fmt.Sprintf(format, a...)))
}

func (e *env) warnf(format string, a ...any) {
	fmt.Fprint(e.stderr, protocol.Neutralize(fmt.Sprintf("anef-dossier: attention : "+format+"\n", a...)))
}

// cell makes a value fit one cell of a table printed to the terminal:
// control characters shown as their code, tabs and line breaks as spaces,
// at most maxCell characters.
func cell(s string) string {
	return protocol.Clip(protocol.Neutralize(strings.Join(strings.Fields(s), " ")), maxCell)
}

// maxCell bounds a cell of a table (a name of 1 MB would make list unreadable).
const maxCell = 200

// parseUserDate reads a date flag, or returns a usage error naming the flag.
func parseUserDate(flag, v string) (time.Time, bool, error) {
	t, hasTime, err := protocol.ParseDate(v)
	if err != nil {
		return t, false, usageErr(fmt.Sprintf("--%s : %v", flag, err), "exemple : --"+flag+" 10/03/2026 ou --"+flag+" \"2026-03-10 14:30\"")
	}
	return t, hasTime, nil
}

// parsePieceNumbers reads piece numbers ("3", "n°3", "3,4").
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
