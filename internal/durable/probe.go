package durable

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ProbePrefix starts the name of the folder Probe works in.
const ProbePrefix = ".probe-"

// ProbeResult is what [Probe] found in a folder.
type ProbeResult struct {
	// Method is how a write-once file got its name there: "link",
	// "rename-noreplace" or "reserve" (see commitOnce).
	Method string
	// NeverReplaced: a second write-once of the same name was refused and
	// left the first content as it was.
	NeverReplaced bool
	// Mode is the permission bits the written file has: 0600 where the file
	// system keeps them; exFAT and FAT show something else whatever is asked.
	Mode os.FileMode
}

// Probe writes one file once in a new hidden folder inside dir, tries to
// write it a second time, reads back what stayed, and removes the folder:
// what write-once does on this file system, tried rather than guessed.
func Probe(dir string) (ProbeResult, error) {
	var r ProbeResult
	work, err := os.MkdirTemp(dir, ProbePrefix)
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(work)
	name := filepath.Join(work, "essai")
	first := []byte("premier contenu\n")
	f, err := Create(name, Once)
	if err != nil {
		return r, err
	}
	defer f.Cleanup()
	if _, err := f.Write(first); err != nil {
		return r, err
	}
	if err := f.Commit(); err != nil {
		return r, err
	}
	r.Method = f.Method
	st, err := os.Stat(name)
	if err != nil {
		return r, err
	}
	r.Mode = st.Mode().Perm()
	// The second write goes past Create's early check (which would refuse at
	// once) to test Commit itself, as when two writers race for a name.
	g, err := os.CreateTemp(work, TempPrefix)
	if err != nil {
		return r, err
	}
	if _, err := g.WriteString("second contenu\n"); err != nil {
		g.Close()
		return r, err
	}
	g.Close()
	_, err = commitOnce(g.Name(), name)
	switch {
	case err == nil:
		return r, fmt.Errorf("un fichier écrit une seule fois a été remplacé (méthode %s)", r.Method)
	case !errors.Is(err, os.ErrExist):
		return r, err
	}
	got, err := os.ReadFile(name)
	if err != nil {
		return r, err
	}
	r.NeverReplaced = bytes.Equal(got, first)
	return r, nil
}
