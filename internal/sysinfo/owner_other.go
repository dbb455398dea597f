//go:build !unix

package sysinfo

import "os"

// Owner is not known here: on Windows a file's access is its ACL, not an
// owner and mode bits.
func Owner(fi os.FileInfo) (uid int, ok bool) { return 0, false }
