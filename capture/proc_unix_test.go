//go:build !windows

package capture

import "syscall"

// killTree kills a browser started by StartBrowser and its children: it has
// its own session, so its process group.
func killTree(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }
