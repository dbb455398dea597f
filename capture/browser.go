package capture

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/chromedp/chromedp"
)

// EnvChromium names the environment variable that gives the browser to use
// (a path), in place of the one found on PATH.
const EnvChromium = "ANEF_DOSSIER_CHROMIUM"

var (
	// ErrNoChromium is returned when no Chromium can be found.
	ErrNoChromium = errors.New("navigateur Chromium introuvable")
	// ErrTimeout is returned when the page did not load within the timeout.
	ErrTimeout = errors.New("la page n'a pas fini de se charger dans le délai")
	// ErrCertificate is returned for a server whose TLS certificate the
	// browser does not trust.
	ErrCertificate = errors.New("le certificat TLS du serveur n'est pas valide")
	// ErrBrowserDied is returned when Chromium stopped during a capture.
	ErrBrowserDied = errors.New("le navigateur Chromium s'est arrêté pendant la capture")
	// ErrNoDisplay is returned when a visible browser is asked without a
	// graphical session.
	ErrNoDisplay = errors.New("aucun affichage graphique (DISPLAY et WAYLAND_DISPLAY sont vides)")
	// ErrNoTab is returned in attached mode when no tab fits.
	ErrNoTab = errors.New("aucun onglet visible ne correspond")
	// ErrAttach is returned when the browser to attach to does not answer.
	ErrAttach = errors.New("impossible de joindre le navigateur")
)

// FindChromium returns the browser to run: path when given, else
// $ANEF_DOSSIER_CHROMIUM, else chromium, chromium-browser, google-chrome or
// google-chrome-stable on PATH. Debian's /usr/bin/chromium is a shell wrapper:
// the real binary beside it is used, which starts faster and takes the same
// flags.
func FindChromium(path string) (string, error) {
	if path == "" {
		path = os.Getenv(EnvBrowser)
	}
	if path == "" {
		path = os.Getenv(EnvChromium)
	}
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("%w (%s)", ErrNoChromium, path)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if real := debianReal(p); real != "" {
			return real, nil
		}
		return p, nil
	}
	// Not on PATH (the usual case on Windows and macOS): the standard
	// install places of Chrome, Edge, Brave and Chromium.
	// On Linux the PATH is the convention and is kept as the only search.
	if found := FindBrowsers(); len(found) > 0 && (runtime.GOOS == "windows" || runtime.GOOS == "darwin") {
		return found[0].Path, nil
	}
	return "", ErrNoChromium
}

// debianReal returns /usr/lib/chromium/chromium when p is Debian's wrapper
// script for it.
func debianReal(p string) string {
	if filepath.Base(p) != "chromium" {
		return ""
	}
	head := make([]byte, 64)
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	n, _ := f.Read(head)
	f.Close()
	if !strings.HasPrefix(string(head[:n]), "#!") {
		return ""
	}
	real := "/usr/lib/chromium/chromium"
	if st, err := os.Stat(real); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return real
	}
	return ""
}

// commonFlags are the Chromium switches of every capture: nothing is fetched
// in the background (this also keeps a closed network quiet), no GPU, no QUIC
// (a TLS connection shows its certificate).
var commonFlags = []string{
	"no-first-run",
	"no-default-browser-check",
	"disable-background-networking",
	"disable-component-update",
	"disable-sync",
	"disable-gpu",
	"disable-quic",
	"disable-domain-reliability",
	"mute-audio",
}

// disabledFeatures are Chromium features turned off in every capture (the
// defaults of chromedp, then HttpsUpgrades: its attempt at https:// for an
// http:// address showed as two 307 redirects the server never sent).
const disabledFeatures = "Translate,BlinkGenPropertyTrees,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable"

// headlessFeatures are the features turned off in a headless capture:
// those above, and the address bar's pop-up, which Chromium 156 draws in two
// hidden pages of its own (chrome://omnibox-popup.top-chrome) started with
// the browser: two renderer processes (about 200 MB) a capture never shows.
// The visible browser keeps its pop-up.
const headlessFeatures = disabledFeatures + ",WebUIOmniboxPopup,WebUIOmniboxAimPopup," + quietFeatures

// quietFeatures are the features that make Chromium call Google's servers
// on its own, off in every browser of the tool, headless or visible
// (network time, optimisation hints, media router, autofill, certificate
// transparency and feed updates).
const quietFeatures = "OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,NetworkTimeServiceQuerying"

// headlessFlags are the switches of every headless browser of the tool
// (a capture, and the one `doctor` starts to read the browser's version).
func headlessFlags() []chromedp.ExecAllocatorOption {
	var opts []chromedp.ExecAllocatorOption
	for _, f := range commonFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	return append(opts, chromedp.Flag("disable-features", headlessFeatures), chromedp.Flag("host-resolver-rules", hostRules()))
}

// testHookHostRules are further host resolver rules, after the product's
// (tests only).
var testHookHostRules string

// hostRules are the host resolver rules of a headless capture: the hosts
// no switch keeps Chromium from calling (see unreachableHosts), and those of
// a test.
func hostRules() string {
	if testHookHostRules != "" {
		return unreachableHosts + ", " + testHookHostRules
	}
	return unreachableHosts
}
