package capture

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// BrowserVersion starts the browser at execPath without a window, with an
// empty temporary profile, asks its name and version (as a capture records
// them) and stops it: what `doctor` shows. It gives up after timeout.
func BrowserVersion(ctx context.Context, execPath string, timeout time.Duration) (name, version string, err error) {
	sweepStale()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(execPath))
	if work := browserTempDir(); work != "" {
		profile := filepath.Join(work, "profil")
		defer removeWork(work, profile)
		opts = append(opts, chromedp.UserDataDir(profile), chromedp.Env("TMPDIR="+work))
	}
	opts = append(opts, headlessFlags()...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelB := chromedp.NewContext(allocCtx)
	defer cancelB()
	if err := chromedp.Do(bctx); err != nil {
		return "", "", fmt.Errorf("le navigateur n'a pas démarré : %w", err)
	}
	ver, err := chromedp.CallBrowser(bctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		return "", "", err
	}
	name, version = browserName(ver.Product)
	if kind := BrowserKind(execPath); kind != "Chromium" {
		name = kind
	} else if name == "Chromium (sans interface)" {
		name = "Chromium"
	}
	return name, version, nil
}

// HasDisplay tells whether `capture browser` can open a visible window here.
func HasDisplay() bool { return hasDisplay() }

// InstallHint says, for this system, how to get a browser the tool can use.
func InstallHint() string {
	switch runtime.GOOS {
	case "windows":
		return "Microsoft Edge est présent sur tout Windows 10 et 11 ; s'il a été retiré, installez Google Chrome, ou indiquez le programme avec --browser CHEMIN ou la variable " + EnvBrowser
	case "darwin":
		return "installez Google Chrome, Microsoft Edge ou Brave dans le dossier Applications, ou indiquez le programme avec --browser CHEMIN ou la variable " + EnvBrowser
	}
	return "installez Chromium (Debian, Ubuntu : sudo apt install chromium), ou indiquez le programme avec --browser CHEMIN ou la variable " + EnvBrowser
}
