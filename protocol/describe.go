package protocol

import (
	"fmt"
	"strings"
	"time"
)

// Describe says a record of the step in French, as both front ends show it:
// channel, date, reference, pieces, fields with their titles, remark.
func (step *Step) Describe(r StepRecord) string {
	var parts []string
	if r.Channel != "" {
		if ch := step.Channel(r.Channel); ch != nil {
			parts = append(parts, ch.Title)
		} else {
			parts = append(parts, r.Channel)
		}
	}
	if r.Date != nil {
		parts = append(parts, "le "+FrDate(*r.Date))
	}
	if r.Ref != "" {
		parts = append(parts, "réf. "+r.Ref)
	}
	if len(r.Pieces) > 0 {
		var ns []string
		for _, n := range r.Pieces {
			ns = append(ns, fmt.Sprintf("n°%d", n))
		}
		parts = append(parts, "pièces "+strings.Join(ns, ", "))
	}
	for _, f := range step.Fields {
		if v, ok := r.Fields[f.ID]; ok {
			switch f.Type {
			case "booleen":
				if v == "true" {
					v = "oui"
				} else {
					v = "non"
				}
			case "date":
				if t, err := time.Parse(time.RFC3339, v); err == nil {
					v = FrDate(t)
				}
			}
			parts = append(parts, fmt.Sprintf("%s : %s", f.Title, v))
		}
	}
	if r.Note != "" {
		parts = append(parts, "remarque : "+r.Note)
	}
	return strings.Join(parts, ", ")
}
