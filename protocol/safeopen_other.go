//go:build !unix

package protocol

import (
	"io/fs"
	"os"
)

// errLink marks a link found by Lstat where O_NOFOLLOW does not exist.
type errLink struct{}

func (errLink) Error() string { return "lien symbolique" }

func openNoBlock(path string, follow bool) (*os.File, error) {
	if !follow {
		if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
			return nil, errLink{}
		}
	}
	return os.Open(path)
}

func isLoop(err error) bool { _, ok := err.(errLink); return ok }

const lockOpenFlag = os.O_CREATE | os.O_RDWR
