package protocol

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Files of a case are opened without following symbolic links and only when
// they are regular files: a case folder received as an archive may carry a
// link to /etc/passwd, a FIFO that blocks a reader forever, or /dev/zero that
// never ends. Such a file is named in a French error, never followed, read or
// written through.

var (
	// ErrSymlink: a file of the case is a symbolic link.
	ErrSymlink = errors.New("est un lien symbolique : refusé (un fichier du dossier n'est jamais suivi hors du dossier)")
	// ErrNotRegular: a file is a folder, a FIFO, a device or a socket.
	ErrNotRegular = errors.New("n'est pas un fichier ordinaire (tube, périphérique ou dossier refusés)")
	// ErrTooLarge: a file is larger than the bound set for it.
	ErrTooLarge = errors.New("fichier trop grand")
)

// PathError names the file in a French message: "pieces/001-x.png est un lien
// symbolique : refusé …".
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return e.Path + " " + e.Err.Error() }
func (e *PathError) Unwrap() error { return e.Err }

// OpenCaseFile opens a file of a case for reading: never through a symbolic
// link (the last component; the folders of the case are checked by
// [Case.CheckLinks]), never blocking on a FIFO, and only a regular file.
// name is the path shown in errors.
func OpenCaseFile(path, name string) (*os.File, fs.FileInfo, error) {
	return openRegular(path, name, false)
}

// OpenUserFile opens a file named by the user (a piece to import, a root
// certificate): links are followed (the user chose the file), but only a
// regular file is read, and a FIFO never blocks.
func OpenUserFile(path string) (*os.File, fs.FileInfo, error) {
	return openRegular(path, path, true)
}

func openRegular(path, name string, follow bool) (*os.File, fs.FileInfo, error) {
	f, err := openNoBlock(path, follow)
	if err != nil {
		if isLoop(err) {
			return nil, nil, &PathError{name, ErrSymlink}
		}
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, &PathError{name, ErrNotRegular}
	}
	return f, st, nil
}

// ReadCaseFile reads a whole file of the case (see [OpenCaseFile]) of at
// most max bytes.
func ReadCaseFile(path, name string, max int64) ([]byte, error) {
	f, _, err := OpenCaseFile(path, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimit(f, name, max)
}

// ReadUserFile reads a whole file named by the user (see [OpenUserFile]) of
// at most max bytes.
func ReadUserFile(path string, max int64) ([]byte, error) {
	f, _, err := OpenUserFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimit(f, path, max)
}

func readLimit(r io.Reader, name string, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &PathError{name, fmt.Errorf("%w (plus de %s)", ErrTooLarge, HumanSize(max))}
	}
	return b, nil
}

// HumanSize writes a size in French units: a whole number of Go or Mo when
// it is one (limits: "200 Mo"), else Mo with one decimal, whole ko, or octets
// (file sizes: "1.4 Mo", "12 ko").
func HumanSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d Go", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d Mo", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f Mo", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d ko", n>>10)
	}
	return fmt.Sprintf("%d octets", n)
}

// CheckLinks refuses a case whose own structure goes through a symbolic link
// or a special file: journal.jsonl, journal.head, dossier.yaml and .lock must
// be regular files (or absent), pieces/ and out/ real folders (or absent).
// Every command runs it when it opens the case, so that nothing is read from
// or written to outside the case.
func (c *Case) CheckLinks() error {
	for _, n := range []string{JournalFile, HeadFile, DossierFile, LockFile, PiecesDir, OutDir, PiecesDir + "/orphelins", AnchorsDir} {
		st, err := os.Lstat(c.Path(filepath.FromSlash(n)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		dir := n == PiecesDir || n == OutDir || n == PiecesDir+"/orphelins" || n == AnchorsDir
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			return &PathError{n, ErrSymlink}
		case dir && !st.IsDir():
			return &PathError{n, errors.New("n'est pas un dossier")}
		case !dir && !st.Mode().IsRegular():
			return &PathError{n, ErrNotRegular}
		}
	}
	return nil
}

// HashCaseFile returns the hex SHA-256 and size of a file of the case,
// opened as [OpenCaseFile] does (never a link, a FIFO or a device).
func HashCaseFile(path, name string) (string, int64, error) {
	f, _, err := OpenCaseFile(path, name)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return hashReader(f)
}
