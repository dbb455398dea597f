// Package crash holds the crash points of the reliability tests
// (docs/RELIABILITY.md): when ANEF_DOSSIER_CRASH_AT names a point
// ("journal.ecrit", or "once.lie#2" for its second passage), the process
// kills itself there, exactly as a power cut or `kill -9` would stop it.
// Unset, a crash point costs one string comparison.
package crash

import (
	"os"
	"strconv"
	"strings"
	"sync"
)

var (
	name  string
	nth   = 1
	mu    sync.Mutex
	count int
)

func init() {
	v := os.Getenv("ANEF_DOSSIER_CRASH_AT")
	if v == "" {
		return
	}
	name = v
	if n, k, ok := strings.Cut(v, "#"); ok {
		if i, err := strconv.Atoi(k); err == nil && i > 0 {
			name, nth = n, i
		}
	}
}

// Wanted tells whether this passage at point p is the one to crash.
func Wanted(p string) bool {
	if name == "" || p != name {
		return false
	}
	mu.Lock()
	defer mu.Unlock()
	count++
	return count == nth
}

// Point kills the process here if asked to.
func Point(p string) {
	if Wanted(p) {
		Now()
	}
}

// Now kills the process at once, without running deferred functions or
// flushing anything: SIGKILL on Unix, TerminateProcess on Windows (what
// os.Process.Kill does on each system).
func Now() {
	if self, err := os.FindProcess(os.Getpid()); err == nil {
		self.Kill()
	}
	select {} // never returns: the kill is on its way
}
