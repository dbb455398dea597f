package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"anefdossier/protocol"
)

// TestMain makes the command available to the scripts and to the tests
// that run it as a process (exec "anef-dossier"). Such a run reads the test
// clock from ANEF_DOSSIER_TEST_NOW (RFC 3339), the only place that does: the
// built binary has no test knob for the time.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"anef-dossier": func() {
			if v := os.Getenv("ANEF_DOSSIER_TEST_NOW"); v != "" {
				t, err := time.Parse(time.RFC3339, v)
				if err != nil {
					fmt.Fprintf(os.Stderr, "ANEF_DOSSIER_TEST_NOW=%q: %v\n", v, err)
					os.Exit(2)
				}
				protocol.Now = func() time.Time { return t }
			}
			os.Exit(run(os.Args, os.Stdout, os.Stderr))
		},
	})
}

// scriptCmds are extra testscript commands shared by every script; other
// files add theirs in init().
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){}

// scriptSetups run for every script (e.g. a local page server, a local TSA).
var scriptSetups []func(env *testscript.Env) error

// TestScripts runs the command as a user runs it: testdata/script/*.txtar.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		Cmds:                scriptCmds,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("TZ", "Europe/Paris")
			for _, s := range scriptSetups {
				if err := s(env); err != nil {
					return err
				}
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch {
			case cond == "root":
				return os.Geteuid() == 0, nil
			case cond == "chromium":
				// The fast tier (go test -short) runs no browser.
				return !testing.Short() && chromiumPath() != "", nil
			case strings.HasPrefix(cond, "bin:"):
				_, err := exec.LookPath(strings.TrimPrefix(cond, "bin:"))
				return err == nil, nil
			}
			return false, nil
		},
	})
}

func chromiumPath() string {
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if _, err := os.Stat(filepath.Join("/usr/lib/chromium", "chromium")); err == nil {
		return "/usr/lib/chromium/chromium"
	}
	return ""
}
