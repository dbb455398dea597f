//go:build !linux && !darwin && !windows

package durable

const linkFirst = true

// renameNoReplace is not available here: commitOnce falls back on its last
// method when links are not supported either.
func renameNoReplace(from, to string) error { return errUnsupported }
