//go:build linux

package main

// A case on an exFAT USB key (issue 13): exFAT has no hard links, so pieces
// are written once by the last method of internal/durable. The file system
// is a real one: an image made by mkfs.exfat, on a loop device, mounted by
// exfat-fuse (Debian packages exfatprogs and exfat-fuse).

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anefdossier/protocol"
)

// exfat mounts a fresh 64 MiB exFAT file system and returns its folder.
// Outside CI, a machine without root or the tools skips the test; in CI
// (CI set) that is a failure.
func exfat(t *testing.T) string {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("CI") != "" {
		fail = t.Fatalf
	}
	for _, tool := range []string{"mkfs.exfat", "mount.exfat-fuse", "losetup"} {
		if _, err := exec.LookPath(tool); err != nil {
			fail("test exFAT : %s absent (apt-get install exfatprogs exfat-fuse)", tool)
		}
	}
	if os.Geteuid() != 0 {
		fail("test exFAT : il faut être root (losetup et mount)")
	}
	tmp := t.TempDir()
	img, mnt := filepath.Join(tmp, "cle.img"), filepath.Join(tmp, "cle")
	run := func(name string, args ...string) string {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			fail("test exFAT : %s %v : %v %s", name, args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("truncate", "-s", "64M", img)
	run("mkfs.exfat", img)
	loop := run("losetup", "-f", "--show", img)
	t.Cleanup(func() { exec.Command("losetup", "-d", loop).Run() })
	os.Mkdir(mnt, 0o700)
	run("mount.exfat-fuse", loop, mnt)
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if exec.Command("umount", mnt).Run() == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if typ := run("stat", "-f", "-c", "%T", mnt); !strings.Contains(typ, "fuse") {
		t.Fatalf("%s is not a FUSE mount: %s", mnt, typ)
	}
	return mnt
}

func TestExFAT(t *testing.T) {
	mnt := exfat(t)
	// Links are indeed missing there: the fallback is what runs.
	if err := os.WriteFile(filepath.Join(mnt, "a"), []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(mnt, "a"), filepath.Join(mnt, "b")); err == nil {
		t.Fatal("hard link worked on exFAT: this test no longer tests the fallback")
	}
	os.Remove(filepath.Join(mnt, "a"))

	dir := filepath.Join(mnt, "Dossier Dupont")
	buildCase(t, dir, "")
	if code := verifyProc(t, dir); code != 0 {
		t.Fatalf("verify on exFAT: exit %d", code)
	}
	// doctor names what it found there: the last write-once method, modes
	// not kept, and a 64 MiB key as too small (a problem: exit 1).
	d := cmdRun(t, nil, "-C", dir, "doctor", "--offline", "--no-browser")
	for _, want := range []string{
		"[ok] Système de fichiers et écriture unique des pièces",
		"le nom est d'abord réservé par un fichier vide",
		"[attention] Protection du dossier",
		"ce système de fichiers ne garde pas les droits demandés",
		"[problème] Espace libre",
	} {
		if !strings.Contains(d.stdout, want) {
			t.Errorf("doctor on exFAT: %q missing:\n%s", want, d.stdout)
		}
	}
	if d.code != 1 {
		t.Errorf("doctor on a 64 MiB key: exit %d, want 1", d.code)
	}
	pieces := savedPieces(t, dir)
	if len(pieces) != 3 {
		t.Fatalf("pieces on exFAT: %v", pieces)
	}
	// Write-once holds: the file of piece 1 is never replaced, even when
	// asked to write it again (the same number cannot be taken twice).
	ents, _ := os.ReadDir(filepath.Join(dir, protocol.PiecesDir))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file left on exFAT: %s", e.Name())
		}
	}
	// A crash between the reservation of the name and the rename: verify
	// names what is left and --repair sets it aside, nothing is lost.
	src := t.TempDir()
	note := filepath.Join(src, "note2.txt")
	os.WriteFile(note, []byte("Deuxième appel au CCC.\n"), 0o600)
	res := cmdRun(t, []string{"ANEF_DOSSIER_CRASH_AT=once.reserve"}, "-C", dir, "piece", "add", note)
	if !res.killed {
		t.Fatalf("not killed at once.reserve: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	v := cmdRun(t, nil, "-C", dir, "verify")
	if v.code == 0 || !strings.Contains(v.stdout, "Fichier non inscrit au journal") || !strings.Contains(v.stdout, "Fichier temporaire laissé") {
		t.Fatalf("verify after a crash at once.reserve does not name the orphan and the temporary file:\n%s", v.stdout)
	}
	if r := cmdRun(t, nil, "-C", dir, "verify", "--repair"); r.code != 0 {
		t.Fatalf("verify --repair: %s%s", r.stdout, r.stderr)
	}
	if !hasContent(t, filepath.Join(dir, protocol.PiecesDir), mustHash(t, note)) {
		t.Error("bytes of the interrupted piece lost")
	}
	mustRun(t, "-C", dir, "piece", "add", note)
	if code := verifyProc(t, dir); code != 0 {
		t.Fatalf("verify after repair and a new piece: exit %d", code)
	}
	t.Logf("exFAT (%s) : init, 3 pièces, étape, verify ; arrêt à once.reserve nommé puis réparé", mnt)
}

func mustHash(t *testing.T, p string) string {
	t.Helper()
	s, _, err := protocol.HashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
