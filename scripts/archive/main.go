// Command archive writes a release archive whose bytes depend only on its
// inputs: entries sorted, every time set to SOURCE_DATE_EPOCH, owner root,
// modes 0755 (programs) or 0644, no extra fields. Used by scripts/release.sh.
//
//	go run ./scripts/archive OUT.(zip|tar.gz) ROOT FILE...
//
// Each FILE goes in as ROOT/basename(FILE).
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "archive :", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 3 {
		return errors.New("usage : archive OUT.zip|OUT.tar.gz RACINE FICHIER…")
	}
	out, root, files := args[0], args[1], append([]string{}, args[2:]...)
	sec, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64)
	if err != nil {
		return fmt.Errorf("SOURCE_DATE_EPOCH absent ou invalide")
	}
	mtime := time.Unix(sec, 0).UTC()
	sort.Slice(files, func(i, j int) bool { return filepath.Base(files[i]) < filepath.Base(files[j]) })
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	if strings.HasSuffix(out, ".zip") {
		err = writeZip(f, root, files, mtime)
	} else {
		err = writeTarGz(f, root, files, mtime)
	}
	if err != nil {
		return err
	}
	return f.Close()
}

func mode(name string) int64 {
	if b := filepath.Base(name); b == "anef-dossier" || b == "anef-dossier.exe" {
		return 0o755
	}
	return 0o644
}

func writeTarGz(w io.Writer, root string, files []string, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	gz.ModTime = mtime // the gzip header has a time too
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: root + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
		return err
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: root + "/" + filepath.Base(p), Mode: mode(p), Size: int64(len(data)), ModTime: mtime, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, root string, files []string, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h := &zip.FileHeader{Name: root + "/" + filepath.Base(p), Method: zip.Deflate, Modified: mtime}
		h.SetMode(os.FileMode(mode(p)))
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}
