package durable

import (
	"errors"

	"golang.org/x/sys/unix"
)

const linkFirst = true

// renameNoReplace renames without replacing: renameat2(RENAME_NOREPLACE),
// Linux 3.15+, supported by ext4, XFS, Btrfs, tmpfs; a FUSE file system
// without it (exfat-fuse) answers EINVAL.
func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return errUnsupported
	}
	return err
}
