package main

// Nothing but the binary (issue 13): render, verify, export, list and the
// web interface need no qpdf, poppler, openssl or other program on
// Windows, macOS or Linux. The tests may use them; the product may not. The
// only programs the binary starts are the browser of the captures, the
// system's opener of a web address (serve, without --no-open), and itself
// (demo).

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestOnlyTheBinary(t *testing.T) {
	gobin := "go" // the go command of PATH, as .ci/run sets it
	// Which of our packages the binary links, on each system, and which
	// of them may start a program.
	allowed := map[string]bool{"anefdossier/capture": true, "anefdossier/web": true, "anefdossier/cmd/anef-dossier": true}
	files := map[string]string{}
	for _, goos := range []string{"linux", "windows", "darwin"} {
		cmd := exec.Command(gobin, "list", "-deps", "-json=ImportPath,Dir,Imports,Module,GoFiles", ".")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list (%s): %v", goos, err)
		}
		dec := json.NewDecoder(strings.NewReader(string(out)))
		for dec.More() {
			var p struct {
				ImportPath, Dir string
				Imports         []string
				GoFiles         []string
				Module          *struct{ Path string }
			}
			if err := dec.Decode(&p); err != nil {
				t.Fatal(err)
			}
			if p.Module == nil || p.Module.Path != "anefdossier" {
				continue
			}
			for _, imp := range p.Imports {
				if imp == "os/exec" && !allowed[p.ImportPath] {
					t.Errorf("%s (%s) imports os/exec: the binary must not need another program", p.ImportPath, goos)
				}
			}
			if allowed[p.ImportPath] {
				for _, f := range p.GoFiles {
					files[filepath.Join(p.Dir, f)] = p.ImportPath
				}
			}
		}
	}
	if len(files) == 0 {
		t.Fatal("no source file found")
	}
	// In those packages, the program started is the browser (a path found
	// at run time), the system's opener of an address, or this binary.
	openers := map[string]bool{"rundll32": true, "open": true, "xdg-open": true}
	calls := 0
	for file := range files {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok || len(x.Args) == 0 {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "exec" || (sel.Sel.Name != "Command" && sel.Sel.Name != "CommandContext" && sel.Sel.Name != "LookPath") {
					return true
				}
				calls++
				arg := x.Args[0]
				if sel.Sel.Name == "CommandContext" && len(x.Args) > 1 {
					arg = x.Args[1]
				}
				if lit, ok := arg.(*ast.BasicLit); ok {
					name, _ := strconv.Unquote(lit.Value)
					if !openers[name] {
						t.Errorf("%s: exec.%s(%q): the binary must not need another program", filepath.Base(file), sel.Sel.Name, name)
					}
				}
			case *ast.BasicLit:
				if x.Kind != token.STRING {
					return true
				}
				v, _ := strconv.Unquote(x.Value)
				for _, tool := range []string{"qpdf", "pdftotext", "pdftoppm", "pdfinfo", "openssl", "gs", "magick", "img2pdf", "tesseract", "fc-list"} {
					if v == tool {
						t.Errorf("%s: the name of the program %q in product code", filepath.Base(file), tool)
					}
				}
			}
			return true
		})
	}
	if calls < 4 {
		t.Errorf("only %d calls of exec seen: the check no longer sees the code", calls)
	}
}
