package protocol

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidJSON(t *testing.T) {
	cases := []string{``, ` `, `1`, ` 1 `, `01`, `-`, `-0`, `-01`, `1.`, `1.5`, `1e`, `1e+`, `1E-7`, `.5`, `+1`, `1 2`,
		`true`, `tru`, `truex`, `nul`, `null`, `false `, `"`, `"a`, `"a"`, `"\"`, `"\u12"`, `"\u12G4"`, `"\u00e9"`, `"\x"`, `"\/"`,
		"\"\t\"", "\"\xff\"", `{}`, `{ }`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 , "b" : [ ] }`, `{1:2}`, `[]`, `[,]`, `[1,]`,
		`[1 2]`, `[[[]]]`, `[{"a":[{}]}]`, `{"a":1}}`, `{"a":1}]`, "\v1", "1\u00a0",
		strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
		strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
		strings.Repeat(`{"a":`, maxJSONDepth) + "1" + strings.Repeat("}", maxJSONDepth),
		strings.Repeat(`{"a":`, maxJSONDepth+1) + "1" + strings.Repeat("}", maxJSONDepth+1),
	}
	for _, s := range journalSeeds(t) {
		cases = append(cases, strings.Split(string(s), "\n")...)
	}
	for _, c := range cases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.80q) = %v, json.Valid: %v", c, got, want)
		}
	}
}

// FuzzValidJSON: validJSON is json.Valid.
func FuzzValidJSON(f *testing.F) {
	for _, s := range journalSeeds(f) {
		f.Add(s)
		for _, l := range strings.Split(string(s), "\n") {
			f.Add([]byte(l))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := validJSON(data), json.Valid(data); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid: %v", data, got, want)
		}
	})
}
