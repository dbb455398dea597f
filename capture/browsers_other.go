//go:build !windows && !darwin

package capture

// browserPlaces are the usual places on Linux and the BSDs (packages,
// Snap, Flatpak exports are on PATH and found by FindChromium too).
func browserPlaces() []Installed {
	return []Installed{
		{"Chromium", "/usr/lib/chromium/chromium"},
		{"Chromium", "/usr/bin/chromium"},
		{"Chromium", "/usr/bin/chromium-browser"},
		{"Chromium", "/snap/bin/chromium"},
		{"Google Chrome", "/opt/google/chrome/chrome"},
		{"Google Chrome", "/usr/bin/google-chrome-stable"},
		{"Microsoft Edge", "/opt/microsoft/msedge/msedge"},
		{"Microsoft Edge", "/usr/bin/microsoft-edge-stable"},
		{"Brave", "/opt/brave.com/brave/brave"},
		{"Brave", "/usr/bin/brave-browser"},
	}
}
