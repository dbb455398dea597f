package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"anefdossier/protocol"
	"anefdossier/templates"
)

// genOptions shape the cases of [genCases].
type genOptions struct {
	Events int // events per case
	Pieces int // pieces per case among them; 0: Events/2 - 1
	// AllSteps records every step in order (until a step with a choice);
	// otherwise each case stops at another step, so that next steps and
	// deadlines vary.
	AllSteps bool
	// Summaries: take and release each case's lock as a command does,
	// which writes the case's summary.
	Summaries bool
	// DossierTmpl is the dossier.yaml template to fill; nil means the
	// embedded one, the one init writes.
	DossierTmpl []byte
}

// genCases writes n case folders below root, spread over the embedded
// protocols, with a filled dossier.yaml (written from the same commented
// template as init) and a valid hash-chained journal of captures, step
// records and notes (the piece files themselves are not written). It writes
// the files directly (no fsync, no lock, so 1,000 cases take a few seconds).
func genCases(tb testing.TB, root string, n int, o genOptions) {
	tb.Helper()
	events, summaries := o.Events, o.Summaries
	npieces := o.Pieces
	if npieces == 0 {
		npieces = events/2 - 1
	}
	raw := o.DossierTmpl
	if raw == nil {
		var err error
		if raw, err = fs.ReadFile(templates.FS, "dossier.yaml.tmpl"); err != nil {
			tb.Fatal(err)
		}
	}
	tmpl := template.Must(template.New("d").Parse(string(raw)))
	ids := protocol.Protocols(nil)
	protos := make([]*protocol.Protocol, len(ids))
	for i, id := range ids {
		var err error
		if protos[i], err = protocol.LoadProtocol(nil, id); err != nil {
			tb.Fatal(err)
		}
	}
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		p := protos[i%len(protos)]
		dir := filepath.Join(root, fmt.Sprintf("asso-%02d", i%10), fmt.Sprintf("cas-%04d", i))
		if err := os.MkdirAll(filepath.Join(dir, protocol.PiecesDir), 0o700); err != nil {
			tb.Fatal(err)
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, map[string]string{"Protocol": p.ID, "Protocols": strings.Join(ids, ", ")}); err != nil {
			tb.Fatal(err)
		}
		start := base.AddDate(0, 0, i%90)
		y := buf.String()
		y = strings.Replace(y, `  nom: ""`, fmt.Sprintf(`  nom: "NOM%04d"`, i), 1)
		y = strings.Replace(y, `  prenoms: ""`, `  prenoms: "Prénom Second"`, 1)
		y = strings.Replace(y, `  nature: ""`, `  nature: renouvellement`, 1)
		y = strings.Replace(y, `date_expiration_titre: ""`, fmt.Sprintf(`date_expiration_titre: "%s"`, start.AddDate(0, 5, 0).Format("2006-01-02")), 1)
		y = strings.Replace(y, `date_depot: ""`, fmt.Sprintf(`date_depot: "%s"`, start.Format("02/01/2006")), 1)
		if err := os.WriteFile(filepath.Join(dir, protocol.DossierFile), []byte(y), 0o600); err != nil {
			tb.Fatal(err)
		}
		var j bytes.Buffer
		prev := protocol.GenesisHash
		clock := start
		add := func(typ string, data any) {
			clock = clock.Add(7 * time.Hour)
			ev, line, err := protocol.NewEvent(prev, clock, typ, data)
			if err != nil {
				tb.Fatal(err)
			}
			prev = ev.Hash
			j.Write(line)
			j.WriteByte('\n')
		}
		add(protocol.EventCreated, protocol.CreatedData{Protocol: p.ID, Tool: "bench"})
		count := 1
		pieces := 0
		// Pieces as the capture command records them (the same recipe:
		// protocol.NewCapture), with small stand-in images.
		found := true
		for ; pieces < npieces && count < events; count++ {
			pieces++
			rec := &protocol.CaptureRecord{Tool: "bench", Mode: protocol.ModeHeadless, URLRequested: "https://www.exemple-prefecture.gouv.fr/booking/create/12345/0",
				FinalURL: "https://www.exemple-prefecture.gouv.fr/booking/create/12345/1", Status: 200, ServerIP: "192.0.2.10",
				TLS: &protocol.TLSInfo{Issuer: "CN=Certigna Services CA, O=Dhimyotis, C=FR"}, Shot: clock,
				ExpectText: "Aucun créneau disponible", ExpectFound: &found, PageTitle: "Prendre rendez-vous - Les services de l'État"}
			np, err := protocol.NewCapture{Record: rec, Bannered: []byte("png bannered"), Raw: []byte("png raw"), MHTML: []byte("mhtml"),
				Body: []byte("<html></html>"), BodyExt: ".html", Title: "Capture de la page de rendez-vous de la préfecture"}.Piece()
			if err != nil {
				tb.Fatal(err)
			}
			pc, err := np.Stored(pieces)
			if err != nil {
				tb.Fatal(err)
			}
			add(protocol.EventPiece, pc)
		}
		// Record the steps in order, one record per channel, stopping before
		// the end for most cases so that next steps and deadlines vary.
		stop := i % (len(p.Steps) + 1)
		if o.AllSteps {
			stop = len(p.Steps)
		}
	steps:
		for si, st := range p.Steps {
			if si >= stop || len(st.AnyOf) > 0 {
				break
			}
			chans := st.Channels
			if len(chans) == 0 {
				chans = []protocol.Channel{{}}
			}
			for _, ch := range chans {
				if count >= events-1 {
					break steps
				}
				d := clock
				add(protocol.EventStepDone, protocol.StepRecord{Step: st.ID, Channel: ch.ID, Ref: "REF-2026-0042", Date: &d, Pieces: []int{1}})
				count++
			}
		}
		for ; count < events; count++ {
			add(protocol.EventNote, protocol.NoteRecord{Text: "appel au CCC sans réponse, à rappeler"})
		}
		if err := os.WriteFile(filepath.Join(dir, protocol.JournalFile), j.Bytes(), 0o600); err != nil {
			tb.Fatal(err)
		}
		if summaries {
			// What the last command on the case leaves: its summary, written
			// when the transaction ends.
			tx, err := (&protocol.Case{Dir: dir}).Begin(context.Background())
			if err != nil {
				tb.Fatal(err)
			}
			tx.Close()
		}
	}
}

// BenchmarkList: `list` over 1,000 cases of 50 events, the real binary
// (process start included), from the summaries and folding every case
// (--no-cache).
// go test ./cmd/anef-dossier -run '^$' -bench List -benchtime 20x
func BenchmarkList(b *testing.B) {
	root := b.TempDir()
	genCases(b, root, 1000, genOptions{Events: 50, Summaries: true})
	bin := filepath.Join(b.TempDir(), "anef-dossier")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	env := os.Environ()
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"resumes", []string{"list", root}},
		{"sans-resume", []string{"list", root, "--no-cache"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				listOnce(b, bin, env, bc.args)
			}
		})
	}
}

func listOnce(b *testing.B, bin string, env, args []string) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v: %s", err, stderr.String())
	}
}

// TestGenerateListCases writes the benchmark's cases into $ANEF_BENCH_GEN for
// bench/list.sh and bench/serve.sh, which time the real binary on them:
// $ANEF_BENCH_CASES cases (default 1,000) of $ANEF_BENCH_EVENTS events
// (default 50) of which $ANEF_BENCH_PIECES pieces (default: about half),
// with their summaries unless ANEF_BENCH_SUMMARIES=0, every step recorded when
// ANEF_BENCH_ALL_STEPS=1. ANEF_BENCH_TEMPLATE names another dossier.yaml
// template: bench/list.sh gives the reference version's, so that both
// versions read the same cases (an older version refuses keys added since).
func TestGenerateListCases(t *testing.T) {
	dir := os.Getenv("ANEF_BENCH_GEN")
	if dir == "" {
		t.Skip("ANEF_BENCH_GEN not set")
	}
	num := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("%s=%q", name, v)
		}
		if n == 0 {
			return def
		}
		return n
	}
	var tmpl []byte
	if p := os.Getenv("ANEF_BENCH_TEMPLATE"); p != "" {
		var err error
		if tmpl, err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	}
	genCases(t, dir, num("ANEF_BENCH_CASES", 1000), genOptions{Events: num("ANEF_BENCH_EVENTS", 50), Pieces: num("ANEF_BENCH_PIECES", 0),
		AllSteps: os.Getenv("ANEF_BENCH_ALL_STEPS") == "1", Summaries: os.Getenv("ANEF_BENCH_SUMMARIES") != "0", DossierTmpl: tmpl})
}
