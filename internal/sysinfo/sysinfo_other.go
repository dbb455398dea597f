//go:build !linux && !darwin && !windows

package sysinfo

import "errors"

// ErrNoVolumeInfo: on a system outside the six the project builds for
// (Linux, macOS, Windows; amd64 and arm64), the file system is not
// identified. `doctor` then says « type inconnu » and still tries write-once
// in the folder, which is what matters for the pieces.
var ErrNoVolumeInfo = errors.New("système de fichiers non identifié sur ce système")

// VolumeOf returns ErrNoVolumeInfo on these systems.
func VolumeOf(dir string) (Volume, error) {
	return Volume{}, ErrNoVolumeInfo
}
