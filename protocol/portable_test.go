package protocol

import (
	"strings"
	"testing"
	"testing/fstest"

	"anefdossier/internal/portable"
)

// Every name a piece file can get (each kind, each role, each accepted
// extension, numbers up to 1000) is valid on Windows, macOS and Linux, and
// no two differ only by case (issue 13).
func TestPieceFileNamesPortable(t *testing.T) {
	roles := []FileRole{RolePiece, RoleRaw, RoleMHTML, RoleDocument, RoleWARC, RoleEvidence}
	exts := []string{".warc.gz", ".json", ".html", ".bin"}
	for e := range importFormats {
		exts = append(exts, e, strings.ToUpper(e))
	}
	var all []string
	for _, n := range []int{1, 9, 99, 100, 999, 1000} {
		for _, k := range append(Kinds, Kind{ID: "CON"}, Kind{ID: "aux."}, Kind{ID: "a:b|c"}, Kind{ID: ""}) {
			for i, r := range roles {
				for _, e := range exts {
					name := pieceFileName(n, k.ID, i, NewFile{Role: r, Ext: e})
					if p := portable.Problem(name); p != "" {
						t.Errorf("%q: %s", name, p)
					}
					all = append(all, name)
				}
			}
		}
	}
	seen := map[string]bool{}
	var distinct []string
	for _, n := range all {
		if !seen[n] {
			seen[n] = true
			distinct = append(distinct, n)
		}
	}
	if c := portable.Collisions(distinct); len(c) > 0 {
		t.Errorf("names equal when case is ignored: %q", c[0])
	}
}

// A document's id names its files (out/ID.pdf): one Windows refuses, or two
// that differ only by case, is refused when the protocol is loaded.
func TestDocumentIDPortable(t *testing.T) {
	head := "id: t\ntitre: T\netapes:\n  - id: a\n    titre: A\n    obligatoire: true\n    canaux: [{id: c, titre: C}]\ndocuments:\n"
	for _, ids := range [][]string{{"con"}, {"aux"}, {"com1"}, {"lpt9"}, {"Lettre"}, {"lettre", "lettre"}, {"a:b"}, {"lettre."}, {""}, {strings.Repeat("a", 61)}} {
		var docs string
		for _, id := range ids {
			docs += "  - {id: \"" + id + "\", titre: D, modele: d.tmpl}\n"
		}
		_, err := LoadProtocol(fstest.MapFS{"protocols/t.yaml": {Data: []byte(head + docs)}}, "t")
		if err == nil || !strings.Contains(err.Error(), "identifiant en double ou invalide") {
			t.Errorf("documents %q: err = %v", ids, err)
		}
	}
	if _, err := LoadProtocol(fstest.MapFS{"protocols/t.yaml": {Data: []byte(head + "  - {id: lettre-1, titre: D, modele: d.tmpl}\n  - {id: console, titre: E, modele: e.tmpl}\n")}}, "t"); err != nil {
		t.Errorf("valid ids refused: %v", err)
	}
}
