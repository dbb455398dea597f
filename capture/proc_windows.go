package capture

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// detach starts the browser in a new process group without this console:
// Ctrl-C in the terminal must not close the user's browser, and it outlives
// this command.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP | windows.DETACHED_PROCESS}
}

// killPID ends a process (TerminateProcess).
// noFollow: the profile folder was checked with Lstat (no O_NOFOLLOW here).
const noFollow = 0

func killPID(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
		p.Release()
	}
}

// processAlive tells whether pid is a running process: Windows has no
// signal 0, so the process is opened and its exit code read.
func processAlive(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		// Access denied means it exists (another user's process).
		return err == windows.ERROR_ACCESS_DENIED
	}
	defer windows.CloseHandle(h)
	var code uint32
	if windows.GetExitCodeProcess(h, &code) != nil {
		return false
	}
	return code == 259 // STILL_ACTIVE
}

// hasDisplay: a Windows session always has a desktop.
func hasDisplay() bool { return true }
