package durable

import (
	"runtime"
	"testing"
)

// Probe names the method each switch selects, finds the second write
// refused, and leaves nothing behind.
func TestProbe(t *testing.T) {
	for _, m := range methods() {
		t.Run(m.name, func(t *testing.T) {
			useMethod(t, m.noLink, m.noNoRep)
			dir := t.TempDir()
			r, err := Probe(dir)
			if err != nil {
				t.Fatal(err)
			}
			if r.Method != m.name || !r.NeverReplaced {
				t.Errorf("Probe = %+v, want method %s, never replaced", r, m.name)
			}
			if runtime.GOOS != "windows" && r.Mode != FileMode {
				t.Errorf("mode %v, want %v", r.Mode, FileMode)
			}
			if left := names(t, dir); len(left) != 0 {
				t.Errorf("Probe left %v", left)
			}
		})
	}
}
