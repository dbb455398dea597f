// Package templates holds the embedded data of anef-dossier: the protocols
// (the legal steps as YAML), the French letter templates, the commented
// dossier.yaml written by init, and SOURCES.md, where every legal fact comes
// from. Everything here can be overridden by a folder (see [Open]).
package templates

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"sort"
)

//go:embed protocols/*.yaml letters dossier.yaml.tmpl SOURCES.md
var embedded embed.FS

// FS is the embedded tree.
var FS fs.FS = embedded

// Open returns the template tree: the embedded one, or, when dir is not empty,
// dir layered over it (a file present in dir wins), so that a lawyer can adapt a
// letter without rebuilding the tool.
func Open(dir string) fs.FS {
	if dir == "" {
		return embedded
	}
	return overlay{top: os.DirFS(dir), base: embedded}
}

type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	if f, err := o.top.Open(name); err == nil {
		return f, nil
	}
	return o.base.Open(name)
}

func (o overlay) ReadFile(name string) ([]byte, error) {
	if b, err := fs.ReadFile(o.top, name); err == nil {
		return b, nil
	}
	return fs.ReadFile(o.base, name)
}

// ReadDir lists a folder of both trees: a file of the top folder hides the
// embedded file of the same name, and the embedded files stay listed (a
// folder holding one adapted protocol must not hide the others).
func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	top, terr := fs.ReadDir(o.top, name)
	base, berr := fs.ReadDir(o.base, name)
	switch {
	case terr != nil && !errors.Is(terr, fs.ErrNotExist):
		return nil, terr
	case berr != nil && !errors.Is(berr, fs.ErrNotExist):
		return nil, berr
	case terr != nil && berr != nil:
		return nil, terr
	}
	seen := map[string]bool{}
	var out []fs.DirEntry
	for _, e := range top {
		seen[e.Name()] = true
		out = append(out, e)
	}
	for _, e := range base {
		if !seen[e.Name()] {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}
