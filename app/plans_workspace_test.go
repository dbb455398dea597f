package app

import (
	"context"
	"path/filepath"
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
