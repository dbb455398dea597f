//go:build !windows

package main

// Bad inputs that need the machine's help (docs/RELIABILITY.md): a full
// disk and a read-only case folder on a small tmpfs (root only: mount), and
// a 2 GB sparse file. Not built for Windows: mount and getrusage are Unix
// tools (Windows runs these paths through the other tests).

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// Issue 14, bad input: the disk fills up while the capture's web archive
// (WARC, written after the screenshots and the MHTML) is being written. The
// capture is refused with a French error, nothing is journaled, no file of
// the piece is left, verify passes; with room again the same capture works.
func TestBadInputDiskFullDuringWARC(t *testing.T) {
	if testing.Short() || chromiumPath() == "" {
		t.Skip("sans Chromium (go test -short ou Chromium absent)")
	}
	// A page whose image does not compress: it weighs in the MHTML and
	// the WARC alike.
	noise := make([]byte, 300<<10)
	rand.Read(noise)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bruit.bin" {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(noise)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>Rendez-vous</title><p>Aucun créneau</p><script>fetch("/bruit.bin")</script>`)
	}))
	defer srv.Close()

	// The sizes of this capture's files, on a roomy disk.
	ref := filepath.Join(t.TempDir(), "ref")
	mustRun(t, "init", ref, "--protocol", "rdv-indisponible")
	mustRun(t, "-C", ref, "capture", srv.URL+"/")
	sizes := map[string]int64{}
	ents, _ := os.ReadDir(filepath.Join(ref, "pieces"))
	for _, e := range ents {
		fi, _ := e.Info()
		sizes[e.Name()] = fi.Size()
	}
	warc := sizes["001-capture.warc.gz"]
	if warc < 250<<10 {
		t.Fatalf("reference capture: WARC of %d bytes, files %v", warc, sizes)
	}
	var before int64 // the files written before the WARC
	for name, n := range sizes {
		if !strings.HasSuffix(name, ".warc.gz") && !strings.HasSuffix(name, ".preuve.json") {
			before += (n + 4095) &^ 4095
		}
	}
	// Room for two whole captures; filled below to leave room for the
	// files before the WARC and half the WARC.
	mnt := tmpfs(t, strconv.FormatInt(2*(before+warc)+1<<20, 10))
	dir := filepath.Join(mnt, "cas")
	mustRun(t, "init", dir, "--protocol", "rdv-indisponible")
	fillTo := func(free int64) { // leave exactly free bytes (page-rounded) on the tmpfs
		var st syscall.Statfs_t
		syscall.Statfs(mnt, &st)
		have := int64(st.Bavail) * int64(st.Bsize)
		if have > free {
			os.WriteFile(filepath.Join(mnt, "lest"), make([]byte, have-free), 0o600)
		}
	}
	fillTo(before + warc/2)
	r := cmdRun(t, nil, "-C", dir, "capture", srv.URL+"/")
	if r.code != 1 || !strings.Contains(r.stderr, "erreur : disque plein") {
		t.Fatalf("disk full during the WARC: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "pieces")); len(left) != 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("files left of the refused piece: %v", names)
	}
	if j, _ := os.ReadFile(filepath.Join(dir, "journal.jsonl")); strings.Contains(string(j), "piece.added") {
		t.Error("the refused capture is in the journal")
	}
	if code := verifyQuiet(dir); code != 0 {
		t.Fatal("verify after a full disk")
	}
	// Room again: the same command works.
	os.Remove(filepath.Join(mnt, "lest"))
	mustRun(t, "-C", dir, "capture", srv.URL+"/")
	if got := savedPieces(t, dir); len(got) != 1 {
		t.Fatalf("pieces after freeing space: %v", got)
	}
}
