//go:build !linux && !darwin && !windows

package sysinfo

import "errors"

// VolumeOf is not implemented on this system.
func VolumeOf(dir string) (Volume, error) {
	return Volume{}, errors.New("non disponible sur ce système")
}
