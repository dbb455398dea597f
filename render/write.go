package render

import (
	"fmt"
	"io"
	"path/filepath"

	"anefdossier/internal/durable"
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
	if err := durable.WriteAtomic(p, data); err != nil {
		return "", fmt.Errorf("écriture de %s : %w", p, err)
	}
	return p, nil
}

func mkdirPrivate(dir string) error {
	if err := durable.MkdirAll(dir); err != nil {
		return fmt.Errorf("création de %s : %w", dir, err)
	}
	return nil
}

// WriteOutWith streams an output under out/ atomically: fill writes into a
// private temporary file, which is synced, then renamed over the old one.
func (in *Input) WriteOutWith(rel string, fill func(io.Writer) error) (string, int64, error) {
	p := filepath.Join(in.Dir, protocol.OutDir, filepath.FromSlash(rel))
	if err := mkdirPrivate(filepath.Dir(p)); err != nil {
		return "", 0, err
	}
	n, err := protocol.ReplaceFileWith(p, fill)
	if err != nil {
		return "", 0, err
	}
	return p, n, nil
}
