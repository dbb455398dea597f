package render

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"anefdossier/protocol"
)

// WriteOut writes an output under the case's out/ folder atomically (temp
// file, fsync, rename, fsync of the folder): folders 0700, files 0600. It
// returns the path written. Outputs are regenerable: the journal is not
// touched.
func (in *Input) WriteOut(rel string, data []byte) (string, error) {
	p := filepath.Join(in.Dir, protocol.OutDir, filepath.FromSlash(rel))
	if err := mkdirPrivate(filepath.Dir(p)); err != nil {
		return "", err
	}
	if err := protocol.ReplaceFile(p, data); err != nil {
		return "", fmt.Errorf("écriture de %s : %w", p, err)
	}
	return p, nil
}

func mkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, protocol.DirMode); err != nil {
		return fmt.Errorf("création de %s : %w", dir, err)
	}
	return os.Chmod(dir, protocol.DirMode)
}

// WriteOutWith streams an output under out/ atomically: fill writes into a
// private temporary file, which is synced, then renamed over the old one.
func (in *Input) WriteOutWith(rel string, fill func(io.Writer) error) (string, int64, error) {
	p := filepath.Join(in.Dir, protocol.OutDir, filepath.FromSlash(rel))
	dir := filepath.Dir(p)
	if err := mkdirPrivate(dir); err != nil {
		return "", 0, err
	}
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(p)+"-")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := f.Chmod(protocol.FileMode); err != nil {
		return "", 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		return "", 0, err
	}
	if err := bw.Flush(); err != nil {
		return "", 0, err
	}
	if err := f.Sync(); err != nil {
		return "", 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return "", 0, err
	}
	if err := f.Close(); err != nil {
		return "", 0, err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return "", 0, err
	}
	return p, st.Size(), protocol.SyncDir(dir)
}
