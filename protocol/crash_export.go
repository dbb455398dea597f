package protocol

// CrashPoint is a crash point for packages above protocol (export): see
// crash.go.
func CrashPoint(name string) { crashPoint(name) }
