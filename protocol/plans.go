package protocol

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Attempt plans. Case law asks for attempts spread over several weeks
// (CE 10 June 2020 n°435594): a plan says "capture this address every
// 1d until this date"; the system's scheduler (or the web interface while
// it is open) runs the attempts that are due. Every moment the plan named
// ends in the journal as one plan.attempt event: made (with its piece),
// failed (with the reason), or missed (the machine was off: with the time
// it was due). Nothing is ever silently dropped.

// Journal events of plans.
const (
	EventPlanCreated = "plan.created"
	EventPlanAttempt = "plan.attempt"
	EventPlanStopped = "plan.stopped"
)

// MinPlanInterval is the shortest interval of a plan.
const MinPlanInterval = time.Hour

// AttemptOutcome is how a planned attempt ended, as recorded. Journals of
// earlier versions hold French values ("faite", "echouee", "manquee"),
// still read (enums.go).
type AttemptOutcome string

// Outcomes of a planned attempt.
const (
	AttemptMade   AttemptOutcome = "made"
	AttemptFailed AttemptOutcome = "failed"
	AttemptMissed AttemptOutcome = "missed"
)

// UnmarshalText reads an outcome, old spellings included.
func (o *AttemptOutcome) UnmarshalText(b []byte) error {
	*o = AttemptOutcome(current(string(b)))
	return nil
}

// PlanRecord is the data of plan.created.
type PlanRecord struct {
	ID         string    `json:"id"`
	URL        string    `json:"url"`
	Title      string    `json:"title,omitempty"`
	Every      string    `json:"every"` // Go duration ("24h0m0s")
	Start      time.Time `json:"start"`
	Until      time.Time `json:"until"`
	ExpectText string    `json:"expect_text,omitempty"`
	FullPage   bool      `json:"full_page,omitempty"`
}

// Interval returns the plan's interval.
func (p PlanRecord) Interval() time.Duration {
	d, _ := time.ParseDuration(p.Every)
	return d
}

// PlanAttempt is the data of plan.attempt.
type PlanAttempt struct {
	Plan    string         `json:"plan"`
	Due     time.Time      `json:"due"`
	At      time.Time      `json:"at,omitempty"` // when it was made (zero: missed)
	Outcome AttemptOutcome `json:"outcome"`
	Piece   int            `json:"piece,omitempty"`
	Reason  string         `json:"reason,omitempty"`
}

// PlanStop is the data of plan.stopped.
type PlanStop struct {
	Plan   string `json:"plan"`
	Reason string `json:"reason,omitempty"`
}

// PlanState is a plan folded from the journal.
type PlanState struct {
	PlanRecord
	Created  time.Time
	Stopped  time.Time // zero while it runs
	Attempts []PlanAttempt
}

// CheckPlan validates a new plan, in French.
func CheckPlan(p PlanRecord) error {
	every := p.Interval()
	switch {
	case every < MinPlanInterval:
		return fmt.Errorf("intervalle « %s » trop court : au moins une heure entre deux tentatives", p.Every)
	case !p.Until.After(p.Start):
		return fmt.Errorf("la fin du plan (%s) n'est pas après son début (%s)", FrDateTime(p.Until), FrDateTime(p.Start))
	}
	return nil
}

// ErrNoPlan: no plan of that number.
var ErrNoPlan = errors.New("aucun plan de tentatives ne porte ce numéro")

// Plans folds the plans of a journal, in the order they were made.
func Plans(events []Event) []*PlanState {
	var out []*PlanState
	byID := map[string]*PlanState{}
	for _, e := range events {
		switch e.Type {
		case EventPlanCreated:
			var r PlanRecord
			if e.Decode(&r) == nil && r.ID != "" && byID[r.ID] == nil {
				p := &PlanState{PlanRecord: r, Created: e.Time}
				byID[r.ID] = p
				out = append(out, p)
			}
		case EventPlanAttempt:
			var a PlanAttempt
			if e.Decode(&a) == nil {
				if p := byID[a.Plan]; p != nil {
					p.Attempts = append(p.Attempts, a)
				}
			}
		case EventPlanStopped:
			var s PlanStop
			if e.Decode(&s) == nil {
				if p := byID[s.Plan]; p != nil && p.Stopped.IsZero() {
					p.Stopped = e.Time
				}
			}
		}
	}
	return out
}

// Slots returns the moments the plan names, from its start to its end.
func (p *PlanState) Slots() []time.Time {
	every := p.Interval()
	if every < MinPlanInterval {
		return nil
	}
	var out []time.Time
	for t := p.Start; !t.After(p.Until); t = t.Add(every) {
		out = append(out, t)
	}
	return out
}

// Due returns the moments of the plan that are due at now and not yet
// recorded: the slots up to now (or up to when the plan was stopped).
func (p *PlanState) Due(now time.Time) []time.Time {
	done := map[int64]bool{}
	for _, a := range p.Attempts {
		done[a.Due.UnixNano()] = true
	}
	limit := now
	if !p.Stopped.IsZero() && p.Stopped.Before(limit) {
		limit = p.Stopped
	}
	var out []time.Time
	for _, t := range p.Slots() {
		if t.After(limit) {
			break
		}
		if !done[t.UnixNano()] {
			out = append(out, t)
		}
	}
	return out
}

// Next returns the next moment of the plan after now (zero: none).
func (p *PlanState) Next(now time.Time) time.Time {
	if !p.Stopped.IsZero() {
		return time.Time{}
	}
	for _, t := range p.Slots() {
		if t.After(now) {
			return t
		}
	}
	return time.Time{}
}

// PlanProgress is a plan's progress in the terms judges use.
type PlanProgress struct {
	Planned, Made, Failed, Missed, Pending int
	// Weeks is the number of distinct ISO weeks with an attempt made
	// (successful or failed: an attempt was made that week).
	Weeks int
	First time.Time // first attempt made
	Last  time.Time // last attempt made
}

// Progress counts the plan's attempts at now.
func (p *PlanState) Progress(now time.Time) PlanProgress {
	var g PlanProgress
	g.Planned = len(p.Slots())
	weeks := map[string]bool{}
	for _, a := range p.Attempts {
		switch a.Outcome {
		case AttemptMade:
			g.Made++
		case AttemptFailed:
			g.Failed++
		case AttemptMissed:
			g.Missed++
			continue
		}
		at := a.At
		if at.IsZero() {
			at = a.Due
		}
		y, w := at.In(Paris).ISOWeek()
		weeks[fmt.Sprintf("%d-%02d", y, w)] = true
		if g.First.IsZero() || at.Before(g.First) {
			g.First = at
		}
		if at.After(g.Last) {
			g.Last = at
		}
	}
	g.Weeks = len(weeks)
	g.Pending = len(p.Due(now))
	return g
}

// SortPlans orders plans by creation.
func SortPlans(ps []*PlanState) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Created.Before(ps[j].Created) })
}
