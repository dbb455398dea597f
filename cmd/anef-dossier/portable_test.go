package main

// Names on Windows and macOS (issue 13): a case made on Linux is opened,
// copied and unpacked on a lawyer's Windows machine or a Mac. No piece name,
// Télérecours name or archive entry may be one they refuse (CON, AUX, NUL,
// COM1, LPT1 with or without an extension, in any case; < > : " / \ | ? *
// and control characters; a trailing dot or space), two names that differ
// only by case, or a path too long for Windows.

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"anefdossier/export"
	"anefdossier/internal/portable"
)

// archiveNames lists the entries of a .zip or .tar.gz, and unpacks the
// tar.gz into dst when dst is not empty.
func archiveNames(t *testing.T, file, dst string) []string {
	t.Helper()
	var names []string
	if strings.HasSuffix(file, ".zip") {
		zr, err := zip.OpenReader(file)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		return names
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if dst == "" {
			continue
		}
		p := filepath.Join(dst, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			os.MkdirAll(p, 0o700)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o700)
		data, _ := io.ReadAll(tr)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// checkPortable fails for an entry that Windows or macOS could not make.
func checkPortable(t *testing.T, what string, names []string) {
	t.Helper()
	var clean []string
	for _, n := range names {
		n = strings.TrimSuffix(n, "/")
		clean = append(clean, n)
		for _, part := range strings.Split(n, "/") {
			if p := portable.Problem(part); p != "" {
				t.Errorf("%s: %q in %q: %s", what, part, n, p)
			}
		}
		if len([]rune(n)) > export.MaxEntry {
			t.Errorf("%s: %q is %d characters long", what, n, len([]rune(n)))
		}
	}
	if c := portable.Collisions(clean); len(c) > 0 {
		t.Errorf("%s: names equal when case is ignored: %q", what, c)
	}
}

// A case folder with a Windows device name or forbidden characters, pieces
// imported from files named CON.txt or nul.eml, titles full of forbidden
// characters: every name the tool makes is portable, the archive's root is
// the case folder's name made valid, and the unpacked copy verifies.
func TestPortableNames(t *testing.T) {
	base := t.TempDir()
	src := t.TempDir()
	writePNG(t, filepath.Join(src, "a:b|c?.png"), 1)
	os.WriteFile(filepath.Join(src, "CON.txt"), []byte("Appel au CCC.\n"), 0o600)
	os.WriteFile(filepath.Join(src, "nul.eml"), []byte(sampleEML), 0o600)
	os.WriteFile(filepath.Join(src, "LPT1 .txt"), []byte("Deuxième appel.\n"), 0o600)
	for folder, root := range map[string]string{
		"aux":            "_aux",
		"con.":           "_con",
		"COM1.dossier":   "_COM1.dossier",
		"Dupont: Amina?": "Dupont_ Amina_",
		"nul ":           "_nul",
		"Lpt9":           "_Lpt9",
	} {
		t.Run(root, func(t *testing.T) {
			dir := filepath.Join(base, folder)
			mustRun(t, "init", dir, "--protocol", "bug-technique")
			for i, f := range []string{"a:b|c?.png", "CON.txt", "nul.eml", "LPT1 .txt"} {
				title := []string{"CON", "aux.", `Capture <ANEF> : "bloquée" | 1/2 ?*`, "PRN trailing. "}[i]
				mustRun(t, "-C", dir, "piece", "add", filepath.Join(src, f), "--title", title)
			}
			var pieces []string
			ents, _ := os.ReadDir(filepath.Join(dir, "pieces"))
			for _, e := range ents {
				pieces = append(pieces, "pieces/"+e.Name())
			}
			checkPortable(t, "pieces", pieces)
			mustRun(t, "-C", dir, "render", "telerecours")
			var tr []string
			ents, _ = os.ReadDir(filepath.Join(dir, "out", "telerecours"))
			for _, e := range ents {
				tr = append(tr, e.Name())
			}
			if len(tr) < 5 {
				t.Fatalf("Télérecours files: %v", tr)
			}
			checkPortable(t, "telerecours", tr)

			out := t.TempDir()
			for _, ext := range []string{".zip", ".tar.gz"} {
				arc := filepath.Join(out, "copie"+ext)
				o := mustRun(t, "-C", dir, "export", arc)
				if !strings.Contains(o, "cd "+root+" && sha256sum -c") {
					t.Errorf("export does not name the root %q:\n%s", root, o)
				}
				names := archiveNames(t, arc, "")
				checkPortable(t, "archive "+ext, names)
				for _, n := range names {
					if !strings.HasPrefix(n, root+"/") {
						t.Errorf("entry %q outside root %q", n, root)
					}
				}
			}
			unpacked := t.TempDir()
			archiveNames(t, filepath.Join(out, "copie.tar.gz"), unpacked)
			if code := verifyProc(t, filepath.Join(unpacked, root)); code != 0 {
				t.Errorf("verify of the unpacked copy: exit %d", code)
			}
		})
	}
}

// A file put in the case by hand under a name Windows refuses, or one that
// differs from another only by case: the export is refused, names the file
// and says what to do, and writes nothing.
func TestExportRefusesUnportableNames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dupont")
	mustRun(t, "init", dir, "--protocol", "bug-technique")
	out := t.TempDir()
	arc := filepath.Join(out, "copie.zip")
	for _, c := range []struct {
		files []string
		want  []string
	}{
		{[]string{"Notes.txt", "notes.txt"}, []string{"Notes.txt, notes.txt : ne diffèrent que par les majuscules"}},
		{[]string{"remarques:1.txt"}, []string{"remarques:1.txt : caractère « : », refusé par Windows"}},
		{[]string{"annexes/CON.pdf"}, []string{"annexes/CON.pdf : nom de périphérique réservé par Windows"}},
		{[]string{"brouillon."}, []string{"brouillon. : point ou espace final"}},
		{[]string{"Annexes/a.txt", "annexes/b.txt"}, []string{"Annexes, annexes : ne diffèrent que par les majuscules"}},
		{[]string{"manifest.SHA256"}, nil}, // set aside as the manifest's name, any case
		{[]string{strings.Repeat("d", 100) + "/" + strings.Repeat("f", 100) + ".txt"}, []string{"caractères dans l'archive, 200 au plus pour Windows"}},
	} {
		for _, f := range c.files {
			p := filepath.Join(dir, filepath.FromSlash(f))
			os.MkdirAll(filepath.Dir(p), 0o700)
			if err := os.WriteFile(p, []byte("ajouté à la main\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		r := cmdRun(t, nil, "-C", dir, "export", arc)
		if c.want == nil {
			if r.code != 0 {
				t.Errorf("%v: exit %d\n%s", c.files, r.code, r.stderr)
			}
			names := archiveNames(t, arc, "")
			checkPortable(t, "archive", names)
			os.Remove(arc)
		} else {
			if r.code != 1 || !strings.Contains(r.stderr, "archive refusée : des noms du dossier ne pourraient pas être recréés sous Windows ou macOS") ||
				!strings.Contains(r.stderr, "astuce : renommez ces fichiers") {
				t.Errorf("%v: exit %d\n%s", c.files, r.code, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("%v: %q not said:\n%s", c.files, w, r.stderr)
				}
			}
			if left, _ := os.ReadDir(out); len(left) != 0 {
				t.Errorf("%v: refused export left %v", c.files, left)
			}
		}
		for _, f := range c.files {
			os.RemoveAll(filepath.Join(dir, strings.SplitN(filepath.FromSlash(f), string(filepath.Separator), 2)[0]))
		}
	}
	if code := verifyProc(t, dir); code != 0 {
		t.Errorf("verify after the refused exports: exit %d", code)
	}
}

// A case under a deep folder: its path is over 260 characters, the old limit
// of Windows (lifted by the \\?\ form, which Go's os package and
// internal/durable use). Every command works there.
func TestDeepCasePath(t *testing.T) {
	dir := t.TempDir()
	for i := 0; len(dir) < 300; i++ {
		dir = filepath.Join(dir, "Sous-dossier de classement numéro "+strings.Repeat(string(rune('a'+i)), 12))
	}
	dir = filepath.Join(dir, "Dossier Dupont")
	if len(dir) <= 260 {
		t.Fatalf("path only %d long", len(dir))
	}
	buildCase(t, dir, "")
	mustRun(t, "-C", dir, "render", "telerecours")
	mustRun(t, "-C", dir, "render", "inventory")
	arc := filepath.Join(filepath.Dir(dir), "copie.tar.gz")
	mustRun(t, "-C", dir, "export", arc)
	if code := verifyProc(t, dir); code != 0 {
		t.Fatalf("verify at %d characters: exit %d", len(dir), code)
	}
	names := archiveNames(t, arc, "")
	checkPortable(t, "archive", names)
	if path.Dir(names[0]) != "." && !strings.HasPrefix(names[0], "Dossier Dupont/") {
		t.Errorf("root: %q", names[0])
	}
	t.Logf("case at %d characters: init, 3 pieces, a step, render, export, verify", len(dir))
}
