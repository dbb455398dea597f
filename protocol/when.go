package protocol

import "fmt"

// DaysLeftFr says in French how far a date is, in days from today.
func DaysLeftFr(n int) string {
	switch {
	case n == 0:
		return "aujourd'hui"
	case n == 1:
		return "demain"
	case n > 1:
		return fmt.Sprintf("dans %d jours", n)
	case n == -1:
		return "dépassé d'un jour"
	}
	return fmt.Sprintf("dépassé de %d jours", -n)
}

// When says how far a deadline is, as the command line and the web
// interface show it: a due date is "dépassé" once past, an opening or an
// event simply happened ("il y a").
func (d DeadlineState) When() string {
	if d.DaysLeft < 0 && d.Deadline.KindOrDefault() != KindDue {
		if d.DaysLeft == -1 {
			return "hier"
		}
		return fmt.Sprintf("il y a %d jours", -d.DaysLeft)
	}
	return DaysLeftFr(d.DaysLeft)
}
