package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"anefdossier/protocol"
)

// TestWorkspaceRunDueRecordsMissed: what `serve` runs while it is open. A
// plan whose whole period passed while nothing ran has each of its moments
// recorded as missed, with the time it was due (no browser is needed for
// that); a second run finds nothing due.
func TestWorkspaceRunDueRecordsMissed(t *testing.T) {
	ctx := context.Background()
	cs := newCase(t)
	now := time.Now().UTC().Truncate(time.Second)
	start := now.Add(-72 * time.Hour)
	if _, err := CreatePlan(ctx, cs, NewPlan{URL: "https://exemple.fr/rdv", Every: 6 * time.Hour,
		Start: start, Until: now.Add(-48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ws, err := NewWorkspace(filepath.Dir(cs.Dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	out, err := ws.RunDue(ctx, clock)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 5 { // start, +6h, +12h, +18h, +24h
		t.Fatalf("%d outcomes, want 5: %+v", len(out), out)
	}
	for i, o := range out {
		want := start.Add(time.Duration(i) * 6 * time.Hour)
		if o.Attempt.Outcome != protocol.AttemptMissed || !o.Attempt.Due.Equal(want) {
			t.Errorf("outcome %d: %s due %s, want missed due %s", i, o.Attempt.Outcome, o.Attempt.Due, want)
		}
	}
	plans, err := CasePlans(cs)
	if err != nil || len(plans) != 1 {
		t.Fatalf("plans %v %v", plans, err)
	}
	if pr := plans[0].Progress(now); pr.Missed != 5 || pr.Made != 0 {
		t.Errorf("progress %+v", pr)
	}
	again, err := ws.RunDue(ctx, clock)
	if err != nil || len(again) != 0 {
		t.Errorf("second run: %+v %v", again, err)
	}
}

// TestWorkspaceRunDuePassesOverQuietCases: serve's minute tick reads a case
// again only when its journal has changed or its next planned moment has
// come. To see which cases are read, their out/ is replaced by a file: a
// case read then fails to open and is named in the error; a case passed
// over is not.
func TestWorkspaceRunDuePassesOverQuietCases(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	a, err := InitCase(filepath.Join(root, "a"), "bug-technique", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := InitCase(filepath.Join(root, "b"), "bug-technique", nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().UTC().Truncate(time.Second)
	slot := t0.Add(time.Hour)
	if _, err := CreatePlan(ctx, a, NewPlan{URL: "https://exemple.fr/rdv", Every: 6 * time.Hour, Start: slot, Until: slot.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ws, err := NewWorkspace(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := func(t time.Time) func() time.Time { return func() time.Time { return t } }
	block := func(cs *protocol.Case) {
		t.Helper()
		if err := os.RemoveAll(cs.Path(protocol.OutDir)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cs.Path(protocol.OutDir), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	unblock := func(cs *protocol.Case) {
		t.Helper()
		if err := os.Remove(cs.Path(protocol.OutDir)); err != nil {
			t.Fatal(err)
		}
	}
	read := func(now time.Time) (names []string, outs []RunOutcome) {
		t.Helper()
		outs, err := ws.RunDue(ctx, at(now))
		if err != nil {
			for line := range strings.SplitSeq(err.Error(), "\n") {
				name, _, _ := strings.Cut(line, " : ")
				names = append(names, name)
			}
		}
		return names, outs
	}

	if names, outs := read(t0); len(names) != 0 || len(outs) != 0 {
		t.Fatalf("first run: errors from %v, outcomes %+v", names, outs)
	}
	block(a)
	block(b)
	if names, outs := read(t0.Add(30 * time.Minute)); len(names) != 0 || len(outs) != 0 {
		t.Fatalf("journals unchanged, no moment due: cases %v were read (outcomes %+v)", names, outs)
	}
	// A whole interval after the plan's moment (recorded as missed, no
	// browser needed): case a is read, case b is not.
	later := slot.Add(6 * time.Hour)
	if names, _ := read(later); !slices.Equal(names, []string{"a"}) {
		t.Fatalf("cases read at the plan's moment: %v, want [a]", names)
	}
	unblock(a)
	if names, outs := read(later); len(names) != 0 || len(outs) != 1 || outs[0].Attempt.Outcome != protocol.AttemptMissed {
		t.Fatalf("case a once readable: errors %v, outcomes %+v", names, outs)
	}
	if names, outs := read(later.Add(time.Hour)); len(names) != 0 || len(outs) != 0 {
		t.Fatalf("nothing left to run: errors %v, outcomes %+v", names, outs)
	}
	// Case b's journal grows (another command records a plan): it is read
	// again.
	unblock(b)
	if _, err := CreatePlan(ctx, b, NewPlan{URL: "https://exemple.fr/rdv", Every: 6 * time.Hour, Start: later.Add(24 * time.Hour), Until: later.Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	block(b)
	if names, _ := read(later.Add(time.Hour)); !slices.Equal(names, []string{"b"}) {
		t.Fatalf("cases read after b's journal changed: %v, want [b]", names)
	}
}

// BenchmarkWorkspaceRunDue: serve's minute tick over 1,000 cases (copies of
// one case whose journal holds 50 plans created and stopped, about 27 KB):
// "first" reads every case, "next" is a tick where nothing has changed.
//
//	go test ./app -run '^$' -bench WorkspaceRunDue -benchtime 5x
func BenchmarkWorkspaceRunDue(b *testing.B) {
	ctx := context.Background()
	root := b.TempDir()
	cs, err := InitCase(filepath.Join(root, "c0"), "bug-technique", nil)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for i := range 50 {
		if _, err := CreatePlan(ctx, cs, NewPlan{URL: "https://exemple.fr/rdv", Every: 6 * time.Hour, Start: now.Add(240 * time.Hour), Until: now.Add(480 * time.Hour)}); err != nil {
			b.Fatal(err)
		}
		if _, err := StopPlan(ctx, cs, strconv.Itoa(i+1), "essai"); err != nil {
			b.Fatal(err)
		}
	}
	for i := 1; i < 1000; i++ {
		if err := os.CopyFS(filepath.Join(root, "c"+strconv.Itoa(i)), os.DirFS(cs.Dir)); err != nil {
			b.Fatal(err)
		}
	}
	run := func(b *testing.B, ws *Workspace) {
		if out, err := ws.RunDue(ctx, nil); err != nil || len(out) != 0 {
			b.Fatalf("outcomes %+v, error %v", out, err)
		}
	}
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			ws, err := NewWorkspace(root, nil)
			if err != nil {
				b.Fatal(err)
			}
			run(b, ws)
		}
	})
	b.Run("next", func(b *testing.B) {
		ws, err := NewWorkspace(root, nil)
		if err != nil {
			b.Fatal(err)
		}
		run(b, ws)
		for b.Loop() {
			run(b, ws)
		}
	})
}
