package protocol

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// File and folder modes of a case: personal data, readable by the owner only.
const (
	DirMode  os.FileMode = 0o700
	FileMode os.FileMode = 0o600
)

// ErrExists is returned when a write-once file already exists.
var ErrExists = errors.New("le fichier existe déjà")

// SyncDir fsyncs a folder so that a rename or creation inside it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// WriteFileOnce writes data to path atomically and refuses to replace an
// existing file: temp file, fsync, hard link to the final name (which fails if
// it exists), fsync of the folder. A crash leaves either no file or the whole
// file, plus at most a ".tmp-" file that verify reports.
func WriteFileOnce(path string, data []byte) error {
	_, _, err := writeOnce(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	return err
}

// CopyFileOnce copies src to dst (write-once, atomic) and returns the SHA-256
// and size of what was written, computed while streaming.
//
// A file still being written while it is copied (review 1, low 2: `yes >
// f & piece add f` filled the disk) is refused: the copy stops one byte past
// the size the file had when opened, and the size and modification time are
// compared again at the end.
func CopyFileOnce(dst, src string) (sum string, size int64, err error) {
	in, st, err := OpenUserFile(src)
	if err != nil {
		return "", 0, err
	}
	defer in.Close()
	return writeOnce(dst, func(w io.Writer) error {
		n, err := io.Copy(w, io.LimitReader(in, st.Size()+1))
		if err != nil {
			return err
		}
		after, err := in.Stat()
		if err != nil {
			return err
		}
		if n != st.Size() || after.Size() != st.Size() || !after.ModTime().Equal(st.ModTime()) {
			return fmt.Errorf("%w : %s (taille %d octets à l'ouverture, %d octets lus) ; attendez la fin de l'écriture (téléchargement, copie) puis recommencez", ErrChanged, src, st.Size(), n)
		}
		return nil
	})
}

// ErrChanged: a file changed while it was being copied into the case.
var ErrChanged = errors.New("le fichier a changé pendant la copie")

func writeOnce(path string, fill func(io.Writer) error) (string, int64, error) {
	dir := filepath.Dir(path)
	if _, err := os.Lstat(path); err == nil {
		return "", 0, fmt.Errorf("%s : %w", filepath.Base(path), ErrExists)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return "", 0, err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	crashPoint("once.temp-cree")
	if err := tmp.Chmod(FileMode); err != nil {
		tmp.Close()
		return "", 0, err
	}
	h := sha256.New()
	cw := &CountingWriter{W: io.MultiWriter(tmp, h)}
	if err := fill(cw); err != nil {
		tmp.Close()
		return "", 0, err
	}
	crashPoint("once.ecrit")
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", 0, err
	}
	if err := tmp.Close(); err != nil {
		return "", 0, err
	}
	crashPoint("once.synchronise")
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return "", 0, fmt.Errorf("%s : %w", filepath.Base(path), ErrExists)
		}
		return "", 0, err
	}
	crashPoint("once.lie")
	if err := os.Remove(tmpName); err != nil {
		return "", 0, err
	}
	crashPoint("once.temp-supprime")
	if err := SyncDir(dir); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), cw.N, nil
}

// ReplaceFile atomically replaces path with data (for regenerable outputs such
// as rendered PDFs): temp file, fsync, rename, fsync of the folder.
func ReplaceFile(path string, data []byte) error {
	_, err := ReplaceFileWith(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	return err
}

// ReplaceFileWith is [ReplaceFile] with the content written by fill
// (buffered), so that it need not be in memory; it returns the size.
func ReplaceFileWith(path string, fill func(io.Writer) error) (int64, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return 0, err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	defer tmp.Close()
	if err := tmp.Chmod(FileMode); err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	cw := &CountingWriter{W: bw}
	if err := fill(cw); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	crashPoint("replace.ecrit")
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return 0, err
	}
	crashPoint("replace.renomme")
	return cw.N, SyncDir(dir)
}

// HashFile returns the hex SHA-256 and size of a file.
func HashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return hashReader(f)
}

func hashReader(f io.Reader) (string, int64, error) {
	h := sha256.New()
	buf := make([]byte, 1<<20)
	n, err := io.CopyBuffer(h, struct{ io.Reader }{f}, buf)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// HashBytes returns the hex SHA-256 of b.
func HashBytes(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// CountingWriter passes writes to W and counts the bytes written in N.
type CountingWriter struct {
	W io.Writer
	N int64
}

func (c *CountingWriter) Write(p []byte) (int, error) {
	n, err := c.W.Write(p)
	c.N += int64(n)
	return n, err
}
