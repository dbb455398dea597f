package capture

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"anefdossier/protocol"
)

// The capture findings of the first adversarial review (issue 16): each
// test serves the review's hostile page on loopback.

// hostile serves the review's pages.
func hostile(t *testing.T) *httptest.Server {
	t.Helper()
	pages := map[string]string{
		// Every kind of dialog, one after the other, then what the page
		// learnt from them.
		"/dialogues": `<!doctype html><html><head><meta charset="utf-8"><title>dialogues</title></head><body><h1>Espace personnel</h1><p id="r"></p><script>
window.addEventListener("load", () => {
  alert("Votre session a expiré");
  const c = confirm("Voulez-vous annuler votre demande ?");
  const p = prompt("Numéro étranger ?", "123");
  window.print();
  document.getElementById("r").textContent = "confirm=" + c + " prompt=" + p;
});
</script></body></html>`,
		"/alerte-sans-fin": `<!doctype html><html><head><title>boucle</title></head><body><h1>x</h1><script>setTimeout(() => { while (true) { alert("encore") } }, 100)</script></body></html>`,
		"/large":           `<!doctype html><html><head><title>large</title></head><body style="margin:0"><div style="width:100000px;height:2000px;background:linear-gradient(90deg,red,blue)">large</div></body></html>`,
	}
	mux := http.NewServeMux()
	for p, html := range pages {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, html)
		})
	}
	mux.HandleFunc("/boucle", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/boucle", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// M3: alert, confirm, prompt and print are recorded and answered; the page
// is captured.
func TestDialogsRecorded(t *testing.T) {
	srv := hostile(t)
	res, err := capt(t, Options{URL: srv.URL + "/dialogues", ExpectText: "confirm=false prompt=null"})
	if err != nil {
		t.Fatalf("a page with dialogs must be captured: %v", err)
	}
	r := res.Record
	var got []string
	for _, d := range r.Dialogs {
		got = append(got, d.Type+":"+d.Message)
		if d.At.Before(r.Started) || d.At.After(r.Shot) || d.Answer == "" {
			t.Errorf("dialog %+v: time outside the capture or no answer", d)
		}
	}
	want := []string{"alert:Votre session a expiré", "confirm:Voulez-vous annuler votre demande ?", "prompt:Numéro étranger ?", "print:"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("dialogs recorded: %q, want %q", got, want)
	}
	// confirm and prompt were refused (« Annuler »): the page says so.
	if r.ExpectFound == nil || !*r.ExpectFound {
		t.Errorf("confirm/prompt not dismissed (page text expected « confirm=false prompt=null »)")
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "« Votre session a expiré »") {
		t.Errorf("no French note for the alert: %q", r.Notes)
	}
}

// M3: a page that opens dialogs forever is reported as such, not as a slow
// connection, and the capture ends.
func TestDialogLoopNotBlamedOnNetwork(t *testing.T) {
	srv := hostile(t)
	_, err := capt(t, Options{URL: srv.URL + "/alerte-sans-fin", Timeout: 8 * time.Second})
	var se *StuckError
	if !errors.As(err, &se) || len(se.Dialogs) == 0 || !strings.Contains(err.Error(), "dialogue") || strings.Contains(err.Error(), "connexion") {
		t.Fatalf("alert loop: got %v", err)
	}
	if len(se.Dialogs) > maxDialogs {
		t.Errorf("%d dialogs kept, bound %d", len(se.Dialogs), maxDialogs)
	}
}

// Low 10: a redirect loop gives a French error with the chain the server
// sent.
func TestRedirectLoop(t *testing.T) {
	srv := hostile(t)
	_, err := capt(t, Options{URL: srv.URL + "/boucle"})
	var ne *NavError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "redirige sans fin") || len(ne.Redirects) < 10 ||
		!strings.Contains(err.Error(), srv.URL+"/boucle (HTTP 302)") {
		t.Fatalf("redirect loop: got %v", err)
	}
}

// Low 7: a page 100,000 px wide is captured at a bounded width.
func TestFullPageWidthBounded(t *testing.T) {
	srv := hostile(t)
	res, err := capt(t, Options{URL: srv.URL + "/large", FullPage: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(res.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width > maxPageWidth || res.Record.Browser.Width != cfg.Width || cfg.Height != 2000 {
		t.Errorf("screenshot %dx%d (record %d), want width ≤ %d and the full height 2000", cfg.Width, cfg.Height, res.Record.Browser.Width, maxPageWidth)
	}
	if !strings.Contains(strings.Join(res.Record.Notes, "\n"), "page large de 100000 pixels") {
		t.Errorf("no note of the cut: %q", res.Record.Notes)
	}
}

func TestBoundPage(t *testing.T) {
	for _, c := range []struct {
		w, h, vw   float64
		ww, wh     float64
		cutW, cutH int
		name       string
	}{
		{1366, 5000, 1366, 1366, 5000, 0, 0, "ordinary"},
		{1366, 50000, 1366, 1366, maxPageHeight, 0, 50000, "tall"},
		{100000, 2000, 1366, maxPageWidth, 2000, 100000, 0, "wide"},
		{100000, 100000, 1366, maxPageWidth, maxPagePixels / maxPageWidth, 100000, 100000, "huge"},
		{7680, 1000, 7680, 7680, 1000, 0, 0, "wide viewport"},
	} {
		w, h, cut := boundPage(c.w, c.h, int(c.vw))
		if w != c.ww || h != c.wh || cut.W != c.cutW || cut.H != c.cutH || w*h > maxPagePixels+1 {
			t.Errorf("%s: %vx%v cut %+v", c.name, w, h, cut)
		}
	}
}

// Low 20: tokens and cookies in response headers are not kept in the record.
func TestSecretHeadersLeftOut(t *testing.T) {
	rec := new(protocol.CaptureRecord)
	fillResponse(rec, &network.Response{URL: "https://a.example/", Status: 200, Headers: network.Headers{
		"Set-Cookie": "SESSION=secret123", "X-Auth-Token": "secret456", "Authorization": "Bearer abc", "X-Api-Key": "k1",
		"WWW-Authenticate": "Basic realm=x", "Content-Type": "text/html",
	}})
	for k, v := range rec.Headers {
		if strings.Contains(v, "secret") || strings.Contains(v, "abc") || v == "k1" {
			t.Errorf("%s kept: %s", k, v)
		}
	}
	if rec.Headers["content-type"] != "text/html" || rec.Headers["www-authenticate"] != "Basic realm=x" {
		t.Errorf("ordinary headers lost: %v", rec.Headers)
	}
}

// Low 8: an http:// address on port 80 of a host name: Chromium's own
// HTTPS-upgrade attempt is not recorded as redirects the server sent.
func TestNoHTTPSUpgradeRedirects(t *testing.T) {
	needChromium(t)
	l, err := net.Listen("tcp", "127.0.0.1:80")
	if err != nil {
		t.Skipf("port 80 not available (needs root): %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<!doctype html><title>ok</title><p>servie en http</p>")
	}))
	srv.Listener = l
	srv.Start()
	defer srv.Close()
	testHookFlags = []chromedp.ExecAllocatorOption{chromedp.Flag("host-resolver-rules", "MAP prefecture-essai.fr 127.0.0.1")}
	defer func() { testHookFlags = nil }()
	res, err := capt(t, Options{URL: "http://prefecture-essai.fr/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Record.Redirects) != 0 || res.Record.FinalURL != "http://prefecture-essai.fr/" || res.Record.Status != 200 {
		t.Errorf("server sent a plain 200, record says redirects %+v, final %s", res.Record.Redirects, res.Record.FinalURL)
	}
	if _, err := res.Finish(1); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(res.WARC, []byte("Non-Authoritative-Reason")) {
		t.Error("the browser's own redirect is in the WARC")
	}
}

// Low 21: the browser of `capture browser` requests nothing but the pages it
// is given. Every host but loopback is resolved to a recording listener
// (after the product's own rules, which come first and win): it must see no
// connection at all while the browser sits on a page. A TLS connection is
// named by its server name, a plain one by its request line.
func TestBrowserQuiet(t *testing.T) {
	needChromium(t)
	srv := hostile(t)
	addr, asked := recordConnections(t)
	// Short folders: Chromium's socket path has at most 107 characters.
	tmp, err := os.MkdirTemp("", "bq")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	t.Setenv("TMPDIR", tmp)
	rules := unreachableHosts + ", MAP * " + addr + ", EXCLUDE 127.0.0.1"
	l, err := StartBrowser(BrowserOptions{ProfileDir: filepath.Join(tmp, "profil"), Port: freePort(t), URL: srv.URL + "/large",
		Headless: true, ExtraArgs: []string{"--host-resolver-rules=" + rules}})
	if err != nil {
		t.Fatal(err)
	}
	defer stopBrowser(l.PID)
	// Calls home start within seconds of the start (variations, component
	// updater, optimisation hints, account check): watch for 15 s.
	time.Sleep(15 * time.Second)
	// Without unreachableHosts (checked): accounts.google.com ×6 and
	// update.googleapis.com ×3 in 15 s, Chromium 156.
	if got := asked(); len(got) > 0 {
		t.Errorf("the browser contacted hosts on its own: %q", got)
	}
}

// The browser of a headless capture requests nothing but the page and what
// the page asks for, as the visible one (TestBrowserQuiet): every host but
// loopback is resolved to a recording listener (after the product's own
// rules), which must see no connection during the capture of a page that
// takes four seconds to settle (the calls home start within two seconds of
// the browser's start). Before quietFeatures and unreachableHosts were
// given to the headless browser (checked): update.googleapis.com ×3,
// accounts.google.com ×6 and Google's network time ×1.
func TestCaptureQuiet(t *testing.T) {
	needChromium(t)
	addr, asked := recordConnections(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>lente</title></head><body><p>Aucun créneau</p><img src="/lente.png" width="10" height="10"></body></html>`)
	})
	mux.HandleFunc("/lente.png", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(4 * time.Second):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(redPNG())
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	testHookHostRules = "MAP * " + addr + ", EXCLUDE 127.0.0.1"
	defer func() { testHookHostRules = "" }()
	res, err := capt(t, Options{URL: srv.URL + "/", ExpectText: "Aucun créneau", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.ExpectFound == nil || !*res.Record.ExpectFound || len(res.Record.Notes) > 0 {
		t.Errorf("capture: text found %v, notes %v", res.Record.ExpectFound, res.Record.Notes)
	}
	if got := asked(); len(got) > 0 {
		t.Errorf("the capture's browser contacted hosts on its own: %q", got)
	}
}

// recordConnections listens on loopback and records each connection made
// to it: a TLS one by the server name of its ClientHello, a plain one by
// its request line. It returns its address and what it has seen so far.
func recordConnections(t *testing.T) (string, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var asked []string
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				br := bufio.NewReader(c)
				first, err := br.Peek(1)
				if err != nil {
					return
				}
				what := ""
				if first[0] == 0x16 { // a TLS handshake: its ClientHello names the host
					tls.Server(&peeked{Conn: c, r: br}, &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
						what = "TLS " + h.ServerName
						return nil, errors.New("recorded")
					}}).Handshake()
				} else {
					line, _ := br.ReadString('\n')
					what = strings.TrimSpace(line)
				}
				mu.Lock()
				asked = append(asked, what)
				mu.Unlock()
			}()
		}
	}()
	return ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}

// peeked is a connection whose first bytes were read into r.
type peeked struct {
	net.Conn
	r *bufio.Reader
}

func (p *peeked) Read(b []byte) (int, error) { return p.r.Read(b) }

// Issue 15: the capture returns before its browser has exited; WaitBrowsers
// returns only once the browser is gone and its folder removed.
func TestCaptureDoesNotWaitForShutdown(t *testing.T) {
	needChromium(t)
	s := testSite()
	hold := make(chan struct{})
	testHookRelease = func() { <-hold }
	defer func() { testHookRelease = nil }()
	res, err := Capture(t.Context(), Options{URL: s.plain.URL + "/", Timeout: 30 * time.Second})
	if err != nil {
		close(hold)
		t.Fatal(err)
	}
	// The capture is back while its browser's shutdown has not started.
	waited := make(chan struct{})
	go func() { WaitBrowsers(); close(waited) }()
	select {
	case <-waited:
		t.Error("WaitBrowsers returned while a browser was still to shut down")
	case <-res.closed:
		t.Error("the browser was shut down before the capture returned")
	default:
	}
	if len(leftovers()) == 0 {
		t.Error("the browser should still be running at this point")
	}
	close(hold)
	<-waited
	if left := leftovers(); len(left) > 0 {
		t.Errorf("left after WaitBrowsers: %v", left)
	}
}
