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

func (e *env) outf(format string, a ...any) {
	fmt.Fprintf(e.stdout, format, a...)
}

func (e *env) warnf(format string, a ...any) {
	fmt.Fprintf(e.stderr, "anef-dossier: attention : "+format+"\n", a...)
}

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
