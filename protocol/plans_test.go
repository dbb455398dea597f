package protocol

import (
	"strings"
	"testing"
	"time"
)

func TestCheckPlan(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		p    PlanRecord
		want string
	}{
		{PlanRecord{Every: "30m0s", Start: start, Until: start.Add(48 * time.Hour)}, "au moins une heure"},
		{PlanRecord{Every: "24h0m0s", Start: start, Until: start.Add(-time.Hour)}, "n'est pas après son début"},
		{PlanRecord{Every: "24h0m0s", Start: start, Until: start}, "n'est pas après son début"},
		{PlanRecord{Every: "1h0m0s", Start: start, Until: start.Add(time.Hour)}, ""},
	} {
		err := CheckPlan(c.p)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckPlan(%+v) = %v, want %q", c.p, err, c.want)
		}
	}
}

// A plan's moments, what is due, and its progress in distinct weeks.
func TestPlanDueAndProgress(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday
	rec := PlanRecord{ID: "1", URL: "https://exemple.fr/", Every: (3 * 24 * time.Hour).String(), Start: start, Until: start.Add(21 * 24 * time.Hour)}
	mk := func(typ string, at time.Time, data any) Event {
		e, _, err := NewEvent(GenesisHash, at, typ, data)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	events := []Event{mk(EventPlanCreated, start, rec)}
	p := Plans(events)[0]
	if n := len(p.Slots()); n != 8 {
		t.Fatalf("%d moments, want 8 (every 3 days over 21 days)", n)
	}
	now := start.Add(10 * 24 * time.Hour) // moments 0, 3, 6, 9 days are due
	if due := p.Due(now); len(due) != 4 || !due[3].Equal(start.Add(9*24*time.Hour)) {
		t.Fatalf("due = %v", due)
	}
	events = append(events,
		mk(EventPlanAttempt, now, PlanAttempt{Plan: "1", Due: start, Outcome: AttemptMissed}),
		mk(EventPlanAttempt, now, PlanAttempt{Plan: "1", Due: start.Add(72 * time.Hour), At: start.Add(72 * time.Hour), Outcome: AttemptMade, Piece: 1}),
		mk(EventPlanAttempt, now, PlanAttempt{Plan: "1", Due: start.Add(144 * time.Hour), At: start.Add(144 * time.Hour), Outcome: AttemptFailed, Reason: "x"}),
		mk(EventPlanAttempt, now, PlanAttempt{Plan: "1", Due: start.Add(216 * time.Hour), At: start.Add(217 * time.Hour), Outcome: AttemptMade, Piece: 2}),
	)
	p = Plans(events)[0]
	if due := p.Due(now); len(due) != 0 {
		t.Fatalf("due after recording = %v", due)
	}
	g := p.Progress(now)
	// Made on 5 March (week 10), failed on 8 March (week 10, Sunday), made on 11 March (week 11).
	if g.Made != 2 || g.Failed != 1 || g.Missed != 1 || g.Weeks != 2 || g.Planned != 8 {
		t.Errorf("progress = %+v", g)
	}
	if n := p.Next(now); !n.Equal(start.Add(12 * 24 * time.Hour)) {
		t.Errorf("next = %v", n)
	}
	// Stopping: nothing due after the stop, no next moment.
	events = append(events, mk(EventPlanStopped, now, PlanStop{Plan: "1"}))
	p = Plans(events)[0]
	if due := p.Due(now.Add(30 * 24 * time.Hour)); len(due) != 0 || !p.Next(now).IsZero() || p.Stopped.IsZero() {
		t.Errorf("stopped plan: due %v, next %v", due, p.Next(now))
	}
}
