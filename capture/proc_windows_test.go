package capture

import (
	"os/exec"
	"strconv"
)

// killTree kills a browser started by StartBrowser and its children.
func killTree(pid int) { exec.Command("taskkill", "/T", "/F", "/PID", strconv.Itoa(pid)).Run() }
