package main

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// copyexample DIR copies the fictitious example case into the script's
	// work folder (tests never write into examples/).
	scriptCmds["copyexample"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: copyexample DIR")
		}
		src := filepath.Join("..", "..", "examples", "cas-exemple")
		dst := ts.MkAbs(args[0])
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o700)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), data, 0o600)
		})
		ts.Check(err)
	}
}
