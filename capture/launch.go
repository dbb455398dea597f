package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// DefaultDevToolsPort is the debugging port of `capture browser`.
const DefaultDevToolsPort = 9222

// BrowserOptions of a visible browser for logged-in pages.
type BrowserOptions struct {
	ExecPath   string // "" = FindChromium
	ProfileDir string // dedicated profile folder, created 0700
	Port       int    // DevTools port on 127.0.0.1; 0 = DefaultDevToolsPort
	URL        string // page to open first, may be empty
	// Headless starts it without a window (tests only).
	Headless bool
	// ExtraArgs are further switches (tests only).
	ExtraArgs []string
}

// quietArgs keep the person's browser from calling home on its own: no
// background requests (variations, component updates, sync, Safe Browsing
// list updates, metrics, domain reliability, translation, optimisation
// hints, network time, extensions: the profile is dedicated to the case).
// Only the pages the person opens are requested.
var quietArgs = []string{
	"--no-first-run",
	"--no-default-browser-check",
	"--disable-quic",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--disable-domain-reliability",
	"--disable-client-side-phishing-detection",
	"--disable-default-apps",
	"--disable-breakpad",
	"--metrics-recording-only",
	"--safebrowsing-disable-auto-update",
	"--no-pings",
	"--disable-extensions",
	"--disable-component-extensions-with-background-pages",
	"--disable-features=" + disabledFeatures + "," + quietFeatures,
	"--host-resolver-rules=" + unreachableHosts,
}

// unreachableHosts are the hosts Chromium 156 still called at start with
// every switch above (in the visible browser and in a headless capture) (measured on loopback: its Google account check and its
// component updater's request). No switch turns these off, so the browser is
// told they do not exist: nothing leaves for them. The ANEF's login
// (FranceConnect and its providers) does not go through them.
const unreachableHosts = "MAP accounts.google.com ~NOTFOUND, MAP update.googleapis.com ~NOTFOUND"

// Launched is a browser started by [StartBrowser].
type Launched struct {
	PID      int
	DevTools string // http://127.0.0.1:PORT
	Profile  string
}

// StartBrowser starts a Chromium with its own profile folder and the
// DevTools port bound to 127.0.0.1, detached: it stays open after the
// command ends, for the user to log in; `capture --attach` then captures its
// visible tab.
func StartBrowser(o BrowserOptions) (*Launched, error) {
	if o.Port == 0 {
		o.Port = DefaultDevToolsPort
	}
	// Absolute: the browser's command line then names its profile
	// unambiguously (and a relative path would follow the browser's cwd).
	prof, err := filepath.Abs(o.ProfileDir)
	if err != nil {
		return nil, err
	}
	o.ProfileDir = prof
	execPath, err := FindChromium(o.ExecPath)
	if err != nil {
		return nil, err
	}
	if !o.Headless && !hasDisplay() {
		return nil, ErrNoDisplay
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("le port %d de cette machine est déjà utilisé (un navigateur est peut-être déjà ouvert pour la capture) : %w", o.Port, err)
	}
	l.Close()
	if err := os.MkdirAll(o.ProfileDir, 0o700); err != nil {
		return nil, fmt.Errorf("profil du navigateur %s : %w", o.ProfileDir, err)
	}
	// Never through a link: the browser would write (and the chmod act)
	// outside the case.
	if st, err := os.Lstat(o.ProfileDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("profil du navigateur %s : n'est pas un dossier (lien symbolique ?) : refusé", o.ProfileDir)
	}
	if err := os.Chmod(o.ProfileDir, 0o700); err != nil {
		return nil, err
	}
	args := append([]string{
		"--user-data-dir=" + o.ProfileDir,
		"--remote-debugging-address=127.0.0.1",
		"--remote-debugging-port=" + strconv.Itoa(o.Port),
	}, quietArgs...)
	if o.Headless {
		args = append(args, "--headless", "--disable-gpu")
	}
	args = append(args, o.ExtraArgs...)
	if os.Getuid() == 0 {
		// Chromium refuses to run as root with its sandbox.
		args = append(args, "--no-sandbox")
	}
	if o.URL != "" {
		args = append(args, o.URL)
	}
	logf, err := os.OpenFile(filepath.Join(o.ProfileDir, "chromium.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC|noFollow, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal du navigateur %s : %w (lien symbolique ?)", filepath.Join(o.ProfileDir, "chromium.log"), err)
	}
	defer logf.Close()
	cmd := exec.Command(execPath, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w : %v", ErrNoChromium, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(20 * time.Second)
	for {
		if devToolsUp(addr, o.URL) {
			return &Launched{PID: cmd.Process.Pid, DevTools: "http://" + addr, Profile: o.ProfileDir}, nil
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("le navigateur Chromium s'est arrêté au démarrage (%v) ; voir %s", err, filepath.Join(o.ProfileDir, "chromium.log"))
		case <-deadline:
			cmd.Process.Kill()
			return nil, errors.New("le navigateur Chromium n'a pas ouvert son port de débogage dans les 20 s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// devToolsUp tells whether a browser answers on its debugging address and,
// when first is set, shows a tab for it (the page may still be loading).
func devToolsUp(addr, first string) bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get("http://" + addr + "/json/list")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var tabs []struct{ URL, Type string }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&tabs) != nil {
		return false
	}
	if first == "" {
		return true
	}
	for _, t := range tabs {
		if t.Type == "page" && t.URL != "" && t.URL != "about:blank" {
			return true
		}
	}
	return false
}
