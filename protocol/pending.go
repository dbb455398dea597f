package protocol

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PendingFile is a marker inside the case naming a temporary file being
// written OUTSIDE the case (an export's archive, possibly on a USB key). A
// command killed while writing it leaves personal data under a hidden name
// where no command of the case looks; the next command that takes the case's
// lock reads the marker and removes that temporary file.
const PendingFile = ".ecriture-en-cours"

// MarkPending records tmp (absolute) as being written; call inside a Tx.
func (t *Tx) MarkPending(tmp string) error {
	return ReplaceFile(t.c.Path(PendingFile), []byte(tmp+"\n"))
}

// ClearPending removes the marker once tmp is renamed or removed.
func (t *Tx) ClearPending() error {
	err := os.Remove(t.c.Path(PendingFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// cleanPending removes the temporary file an interrupted command left
// outside the case, then the marker. It runs under the case's lock, so no
// export is writing. Only a regular file whose name starts with ".tmp-" is
// removed: a marker edited by hand cannot make it delete anything else.
func (c *Case) cleanPending() {
	b, err := ReadCaseFile(c.Path(PendingFile), PendingFile, 4096)
	if err != nil {
		return
	}
	tmp := strings.TrimSuffix(string(b), "\n")
	if filepath.IsAbs(tmp) && strings.HasPrefix(filepath.Base(tmp), ".tmp-") && !strings.ContainsAny(tmp, "\n\x00") {
		if st, err := os.Lstat(tmp); err == nil && st.Mode().IsRegular() {
			if os.Remove(tmp) != nil {
				return
			}
		}
	}
	os.Remove(c.Path(PendingFile))
}
