package protocol

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Period is a legal period: days, months and years, possibly negative
// (a window that opens before a date).
type Period struct {
	Days, Months, Years int
}

// ParsePeriod reads "30j", "4m", "-120j", "1a", or a sum "1m15j". Empty is zero.
func ParsePeriod(s string) (Period, error) {
	var p Period
	s = strings.TrimSpace(s)
	if s == "" {
		return p, nil
	}
	sign := 1
	if strings.HasPrefix(s, "-") {
		sign, s = -1, s[1:]
	}
	num := ""
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
		case r == 'j' || r == 'm' || r == 'a':
			if num == "" {
				return p, fmt.Errorf("durée « %s » illisible", s)
			}
			n, _ := strconv.Atoi(num)
			n *= sign
			switch r {
			case 'j':
				p.Days += n
			case 'm':
				p.Months += n
			case 'a':
				p.Years += n
			}
			num = ""
		default:
			return p, fmt.Errorf("durée « %s » illisible (ex. 30j, 4m, 1a)", s)
		}
	}
	if num != "" {
		return p, fmt.Errorf("durée « %s » sans unité (j, m ou a)", s)
	}
	return p, nil
}

// AddPeriod adds a period to a calendar date in Paris, counting months "de
// date à date": when the target month has no such day, the period ends on the
// last day of that month (31 March + 1 month = 30 April; 29 Feb + 1 year = 28 Feb).
func AddPeriod(t time.Time, p Period) time.Time {
	t = t.In(Paris)
	y, m, d := t.Date()
	if p.Years != 0 || p.Months != 0 {
		total := int(m) - 1 + p.Months + 12*p.Years
		y += int(math.Floor(float64(total) / 12))
		m = time.Month(((total%12)+12)%12 + 1)
		if last := daysIn(y, m); d > last {
			d = last
		}
	}
	return time.Date(y, m, d, 0, 0, 0, 0, Paris).AddDate(0, 0, p.Days)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// DaysBetween counts calendar days from a to b in Paris (b - a), whatever the
// daylight-saving changes in between.
func DaysBetween(a, b time.Time) int {
	a, b = a.In(Paris), b.In(Paris)
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// DeadlineState is a deadline computed for one case.
type DeadlineState struct {
	Deadline *Deadline
	Start    time.Time
	Date     time.Time
	DaysLeft int
	// Closed: the step that ends it is done (or the field that ends it is
	// filled); ClosedReason says which, in French.
	Closed       bool
	ClosedReason string
	Note         string
	// Source is the SOURCES.md id of the rule applied (the replacement's
	// when the period was replaced).
	Source string
	// Replaced: the longer period of ReplaceIf was applied.
	Replaced bool
	// Late: the field that closes the deadline (UntilField) holds a date
	// after the deadline (e.g. a filing after the R.431-5 window).
	Late bool
}

// Deadlines computes the protocol's deadlines for a case. Deadlines whose
// starting date is unknown, or whose condition "si" does not hold, are left
// out; the rest are sorted by date.
func (s *State) Deadlines(d *Dossier, today time.Time) []DeadlineState {
	var out []DeadlineState
	computed := map[string]DeadlineState{}
	for i := range s.Protocol.Deadlines {
		dl := &s.Protocol.Deadlines[i]
		if dl.OnlyIf != "" && !fieldHolds(d, dl.OnlyIf) {
			continue
		}
		var start time.Time
		closedBySource := false
		switch {
		case dl.FromStep != "":
			st := s.StepState(dl.FromStep)
			var latest time.Time // of the records that have FromStepField
			for _, r := range st.Records {
				if dl.FromChannel != "" && r.Channel != dl.FromChannel {
					continue
				}
				t := RecordTime(r)
				if dl.FromStepField != "" {
					v, ok := r.Fields[dl.FromStepField]
					if !ok {
						continue
					}
					ft, err := time.Parse(time.RFC3339, v)
					if err != nil {
						if ft, _, err = ParseDate(v); err != nil {
							continue
						}
					}
					// The field of the latest record that has it wins.
					if latest.IsZero() || !t.Before(latest) {
						latest, start = t, ft
					}
					continue
				}
				if t.After(start) {
					start = t
				}
			}
		case dl.FromField != "" && d != nil:
			if v := d.Field(dl.FromField); v != "" {
				if t, _, err := ParseDate(v); err == nil {
					start = t
				}
			}
		case dl.FromDeadline != "":
			if src, ok := computed[dl.FromDeadline]; ok {
				start, closedBySource = src.Date, src.Closed
			}
		}
		if start.IsZero() {
			continue
		}
		period, _ := ParsePeriod(dl.Period)
		note := dl.Note
		if dl.PeriodField != "" && d != nil {
			if v := d.Field(dl.PeriodField); v != "" {
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					period = Period{Days: n}
				}
			}
		}
		source := dl.Source
		replaced := dl.ReplaceIf != "" && d != nil && d.Field(dl.ReplaceIf) != ""
		if replaced {
			period, _ = ParsePeriod(dl.ReplacePeriod)
			note = strings.TrimSpace(dl.ReplaceNote + fmt.Sprintf(" Retenu ici : %s, car %s est à « oui » dans dossier.yaml.", FrPeriod(period), dl.ReplaceIf))
			if dl.ReplaceSource != "" {
				source = dl.ReplaceSource
			}
		}
		date := AddPeriod(start, period)
		ds := DeadlineState{Deadline: dl, Start: start, Date: date, DaysLeft: DaysBetween(today, date), Note: note, Source: source,
			Replaced: replaced, Closed: closedBySource}
		if closedBySource {
			ds.ClosedReason = computed[dl.FromDeadline].ClosedReason
		}
		if dl.Until != "" {
			if st := s.StepState(dl.Until); st != nil && st.Done {
				ds.Closed, ds.ClosedReason = true, fmt.Sprintf("étape « %s » faite", st.Step.Title)
			}
		}
		if dl.UntilField != "" && d != nil && d.Field(dl.UntilField) != "" {
			ds.Closed, ds.ClosedReason = true, fmt.Sprintf("%s renseignée dans dossier.yaml (%s)", Label(dl.UntilField), dl.UntilField)
			if t, _, err := ParseDate(d.Field(dl.UntilField)); err == nil && dl.KindOrDefault() == KindDue && t.After(date) {
				ds.Late = true
				ds.ClosedReason = fmt.Sprintf("%s le %s, après cette date (%s)", Label(dl.UntilField), FrDate(t), dl.UntilField)
				ds.Note = dl.LateNote
			}
		}
		computed[dl.ID] = ds
		out = append(out, ds)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// FrPeriod writes a period in French words: "1 an", "2 mois", "30 jours".
func FrPeriod(p Period) string {
	var parts []string
	abs := func(n int) int {
		if n < 0 {
			return -n
		}
		return n
	}
	if n := abs(p.Years); n > 0 {
		if n == 1 {
			parts = append(parts, "1 an")
		} else {
			parts = append(parts, fmt.Sprintf("%d ans", n))
		}
	}
	if n := abs(p.Months); n > 0 {
		parts = append(parts, fmt.Sprintf("%d mois", n))
	}
	if n := abs(p.Days); n > 0 || len(parts) == 0 {
		if n == 1 {
			parts = append(parts, "1 jour")
		} else {
			parts = append(parts, fmt.Sprintf("%d jours", n))
		}
	}
	return strings.Join(parts, " et ")
}

// fieldHolds tells whether a dossier.yaml condition "champ=valeur" (or
// "champ": filled) holds. Without a dossier nothing holds.
func fieldHolds(d *Dossier, cond string) bool {
	if d == nil {
		return false
	}
	field, want, hasValue := strings.Cut(cond, "=")
	v := d.Field(strings.TrimSpace(field))
	if !hasValue {
		return v != ""
	}
	return strings.EqualFold(v, strings.TrimSpace(want))
}

// KindOrDefault returns the deadline's kind, [KindDue] when not given.
func (d *Deadline) KindOrDefault() string {
	if d.Kind == "" {
		return KindDue
	}
	return d.Kind
}

// Actionable tells whether a deadline still calls for attention on the day
// it was computed for: not closed, not an opening or an event already past,
// and not a due date missed more than a year ago.
func (ds *DeadlineState) Actionable() bool {
	if ds.Closed {
		return false
	}
	switch ds.Deadline.KindOrDefault() {
	case KindOpening, KindEvent:
		return ds.DaysLeft >= 0
	}
	return ds.DaysLeft >= -365
}

// NextDeadline returns the earliest deadline that still calls for attention
// (see [DeadlineState.Actionable]): a missed due date comes first, then the
// coming ones. Nil when there is none.
func NextDeadline(ds []DeadlineState) *DeadlineState {
	for i := range ds {
		if ds[i].Actionable() {
			return &ds[i]
		}
	}
	return nil
}
