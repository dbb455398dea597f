package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"anefdossier/capture"
	"anefdossier/protocol"
)

// Attempt plans (see protocol/plans.go): CreatePlan records one, DueAttempts
// lists what is due across cases, RunDue runs it. The command line
// (`capture plan`, `due`, `run-due`, called by the system's scheduler) and
// the web interface (while it is open) call these same functions.

// NewPlan is what `capture plan` asks for.
type NewPlan struct {
	URL        string
	Title      string
	Every      time.Duration
	Start      time.Time // zero: now
	Until      time.Time
	ExpectText string
	FullPage   bool
}

// CreatePlan checks a plan and records it in the journal (plan.created).
// Plans are numbered 1, 2, … in the case.
func CreatePlan(ctx context.Context, cs *protocol.Case, np NewPlan) (protocol.PlanRecord, error) {
	u, err := capture.CheckURL(np.URL)
	if err != nil {
		return protocol.PlanRecord{}, err
	}
	start := np.Start
	if start.IsZero() {
		start = protocol.Now()
	}
	rec := protocol.PlanRecord{URL: u.String(), Title: np.Title, Every: np.Every.String(), Start: start.UTC().Truncate(time.Second),
		Until: np.Until.UTC(), ExpectText: np.ExpectText, FullPage: np.FullPage}
	if err := protocol.CheckPlan(rec); err != nil {
		return protocol.PlanRecord{}, err
	}
	tx, err := cs.Begin(ctx)
	if err != nil {
		return protocol.PlanRecord{}, err
	}
	defer tx.Close()
	rec.ID = strconv.Itoa(len(protocol.Plans(tx.Events())) + 1)
	if _, err := tx.Append(protocol.EventPlanCreated, rec); err != nil {
		return protocol.PlanRecord{}, err
	}
	return rec, nil
}

// StopPlan ends a plan (plan.stopped): no attempt is due after now.
func StopPlan(ctx context.Context, cs *protocol.Case, id, reason string) (*protocol.PlanState, error) {
	tx, err := cs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	for _, p := range protocol.Plans(tx.Events()) {
		if p.ID != id {
			continue
		}
		if !p.Stopped.IsZero() {
			return nil, fmt.Errorf("le plan n°%s est déjà arrêté depuis le %s", id, protocol.FrDateTime(p.Stopped))
		}
		// The moments already due and not taken are closed first, so that
		// no capture is ever made for a plan after it was stopped and the
		// plan's record names every moment.
		for _, d := range p.Due(protocol.Now()) {
			if _, err := tx.Append(protocol.EventPlanAttempt, protocol.PlanAttempt{Plan: id, Due: d, Outcome: protocol.AttemptMissed,
				Reason: "plan arrêté avant que cette tentative soit faite"}); err != nil {
				return nil, err
			}
		}
		if _, err := tx.Append(protocol.EventPlanStopped, protocol.PlanStop{Plan: id, Reason: reason}); err != nil {
			return nil, err
		}
		for _, q := range protocol.Plans(tx.Events()) {
			if q.ID == id {
				return q, nil
			}
		}
	}
	return nil, fmt.Errorf("plan n°%s : %w", id, protocol.ErrNoPlan)
}

// CasePlans returns the plans of a case.
func CasePlans(cs *protocol.Case) ([]*protocol.PlanState, error) {
	events, err := protocol.ReadJournal(cs.Path(protocol.JournalFile))
	if err != nil {
		return nil, err
	}
	return protocol.Plans(events), nil
}

// DueItem is a plan of a case with attempts due.
type DueItem struct {
	Case *protocol.Case
	Plan *protocol.PlanState
	Due  []time.Time // the moments due, oldest first
}

// DueAttempts lists the plans with attempts due at now, across cases.
func DueAttempts(cases []*protocol.Case, now time.Time) ([]DueItem, error) {
	var out []DueItem
	for _, cs := range cases {
		plans, err := CasePlans(cs)
		if err != nil {
			return nil, fmt.Errorf("%s : %w", cs.Dir, err)
		}
		for _, p := range plans {
			if due := p.Due(now); len(due) > 0 {
				out = append(out, DueItem{Case: cs, Plan: p, Due: due})
			}
		}
	}
	return out, nil
}

// RunOutcome is what RunDue did for one moment of a plan.
type RunOutcome struct {
	Case    string
	Plan    string
	Attempt protocol.PlanAttempt
	Result  *CaptureResult // when the capture was made
}

// RunDue runs the attempts due in one case, each under the case's lock:
// a moment is looked up again once the lock is held, so that two runs at
// once (the scheduler and the web interface, or the scheduler started
// twice) never take the same attempt twice. Of the moments due, all but
// the last are recorded as missed with the time they were due (the machine
// was off); the last is taken now, unless a whole interval has passed
// since (then it is missed too). A failed capture is recorded as failed,
// with its reason; the run goes on.
func RunDue(ctx context.Context, cs *protocol.Case, now func() time.Time) ([]RunOutcome, error) {
	if now == nil {
		now = protocol.Now
	}
	plans, err := CasePlans(cs)
	if err != nil {
		return nil, err
	}
	var out []RunOutcome
	for _, p := range plans {
		if len(p.Due(now())) == 0 {
			continue
		}
		o, err := runPlan(ctx, cs, p.ID, now)
		out = append(out, o...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func runPlan(ctx context.Context, cs *protocol.Case, id string, now func() time.Time) ([]RunOutcome, error) {
	tx, err := cs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	var plan *protocol.PlanState
	for _, p := range protocol.Plans(tx.Events()) {
		if p.ID == id {
			plan = p
		}
	}
	if plan == nil {
		return nil, nil
	}
	t := now()
	due := plan.Due(t)
	if len(due) == 0 {
		return nil, nil // taken by another run meanwhile
	}
	var out []RunOutcome
	record := func(a protocol.PlanAttempt, res *CaptureResult) error {
		if _, err := tx.Append(protocol.EventPlanAttempt, a); err != nil {
			return err
		}
		out = append(out, RunOutcome{Case: cs.Dir, Plan: id, Attempt: a, Result: res})
		return nil
	}
	last := due[len(due)-1]
	for _, d := range due[:len(due)-1] {
		if err := record(protocol.PlanAttempt{Plan: id, Due: d, Outcome: protocol.AttemptMissed,
			Reason: "machine éteinte ou programmateur arrêté à l'heure prévue"}, nil); err != nil {
			return out, err
		}
	}
	if t.Sub(last) >= plan.Interval() {
		return out, record(protocol.PlanAttempt{Plan: id, Due: last, Outcome: protocol.AttemptMissed,
			Reason: "machine éteinte ou programmateur arrêté à l'heure prévue"}, nil)
	}
	req := CaptureRequest{Title: plan.Title, Page: capture.Options{URL: plan.URL, ExpectText: plan.ExpectText, FullPage: plan.FullPage, Now: protocol.Now}}
	n := len(plan.Attempts) + len(due)
	at := protocol.Now().UTC()
	res, cerr := captureTx(ctx, tx, req, n, false)
	if cerr != nil {
		if ctx.Err() != nil {
			return out, cerr // interrupted: the moment stays due
		}
		return out, record(protocol.PlanAttempt{Plan: id, Due: last, At: at, Outcome: protocol.AttemptFailed, Reason: cerr.Error()}, nil)
	}
	return out, record(protocol.PlanAttempt{Plan: id, Due: last, At: at, Outcome: protocol.AttemptMade, Piece: res.Piece.Number}, res)
}

// RunDue runs the attempts due in every case under the workspace (what
// `anef-dossier serve` does while it is open, as `run-due` does for the
// system's scheduler). A case that cannot be opened or whose run fails is
// reported in the joined error; the others are still run.
//
// serve calls it every minute: a case whose journal has not changed since
// the last call and whose next planned moment has not come is passed over
// on one stat of its journal, without reading it (see dueCache).
func (w *Workspace) RunDue(ctx context.Context, now func() time.Time) ([]RunOutcome, error) {
	if now == nil {
		now = protocol.Now
	}
	dirs, _, err := protocol.FindCases(w.Root)
	if err != nil {
		return nil, err
	}
	var out []RunOutcome
	var errs []error
	for _, d := range dirs {
		journal := filepath.Join(d, protocol.JournalFile)
		st, err := os.Stat(journal)
		if err == nil && w.due.asleep(d, st, now()) {
			continue
		}
		cs, err := protocol.Open(d, w.Templates)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s : %w", w.Rel(d), err))
			continue
		}
		plans, err := CasePlans(cs)
		if err != nil {
			continue // a journal that verify will name: read again next time
		}
		if anyDue(plans, now()) {
			o, err := RunDue(ctx, cs, now)
			out = append(out, o...)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s : %w", w.Rel(d), err))
				continue
			}
			// What is left after the run, read after a new stat: a line
			// appended meanwhile changes the stat and the case is read
			// again next time.
			if st, err = os.Stat(journal); err != nil {
				continue
			}
			if plans, err = CasePlans(cs); err != nil {
				continue
			}
		}
		if st != nil {
			w.due.sleep(d, st, wakeAt(plans, now()))
		}
	}
	return out, errors.Join(errs...)
}

// dueCache remembers, for each case RunDue has read, its journal's size and
// modification time at that read and when its plans next need a look.
type dueCache struct {
	mu sync.Mutex
	m  map[string]dueEntry
}

type dueEntry struct {
	size int64
	mod  time.Time
	wake time.Time // zero: no plan left to run
}

// asleep tells whether the case at dir can be passed over at now: its
// journal is as it was read (the journal only grows: any event changes its
// size) and its next planned moment has not come.
func (c *dueCache) asleep(dir string, st os.FileInfo, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[dir]
	return ok && e.size == st.Size() && e.mod.Equal(st.ModTime()) && (e.wake.IsZero() || now.Before(e.wake))
}

func (c *dueCache) sleep(dir string, st os.FileInfo, wake time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]dueEntry{}
	}
	c.m[dir] = dueEntry{size: st.Size(), mod: st.ModTime(), wake: wake}
}

// anyDue tells whether a plan has a moment due at now.
func anyDue(plans []*protocol.PlanState, now time.Time) bool {
	for _, p := range plans {
		if len(p.Due(now)) > 0 {
			return true
		}
	}
	return false
}

// wakeAt is when plans next need a look at now: now when a moment is still
// due (a capture interrupted), else the earliest next moment, zero when no
// plan has any left.
func wakeAt(plans []*protocol.PlanState, now time.Time) time.Time {
	if anyDue(plans, now) {
		return now
	}
	var wake time.Time
	for _, p := range plans {
		if n := p.Next(now); !n.IsZero() && (wake.IsZero() || n.Before(wake)) {
			wake = n
		}
	}
	return wake
}
