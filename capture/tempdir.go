package capture

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// maxBrowserTemp bounds the length of Chromium's TMPDIR: it puts a Unix
// socket 45 characters below it, and a socket path has at most 107.
const maxBrowserTemp = 60

// tempPrefix names a capture's folder: "adc-PID-": the process that made it
// is known, so a folder left by a killed command can be told from one in use.
const tempPrefix = "adc-"

// browserTempDir makes the folder of one capture (profile and Chromium's own
// temporary files), short enough for Chromium's socket; "" when none can be
// made (chromedp then makes the profile in the usual temporary folder).
func browserTempDir() string {
	for _, parent := range []string{os.TempDir(), "/tmp"} {
		dir, err := os.MkdirTemp(parent, tempPrefix+strconv.Itoa(os.Getpid())+"-")
		if err != nil {
			continue
		}
		if len(dir) <= maxBrowserTemp {
			return dir
		}
		os.Remove(dir)
	}
	return ""
}

// removeWork removes a capture's folder once its browser has exited: first
// the browser's child processes that may outlive it and still write in the
// profile, then the folder (retried while such a process lets go).
func removeWork(work, profile string) {
	killUsing(profile)
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := os.RemoveAll(work)
		if err == nil || time.Now().After(deadline) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killUsing kills the processes started with the profile dir, until none
// is seen for a few passes (a child can fork as its parent dies). It reads
// /proc, so it does nothing on macOS and Windows: there the browser's
// helpers exit with it, and removeWork retries until they let go.
func killUsing(profile string) {
	want := []byte("--user-data-dir=" + profile)
	deadline := time.Now().Add(2 * time.Second)
	for quiet := 0; quiet < 3 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		found := 0
		procs, _ := os.ReadDir("/proc")
		for _, p := range procs {
			pid, err := strconv.Atoi(p.Name())
			if err != nil || pid == os.Getpid() {
				continue
			}
			cmd, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
			if err != nil {
				continue
			}
			for arg := range bytes.SplitSeq(cmd, []byte{0}) {
				if bytes.Equal(arg, want) {
					killPID(pid)
					found++
					break
				}
			}
		}
		if found == 0 {
			quiet++
		} else {
			quiet = 0
		}
	}
}

// sweepStale removes the capture folders whose command is gone (killed
// with SIGKILL, or the machine stopped mid-capture).
func sweepStale() {
	for _, parent := range []string{os.TempDir(), "/tmp"} {
		ents, err := os.ReadDir(parent)
		if err != nil {
			continue
		}
		for _, e := range ents {
			rest, ok := strings.CutPrefix(e.Name(), tempPrefix)
			if !ok || !e.IsDir() {
				continue
			}
			pidStr, _, ok := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(pidStr)
			if !ok || err != nil || pid <= 0 || processAlive(pid) {
				continue
			}
			dir := filepath.Join(parent, e.Name())
			removeWork(dir, filepath.Join(dir, "profil"))
		}
	}
}
