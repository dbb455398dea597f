package main

// Breaking things on purpose (issue 6, docs/RELIABILITY.md): tampering,
// concurrency and crashes, on the real command run as a separate process
// (the test binary answers to the name anef-dossier on $PATH, see TestMain).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"anefdossier/protocol"
	"anefdossier/tsa"
	"anefdossier/tsa/tsatest"
)

type result struct {
	stdout, stderr string
	code           int
	killed         bool
}

// cmdRun runs the command as a separate process.
func cmdRun(t testing.TB, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command("anef-dossier", args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	r := result{stdout: o.String(), stderr: e.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		}
	} else if err != nil {
		t.Fatalf("anef-dossier %v: %v", args, err)
	}
	return r
}

func mustRun(t testing.TB, args ...string) string {
	t.Helper()
	r := cmdRun(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("anef-dossier %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// verifyQuiet runs the checks of verify in-process through the library
// (the command cannot run twice in one process: urfave/cli mutates its
// commands), for thousands of tamperings; verifyProc runs the real command.
func verifyQuiet(dir string) int {
	cs, err := protocol.Open(dir, nil)
	if err != nil {
		return 1
	}
	r, events, err := cs.Verify()
	if err != nil || !r.OK() {
		return 1
	}
	roots, _, _, _ := tsa.VerifyRoots(cs, "")
	for _, ch := range tsa.CheckTokens(cs, events, roots) {
		if !ch.OK {
			return 1
		}
	}
	return 0
}

func verifyProc(t testing.TB, dir string) int {
	return cmdRun(t, nil, "-C", dir, "verify").code
}

var (
	relTSAOnce sync.Once
	relTSA     *tsatest.Authority
)

// localTSA starts one local openssl authority for this test binary.
func localTSA(t testing.TB) *tsatest.Authority {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl absent")
	}
	relTSAOnce.Do(func() {
		dir, err := os.MkdirTemp("", "anef-tsa-")
		if err != nil {
			return
		}
		relTSA, _ = tsatest.Start(dir)
	})
	if relTSA == nil {
		t.Fatal("local TSA did not start")
	}
	return relTSA
}

func writePNG(t testing.TB, path string, seed int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = byte(i*seed + seed)
	}
	img.Set(0, 0, color.RGBA{R: byte(seed), A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

const sampleEML = "From: support@interieur.gouv.fr\r\nTo: dupont@example.fr\r\nSubject: =?utf-8?q?R=C3=A9ponse_CCC?=\r\nDate: Tue, 10 Mar 2026 10:00:00 +0100\r\n\r\nVotre demande est en cours.\r\n"

// buildCase makes a case with 3 pieces (png, txt, eml), a step and, when
// tsaURL is set, one RFC 3161 token per piece.
func buildCase(t testing.TB, dir, tsaURL string) {
	t.Helper()
	src := t.TempDir()
	mustRun(t, "init", dir, "--protocol", "bug-technique")
	writePNG(t, filepath.Join(src, "ecran.png"), 3)
	os.WriteFile(filepath.Join(src, "note.txt"), []byte("Appel au CCC le 10/03/2026, dossier en attente.\n"), 0o600)
	os.WriteFile(filepath.Join(src, "reponse.eml"), []byte(sampleEML), 0o600)
	for _, f := range []string{"ecran.png", "note.txt", "reponse.eml"} {
		mustRun(t, "-C", dir, "piece", "add", filepath.Join(src, f))
	}
	mustRun(t, "-C", dir, "protocol", "done", "ccc", "--channel", "courriel", "--ref", "R-42", "--date", "11/03/2026", "--piece", "3")
	if tsaURL != "" {
		mustRun(t, "-C", dir, "timestamp", "--tsa", tsaURL)
	}
}

// TestTamperingAlwaysDetected changes one byte of every journal line (every
// position), of every piece and token (every position), removes each line
// and swaps each pair of adjacent lines: verify must fail every time.
func TestTamperingAlwaysDetected(t *testing.T) {
	skipShort(t, "toutes les altérations du journal, avec l'autorité d'horodatage openssl")
	a := localTSA(t)
	dir := filepath.Join(t.TempDir(), "cas")
	buildCase(t, dir, a.URL)
	if code := verifyQuiet(dir); code != 0 {
		t.Fatalf("baseline verify: exit %d", code)
	}
	type tally struct{ tried, missed int }
	counts := map[string]*tally{}
	var missed []string
	sampled := 0
	try := func(cat, path, what string, mutate func([]byte) []byte) {
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, mutate(append([]byte(nil), orig...)), 0o600); err != nil {
			t.Fatal(err)
		}
		if counts[cat] == nil {
			counts[cat] = &tally{}
		}
		counts[cat].tried++
		code := verifyQuiet(dir)
		if counts[cat].tried%97 == 1 {
			// sample: the real command agrees with the library
			if pc := verifyProc(t, dir); (pc == 0) != (code == 0) {
				t.Errorf("%s: command exit %d, library %d", what, pc, code)
			}
			sampled++
		}
		if code == 0 {
			counts[cat].missed++
			missed = append(missed, cat+": "+what)
		}
		if err := os.WriteFile(path, orig, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	journal := filepath.Join(dir, protocol.JournalFile)
	data, _ := os.ReadFile(journal)
	lines := bytes.SplitAfter(data, []byte("\n"))
	lines = lines[:len(lines)-1] // trailing empty element
	off := 0
	for li, l := range lines {
		for i := 0; i < len(l); i++ {
			pos := off + i
			try("journal: un octet modifié", journal, fmt.Sprintf("ligne %d octet %d", li+1, i), func(b []byte) []byte { b[pos] ^= 0x01; return b })
		}
		off += len(l)
	}
	for li := range lines {
		try("journal: ligne supprimée", journal, fmt.Sprintf("ligne %d", li+1), func([]byte) []byte {
			var out []byte
			for j, l := range lines {
				if j != li {
					out = append(out, l...)
				}
			}
			return out
		})
	}
	for li := 0; li+1 < len(lines); li++ {
		try("journal: deux lignes interverties", journal, fmt.Sprintf("lignes %d et %d", li+1, li+2), func([]byte) []byte {
			var out []byte
			for j := range lines {
				k := j
				if j == li {
					k = li + 1
				} else if j == li+1 {
					k = li
				}
				out = append(out, lines[k]...)
			}
			return out
		})
	}
	head := filepath.Join(dir, protocol.HeadFile)
	hb, _ := os.ReadFile(head)
	for i := range hb {
		pos := i
		try("journal.head: un octet modifié", head, fmt.Sprintf("octet %d", i), func(b []byte) []byte { b[pos] ^= 0x01; return b })
	}
	// The last line removed, and the head removed with it (or alone).
	try("journal: dernière ligne supprimée", journal, "dernière ligne", func([]byte) []byte { return bytes.Join(lines[:len(lines)-1], nil) })
	try("journal: ligne ajoutée à la fin", journal, "copie de la dernière ligne", func(b []byte) []byte { return append(b, lines[len(lines)-1]...) })
	os.Rename(head, head+".bak")
	try("journal: dernière ligne supprimée", journal, "dernière ligne et journal.head", func([]byte) []byte { return bytes.Join(lines[:len(lines)-1], nil) })
	os.Rename(head+".bak", head)
	entries, _ := os.ReadDir(filepath.Join(dir, protocol.PiecesDir))
	for _, e := range entries {
		p := filepath.Join(dir, protocol.PiecesDir, e.Name())
		cat := "pièce: un octet modifié"
		if strings.HasSuffix(e.Name(), ".tsr") {
			cat = "jeton: un octet modifié"
		}
		b, _ := os.ReadFile(p)
		for _, pos := range sampleBytes(len(b), e.Name()) {
			try(cat, p, fmt.Sprintf("%s octet %d", e.Name(), pos), func(b []byte) []byte { b[pos] ^= 0x01; return b })
		}
		try(cat, p, e.Name()+" tronqué d'un octet", func(b []byte) []byte { return b[:len(b)-1] })
		try(cat, p, e.Name()+" un octet ajouté", func(b []byte) []byte { return append(b, 0) })
	}
	total, miss := 0, 0
	for cat, c := range counts {
		t.Logf("%-36s %5d essais, %d non détectés", cat, c.tried, c.missed)
		total += c.tried
		miss += c.missed
	}
	t.Logf("TOTAL %d altérations, %d non détectées (%d recoupées par la commande elle-même)", total, miss, sampled)
	if miss > 0 {
		t.Errorf("%d altérations non détectées, dont : %v", miss, missed[:min(len(missed), 10)])
	}
}

// sampleBytes chooses the bytes of a piece or token that the tampering test
// flips: the first and last 16, the middle one and 16 others spread by a
// generator seeded with the file name (the same on every run). A stored
// file is checked by its SHA-256 as a whole: flipping every byte of it tests
// SHA-256, not the tool; the journal and its head, which the tool parses,
// are flipped exhaustively.
func sampleBytes(n int, name string) []int {
	seen := map[int]bool{}
	var out []int
	add := func(i int) {
		if i >= 0 && i < n && !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	for i := 0; i < 16; i++ {
		add(i)
		add(n - 1 - i)
	}
	add(n / 2)
	h := fnv.New64a()
	h.Write([]byte(name))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0))
	for i := 0; i < 16 && n > 0; i++ {
		add(rng.IntN(n))
	}
	sort.Ints(out)
	return out
}

// TestConcurrentCommands runs piece add, protocol done and timestamp in
// parallel on one case: every command succeeds, no event is lost or
// interleaved, the chain stays valid.
func TestConcurrentCommands(t *testing.T) {
	skipShort(t, "commandes concurrentes lancées comme processus")
	a := localTSA(t)
	const rounds, adds, dones, stamps = 3, 10, 5, 3
	for r := 0; r < rounds; r++ {
		dir := filepath.Join(t.TempDir(), "cas")
		mustRun(t, "init", dir, "--protocol", "bug-technique")
		src := t.TempDir()
		want := map[string]bool{}
		for i := 0; i < adds; i++ {
			p := filepath.Join(src, fmt.Sprintf("piece%02d.txt", i))
			content := fmt.Sprintf("pièce %d de la série %d\n", i, r)
			os.WriteFile(p, []byte(content), 0o600)
			want[protocol.HashBytes([]byte(content))] = true
		}
		var wg sync.WaitGroup
		errs := make(chan string, adds+dones+stamps)
		launch := func(args ...string) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := cmdRun(t, nil, args...)
				if res.code != 0 {
					errs <- fmt.Sprintf("%v: exit %d %s", args, res.code, res.stderr)
				}
			}()
		}
		for i := 0; i < adds; i++ {
			launch("-C", dir, "piece", "add", filepath.Join(src, fmt.Sprintf("piece%02d.txt", i)))
		}
		for i := 0; i < dones; i++ {
			launch("-C", dir, "protocol", "done", "pan", "--date", fmt.Sprintf("%02d/03/2026", 10+i))
		}
		for i := 0; i < stamps; i++ {
			launch("-C", dir, "timestamp", "--tsa", a.URL)
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			// timestamp may find nothing left to stamp or a piece not yet
			// added; it must never fail for another reason.
			if !strings.Contains(e, "timestamp") {
				t.Error(e)
			}
		}
		events, err := protocol.ReadJournal(filepath.Join(dir, protocol.JournalFile))
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
		nums := map[int]bool{}
		got := map[string]bool{}
		steps := 0
		for _, e := range events {
			switch e.Type {
			case protocol.EventPiece:
				var p protocol.Piece
				e.Decode(&p)
				if nums[p.Number] {
					t.Errorf("round %d: piece number %d twice", r, p.Number)
				}
				nums[p.Number] = true
				got[p.Main().SHA256] = true
			case protocol.EventStepDone:
				steps++
			}
		}
		if len(nums) != adds || len(got) != adds || steps != dones {
			t.Errorf("round %d: %d pieces (%d distinct contents), %d steps; want %d, %d", r, len(nums), len(got), steps, adds, dones)
		}
		for h := range want {
			if !got[h] {
				t.Errorf("round %d: content %s lost", r, h[:12])
			}
		}
		if code := verifyQuiet(dir); code != 0 {
			t.Errorf("round %d: verify exit %d", r, code)
		}
		t.Logf("round %d: %d events, %d pieces, %d steps, chain valid", r, len(events), len(nums), steps)
	}
}

// crashCase is one SIGKILL experiment.
type crashCase struct {
	name  string
	point string
	args  func(dir, src, tsa string) []string
}

func pieceAdd(dir, src, _ string) []string {
	return []string{"-C", dir, "piece", "add", filepath.Join(src, "nouvelle.png")}
}
func stepDone(dir, _, _ string) []string {
	return []string{"-C", dir, "protocol", "done", "pan", "--date", "12/03/2026"}
}
func stamp(dir, _, tsa string) []string { return []string{"-C", dir, "timestamp", "--tsa", tsa} }

var crashCases = []crashCase{
	{"piece add", "once.temp-cree", pieceAdd},
	{"piece add", "once.ecrit", pieceAdd},
	{"piece add", "once.synchronise", pieceAdd},
	{"piece add", "once.lie", pieceAdd},
	{"piece add", "once.temp-supprime", pieceAdd},
	{"piece add", "piece.fichiers-ecrits", pieceAdd},
	{"piece add", "journal.avant-ecriture", pieceAdd},
	{"piece add", "journal.ecriture-partielle", pieceAdd},
	{"piece add", "journal.ecrit", pieceAdd},
	{"piece add", "journal.synchronise", pieceAdd},
	{"piece add", "piece.inscrite", pieceAdd},
	{"piece add", "replace.ecrit", pieceAdd},
	{"piece add", "replace.renomme", pieceAdd},
	{"protocol done", "journal.avant-ecriture", stepDone},
	{"protocol done", "journal.ecriture-partielle", stepDone},
	{"protocol done", "journal.ecrit", stepDone},
	{"protocol done", "journal.synchronise", stepDone},
	{"protocol done", "replace.ecrit", stepDone},
	{"timestamp", "once.temp-cree", stamp},
	{"timestamp", "once.ecrit", stamp},
	{"timestamp", "once.synchronise", stamp},
	{"timestamp", "once.lie", stamp},
	{"timestamp", "journal.ecriture-partielle", stamp},
	{"timestamp", "journal.synchronise", stamp},
}

// TestCrashAtEveryPoint kills the command with SIGKILL at each named point
// of its write path (protocol/crash.go), then checks: verify passes or names
// the interrupted write, verify --repair restores a valid case, no piece
// reported saved is missing, no byte written is lost, the case stays usable.
func TestCrashAtEveryPoint(t *testing.T) {
	skipShort(t, "arrêts brutaux à chaque point nommé")
	a := localTSA(t)
	base := filepath.Join(t.TempDir(), "base")
	buildCase(t, base, "")
	src := t.TempDir()
	writePNG(t, filepath.Join(src, "nouvelle.png"), 7)
	newSum, _, _ := protocol.HashFile(filepath.Join(src, "nouvelle.png"))
	for i, cc := range crashCases {
		t.Run(fmt.Sprintf("%02d-%s-%s", i+1, strings.ReplaceAll(cc.name, " ", "-"), cc.point), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cas")
			copyTree(t, base, dir)
			before := savedPieces(t, dir)
			res := cmdRun(t, []string{"ANEF_DOSSIER_CRASH_AT=" + cc.point}, cc.args(dir, src, a.URL)...)
			if !res.killed {
				t.Fatalf("not killed at %s: exit %d\n%s%s", cc.point, res.code, res.stdout, res.stderr)
			}
			v := cmdRun(t, nil, "-C", dir, "verify")
			diag := "passe"
			if v.code != 0 {
				switch {
				case strings.Contains(v.stdout, "dernière ligne incomplète"):
					diag = "dernière ligne incomplète nommée"
				case strings.Contains(v.stdout, "Fichier non inscrit au journal"):
					diag = "fichier orphelin nommé"
				case strings.Contains(v.stdout, "Fichier temporaire laissé"):
					diag = "fichier temporaire nommé"
				case strings.Contains(v.stdout, "journal.head a un événement de retard"):
					diag = "tête du journal en retard d'un événement nommée"
				default:
					t.Fatalf("verify fails without naming the interrupted write:\n%s", v.stdout)
				}
				if !strings.Contains(v.stderr, "verify --repair") {
					t.Errorf("hint does not name verify --repair: %s", v.stderr)
				}
			}
			r := cmdRun(t, nil, "-C", dir, "verify", "--repair")
			if r.code != 0 {
				t.Fatalf("verify --repair: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			after := savedPieces(t, dir)
			for n, sum := range before {
				if after[n] != sum {
					t.Errorf("piece n°%d reported saved before the crash is missing or changed after repair", n)
				}
			}
			// The new piece's bytes are never lost once written: in pieces/
			// as a recorded piece, or in pieces/orphelins/.
			if cc.name == "piece add" && cc.point != "once.temp-cree" && cc.point != "once.ecrit" {
				if !hasContent(t, filepath.Join(dir, protocol.PiecesDir), newSum) {
					t.Errorf("bytes of the new piece lost")
				}
			}
			// Still usable: one more piece, then verify passes.
			mustRun(t, "-C", dir, "piece", "add", filepath.Join(src, "nouvelle.png"))
			if code := verifyQuiet(dir); code != 0 {
				t.Errorf("verify after a new piece: exit %d", code)
			}
			t.Logf("%s tué à %s : verify %s ; --repair : %s", cc.name, cc.point, diag, oneLine(r.stdout))
		})
	}
}

// TestCrashDuringRepairAndInit covers the remaining points: a crash during
// verify --repair itself (after the quarantine copy, before truncation) and
// during init.
func TestCrashDuringRepairAndInit(t *testing.T) {
	skipShort(t, "arrêts brutaux pendant repair et init")
	dir := filepath.Join(t.TempDir(), "cas")
	buildCase(t, dir, "")
	src := t.TempDir()
	writePNG(t, filepath.Join(src, "nouvelle.png"), 9)
	before := savedPieces(t, dir)
	if res := cmdRun(t, []string{"ANEF_DOSSIER_CRASH_AT=journal.ecriture-partielle"}, pieceAdd(dir, src, "")...); !res.killed {
		t.Fatal("not killed")
	}
	if res := cmdRun(t, []string{"ANEF_DOSSIER_CRASH_AT=quarantaine.copiee"}, "-C", dir, "verify", "--repair"); !res.killed {
		t.Fatalf("repair not killed: %+v", res)
	}
	v := cmdRun(t, nil, "-C", dir, "verify")
	if v.code == 0 || !strings.Contains(v.stdout, "dernière ligne incomplète") {
		t.Fatalf("after a crash in repair, verify should still name the incomplete line:\n%s", v.stdout)
	}
	if r := cmdRun(t, nil, "-C", dir, "verify", "--repair"); r.code != 0 {
		t.Fatalf("second repair: %+v", r)
	}
	q, _ := filepath.Glob(filepath.Join(dir, "journal.quarantaine-*"))
	if len(q) < 1 {
		t.Fatal("quarantine file missing")
	}
	for n, sum := range before {
		if savedPieces(t, dir)[n] != sum {
			t.Errorf("piece %d lost", n)
		}
	}
	// init builds the case in a hidden sibling folder and renames it at the
	// end: killed at any point, it leaves nothing under the name asked, and
	// init can be run again.
	for _, point := range []string{"init.yaml-ecrit", "journal.ecriture-partielle", "journal.synchronise"} {
		idir := filepath.Join(t.TempDir(), "neuf")
		if res := cmdRun(t, []string{"ANEF_DOSSIER_CRASH_AT=" + point}, "init", idir, "--protocol", "bug-technique"); !res.killed {
			t.Fatalf("init not killed at %s", point)
		}
		if _, err := os.Stat(idir); !os.IsNotExist(err) {
			t.Fatalf("%s: a half-made case is left under its name (%v)", point, err)
		}
		v := cmdRun(t, nil, "-C", idir, "verify")
		if v.code == 0 || !strings.Contains(v.stderr, "journal.jsonl absent") {
			t.Fatalf("%s: verify on a case never created: %+v", point, v)
		}
		if r := cmdRun(t, nil, "init", idir, "--protocol", "bug-technique"); r.code != 0 {
			t.Fatalf("%s: init again: %+v", point, r)
		}
		if v := cmdRun(t, nil, "-C", idir, "verify"); v.code != 0 {
			t.Fatalf("%s: verify after init again: %+v", point, v)
		}
	}
}

// TestCrashRandomKill kills `piece add` of an 8 MB file at random moments
// (SIGKILL from outside), 30 times; the invariants are those above.
func TestCrashRandomKill(t *testing.T) {
	skipShort(t, "arrêts brutaux aléatoires")
	if testing.Short() {
		t.Skip("short")
	}
	dir := filepath.Join(t.TempDir(), "cas")
	buildCase(t, dir, "")
	src := t.TempDir()
	big := filepath.Join(src, "gros.txt")
	b := bytes.Repeat([]byte("capture ANEF bloquée, ligne de texte pour un gros fichier\n"), 8<<20/58)
	os.WriteFile(big, b, 0o600)
	start := time.Now()
	mustRun(t, "-C", dir, "piece", "add", big)
	full := time.Since(start)
	saved := savedPieces(t, dir)
	rng := rand.New(rand.NewPCG(6, 6))
	killed, completed, repaired := 0, 0, 0
	for i := 0; i < 30; i++ {
		delay := time.Duration(rng.Int64N(int64(full)*3/2 + 1))
		cmd := exec.Command("anef-dossier", "-C", dir, "piece", "add", big)
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		} else {
			completed++
		}
		reported := 0
		if m := reAdded.FindStringSubmatch(out.String()); m != nil {
			reported, _ = strconv.Atoi(m[1])
		}
		if verifyQuiet(dir) != 0 {
			r := cmdRun(t, nil, "-C", dir, "verify", "--repair")
			if r.code != 0 {
				t.Fatalf("iteration %d: repair failed: %s%s", i, r.stdout, r.stderr)
			}
			repaired++
		}
		now := savedPieces(t, dir)
		for n, sum := range saved {
			if now[n] != sum {
				t.Fatalf("iteration %d: piece %d lost", i, n)
			}
		}
		if reported > 0 && now[reported] == "" {
			t.Fatalf("iteration %d: piece %d reported saved, then missing", i, reported)
		}
		saved = now
	}
	t.Logf("30 SIGKILL aléatoires pendant piece add (8 Mo, durée normale %v) : %d tués en cours, %d terminés avant le signal, %d réparations, 0 pièce perdue, %d pièces au final",
		full.Round(time.Millisecond), killed, completed, repaired, len(saved))
}

var reAdded = regexp.MustCompile(`Pièce n°(\d+) ajoutée`)

// savedPieces returns number -> SHA-256 of the pieces whose file is intact.
func savedPieces(t testing.TB, dir string) map[int]string {
	t.Helper()
	r := cmdRun(t, nil, "-C", dir, "piece", "list", "--json")
	if r.code != 0 {
		t.Fatalf("piece list: exit %d %s", r.code, r.stderr)
	}
	var ps []pieceJSON
	if err := json.Unmarshal([]byte(r.stdout), &ps); err != nil {
		t.Fatal(err)
	}
	m := map[int]string{}
	for _, p := range ps {
		sum, _, err := protocol.HashFile(filepath.Join(dir, filepath.FromSlash(p.Files[0].Path)))
		if err == nil && sum == p.Files[0].SHA256 {
			m[p.Number] = sum
		}
	}
	return m
}

func hasContent(t testing.TB, root, sum string) bool {
	found := false
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if s, _, _ := protocol.HashFile(p); s == sum {
				found = true
			}
		}
		return nil
	})
	return found
}

func copyTree(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCrashRender kills `render dossier` and `render telerecours` while they
// write out/ (atomic replace: temp file, fsync, rename): the journal is never
// touched, verify passes, a final output is either absent or whole, and a
// new render works.
func TestCrashRender(t *testing.T) {
	skipShort(t, "arrêts brutaux pendant le rendu")
	example := "../../examples/cas-exemple"
	if _, err := os.Stat(filepath.Join(example, protocol.JournalFile)); err != nil {
		t.Skip("example case absent")
	}
	env := []string{"ANEF_DOSSIER_TEST_NOW=2026-03-26T09:00:00+01:00"}
	// render dossier streams its PDF through its own temp file + rename
	// (render/write.go), outside protocol's crash points: it is killed at
	// random moments instead (TestCrashRenderRandom).
	cases := []struct{ what, point string }{
		{"telerecours", "replace.ecrit#1"},
		{"telerecours", "replace.ecrit#3"},
		{"telerecours", "replace.renomme#5"},
	}
	for _, cc := range cases {
		t.Run(cc.what+"-"+cc.point, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cas")
			copyTree(t, example, dir)
			journal, _ := os.ReadFile(filepath.Join(dir, protocol.JournalFile))
			res := cmdRun(t, append(env, "ANEF_DOSSIER_CRASH_AT="+cc.point), "-C", dir, "render", cc.what)
			if !res.killed {
				t.Fatalf("not killed: exit %d %s", res.code, res.stderr)
			}
			after, _ := os.ReadFile(filepath.Join(dir, protocol.JournalFile))
			if !bytes.Equal(journal, after) {
				t.Fatal("render changed the journal")
			}
			if v := cmdRun(t, nil, "-C", dir, "verify"); v.code != 0 {
				t.Fatalf("verify after a render crash: %s", v.stdout)
			}
			if cc.what == "dossier" {
				if b, err := os.ReadFile(filepath.Join(dir, "out", "dossier.pdf")); err == nil && !bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF")) {
					t.Fatal("half-written out/dossier.pdf")
				}
			}
			r := cmdRun(t, env, "-C", dir, "render", cc.what)
			if r.code != 0 {
				t.Fatalf("render after the crash: %s", r.stderr)
			}
			t.Logf("render %s tué à %s : journal intact, verify passe, nouveau rendu correct", cc.what, cc.point)
		})
	}
}

// TestCrashCapture kills `capture` (real Chromium, local page) while it
// stores the piece's five files and its event.
func TestCrashCapture(t *testing.T) {
	skipShort(t, "arrêts brutaux pendant une capture Chromium")
	if chromiumPath() == "" {
		t.Skip("Chromium absent")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html><head><meta charset="utf-8"><title>ANEF</title></head><body><h1>Service indisponible</h1></body></html>`)
	}))
	defer srv.Close()
	base := filepath.Join(t.TempDir(), "base")
	buildCase(t, base, "")
	for _, point := range []string{"once.lie#2", "once.temp-cree#4", "piece.fichiers-ecrits", "journal.ecriture-partielle", "journal.synchronise"} {
		t.Run(point, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cas")
			copyTree(t, base, dir)
			before := savedPieces(t, dir)
			res := cmdRun(t, []string{"ANEF_DOSSIER_CRASH_AT=" + point}, "-C", dir, "capture", srv.URL+"/")
			if !res.killed {
				t.Fatalf("not killed: exit %d %s", res.code, res.stderr)
			}
			v := cmdRun(t, nil, "-C", dir, "verify")
			if v.code != 0 && !strings.Contains(v.stdout, "dernière ligne incomplète") && !strings.Contains(v.stdout, "Fichier non inscrit") &&
				!strings.Contains(v.stdout, "Fichier temporaire") && !strings.Contains(v.stdout, "journal.head a un événement de retard") {
				t.Fatalf("verify does not name the interrupted write:\n%s", v.stdout)
			}
			if r := cmdRun(t, nil, "-C", dir, "verify", "--repair"); r.code != 0 {
				t.Fatalf("repair: %s%s", r.stdout, r.stderr)
			}
			after := savedPieces(t, dir)
			for n, sum := range before {
				if after[n] != sum {
					t.Errorf("piece %d lost", n)
				}
			}
			t.Logf("capture tuée à %s : verify %s, --repair rétablit un dossier valide, %d pièces", point, map[bool]string{true: "passe", false: "nomme l'écriture interrompue"}[v.code == 0], len(after))
		})
	}
}

// TestCrashRenderRandom kills `render dossier` at 12 random moments: the
// journal is never touched, out/dossier.pdf is absent or whole, verify
// passes, a new render works.
func TestCrashRenderRandom(t *testing.T) {
	skipShort(t, "arrêts brutaux aléatoires pendant le rendu")
	example := "../../examples/cas-exemple"
	if _, err := os.Stat(filepath.Join(example, protocol.JournalFile)); err != nil {
		t.Skip("example case absent")
	}
	env := append(os.Environ(), "ANEF_DOSSIER_TEST_NOW=2026-03-26T09:00:00+01:00")
	dir := filepath.Join(t.TempDir(), "cas")
	copyTree(t, example, dir)
	journal, _ := os.ReadFile(filepath.Join(dir, protocol.JournalFile))
	start := time.Now()
	if r := cmdRun(t, []string{"ANEF_DOSSIER_TEST_NOW=2026-03-26T09:00:00+01:00"}, "-C", dir, "render", "dossier"); r.code != 0 {
		t.Fatalf("render: %s", r.stderr)
	}
	full := time.Since(start)
	os.Remove(filepath.Join(dir, "out", "dossier.pdf"))
	rng := rand.New(rand.NewPCG(4, 4))
	killed, whole := 0, 0
	for i := 0; i < 12; i++ {
		cmd := exec.Command("anef-dossier", "-C", dir, "render", "dossier")
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(full))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		}
		after, _ := os.ReadFile(filepath.Join(dir, protocol.JournalFile))
		if !bytes.Equal(journal, after) {
			t.Fatal("render changed the journal")
		}
		if b, err := os.ReadFile(filepath.Join(dir, "out", "dossier.pdf")); err == nil {
			if !bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF")) {
				t.Fatalf("iteration %d: half-written out/dossier.pdf", i)
			}
			whole++
		}
		if code := verifyQuiet(dir); code != 0 {
			t.Fatalf("iteration %d: verify fails", i)
		}
	}
	if r := cmdRun(t, []string{"ANEF_DOSSIER_TEST_NOW=2026-03-26T09:00:00+01:00"}, "-C", dir, "render", "dossier"); r.code != 0 {
		t.Fatalf("render after the crashes: %s", r.stderr)
	}
	t.Logf("12 SIGKILL aléatoires pendant render dossier (durée normale %v) : %d tués en cours, journal inchangé, out/dossier.pdf absent ou complet (%d fois présent), verify passe, nouveau rendu correct",
		full.Round(time.Millisecond), killed, whole)
}
