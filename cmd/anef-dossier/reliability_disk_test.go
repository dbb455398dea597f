//go:build !windows

package main

// Bad inputs that need the machine's help (docs/RELIABILITY.md): a full
// disk and a read-only case folder on a small tmpfs (root only: mount), and
// a 2 GB sparse file. Not built for Windows: mount and getrusage are Unix
// tools (Windows runs these paths through the other tests).

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"anefdossier/protocol"
)

// tmpfs mounts a small tmpfs, or skips when not allowed (not root).
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs impossible (root requis) : %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

func TestBadInputDiskFull(t *testing.T) {
	mnt := tmpfs(t, "256k")
	dir := filepath.Join(mnt, "cas")
	mustRun(t, "init", dir, "--protocol", "bug-technique")
	src := t.TempDir()
	small := filepath.Join(src, "petit.txt")
	os.WriteFile(small, []byte("une pièce\n"), 0o600)
	mustRun(t, "-C", dir, "piece", "add", small)
	big := filepath.Join(src, "gros.txt")
	os.WriteFile(big, []byte(strings.Repeat("x", 400<<10)), 0o600)
	r := cmdRun(t, nil, "-C", dir, "piece", "add", big)
	if r.code != 1 || !strings.Contains(r.stderr, "erreur : disque plein") || !strings.Contains(r.stderr, "rien n'a été inscrit au journal") ||
		strings.Contains(r.stderr, "no space left") || !strings.Contains(r.stderr, "en écrivant ") {
		t.Fatalf("disk full: exit %d\n%s", r.code, r.stderr)
	}
	if v := cmdRun(t, nil, "-C", dir, "verify"); v.code != 0 {
		t.Fatalf("verify after a full disk: %s", v.stdout)
	}
	if got := savedPieces(t, dir); len(got) != 1 {
		t.Fatalf("pieces after a full disk: %v", got)
	}
	// Room again: the same command works.
	os.WriteFile(big, []byte(strings.Repeat("x", 20<<10)), 0o600)
	mustRun(t, "-C", dir, "piece", "add", big)
	if code := verifyQuiet(dir); code != 0 {
		t.Fatal("verify after freeing space")
	}
}

func TestBadInputReadOnlyCase(t *testing.T) {
	a := localTSA(t)
	mnt := tmpfs(t, "1m")
	dir := filepath.Join(mnt, "cas")
	mustRun(t, "init", dir, "--protocol", "bug-technique")
	src := t.TempDir()
	p := filepath.Join(src, "a.txt")
	os.WriteFile(p, []byte("pièce\n"), 0o600)
	mustRun(t, "-C", dir, "piece", "add", p)
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Skipf("remount ro: %v %s", err, out)
	}
	defer exec.Command("mount", "-o", "remount,rw", mnt).Run()
	for _, args := range [][]string{
		{"-C", dir, "piece", "add", p},
		{"-C", dir, "protocol", "done", "pan", "--date", "12/03/2026"},
		{"-C", dir, "timestamp", "1", "--tsa", a.URL},
	} {
		r := cmdRun(t, nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "lecture seule") {
			t.Errorf("%v on a read-only case: exit %d %s", args[2:], r.code, r.stderr)
		}
	}
	// Reading still works: verify, piece list, and export to a writable place.
	v := cmdRun(t, nil, "-C", dir, "verify")
	if v.code != 0 || !strings.Contains(v.stdout, "Vérification réussie") {
		t.Fatalf("verify on a read-only case: %+v", v)
	}
	if got := savedPieces(t, dir); len(got) != 1 {
		t.Fatalf("pieces: %v", got)
	}
}

// TestBadInputHugeFile imports a 2 GB sparse text file: every importable
// format is now bounded (review 1, H3/H4: a piece the renders cannot read
// must not enter the case), so it is refused from its size alone, in bounded
// memory, with a French error and a hint, and nothing is stored.
func TestBadInputHugeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("fichier de 2 Go")
	}
	dir := filepath.Join(t.TempDir(), "cas")
	mustRun(t, "init", dir, "--protocol", "bug-technique")
	big := filepath.Join(t.TempDir(), "enorme.txt")
	if err := exec.Command("truncate", "-s", "2G", big).Run(); err != nil {
		t.Skip("truncate absent")
	}
	journal, err := os.ReadFile(filepath.Join(dir, protocol.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("anef-dossier", "-C", dir, "piece", "add", big)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("2 GB text imported: %s", out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !strings.Contains(string(out), "au-delà de 20") || !strings.Contains(string(out), "astuce") {
		t.Errorf("message: %s", out)
	}
	if ru.Maxrss > 100<<10 { // KB
		t.Errorf("peak memory %d KB for a 2 GB file", ru.Maxrss)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, protocol.PiecesDir))
	if len(ents) != 0 {
		t.Errorf("pieces/ after a refused import: %v", ents)
	}
	after, _ := os.ReadFile(filepath.Join(dir, protocol.JournalFile))
	if string(after) != string(journal) {
		t.Error("journal changed by a refused import")
	}
	mustRun(t, "-C", dir, "verify")
}
