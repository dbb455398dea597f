//go:build !windows

package durable

import (
	"errors"
	"os"
	"syscall"
)

// SyncDir fsyncs a folder so that a rename or creation inside it is durable.
// Some file systems refuse fsync on a folder (EINVAL): nothing more can be
// done there.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}
