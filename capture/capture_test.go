package capture

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-fonts/liberation/liberationserifregular"

	"anefdossier/protocol"
)

// tmpDir is this test binary's own temporary folder: chromedp makes the
// browser profiles there, and none may be left.
var tmpDir string

func TestMain(m *testing.M) {
	var err error
	tmpDir, err = os.MkdirTemp("", "anef-capture-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TMPDIR", tmpDir)
	code := m.Run()
	if left := leftovers(); code == 0 && len(left) > 0 {
		fmt.Fprintln(os.Stderr, "browser profiles left behind:", left)
		code = 1
	}
	os.RemoveAll(tmpDir)
	os.Exit(code)
}

// leftovers lists the profile folders still in tmpDir and the processes
// still using one.
func leftovers() []string {
	var left []string
	ents, _ := os.ReadDir(tmpDir)
	for _, e := range ents {
		if isBrowserTemp(e.Name()) {
			left = append(left, e.Name())
		}
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		cmd, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmd, []byte("--user-data-dir="+tmpDir+"/")) {
			left = append(left, "processus "+p.Name())
		}
	}
	return left
}

// isBrowserTemp tells whether a name in the temporary folder is a
// browser's: its profile, its own temporary files, the capture's folder.
func isBrowserTemp(name string) bool {
	for _, p := range []string{"chromedp-runner", "org.chromium.", ".org.chromium.", "adc-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func noLeftovers(t *testing.T) {
	t.Helper()
	// The allocator removes the profile before Capture returns; give a
	// killed child process a moment to disappear from /proc.
	deadline := time.Now().Add(3 * time.Second)
	for {
		left := leftovers()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind after the capture: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// needChromium skips without Chromium, except in CI where the capture tests
// must run.
func needChromium(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("go test -short : sans Chromium")
	}
	if _, err := FindChromium(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and Chromium is missing: %v", err)
		}
		t.Skip("Chromium absent (apt-get install chromium)")
	}
}

// site is the local test site, plain and TLS.
type site struct {
	plain, tls *httptest.Server
	home       []byte
	homeHits   atomic.Int32
	fontHits   atomic.Int32
	imgHits    atomic.Int32
	killPID    atomic.Int32
}

var (
	siteOnce sync.Once
	theSite  *site
)

const homeHTML = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Prise de rendez-vous</title>
<style>@font-face { font-family: Essai; src: url(/font.ttf); } body { margin: 0; font-family: Essai, serif; }</style></head>
<body><h1>Préfecture de test</h1><p>Aucun   créneau
disponible pour le moment.</p></body></html>`

func testSite() *site {
	siteOnce.Do(func() {
		s := &site{home: []byte(homeHTML)}
		mux := http.NewServeMux()
		mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
			s.homeHits.Add(1)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Set-Cookie", "session=secret")
			w.Write(s.home)
		})
		mux.HandleFunc("/font.ttf", func(w http.ResponseWriter, r *http.Request) {
			s.fontHits.Add(1)
			time.Sleep(200 * time.Millisecond)
			w.Header().Set("Content-Type", "font/ttf")
			w.Write(liberationserifregular.TTF)
		})
		mux.HandleFunc("/ancienne", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/", http.StatusFound)
		})
		mux.HandleFunc("/longue", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<!doctype html><html><body style="margin:0"><div style="height:4000px">haut de page</div>
<img loading="lazy" src="/rouge.png" style="position:absolute;top:3500px;left:0;width:100px;height:100px"></body></html>`)
		})
		mux.HandleFunc("/rouge.png", func(w http.ResponseWriter, r *http.Request) {
			s.imgHits.Add(1)
			time.Sleep(100 * time.Millisecond)
			w.Header().Set("Content-Type", "image/png")
			w.Write(redPNG())
		})
		mux.HandleFunc("/erreur", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `<html><body><h1>Erreur interne du service</h1></body></html>`)
		})
		mux.HandleFunc("/lente", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		})
		mux.HandleFunc("/flux", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<!doctype html><html><body><p id="n">0</p><script>
const es = new EventSource("/evenements"); es.onmessage = e => { document.getElementById("n").textContent = e.data; };
</script></body></html>`)
		})
		mux.HandleFunc("/evenements", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			for i := 1; ; i++ {
				if _, err := fmt.Fprintf(w, "data: %d\n\n", i); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
		// A page that fetches its content after its load event, in a
		// chain with a pause between the two requests (as a script does).
		mux.HandleFunc("/dynamique", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<!doctype html><html><body><p id="c">chargement…</p><script>
window.addEventListener("load", () => setTimeout(async () => {
  const a = await (await fetch("/donnees?n=1")).text();
  await new Promise(r => setTimeout(r, 250));
  const b = await (await fetch("/donnees?n=2")).text();
  document.getElementById("c").textContent = "contenu " + a + b;
}, 0));
</script></body></html>`)
		})
		mux.HandleFunc("/donnees", func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(100 * time.Millisecond)
			fmt.Fprint(w, map[string]string{"1": "chargé", "2": " en deux fois"}[r.URL.Query().Get("n")])
		})
		mux.HandleFunc("/tue", func(w http.ResponseWriter, r *http.Request) {
			if pid := s.killPID.Load(); pid > 0 {
				killPID(int(pid))
			}
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		})
		s.plain = httptest.NewServer(mux)
		s.tls = httptest.NewTLSServer(mux)
		theSite = s
	})
	return theSite
}

func redPNG() []byte {
	var buf bytes.Buffer
	img := fakeRed(100, 100)
	png.Encode(&buf, img)
	return buf.Bytes()
}

// stopBrowser kills a browser started by StartBrowser with its children and
// waits (3 s at most) until it is gone.
func stopBrowser(pid int) {
	killTree(pid)
	for i := 0; i < 100 && processAlive(pid); i++ {
		time.Sleep(30 * time.Millisecond)
	}
}

func capt(t *testing.T, o Options) (*Result, error) {
	t.Helper()
	needChromium(t)
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	res, err := Capture(context.Background(), o)
	res.Close()
	noLeftovers(t)
	return res, err
}

func TestCapturePage(t *testing.T) {
	s := testSite()
	fontsBefore := s.fontHits.Load()
	res, err := capt(t, Options{URL: s.plain.URL + "/", ExpectText: "aucun CRÉNEAU disponible"})
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Record
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(s.plain.URL, "http://"))
	if rec.Mode != protocol.ModeHeadless || rec.Status != 200 || rec.ServerIP != host || fmt.Sprint(rec.ServerPort) != port ||
		rec.Protocol != "http/1.1" || rec.FinalURL != s.plain.URL+"/" || rec.PageTitle != "Prise de rendez-vous" {
		t.Errorf("record: %+v", rec)
	}
	if rec.Headers["content-type"] != "text/html; charset=utf-8" || strings.Contains(rec.Headers["set-cookie"], "secret") {
		t.Errorf("headers: %v", rec.Headers)
	}
	if rec.ExpectFound == nil || !*rec.ExpectFound {
		t.Error("expected text not found")
	}
	if !bytes.Equal(res.Body, s.home) || res.BodyExt != ".html" || rec.BodySize != int64(len(s.home)) {
		t.Errorf("served bytes %q (%s)", res.Body, res.BodyExt)
	}
	if !bytes.Contains(res.MHTML, []byte("Content-Type: multipart/related")) || !bytes.Contains(res.MHTML, []byte("disponible")) {
		t.Error("MHTML snapshot lacks the page")
	}
	img, err := png.Decode(bytes.NewReader(res.Raw))
	if err != nil || img.Bounds().Dx() != 1366 || img.Bounds().Dy() != 768 {
		t.Fatalf("screenshot %v %v", img.Bounds(), err)
	}
	b := rec.Browser
	if b.Width != 1366 || b.Height != 768 || b.Scale != 1 || !b.FreshProfile || b.Version == "" || strings.Contains(b.UserAgent, "Headless") {
		t.Errorf("browser: %+v", b)
	}
	if rec.Started.IsZero() || rec.Loaded.Before(rec.Started) || rec.Shot.Before(rec.Loaded) || rec.Machine.Hostname == "" || rec.Machine.OS == "" {
		t.Errorf("times or machine: %+v", rec)
	}
	if s.fontHits.Load() == fontsBefore {
		t.Error("the web font was not loaded before the screenshot")
	}

	// Finish: banner and hashes.
	bn, err := res.Finish(4)
	if err != nil {
		t.Fatal(err)
	}
	h := res.Record.Hashes
	if h.Raw != sha(res.Raw) || h.Bannered != sha(bn.PNG) || h.MHTML != sha(res.MHTML) || h.Body != sha(s.home) {
		t.Errorf("hashes %+v", h)
	}
	if !strings.Contains(bn.Lines[0].Text, "Pièce n°4") {
		t.Error(bn.Lines[0].Text)
	}
	if _, err := json.Marshal(res.Record); err != nil {
		t.Fatal(err)
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestCaptureRedirect(t *testing.T) {
	s := testSite()
	res, err := capt(t, Options{URL: s.plain.URL + "/ancienne", ExpectText: "texte qui n'y est pas"})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Record
	if r.URLRequested != s.plain.URL+"/ancienne" || r.FinalURL != s.plain.URL+"/" || r.Status != 200 {
		t.Errorf("urls %q -> %q (%d)", r.URLRequested, r.FinalURL, r.Status)
	}
	if len(r.Redirects) != 1 || r.Redirects[0].URL != s.plain.URL+"/ancienne" || r.Redirects[0].Status != 302 {
		t.Errorf("redirects %+v", r.Redirects)
	}
	if r.ExpectFound == nil || *r.ExpectFound {
		t.Error("absent text reported present")
	}
}

func TestCaptureLazyImageFullPage(t *testing.T) {
	s := testSite()
	before := s.imgHits.Load()
	res, err := capt(t, Options{URL: s.plain.URL + "/longue", FullPage: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.imgHits.Load() == before {
		t.Fatal("the lazy image was never requested")
	}
	img, err := png.Decode(bytes.NewReader(res.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dy() < 4000 || res.Record.Browser.Height < 4000 || !res.Record.Browser.FullPage {
		t.Fatalf("full page %v, record %+v", img.Bounds(), res.Record.Browser)
	}
	r, g, b, _ := img.At(50, 3550).RGBA()
	if r>>8 < 200 || g>>8 > 40 || b>>8 > 40 {
		t.Errorf("pixel where the lazy image is: %d %d %d, want red", r>>8, g>>8, b>>8)
	}
}

func TestCaptureErrorPageIsEvidence(t *testing.T) {
	s := testSite()
	res, err := capt(t, Options{URL: s.plain.URL + "/erreur"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.Status != 500 || !bytes.Contains(res.Body, []byte("Erreur interne")) {
		t.Errorf("status %d body %q", res.Record.Status, res.Body)
	}
}

func TestCaptureTLS(t *testing.T) {
	s := testSite()
	_, err := capt(t, Options{URL: s.tls.URL + "/"})
	if !errors.Is(err, ErrCertificate) {
		t.Fatalf("untrusted certificate: got %v", err)
	}
	res, err := capt(t, Options{URL: s.tls.URL + "/", Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	tl := res.Record.TLS
	if tl == nil || !res.Record.Insecure {
		t.Fatalf("TLS %+v insecure %v", tl, res.Record.Insecure)
	}
	if !strings.HasPrefix(tl.Protocol, "TLS 1.") || tl.Cipher == "" || !strings.Contains(tl.Subject, "Acme") ||
		!strings.Contains(tl.Issuer, "Acme") || !slices.Contains(tl.SAN, "127.0.0.1") || tl.ValidTo.Before(time.Now()) {
		t.Errorf("TLS details %+v", tl)
	}
	if tl.Fingerprint != sha(s.tls.Certificate().Raw) {
		t.Errorf("fingerprint %s", tl.Fingerprint)
	}
}

// A page that keeps a stream open (server-sent events) is still captured
// without waiting for a network quiet that never comes. What is asserted is
// what happened, not a duration (a timed bound flaked on 2 shared cores): had
// the capture waited for that quiet, it would have given up at the end of its
// wait and said so in the record's notes.
func TestCaptureIgnoresStreams(t *testing.T) {
	s := testSite()
	res, err := capt(t, Options{URL: s.plain.URL + "/flux", Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Record.Notes) > 0 {
		t.Errorf("stream page: notes %v", res.Record.Notes)
	}
}

// The favicon the browser asks for by itself after the load event is not
// the page's content: the capture does not wait for it. The icon is held
// here until the capture has returned; had the capture waited for it, it
// would have given up at the end of its wait and said so in the record's
// notes.
func TestCaptureDoesNotWaitForFavicon(t *testing.T) {
	needChromium(t)
	release := make(chan struct{})
	asked := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Icône lente</title></head><body><p>Aucun créneau</p></body></html>`)
	})
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		select {
		case asked <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	res, err := capt(t, Options{URL: srv.URL + "/", ExpectText: "Aucun créneau", Timeout: 2 * time.Minute})
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-asked:
	default:
		t.Fatal("the browser did not ask for /favicon.ico during the capture: this test shows nothing")
	}
	if _, err := res.Finish(1); err != nil {
		t.Fatal(err)
	}
	if len(res.Record.Notes) > 0 || len(res.Record.Unrecorded) > 0 {
		t.Errorf("notes %v, unrecorded %v", res.Record.Notes, res.Record.Unrecorded)
	}
	if res.Record.ExpectFound == nil || !*res.Record.ExpectFound || res.WARC == nil || res.MHTML == nil || res.Body == nil {
		t.Errorf("capture incomplete: text found %v, WARC %d, MHTML %d, body %d bytes", res.Record.ExpectFound, len(res.WARC), len(res.MHTML), len(res.Body))
	}
}

// Content fetched by a script after the load event, in two requests with a
// pause between them, is in the capture.
func TestCaptureWaitsForScriptContent(t *testing.T) {
	s := testSite()
	res, err := capt(t, Options{URL: s.plain.URL + "/dynamique", ExpectText: "contenu chargé en deux fois"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.ExpectFound == nil || !*res.Record.ExpectFound {
		t.Errorf("content fetched after load missing from the capture (notes %v)", res.Record.Notes)
	}
}

func TestCaptureTimeout(t *testing.T) {
	s := testSite()
	start := time.Now()
	_, err := capt(t, Options{URL: s.plain.URL + "/lente", Timeout: 3 * time.Second})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("slow page: got %v", err)
	}
	if d := time.Since(start); d > 12*time.Second {
		t.Errorf("timeout of 3 s took %s", d)
	}
}

func TestCaptureRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = capt(t, Options{URL: "http://" + addr + "/"})
	var ne *NavError
	if !errors.As(err, &ne) || !strings.Contains(ne.Code, "ERR_CONNECTION_REFUSED") || !strings.Contains(err.Error(), "refuse la connexion") {
		t.Fatalf("refused: got %v", err)
	}
}

func TestCaptureBrowserDies(t *testing.T) {
	s := testSite()
	testHookBrowser = func(pid int) { s.killPID.Store(int32(pid)) }
	defer func() { testHookBrowser = nil; s.killPID.Store(0) }()
	_, err := capt(t, Options{URL: s.plain.URL + "/tue", Timeout: 20 * time.Second})
	if !errors.Is(err, ErrBrowserDied) {
		t.Fatalf("browser killed mid-capture: got %v", err)
	}
}

// A capture folder left by a killed command (its PID is gone) is removed by
// the next capture; one of a live command is left alone.
func TestSweepStale(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	stale := filepath.Join(os.TempDir(), fmt.Sprintf("%s%d-123", tempPrefix, dead.Process.Pid))
	live := filepath.Join(os.TempDir(), fmt.Sprintf("%s%d-456", tempPrefix, os.Getpid()))
	for _, d := range []string{stale, live} {
		if err := os.MkdirAll(filepath.Join(d, "profil", "Default"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	defer os.RemoveAll(live)
	sweepStale()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale folder kept: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("live folder removed: %v", err)
	}
}

func TestNoChromium(t *testing.T) {
	if _, err := Capture(context.Background(), Options{URL: "http://127.0.0.1/", ExecPath: "/nulle/part/chromium"}); !errors.Is(err, ErrNoChromium) {
		t.Fatalf("missing browser: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv(EnvChromium, "")
	if _, err := FindChromium(""); !errors.Is(err, ErrNoChromium) {
		t.Fatalf("empty PATH: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	for _, u := range []string{"https://a.example/x?y=1", "http://127.0.0.1:8080/"} {
		if _, err := CheckURL(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"ftp://a.example/", "not a url", "file:///etc/passwd", "javascript:alert(1)", "https://", "a.example/page", "https://moi:secret@a.example/"} {
		if _, err := CheckURL(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for _, u := range []string{"http://192.168.1.2:9222", "http://example.com:9222", "ftp://127.0.0.1:9222"} {
		if _, err := CheckDevTools(u); err == nil {
			t.Errorf("devtools %s accepted", u)
		}
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestAttach(t *testing.T) {
	needChromium(t)
	s := testSite()
	before := s.homeHits.Load()
	// The user's browser keeps its temporary files in the usual folder:
	// here one that the test removes.
	t.Setenv("TMPDIR", t.TempDir())
	l, err := StartBrowser(BrowserOptions{ProfileDir: filepath.Join(t.TempDir(), "profil"), Port: freePort(t), URL: s.plain.URL + "/", Headless: true})
	if err != nil {
		t.Fatal(err)
	}
	defer stopBrowser(l.PID)
	// Wait for the page to be loaded in the user's tab: served once, and
	// its title known to the browser.
	loaded := func() bool {
		return slices.ContainsFunc(listTabs(t, l.DevTools), func(x tab) bool {
			return x.URL == s.plain.URL+"/" && x.Title == "Prise de rendez-vous"
		})
	}
	for i := 0; i < 200 && (s.homeHits.Load() == before || !loaded()); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	hits := s.homeHits.Load()
	if hits != before+1 {
		t.Fatalf("the page was served %d times at start", hits-before)
	}

	_, err = Attach(context.Background(), AttachOptions{DevTools: l.DevTools, TabURL: "/aucun-onglet-ainsi", Timeout: 20 * time.Second})
	if !errors.Is(err, ErrNoTab) {
		t.Fatalf("no matching tab: %v", err)
	}
	res, err := Attach(context.Background(), AttachOptions{DevTools: l.DevTools, ExpectText: "Aucun créneau", Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Record
	if r.Mode != protocol.ModeAttached || r.FinalURL != s.plain.URL+"/" || r.Status != 200 || r.PageTitle != "Prise de rendez-vous" ||
		r.Browser.FreshProfile || len(r.Unrecorded) < 4 || r.ExpectFound == nil || !*r.ExpectFound || len(res.Raw) == 0 || len(res.MHTML) == 0 {
		t.Errorf("attached record: %+v", r)
	}
	if res.Body != nil {
		t.Error("attached capture claims the served bytes")
	}
	// The user's tab is still there, never reloaded.
	after := listTabs(t, l.DevTools)
	if !slices.ContainsFunc(after, func(x tab) bool { return x.URL == s.plain.URL+"/" && x.Type == "page" }) {
		t.Errorf("the user's tab is gone: %+v", after)
	}
	if s.homeHits.Load() != hits {
		t.Error("the page was reloaded by the attached capture")
	}
	if _, err := res.Finish(2); err != nil {
		t.Fatal(err)
	}
}

type tab struct{ URL, Type, Title string }

func listTabs(t *testing.T, devtools string) []tab {
	t.Helper()
	resp, err := http.Get(devtools + "/json/list")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var tabs []tab
	json.NewDecoder(resp.Body).Decode(&tabs)
	return tabs
}

func fakeRed(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
	return img
}
