package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"anefdossier/protocol"
	"anefdossier/templates"
)

// Workspace is a folder of cases as the web interface sees it: every case is
// named by its path relative to Root, and every path it is given is confined
// to Root (no "..", no absolute path, no symbolic link leading out).
type Workspace struct {
	Root      string
	Templates fs.FS
	// LockWait bounds how long a change waits for a case held by another
	// command (the CLI, another tab) before [protocol.ErrBusy].
	LockWait time.Duration

	due dueCache // what RunDue read of each case
}

// ErrOutside is returned for a path that leaves the workspace.
var ErrOutside = errors.New("chemin refusé : il sort du dossier servi")

// NewWorkspace returns the workspace of root; tmpl nil means the embedded templates.
func NewWorkspace(root string, tmpl fs.FS) (*Workspace, error) {
	if tmpl == nil {
		tmpl = templates.FS
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("dossier %s introuvable : %w", root, err)
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s n'est pas un dossier", root)
	}
	return &Workspace{Root: real, Templates: tmpl, LockWait: 3 * time.Second}, nil
}

// Resolve turns a relative name ("dupont" or "2026/dupont"; "." for Root
// itself) into an absolute path inside Root, refusing "..", absolute names,
// control characters and any symbolic link that leads outside Root.
func (w *Workspace) Resolve(rel string) (string, error) {
	if rel == "" || strings.ContainsAny(rel, "\x00\\") || strings.ContainsFunc(rel, func(r rune) bool { return r < 0x20 }) {
		return "", ErrOutside
	}
	if filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") {
		return "", ErrOutside
	}
	for _, part := range strings.Split(rel, "/") {
		if part == ".." {
			return "", ErrOutside
		}
	}
	p := filepath.Join(w.Root, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s : %w", rel, fs.ErrNotExist)
		}
		return "", err
	}
	if !within(w.Root, real) {
		return "", ErrOutside
	}
	return real, nil
}

func within(root, p string) bool {
	if p == root {
		return true
	}
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}

// Open opens the case named rel.
func (w *Workspace) Open(rel string) (*protocol.Case, error) {
	dir, err := w.Resolve(rel)
	if err != nil {
		return nil, err
	}
	return protocol.Open(dir, w.Templates)
}

// Rel is the name of a case folder in the workspace ("." for Root).
func (w *Workspace) Rel(dir string) string {
	r, err := filepath.Rel(w.Root, dir)
	if err != nil {
		return dir
	}
	return filepath.ToSlash(r)
}

// lockContext bounds the wait for a case's lock to LockWait: past it, a
// change fails with protocol.ErrBusy and the page says so and retries.
func (w *Workspace) lockContext(ctx context.Context) (context.Context, context.CancelFunc) {
	wait := w.LockWait
	if wait <= 0 {
		wait = 3 * time.Second
	}
	return context.WithTimeout(ctx, wait)
}

// begin takes the case's exclusive lock, waiting at most LockWait.
func (w *Workspace) begin(ctx context.Context, cs *protocol.Case) (*protocol.Tx, error) {
	ctx, cancel := w.lockContext(ctx)
	defer cancel()
	return cs.Begin(ctx)
}
