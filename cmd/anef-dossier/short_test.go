package main

import "testing"

// skipShort skips a test under `go test -short`: the fast tier a developer
// runs in a loop, without Chromium and without the long loops that kill and
// restart the real command. scripts/test.sh (and so CI) runs everything.
func skipShort(t *testing.T, why string) {
	t.Helper()
	if testing.Short() {
		t.Skip("go test -short : " + why)
	}
}
