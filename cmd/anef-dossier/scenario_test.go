package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// pdftext FILE: the text of a PDF as pdftotext reads it (the real
	// tool, as a reader would extract it), every run of white space made one
	// space so that a phrase is found wherever the layout wrapped it.
	// Scripts that use it start with: [!bin:pdftotext] skip.
	scriptCmds["pdftext"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: pdftext FILE")
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", ts.MkAbs(args[0]), "-").Output()
		if err != nil {
			ts.Fatalf("pdftotext %s: %v", args[0], err)
		}
		fmt.Fprintln(ts.Stdout(), strings.Join(strings.Fields(string(out)), " "))
	}
	// lsdir DIR: the names in DIR, sorted, one a line ("(absent)" when DIR
	// does not exist), to compare a folder before and after a command.
	scriptCmds["lsdir"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: lsdir DIR")
		}
		var names []string
		err := filepath.WalkDir(ts.MkAbs(args[0]), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(ts.MkAbs(args[0]), p)
			if rel != "." {
				names = append(names, filepath.ToSlash(rel))
			}
			return nil
		})
		if os.IsNotExist(err) {
			fmt.Fprintln(ts.Stdout(), "(absent)")
			return
		}
		ts.Check(err)
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintln(ts.Stdout(), n)
		}
	}
}
