// Package durable is the one place where anef-dossier writes a file that must
// survive a crash: written whole or not at all, and, for evidence, never
// written over.
//
//   - WriteAtomic and Create(path, Replace) replace a file atomically
//     (temporary file in the same folder, fsync, rename, fsync of the folder):
//     for outputs that can be generated again and for journal.head.
//   - WriteOnce and Create(path, Once) write a file once: the final name
//     appears only when its content is complete and synced, and an existing
//     file of that name is never replaced, whatever the file system.
//
// A crash leaves either nothing under the final name or the whole file, plus
// at most a ".tmp-" file beside it, which verify reports. The one exception is
// the last-resort write-once method (see commitOnce), where a crash can also
// leave an empty file under the final name; verify reports it as an orphan
// (never recorded) next to its complete ".tmp-" file.
package durable

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"anefdossier/internal/crash"
)

// File and folder modes of a case: personal data, readable by the owner only.
// On Windows, Go maps them to the read-only attribute only: what protects a
// case there is the ACL of the user's profile folder (docs/PLATEFORMES.md).
const (
	DirMode  os.FileMode = 0o700
	FileMode os.FileMode = 0o600
)

// TempPrefix starts the name of every temporary file made here.
const TempPrefix = ".tmp-"

// ErrExists is returned when a write-once file already exists.
var ErrExists = errors.New("le fichier existe déjà")

// Mode tells what Commit does with an existing file of the final name.
type Mode int

const (
	// Once refuses to replace an existing file.
	Once Mode = iota
	// Replace replaces it atomically.
	Replace
)

func (m Mode) point(step string) string {
	if m == Once {
		return "once." + step
	}
	return "replace." + step
}

// File is a file being written under a temporary name, in the folder of its
// final name, with mode 0600. Write to it, then Commit; Cleanup (deferred)
// removes the temporary file of a file not committed.
type File struct {
	f         *os.File
	path, tmp string
	mode      Mode
	finished  bool
	committed bool
	// Method is how Commit gave a write-once file its name ("link",
	// "rename-noreplace" or "reserve"), for tests and `doctor`.
	Method string
}

// Create starts writing path. With Once, it fails with ErrExists at once if
// path exists (Commit checks again, atomically).
func Create(path string, mode Mode) (*File, error) {
	if mode == Once {
		if _, err := os.Lstat(path); err == nil {
			return nil, fmt.Errorf("%s : %w", filepath.Base(path), ErrExists)
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), TempPrefix+filepath.Base(path)+"-")
	if err != nil {
		return nil, err
	}
	if mode == Once {
		crash.Point("once.temp-cree")
	}
	// CreateTemp already uses 0600 on Unix; this also holds under a umask
	// or a folder ACL that would give more.
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{f: f, path: path, tmp: f.Name(), mode: mode}, nil
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) { return f.f.Write(p) }

// Name returns the final name.
func (f *File) Name() string { return f.path }

// TempName returns the temporary name, where the content can be read again
// after Finish and before Commit.
func (f *File) TempName() string { return f.tmp }

// Finish syncs and closes the temporary file: its content is complete and on
// disk. Commit calls it if needed.
func (f *File) Finish() error {
	if f.finished {
		return nil
	}
	crash.Point(f.mode.point("ecrit"))
	if err := f.f.Sync(); err != nil {
		f.f.Close()
		return err
	}
	if err := f.f.Close(); err != nil {
		return err
	}
	f.finished = true
	if f.mode == Once {
		crash.Point("once.synchronise")
	}
	return nil
}

// Commit gives the file its final name and syncs the folder. With Once, it
// fails with ErrExists if the name was taken meanwhile, leaving that file
// untouched.
func (f *File) Commit() error {
	if err := f.Finish(); err != nil {
		return err
	}
	dir := filepath.Dir(f.path)
	if f.mode == Replace {
		if err := os.Rename(f.tmp, f.path); err != nil {
			return err
		}
		f.committed = true
		crash.Point("replace.renomme")
		return SyncDir(dir)
	}
	method, err := commitOnce(f.tmp, f.path)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s : %w", filepath.Base(f.path), ErrExists)
		}
		return err
	}
	f.committed, f.Method = true, method
	return SyncDir(dir)
}

// Cleanup closes and removes the temporary file if the file was not
// committed. It is safe to call more than once, and after Commit.
func (f *File) Cleanup() {
	if f.committed {
		return
	}
	if !f.finished {
		f.f.Close()
		f.finished = true
	}
	os.Remove(f.tmp)
}

// WriteOnce writes data to path, which must not exist (see Once).
func WriteOnce(path string, data []byte) error {
	return write(path, data, Once)
}

// WriteAtomic replaces path with data atomically (see Replace).
func WriteAtomic(path string, data []byte) error {
	return write(path, data, Replace)
}

func write(path string, data []byte, mode Mode) error {
	f, err := Create(path, mode)
	if err != nil {
		return err
	}
	defer f.Cleanup()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// MoveNoReplace moves the file src to dst, which must not exist, by the
// first method of commitOnce that the file system supports: a file set
// aside by `verify --repair` never replaces another, on exFAT too. It fails
// with an fs.ErrExist error if dst exists.
func MoveNoReplace(src, dst string) error {
	_, err := commitOnce(src, dst)
	return err
}

// MkdirAll makes dir and its missing parents with mode 0700, and sets 0700
// on dir itself (MkdirAll leaves an existing folder's mode alone).
func MkdirAll(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return err
	}
	return os.Chmod(dir, DirMode)
}

// errUnsupported is what renameNoReplace returns when the system or the
// file system cannot rename without replacing.
var errUnsupported = errors.New("renommage sans remplacement non pris en charge")

// disableLink, set by tests only, skips the first methods of commitOnce so
// that the last resort can be tested on any file system.
var disableLink, disableNoReplace bool

// commitOnce gives the complete, synced temporary file tmp the name path,
// failing with an fs.ErrExist error if path exists. Three methods, the first
// the file system supports:
//
//  1. a hard link to path (fails if path exists), then removal of tmp: every
//     Unix file system with links (ext4, APFS, NTFS, most network shares).
//     Not tried on Windows, where method 2 is native and always there.
//  2. a rename that refuses to replace: renameat2(RENAME_NOREPLACE) on
//     Linux, renamex_np(RENAME_EXCL) on macOS, MoveFileEx without
//     MOVEFILE_REPLACE_EXISTING on Windows (any Windows file system,
//     FAT and exFAT included).
//  3. exFAT or FAT through FUSE on Linux, some network shares: neither links
//     nor rename flags. The name is reserved by creating an empty file with
//     O_CREATE|O_EXCL (which fails if the name exists: nothing is ever
//     written over), then tmp is renamed over that empty file of ours. The
//     name thus holds nothing, an empty file, or the whole content. A crash
//     between the two steps leaves the empty file and the complete tmp;
//     verify names both (an orphan and a temporary file) and `verify
//     --repair` sets them aside. All writers of a case hold its lock, so no
//     one else writes the empty file meanwhile.
func commitOnce(tmp, path string) (string, error) {
	if linkFirst && !disableLink {
		err := os.Link(tmp, path)
		if err == nil {
			crash.Point("once.lie")
			if err := os.Remove(tmp); err != nil {
				return "", err
			}
			crash.Point("once.temp-supprime")
			return "link", nil
		}
		if errors.Is(err, fs.ErrExist) {
			return "", err
		}
		// EPERM (exFAT through FUSE), ENOTSUP, EMLINK...: try the next method.
	}
	err := errUnsupported
	if !disableNoReplace {
		err = renameNoReplace(tmp, path)
	}
	if err == nil {
		crash.Point("once.lie")
		return "rename-noreplace", nil
	}
	if !errors.Is(err, errUnsupported) {
		return "", err
	}
	r, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, FileMode)
	if err != nil {
		return "", err
	}
	if err := r.Close(); err != nil {
		return "", err
	}
	crash.Point("once.reserve")
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	crash.Point("once.lie")
	return "reserve", nil
}
