package durable

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// linkFirst is false on Windows: MoveFileEx without
// MOVEFILE_REPLACE_EXISTING renames without replacing on every Windows file
// system (NTFS, FAT, exFAT, SMB shares), in one step, where hard links exist
// on NTFS only.
const linkFirst = false

// renameNoReplace renames without replacing: MoveFileEx fails with
// ERROR_ALREADY_EXISTS (an fs.ErrExist error) if the target exists.
// MOVEFILE_WRITE_THROUGH returns once the rename is on disk.
func renameNoReplace(from, to string) error {
	f, err := windows.UTF16PtrFromString(fixLongPath(from))
	if err != nil {
		return err
	}
	t, err := windows.UTF16PtrFromString(fixLongPath(to))
	if err != nil {
		return err
	}
	if err := windows.MoveFileEx(f, t, windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// fixLongPath lets a call outside package os reach a path of 260 characters
// or more (a case under a deep folder), as package os does for its own
// calls: the \\?\ prefix on an absolute path, \\?\UNC\ on a share.
func fixLongPath(p string) string {
	if len(p) < 248 || len(p) >= 4 && (p[:4] == `\\?\` || p[:4] == `\\.\`) {
		return p
	}
	abs, err := filepath.Abs(p) // also cleans: \\?\ paths are taken literally
	if err != nil {
		return p
	}
	if strings.HasPrefix(abs, `\\`) {
		return `\\?\UNC\` + abs[2:]
	}
	return `\\?\` + abs
}
