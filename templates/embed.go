// Package templates holds the embedded data of anef-dossier: the protocols
// (the legal steps as YAML), the French letter templates, the commented
// dossier.yaml written by init, and SOURCES.md, where every legal fact comes
// from. Everything here can be overridden by a folder (see [Open]).
package templates

import (
	"embed"
	"io/fs"
	"os"
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
