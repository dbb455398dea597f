package durable

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// methods lists the write-once methods this system can use, with the test
// switches that select each one.
func methods() []struct {
	name            string
	noLink, noNoRep bool
} {
	m := []struct {
		name            string
		noLink, noNoRep bool
	}{
		{"rename-noreplace", true, false},
		{"reserve", true, true},
	}
	if linkFirst {
		m = append([]struct {
			name            string
			noLink, noNoRep bool
		}{{"link", false, false}}, m...)
	}
	return m
}

func useMethod(t *testing.T, noLink, noNoRep bool) {
	t.Helper()
	disableLink, disableNoReplace = noLink, noNoRep
	t.Cleanup(func() { disableLink, disableNoReplace = false, false })
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteOnceNeverReplaces(t *testing.T) {
	for _, m := range methods() {
		t.Run(m.name, func(t *testing.T) {
			useMethod(t, m.noLink, m.noNoRep)
			dir := t.TempDir()
			p := filepath.Join(dir, "001-piece.txt")
			f, err := Create(p, Once)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Cleanup()
			f.Write([]byte("premier"))
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			if f.Method != m.name && !(m.name == "rename-noreplace" && f.Method == "reserve") {
				t.Errorf("method %q, want %q", f.Method, m.name)
			}
			if err := WriteOnce(p, []byte("second")); !errors.Is(err, ErrExists) {
				t.Fatalf("second write: %v, want ErrExists", err)
			}
			// The name taken between Create and Commit: refused at Commit,
			// the other file untouched.
			q := filepath.Join(dir, "002-piece.txt")
			g, err := Create(q, Once)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Cleanup()
			g.Write([]byte("le nôtre"))
			if err := os.WriteFile(q, []byte("l'autre"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := g.Commit(); !errors.Is(err, ErrExists) {
				t.Fatalf("commit over a file made meanwhile: %v, want ErrExists", err)
			}
			g.Cleanup()
			for file, want := range map[string]string{p: "premier", q: "l'autre"} {
				if b, _ := os.ReadFile(file); string(b) != want {
					t.Errorf("%s = %q, want %q", filepath.Base(file), b, want)
				}
			}
			if got := names(t, dir); len(got) != 2 {
				t.Errorf("files left: %v (a temporary file was not removed)", got)
			}
		})
	}
}

// TestWriteOnceRace: writers racing for one name, one wins, the name holds
// exactly its bytes, the others get ErrExists.
func TestWriteOnceRace(t *testing.T) {
	for _, m := range methods() {
		t.Run(m.name, func(t *testing.T) {
			useMethod(t, m.noLink, m.noNoRep)
			dir := t.TempDir()
			p := filepath.Join(dir, "piece")
			const n = 16
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = WriteOnce(p, bytes.Repeat([]byte{byte('a' + i)}, 4096))
				}()
			}
			wg.Wait()
			won := -1
			for i, err := range errs {
				switch {
				case err == nil && won >= 0:
					t.Fatalf("writers %d and %d both succeeded", won, i)
				case err == nil:
					won = i
				case !errors.Is(err, ErrExists):
					t.Fatalf("writer %d: %v", i, err)
				}
			}
			if won < 0 {
				t.Fatal("no writer succeeded")
			}
			b, _ := os.ReadFile(p)
			if !bytes.Equal(b, bytes.Repeat([]byte{byte('a' + won)}, 4096)) {
				t.Fatalf("the name holds other bytes than the winner's")
			}
			if got := names(t, dir); len(got) != 1 {
				t.Errorf("files left: %v", got)
			}
		})
	}
}

func TestWriteAtomicReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "journal.head")
	for _, s := range []string{"1 aa\n", "2 bb\n"} {
		if err := WriteAtomic(p, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != s {
			t.Fatalf("content %q, want %q", b, s)
		}
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("files left: %v", got)
	}
}

func TestCleanupOnError(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "x"), Once)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("moitié"))
	f.Cleanup()
	f.Cleanup()
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("files left after Cleanup: %v", got)
	}
}

func TestModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix modes: the profile folder's ACL protects a case (docs/PLATEFORMES.md)")
	}
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	for _, m := range methods() {
		useMethod(t, m.noLink, m.noNoRep)
		p := filepath.Join(dir, m.name)
		if err := WriteOnce(p, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(p); st.Mode().Perm() != FileMode {
			t.Errorf("%s: mode %v, want %v", m.name, st.Mode().Perm(), FileMode)
		}
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != DirMode {
		t.Errorf("folder mode %v", st.Mode().Perm())
	}
}

// TestCrashWriteOnce kills a child process at each crash point of each
// method and checks what a crash leaves: under the final name nothing, the
// whole content, or (last method, between its two steps only) an empty file
// beside the complete temporary file.
func TestCrashWriteOnce(t *testing.T) {
	if os.Getenv("DURABLE_CHILD") != "" {
		t.Skip("child")
	}
	content := strings.Repeat("contenu de la pièce\n", 1000)
	for _, m := range methods() {
		points := []string{"once.temp-cree", "once.ecrit", "once.synchronise", "once.lie"}
		switch m.name {
		case "link":
			points = append(points, "once.temp-supprime")
		case "reserve":
			points = append(points, "once.reserve")
		}
		for _, point := range points {
			t.Run(m.name+"/"+point, func(t *testing.T) {
				dir := t.TempDir()
				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "DURABLE_CHILD="+dir, "ANEF_DOSSIER_CRASH_AT="+point,
					fmt.Sprintf("DURABLE_METHOD=%t,%t", m.noLink, m.noNoRep))
				out, err := cmd.CombinedOutput()
				if err == nil || strings.Contains(string(out), "CHILD DONE") {
					t.Fatalf("child not killed at %s: %v\n%s", point, err, out)
				}
				final := filepath.Join(dir, "piece.txt")
				b, ferr := os.ReadFile(final)
				var temps []string
				for _, n := range names(t, dir) {
					if strings.HasPrefix(n, TempPrefix) {
						temps = append(temps, n)
					}
				}
				switch {
				case ferr != nil:
					// Nothing under the name: at most a temporary file.
				case string(b) == content:
				case len(b) == 0 && point == "once.reserve":
					if len(temps) != 1 {
						t.Fatalf("empty reserved name without its temporary file: %v", temps)
					}
					tb, _ := os.ReadFile(filepath.Join(dir, temps[0]))
					if string(tb) != content {
						t.Fatalf("temporary file beside the reserved name is not complete (%d bytes)", len(tb))
					}
				default:
					t.Fatalf("final name holds %d bytes of %d after a crash at %s", len(b), len(content), point)
				}
				if len(temps) > 1 {
					t.Errorf("several temporary files: %v", temps)
				}
				t.Logf("%s: final %v, temporaries %v", point, ferr == nil, temps)
			})
		}
	}
}

// TestCrashChild is the child of TestCrashWriteOnce.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("DURABLE_CHILD")
	if dir == "" {
		t.Skip("run by TestCrashWriteOnce")
	}
	var noLink, noNoRep bool
	fmt.Sscanf(strings.Replace(os.Getenv("DURABLE_METHOD"), ",", " ", 1), "%t %t", &noLink, &noNoRep)
	disableLink, disableNoReplace = noLink, noNoRep
	err := WriteOnce(filepath.Join(dir, "piece.txt"), []byte(strings.Repeat("contenu de la pièce\n", 1000)))
	fmt.Println("CHILD DONE", err)
}
