package durable

import (
	"errors"

	"golang.org/x/sys/unix"
)

const linkFirst = true

// renameNoReplace renames without replacing: renamex_np(RENAME_EXCL),
// macOS 10.12+, supported by APFS and HFS+; other file systems (exFAT, FAT,
// some network shares) answer ENOTSUP or EINVAL.
func renameNoReplace(from, to string) error {
	err := unix.RenamexNp(from, to, unix.RENAME_EXCL)
	if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		return errUnsupported
	}
	return err
}
