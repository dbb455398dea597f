//go:build unix

package protocol

import (
	"errors"
	"os"
	"syscall"
)

func openNoBlock(path string, follow bool) (*os.File, error) {
	flag := os.O_RDONLY | syscall.O_NONBLOCK
	if !follow {
		flag |= syscall.O_NOFOLLOW
	}
	return os.OpenFile(path, flag, 0)
}

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }

// lockOpenFlag opens the lock file without following a link.
const lockOpenFlag = os.O_CREATE | os.O_RDWR | syscall.O_NOFOLLOW
