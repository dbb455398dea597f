package app

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"anefdossier/protocol"
)

func TestCreatePlanRefusesBadInput(t *testing.T) {
	cs := newCase(t)
	ctx := context.Background()
	now := time.Now()
	for _, c := range []struct {
		np   NewPlan
		want string
	}{
		{NewPlan{URL: "https://exemple.fr/", Every: 30 * time.Minute, Until: now.Add(48 * time.Hour)}, "au moins une heure"},
		{NewPlan{URL: "https://exemple.fr/", Every: 24 * time.Hour, Until: now.Add(-time.Hour)}, "n'est pas après son début"},
		{NewPlan{URL: "ftp://exemple.fr/", Every: 24 * time.Hour, Until: now.Add(48 * time.Hour)}, "n'est pas une adresse web"},
	} {
		if _, err := CreatePlan(ctx, cs, c.np); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CreatePlan(%+v) = %v, want %q", c.np, err, c.want)
		}
	}
	if plans, _ := CasePlans(cs); len(plans) != 0 {
		t.Errorf("a refused plan was recorded: %+v", plans)
	}
}

// TestRunDue: a plan started three days ago while the machine was off. One
// run records the three moments missed with their due time and takes the
// last one; two runs at once never take it twice; the next run finds
// nothing due; a stopped plan has nothing due.
func TestRunDue(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("no chromium")
	}
	t.Setenv("HOME", t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rdv" {
			hits.Add(1)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html><head><title>RDV</title></head><body><p>Aucun créneau disponible</p></body></html>"))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	cs := newCase(t)
	ctx := context.Background()
	start := time.Now().Add(-3*24*time.Hour - time.Hour)
	rec, err := CreatePlan(ctx, cs, NewPlan{URL: "http://" + ln.Addr().String() + "/rdv", Title: "Rendez-vous", Every: 24 * time.Hour,
		Start: start, Until: time.Now().Add(10 * 24 * time.Hour), ExpectText: "Aucun créneau"})
	if err != nil {
		t.Fatal(err)
	}
	due, err := DueAttempts([]*protocol.Case{cs}, time.Now())
	if err != nil || len(due) != 1 || len(due[0].Due) != 4 {
		t.Fatalf("due = %+v, %v", due, err)
	}

	var wg sync.WaitGroup
	outs := make([][]RunOutcome, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = RunDue(ctx, cs, nil)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	all := append(outs[0], outs[1]...)
	missed, made := 0, 0
	for _, o := range all {
		switch o.Attempt.Outcome {
		case protocol.AttemptMissed:
			missed++
			if o.Attempt.Due.After(time.Now().Add(-24 * time.Hour)) {
				t.Errorf("missed moment %v is the latest one", o.Attempt.Due)
			}
		case protocol.AttemptMade:
			made++
			if o.Result == nil || o.Attempt.Piece != o.Result.Piece.Number || o.Result.Record.ExpectFound == nil || !*o.Result.Record.ExpectFound {
				t.Errorf("made attempt: %+v", o)
			}
		default:
			t.Errorf("attempt %+v", o.Attempt)
		}
	}
	if missed != 3 || made != 1 || hits.Load() != 1 {
		t.Fatalf("two runs at once: %d missed, %d made, page loaded %d times; want 3, 1, 1 (%+v)", missed, made, hits.Load(), all)
	}
	plans, _ := CasePlans(cs)
	g := plans[0].Progress(time.Now())
	if len(plans[0].Attempts) != 4 || g.Made != 1 || g.Missed != 3 || g.Pending != 0 || g.Weeks != 1 {
		t.Errorf("journal: %+v, progress %+v", plans[0].Attempts, g)
	}
	if out, err := RunDue(ctx, cs, nil); err != nil || len(out) != 0 {
		t.Errorf("second run: %+v %v", out, err)
	}
	// A day later the next moment is due; once the plan is stopped, not.
	later := func() time.Time { return time.Now().Add(24 * time.Hour) }
	if d, _ := DueAttempts([]*protocol.Case{cs}, later()); len(d) != 1 || len(d[0].Due) != 1 {
		t.Errorf("due a day later: %+v", d)
	}
	if _, err := StopPlan(ctx, cs, rec.ID, "rendez-vous obtenu"); err != nil {
		t.Fatal(err)
	}
	if out, err := RunDue(ctx, cs, later); err != nil || len(out) != 0 {
		t.Errorf("run after the stop: %+v %v", out, err)
	}
	if _, err := StopPlan(ctx, cs, rec.ID, ""); err == nil || !strings.Contains(err.Error(), "déjà arrêté") {
		t.Errorf("second stop: %v", err)
	}
	if _, err := StopPlan(ctx, cs, "9", ""); err == nil {
		t.Errorf("stop of an unknown plan accepted")
	}
	rep, err := Verify(cs, VerifyRequest{})
	if err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}
}
