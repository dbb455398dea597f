package protocol

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Paris is the time zone in which dates are shown to people and in which
// dates typed without a zone are read.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is embedded by the command; a library user without it
		// still gets a working (UTC) clock rather than a panic.
		return time.UTC
	}
	return loc
}

var dateLayouts = []struct {
	layout  string
	hasTime bool
}{
	{"2006-01-02", false},
	{"02/01/2006", false},
	{"2/1/2006", false},
	{"2006-01-02 15:04", true},
	{"2006-01-02T15:04", true},
	{"2006-01-02 15:04:05", true},
	{"2006-01-02T15:04:05", true},
	{"02/01/2006 15:04", true},
	{"02/01/2006 15h04", true},
	{"02/01/2006 à 15h04", true},
	{"02/01/2006 15:04:05", true},
	{"2006-01-02 15h04", true},
}

// ParseDate reads a date typed by a person: "2026-03-10" or "10/03/2026",
// optionally followed by a time ("10:15" or "10h15"), or an RFC 3339 instant.
// Dates without a zone are Europe/Paris. hasTime tells whether a time was given.
func ParseDate(s string) (t time.Time, hasTime bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, fmt.Errorf("date vide")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true, plausible(s, t)
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l.layout, s, Paris); err == nil {
			return t, l.hasTime, plausible(s, t)
		}
	}
	return time.Time{}, false, fmt.Errorf("date « %s » illisible (formats acceptés : 2026-03-10 ou 10/03/2026, heure facultative 10:15)", s)
}

// Years outside [MinYear, MaxYear] are typing mistakes (01/01/0001,
// 31/12/9999, 2062 for 2026), refused wherever a person types a date.
const (
	MinYear = 1900
	MaxYear = 2100
)

// ErrImplausibleDate is matched by errors.Is for a date out of range.
var ErrImplausibleDate = errors.New("date hors de la plage admise")

func plausible(s string, t time.Time) error {
	if y := t.Year(); y < MinYear || y > MaxYear {
		return fmt.Errorf("%w : « %s » (années %d à %d ; faute de frappe ?)", ErrImplausibleDate, s, MinYear, MaxYear)
	}
	return nil
}

// CheckYear refuses a date outside [MinYear, MaxYear] given by another
// way than ParseDate (the web form, a library caller).
func CheckYear(t time.Time) error {
	return plausible(FrDate(t), t)
}

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// FrDate formats a date the French way, in Paris time: 10/03/2026.
func FrDate(t time.Time) string { return t.In(Paris).Format("02/01/2006") }

// FrDateTime formats an instant the French way, in Paris time: 10/03/2026 à 10h15.
func FrDateTime(t time.Time) string { return t.In(Paris).Format("02/01/2006 à 15h04") }

// FrLongDate formats a date in words: 10 mars 2026 (1er for the first day).
func FrLongDate(t time.Time) string {
	t = t.In(Paris)
	d := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		d = "1er"
	}
	return fmt.Sprintf("%s %s %d", d, frMonths[t.Month()-1], t.Year())
}

// Midnight returns the start of t's day in Paris.
func Midnight(t time.Time) time.Time {
	t = t.In(Paris)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Paris)
}
