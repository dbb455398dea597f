package capture

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// deepTextJS gathers the text of the page, through open shadow roots and
// same-origin frames (ReplayWeb.page nests the replayed page in both).
const deepTextJS = `(() => {
  const out = [];
  const walk = (root) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.shadowRoot) walk(e.shadowRoot);
      if (e.tagName === 'IFRAME') {
        try { const d = e.contentDocument; if (d && d.body) { out.push(d.body.innerText); walk(d); } } catch (_) {}
      }
    }
  };
  walk(document);
  return out.join('\n');
})()`

// replayWACZ serves ReplayWeb.page (npm replaywebpage) and the package on
// loopback, opens the embedded viewer on url in headless Chromium and
// returns the text shown once the replayed page has it (or what was shown
// after the wait).
func replayWACZ(t *testing.T, mods, wacz, url string) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/replay/", http.StripPrefix("/replay/", http.FileServer(http.Dir(filepath.Join(mods, "replaywebpage")))))
	mux.HandleFunc("/dossier.wacz", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, wacz)
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><script src="/replay/ui.js"></script></head>
<body style="margin:0"><replay-web-page style="display:block;width:1200px;height:800px" source="/dossier.wacz" url=%q replaybase="/replay/" embed="replayonly"></replay-web-page></body></html>`, url)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	exec, err := FindChromium("")
	if err != nil {
		t.Fatal(err)
	}
	// The browser's own temporary files (org.chromium.Chromium.*) go to a
	// folder of this test, removed with it, not to the package's TMPDIR
	// that TestMain checks for leftovers of the capture code.
	own := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exec), chromedp.UserDataDir(filepath.Join(own, "profil")),
		chromedp.Env("TMPDIR="+own))
	for _, f := range commonFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelT()
	if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("opening ReplayWeb.page: %v", err)
	}
	text := ""
	for end := time.Now().Add(150 * time.Second); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		text, err = chromedp.Run(ctx, chromedp.Evaluate[string](deepTextJS))
		if err != nil {
			t.Fatalf("reading the replay: %v", err)
		}
		if ContainsText(text, "Rendez-vous indisponible") {
			break
		}
	}
	if os.Getenv("ANEF_DEBUG_REPLAY") != "" {
		shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		os.WriteFile(os.Getenv("ANEF_DEBUG_REPLAY"), shot, 0o644)
	}
	return text
}
