package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"anefdossier/protocol"
)

// CaseEntry is one line of the home page: a case and where it stands.
type CaseEntry struct {
	Rel string // name in the workspace
	protocol.CaseSummary
}

// CaseList is every case under the workspace, most urgent first.
type CaseList struct {
	Cases []CaseEntry
	// Unreadable folders, by name, with the reason.
	Unreadable map[string]string
}

// ListCases lists the cases under the workspace (what `list` shows), most
// urgent first; query, when not empty, keeps the cases whose person or folder
// contains it (accents and case ignored).
func (w *Workspace) ListCases(query string) (*CaseList, error) {
	dirs, unreadable, err := protocol.FindCases(w.Root)
	if err != nil {
		return nil, err
	}
	sums := protocol.SummarizeCases(dirs, w.Templates, protocol.Now(), protocol.ListOptions{})
	protocol.SortByUrgency(sums)
	out := &CaseList{Unreadable: map[string]string{}}
	q := fold(query)
	for _, s := range sums {
		rel := w.Rel(s.Dir)
		if q != "" && !strings.Contains(fold(s.Who()+" "+rel), q) {
			continue
		}
		out.Cases = append(out.Cases, CaseEntry{Rel: rel, CaseSummary: s})
	}
	for d, e := range unreadable {
		out.Unreadable[w.Rel(d)] = e.Error()
	}
	return out, nil
}

func fold(s string) string {
	return strings.ToLower(protocol.ASCII(strings.TrimSpace(s)))
}

// ProtocolInfo presents a protocol for the choice of a new case.
type ProtocolInfo struct {
	ID, Title, Summary string
}

// Protocols lists the known protocols with their summary.
func (w *Workspace) Protocols() []ProtocolInfo {
	var out []ProtocolInfo
	for _, id := range protocol.Protocols(w.Templates) {
		p, err := protocol.LoadProtocol(w.Templates, id)
		if err != nil {
			continue
		}
		out = append(out, ProtocolInfo{ID: p.ID, Title: p.Title, Summary: strings.TrimSpace(p.Summary)})
	}
	return out
}

// ErrBadName is returned for a new case name that cannot be a folder name.
var ErrBadName = errors.New("nom de dossier refusé")

// NewCase creates the case folder name (one path element, directly under the
// workspace) with the protocol protocolID, as `init` does, and returns its
// name in the workspace.
func (w *Workspace) NewCase(name, protocolID string) (string, error) {
	name = strings.TrimSpace(name)
	if err := checkFolderName(name); err != nil {
		return "", err
	}
	dir := filepath.Join(w.Root, name)
	if _, err := os.Lstat(dir); err == nil {
		return "", fmt.Errorf("« %s » : %w", name, protocol.ErrNotEmpty)
	}
	if _, err := protocol.Init(dir, protocolID, w.Templates); err != nil {
		return "", err
	}
	return name, nil
}

// checkFolderName accepts a plain folder name that is safe on every system.
func checkFolderName(name string) error {
	if name == "" {
		return fmt.Errorf("%w : donnez un nom, par exemple dupont-amina", ErrBadName)
	}
	if len(name) > 100 {
		return fmt.Errorf("%w : 100 caractères au plus", ErrBadName)
	}
	if name == "." || name == ".." || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return fmt.Errorf("%w : « %s » ne peut pas commencer ni finir par un point ou une espace", ErrBadName, name)
	}
	for _, r := range name {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) || !unicode.IsPrint(r) {
			return fmt.Errorf("%w : « %s » contient un caractère interdit dans un nom de dossier (/ \\ : * ? \" < > |)", ErrBadName, name)
		}
	}
	up := strings.ToUpper(strings.SplitN(name, ".", 2)[0])
	switch up {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return fmt.Errorf("%w : « %s » est un nom réservé sous Windows", ErrBadName, name)
	}
	return nil
}
