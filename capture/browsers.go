package capture

import (
	"os"
	"path/filepath"
)

// EnvBrowser names the environment variable that gives the browser to use
// (a path); EnvChromium is its older name, still read.
const EnvBrowser = "ANEF_DOSSIER_BROWSER"

// Installed is a Chromium-family browser found on this machine.
type Installed struct {
	Name string // "Google Chrome", "Microsoft Edge", "Brave", "Chromium"
	Path string
}

// FindBrowsers lists the browsers found in their standard places on this
// system (browserPlaces, one file per system), in order of preference.
func FindBrowsers() []Installed {
	var out []Installed
	seen := map[string]bool{}
	for _, c := range browserPlaces() {
		st, err := os.Stat(c.Path)
		if err != nil || st.IsDir() {
			continue
		}
		// One browser under two names (a link, Debian's wrapper script
		// beside the real program) is listed once.
		real := c.Path
		if r, err := filepath.EvalSymlinks(c.Path); err == nil {
			real = r
		}
		if d := debianReal(real); d != "" {
			real = d
		}
		if seen[real] {
			continue
		}
		seen[real] = true
		out = append(out, c)
	}
	return out
}

// BrowserKind names the browser at path from its file name, for the
// evidence record ("Chromium" when not known).
func BrowserKind(path string) string {
	for _, c := range browserPlaces() {
		if c.Path == path {
			return c.Name
		}
	}
	switch b := filepath.Base(path); b {
	case "msedge.exe", "microsoft-edge", "microsoft-edge-stable", "Microsoft Edge":
		return "Microsoft Edge"
	case "brave.exe", "brave-browser", "brave", "Brave Browser":
		return "Brave"
	case "chrome.exe", "google-chrome", "google-chrome-stable", "Google Chrome":
		return "Google Chrome"
	}
	return "Chromium"
}
