package protocol

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Crash points, for the reliability tests only (docs/RELIABILITY.md): when
// ANEF_DOSSIER_CRASH_AT names a point ("journal.ecrit", or "once.lie#2" for
// its second passage), the process kills itself with SIGKILL there, exactly
// as a power cut or `kill -9` would stop it. Unset, a crash point costs one
// string comparison.
var (
	crashName  string
	crashNth   = 1
	crashMu    sync.Mutex
	crashCount int
)

func init() {
	v := os.Getenv("ANEF_DOSSIER_CRASH_AT")
	if v == "" {
		return
	}
	crashName = v
	if name, n, ok := strings.Cut(v, "#"); ok {
		if k, err := strconv.Atoi(n); err == nil && k > 0 {
			crashName, crashNth = name, k
		}
	}
}

// crashWanted tells whether this passage at point name is the one to crash.
func crashWanted(name string) bool {
	if crashName == "" || name != crashName {
		return false
	}
	crashMu.Lock()
	defer crashMu.Unlock()
	crashCount++
	return crashCount == crashNth
}

// crashPoint kills the process here if asked to.
func crashPoint(name string) {
	if crashWanted(name) {
		crashNow()
	}
}

func crashNow() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // never returns: the signal is on its way
}
