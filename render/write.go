package render

import (
	"fmt"
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
