package capture

import (
	"os"
	"path/filepath"
)

// browserPlaces are the standard places on macOS: the application bundles
// in /Applications, or in ~/Applications for a user install.
func browserPlaces() []Installed {
	apps := []struct{ name, bundle, exe string }{
		{"Google Chrome", "Google Chrome.app", "Google Chrome"},
		{"Microsoft Edge", "Microsoft Edge.app", "Microsoft Edge"},
		{"Brave", "Brave Browser.app", "Brave Browser"},
		{"Chromium", "Chromium.app", "Chromium"},
	}
	var out []Installed
	for _, root := range []string{"/Applications", filepath.Join(os.Getenv("HOME"), "Applications")} {
		for _, a := range apps {
			out = append(out, Installed{a.name, filepath.Join(root, a.bundle, "Contents", "MacOS", a.exe)})
		}
	}
	return out
}
