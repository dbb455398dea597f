//go:build !windows

package capture

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// detach starts the browser in its own session: Ctrl-C in the terminal must
// not close the user's browser, and it outlives this command.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }

// noFollow makes an open fail on a symbolic link.
const noFollow = syscall.O_NOFOLLOW

func killPID(pid int) { syscall.Kill(pid, syscall.SIGKILL) }

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// hasDisplay tells whether a window can be opened: on Linux and the BSDs, an
// X11 or Wayland session; macOS always has one for a logged-in user.
func hasDisplay() bool {
	return isDarwin || os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}
