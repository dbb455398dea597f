package capture

import (
	"os"
	"path/filepath"
)

// browserPlaces are the standard install places on Windows: per machine
// under Program Files (both), per user under %LOCALAPPDATA%. Edge is on
// every Windows 10 and 11.
func browserPlaces() []Installed {
	var out []Installed
	add := func(name string, rel ...string) {
		for _, root := range []string{os.Getenv("ProgramFiles"), os.Getenv("ProgramFiles(x86)"), os.Getenv("LOCALAPPDATA")} {
			if root != "" {
				out = append(out, Installed{name, filepath.Join(append([]string{root}, rel...)...)})
			}
		}
	}
	add("Google Chrome", "Google", "Chrome", "Application", "chrome.exe")
	add("Microsoft Edge", "Microsoft", "Edge", "Application", "msedge.exe")
	add("Brave", "BraveSoftware", "Brave-Browser", "Application", "brave.exe")
	add("Chromium", "Chromium", "Application", "chrome.exe")
	return out
}
