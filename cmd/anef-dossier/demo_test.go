package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// reTelerecours: a Télérecours file name (Télérecours guidance, telerecours.fr
// rules): starts with the piece number, ASCII letters, digits, '_' and '-'
// only, one ".pdf" extension, at most 80 characters.
var reTelerecours = regexp.MustCompile(`^[0-9]+_[A-Za-z0-9_-]+\.pdf$`)

func init() {
	// telerecoursnames DIR N: DIR holds N files, each named by the rules.
	scriptCmds["telerecoursnames"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 {
			ts.Fatalf("usage: telerecoursnames DIR N")
		}
		entries, err := os.ReadDir(ts.MkAbs(args[0]))
		ts.Check(err)
		var bad []string
		for _, e := range entries {
			n := e.Name()
			if len(n) > 80 || !reTelerecours.MatchString(n) || strings.Count(n, ".") != 1 {
				bad = append(bad, n)
			}
		}
		if fmt.Sprint(len(entries)) != args[1] {
			bad = append(bad, fmt.Sprintf("%d fichiers au lieu de %s", len(entries), args[1]))
		}
		if (len(bad) > 0) != neg {
			ts.Fatalf("noms Télérecours : %v", bad)
		}
	}
}
