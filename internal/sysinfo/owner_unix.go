//go:build unix

package sysinfo

import (
	"os"
	"syscall"
)

// Owner returns the user id that owns the file fi describes.
func Owner(fi os.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
