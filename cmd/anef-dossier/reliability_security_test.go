package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anefdossier/protocol"
)

// TestCaseModes: after every kind of write (init, piece add, step, timestamp,
// crash + repair: quarantine and orphelins/), every file of the case is 0600
// and every folder 0700, and so is the export.
func TestCaseModes(t *testing.T) {
	a := localTSA(t)
	dir := filepath.Join(t.TempDir(), "cas")
	buildCase(t, dir, a.URL)
	src := t.TempDir()
	writePNG(t, filepath.Join(src, "nouvelle.png"), 5)
	cmdRun(t, []string{"ANEF_DOSSIER_CRASH_AT=journal.ecriture-partielle"}, "-C", dir, "piece", "add", filepath.Join(src, "nouvelle.png"))
	mustRun(t, "-C", dir, "verify", "--repair")
	exp := filepath.Join(t.TempDir(), "cas.zip")
	mustRun(t, "-C", dir, "export", exp)
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		st, _ := d.Info()
		want := protocol.FileMode
		if d.IsDir() {
			want = protocol.DirMode
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), want)
		}
		n++
		return nil
	})
	if st, _ := os.Stat(exp); st.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v", st.Mode().Perm())
	}
	for _, must := range []string{"journal.head", "pieces/orphelins"} {
		if _, err := os.Stat(filepath.Join(dir, must)); err != nil {
			t.Errorf("%s missing: %v", must, err)
		}
	}
	t.Logf("%d fichiers et dossiers, tous en 0600/0700", n)
}

// TestNoShell: no production code starts a shell; commands run by the tool
// (openssl only in tests, Chromium by chromedp) get their arguments as a
// list, never a command line built from user text.
func TestNoShell(t *testing.T) {
	fset := token.NewFileSet()
	var calls []string
	for _, dir := range []string{".", "../../protocol", "../../tsa", "../../export", "../../capture", "../../render"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(af, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "exec" && strings.HasPrefix(sel.Sel.Name, "Command") {
					calls = append(calls, fset.Position(call.Pos()).String())
					if len(call.Args) > 0 {
						for _, arg := range call.Args {
							if lit, ok := arg.(*ast.BasicLit); ok {
								v := strings.Trim(lit.Value, "\"`")
								if v == "sh" || v == "bash" || v == "/bin/sh" || v == "-c" || v == "cmd.exe" {
									t.Errorf("%s: shell started (%s)", fset.Position(call.Pos()), v)
								}
							}
						}
					}
				}
				return true
			})
		}
	}
	t.Logf("exec.Command dans le code de production : %v", calls)
}
