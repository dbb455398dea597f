package protocol

import (
	"testing"
	"time"
)

func paris(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02 15:04", s, Paris)
	if err != nil {
		d, err = time.ParseInLocation("2006-01-02", s, Paris)
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParsePeriod(t *testing.T) {
	ok := map[string]Period{
		"":      {},
		"30j":   {Days: 30},
		"4m":    {Months: 4},
		"-120j": {Days: -120},
		"1a":    {Years: 1},
		"1m15j": {Months: 1, Days: 15},
		"-1a2m": {Years: -1, Months: -2},
		" 0j ":  {},
	}
	for in, want := range ok {
		got, err := ParsePeriod(in)
		if err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"30", "j", "30 jours", "3x", "--1j", "1.5m"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
}

func TestAddPeriod(t *testing.T) {
	cases := []struct {
		start, period, want string
	}{
		// Month ends: "de date à date", clamped to the last day of the month.
		{"2026-01-31", "1m", "2026-02-28"},
		{"2024-01-31", "1m", "2024-02-29"}, // leap year
		{"2026-03-31", "1m", "2026-04-30"},
		{"2026-01-31", "4m", "2026-05-31"},
		{"2026-10-31", "4m", "2027-02-28"}, // across the year
		{"2026-08-31", "6m", "2027-02-28"},
		// Leap days.
		{"2024-02-29", "1a", "2025-02-28"},
		{"2024-02-29", "4a", "2028-02-29"},
		{"2024-02-28", "1j", "2024-02-29"},
		{"2024-02-29", "1j", "2024-03-01"},
		{"2023-02-28", "1j", "2023-03-01"},
		{"2024-02-29", "2m", "2024-04-29"},
		// Negative periods: windows that open before a date.
		{"2026-06-30", "-120j", "2026-03-02"},
		{"2026-06-30", "-60j", "2026-05-01"},
		{"2026-03-31", "-1m", "2026-02-28"},
		{"2026-01-15", "-1m", "2025-12-15"},
		{"2026-01-31", "-13m", "2024-12-31"},
		{"2025-03-01", "-1j", "2025-02-28"},
		{"2024-03-01", "-1j", "2024-02-29"},
		// Days: 30 days after a notification.
		{"2026-03-10", "30j", "2026-04-09"},
		{"2026-12-15", "30j", "2027-01-14"},
		// Mixed.
		{"2026-01-31", "1m1j", "2026-03-01"},
		// Across daylight-saving changes (last Sunday of March and October 2026:
		// 29 March and 25 October): calendar days, always midnight in Paris.
		{"2026-03-28", "1j", "2026-03-29"},
		{"2026-03-28", "2j", "2026-03-30"},
		{"2026-03-29", "-1j", "2026-03-28"},
		{"2026-10-24", "1j", "2026-10-25"},
		{"2026-10-25", "1j", "2026-10-26"},
		{"2026-10-26", "-2j", "2026-10-24"},
		{"2026-02-28", "1m", "2026-03-28"},
		{"2026-09-25", "1m", "2026-10-25"},
	}
	for _, c := range cases {
		p, err := ParsePeriod(c.period)
		if err != nil {
			t.Fatal(err)
		}
		got := AddPeriod(paris(t, c.start), p)
		if got.Format("2006-01-02") != c.want {
			t.Errorf("%s + %s = %s, want %s", c.start, c.period, got.Format("2006-01-02"), c.want)
		}
		if h, m, _ := got.Clock(); h != 0 || m != 0 || got.Location() != Paris {
			t.Errorf("%s + %s = %s: not midnight in Paris", c.start, c.period, got)
		}
	}
	// A start late in the evening, given in UTC, is read as its Paris date:
	// 2026-03-28 23:30 UTC is already 29 March in Paris (UTC+1 then UTC+2).
	late := time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC)
	if got := AddPeriod(late, Period{Days: 30}); got.Format("2006-01-02") != "2026-04-28" {
		t.Errorf("late UTC start + 30j = %s", got)
	}
	summer := time.Date(2026, 10, 24, 22, 30, 0, 0, time.UTC) // 25 Oct 00:30 CEST
	if got := AddPeriod(summer, Period{Months: 1}); got.Format("2006-01-02") != "2026-11-25" {
		t.Errorf("late UTC start + 1m = %s", got)
	}
}

func TestDaysBetween(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"2026-03-10", "2026-03-10", 0},
		{"2026-03-10 23:59", "2026-03-11 00:01", 1},
		{"2026-03-11 00:01", "2026-03-10 23:59", -1},
		{"2026-03-10", "2026-04-09", 30},
		// Spring forward: 29 March 2026 has 23 hours.
		{"2026-03-28 12:00", "2026-03-30 00:00", 2},
		{"2026-03-29 00:00", "2026-03-30 00:00", 1},
		{"2026-03-29 23:30", "2026-03-30 00:30", 1},
		{"2026-03-01", "2026-04-01", 31},
		// Fall back: 25 October 2026 has 25 hours.
		{"2026-10-25 00:00", "2026-10-26 00:00", 1},
		{"2026-10-24 23:30", "2026-10-26 00:10", 2},
		{"2026-10-01", "2026-11-01", 31},
		{"2026-11-01", "2026-10-01", -31},
		// Leap years.
		{"2024-02-28", "2024-03-01", 2},
		{"2026-02-28", "2026-03-01", 1},
		{"2024-01-01", "2025-01-01", 366},
		{"2026-01-01", "2027-01-01", 365},
	}
	for _, c := range cases {
		if got := DaysBetween(paris(t, c.a), paris(t, c.b)); got != c.want {
			t.Errorf("DaysBetween(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	// Instants in other zones count by their Paris date.
	a := time.Date(2026, 10, 24, 22, 30, 0, 0, time.UTC) // 25 Oct 00:30 in Paris
	b := time.Date(2026, 10, 25, 23, 30, 0, 0, time.UTC) // 26 Oct 00:30 in Paris (CET)
	if got := DaysBetween(a, b); got != 1 {
		t.Errorf("UTC instants across fall-back: %d", got)
	}
	c := time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC) // 29 Mar 00:30 CET
	d := time.Date(2026, 3, 29, 22, 30, 0, 0, time.UTC) // 30 Mar 00:30 CEST
	if got := DaysBetween(c, d); got != 1 {
		t.Errorf("UTC instants across spring-forward: %d", got)
	}
}

// A deadline computed in the evening of a DST change day still counts whole
// calendar days.
func TestDeadlineDaysLeftAcrossDST(t *testing.T) {
	j := newSyn(t, "complement")
	n := j.piece("notification", "2026-02-27")
	j.done("notification", "", "", "2026-02-27 18:00", []int{n})
	today := time.Date(2026, 3, 29, 21, 0, 0, 0, time.UTC) // 29 March 23:00 CEST
	d := j.deadline("delai-complement", today)
	if d == nil || d.Date.Format("2006-01-02") != "2026-03-29" || d.DaysLeft != 0 {
		t.Fatalf("window = %+v", d)
	}
	d = j.deadline("delai-complement", today.Add(2*time.Hour)) // 30 March 01:00
	if d.DaysLeft != -1 {
		t.Fatalf("day after: %d", d.DaysLeft)
	}
}
