package protocol

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"anefdossier/internal/durable"
)

// File and folder modes of a case, errors and writes: see package durable,
// the one implementation of atomic and write-once files.
const (
	DirMode  = durable.DirMode
	FileMode = durable.FileMode
)

// ErrExists is returned when a write-once file already exists.
var ErrExists = durable.ErrExists

// SyncDir fsyncs a folder (nothing on Windows): durable.SyncDir.
func SyncDir(dir string) error { return durable.SyncDir(dir) }

// WriteFileOnce writes data to path atomically and never replaces an
// existing file: durable.WriteOnce.
func WriteFileOnce(path string, data []byte) error { return durable.WriteOnce(path, data) }

// ReplaceFile atomically replaces path with data (for regenerable outputs
// such as rendered PDFs): durable.WriteAtomic.
func ReplaceFile(path string, data []byte) error { return durable.WriteAtomic(path, data) }

// ReplaceFileWith is [ReplaceFile] with the content written by fill
// (buffered), so that it need not be in memory; it returns the size.
func ReplaceFileWith(path string, fill func(io.Writer) error) (int64, error) {
	return writeWith(path, durable.Replace, nil, fill)
}

// WriteFileOnceWith is [WriteFileOnce] for content written by fill as it is
// made (never whole in memory); it returns the SHA-256 (hex) and size of
// what was written.
func WriteFileOnceWith(path string, fill func(io.Writer) error) (sum string, size int64, err error) {
	h := sha256.New()
	size, err = writeWith(path, durable.Once, h, fill)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// writeWith creates path in mode and has fill write into it through a
// 1 MiB buffer (and into also, when not nil), then commits it (fsync,
// rename, fsync of the folder); it returns the size written.
func writeWith(path string, mode durable.Mode, also io.Writer, fill func(io.Writer) error) (int64, error) {
	f, err := durable.Create(path, mode)
	if err != nil {
		return 0, err
	}
	defer f.Cleanup()
	var w io.Writer = f
	if also != nil {
		w = io.MultiWriter(f, also)
	}
	cw := &CountingWriter{W: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	if err := fill(bw); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	if err := f.Commit(); err != nil {
		return 0, err
	}
	return cw.N, nil
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
	f, err := durable.Create(dst, durable.Once)
	if err != nil {
		return "", 0, err
	}
	defer f.Cleanup()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(in, st.Size()+1))
	if err != nil {
		return "", 0, err
	}
	after, err := in.Stat()
	if err != nil {
		return "", 0, err
	}
	if n != st.Size() || after.Size() != st.Size() || !after.ModTime().Equal(st.ModTime()) {
		return "", 0, fmt.Errorf("%w : %s (taille %d octets à l'ouverture, %d octets lus) ; attendez la fin de l'écriture (téléchargement, copie) puis recommencez", ErrChanged, src, st.Size(), n)
	}
	if err := f.Commit(); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ErrChanged: a file changed while it was being copied into the case.
var ErrChanged = errors.New("le fichier a changé pendant la copie")

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
