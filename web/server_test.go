package web

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anefdossier/app"
	"anefdossier/protocol"
)

// testServer serves a fresh workspace on loopback and returns a client that
// went through the secret exchange.
type testServer struct {
	t    *testing.T
	s    *Server
	ws   *app.Workspace
	base string
	c    *http.Client
}

func newTestServer(t *testing.T, maxUpload int64) *testServer {
	t.Helper()
	t.Setenv("ANEF_DOSSIER_THUMBS", t.TempDir())
	root := t.TempDir()
	ws, err := app.NewWorkspace(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Workspace: ws, MaxUpload: maxUpload})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.Listen("")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(func() { l.Close() })
	jar, _ := cookiejar.New(nil)
	ts := &testServer{t: t, s: s, ws: ws, base: "http://" + l.Addr().String(), c: &http.Client{Jar: jar}}
	resp, err := ts.c.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Nouveau dossier") {
		t.Fatalf("secret exchange: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(resp.Request.URL.String(), "cle=") {
		t.Fatalf("secret left in the address bar: %s", resp.Request.URL)
	}
	return ts
}

func (ts *testServer) get(path string) (int, string) {
	ts.t.Helper()
	resp, err := ts.c.Get(ts.base + path)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a form like the interface's pages do (same Origin, token).
func (ts *testServer) post(path string, form url.Values) (int, string) {
	ts.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", ts.s.csrf)
	}
	req, _ := http.NewRequest("POST", ts.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.base)
	resp, err := ts.c.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func listDir(t *testing.T, dir string) []string {
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestSecurityMissingSecret(t *testing.T) {
	ts := newTestServer(t, 0)
	ts.ws.NewCase("dupont", "bug-technique")
	anon := &http.Client{}
	for _, p := range []string{"/", "/d/dupont/fiche", "/static/style.css", "/?cle=00000000000000000000000000000000", "/?cle="} {
		resp, err := anon.Get(ts.base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || strings.Contains(string(b), "dupont") {
			t.Errorf("GET %s without the secret: %d %q", p, resp.StatusCode, b)
		}
		if len(resp.Cookies()) > 0 {
			t.Errorf("GET %s set a cookie", p)
		}
	}
	// the cookie is HttpOnly and SameSite=Strict
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(ts.s.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	if !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Strict") {
		t.Errorf("cookie: %s", sc)
	}
	if len(ts.s.secret) != 32 {
		t.Errorf("secret of %d hex digits, want 32 (128 bits)", len(ts.s.secret))
	}
}

func TestSecurityWrongHost(t *testing.T) {
	ts := newTestServer(t, 0)
	for _, host := range []string{"evil.example:" + strings.Split(ts.base, ":")[2], "127.0.0.1:1", "evil.example"} {
		req, _ := http.NewRequest("GET", ts.base+"/", nil)
		req.Host = host
		resp, err := ts.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("Host %s: %d", host, resp.StatusCode)
		}
	}
	// even with the secret
	req, _ := http.NewRequest("GET", ts.s.URL(), nil)
	req.Host = "rebind.example"
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || len(resp.Cookies()) > 0 {
		t.Errorf("secret with a foreign Host: %d", resp.StatusCode)
	}
}

func TestSecurityCrossOriginPost(t *testing.T) {
	ts := newTestServer(t, 0)
	form := url.Values{"nom": {"intrus"}, "protocole": {"bug-technique"}, "csrf": {ts.s.csrf}}
	cases := []struct {
		name   string
		origin string
		csrf   string
		method string
	}{
		{"other origin", "http://evil.example", ts.s.csrf, "POST"},
		{"no origin", "", ts.s.csrf, "POST"},
		{"null origin", "null", ts.s.csrf, "POST"},
		{"no token", ts.base, "", "POST"},
		{"wrong token", ts.base, strings.Repeat("0", 64), "POST"},
		{"PUT", ts.base, ts.s.csrf, "PUT"},
	}
	for _, c := range cases {
		form.Set("csrf", c.csrf)
		req, _ := http.NewRequest(c.method, ts.base+"/nouveau", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		resp, err := ts.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 && resp.StatusCode != 405 {
			t.Errorf("%s: %d", c.name, resp.StatusCode)
		}
	}
	// a GET cannot change anything either
	ts.get("/nouveau?nom=intrus&protocole=bug-technique")
	if _, err := os.Stat(filepath.Join(ts.ws.Root, "intrus")); err == nil {
		t.Fatal("a refused request created a case")
	}
	// the same request from the interface works
	if code, body := ts.post("/nouveau", url.Values{"nom": {"legitime"}, "protocole": {"bug-technique"}}); code != 200 || !strings.Contains(body, "Dossier créé") {
		t.Fatalf("legitimate POST: %d", code)
	}
}

func TestSecurityPathTraversalAndSymlink(t *testing.T) {
	ts := newTestServer(t, 0)
	// a case outside the served folder, reachable by a symbolic link inside
	outside := t.TempDir()
	ows, _ := app.NewWorkspace(outside, nil)
	ows.NewCase("secret", "bug-technique")
	secretYAML := filepath.Join(outside, "secret", protocol.DossierFile)
	before, _ := os.ReadFile(secretYAML)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(ts.ws.Root, "lien"))
	os.Symlink(outside, filepath.Join(ts.ws.Root, "lien-parent"))
	for _, p := range []string{"/d/..%2F..%2Fetc/fiche", "/d/..%2Fsecret/fiche", "/d/lien/fiche", "/d/lien-parent%2Fsecret/fiche", "/d/%2Fetc/fiche", "/d/..%5Csecret/fiche"} {
		code, body := ts.get(p)
		if code != 403 && code != 404 {
			t.Errorf("GET %s: %d", p, code)
		}
		if strings.Contains(body, "nom de famille") {
			t.Errorf("GET %s showed a form", p)
		}
		code, _ = ts.post(p, url.Values{"base_hash": {protocol.HashBytes(before)}, "f.personne.nom": {"PIRATE"}})
		if code != 403 && code != 404 {
			t.Errorf("POST %s: %d", p, code)
		}
	}
	after, _ := os.ReadFile(secretYAML)
	if string(after) != string(before) {
		t.Fatal("a file outside the served folder was changed")
	}
	// the home page does not follow the link either
	if _, body := ts.get("/"); strings.Contains(body, "lien") {
		t.Error("home lists a case through a symbolic link")
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t, 0)
	resp, err := ts.c.Get(ts.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP: %s", csp)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Error("framing allowed")
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	ws, _ := app.NewWorkspace(t.TempDir(), nil)
	s, _ := New(Config{Workspace: ws})
	if _, err := s.Listen("0.0.0.0:0"); err == nil {
		t.Fatal("listening on every interface accepted")
	}
}

func TestHomeAndFiche(t *testing.T) {
	ts := newTestServer(t, 0)
	code, body := ts.post("/nouveau", url.Values{"nom": {"dupont-amina"}, "protocole": {"api"}})
	if code != 200 || !strings.Contains(body, "Nom de la personne") {
		t.Fatalf("new case: %d", code)
	}
	if code, body := ts.post("/nouveau", url.Values{"nom": {"../x"}, "protocole": {"api"}}); code != 400 || !strings.Contains(body, "nom de dossier refusé") {
		t.Fatalf("bad name: %d %s", code, body)
	}
	f, _ := ts.ws.Form("dupont-amina")
	form := url.Values{"base_hash": {f.Hash}}
	for k, v := range f.Values() {
		form.Set("base."+k, v)
		form.Set("f."+k, v)
	}
	form.Set("f.personne.nom", "Dupont")
	form.Set("f.personne.prenoms", "Amina")
	form.Set("f.personne.numero_etranger", "123")
	code, body = ts.post("/d/dupont-amina/fiche", form)
	if code != 200 || !strings.Contains(body, "Fiche enregistrée") || !strings.Contains(body, "10 chiffres attendus") {
		t.Fatalf("save: %d %s", code, body)
	}
	_, body = ts.get("/?q=amina")
	if !strings.Contains(body, "DUPONT Amina") {
		t.Fatalf("search: %s", body)
	}
	_, body = ts.get("/?q=zzz")
	if strings.Contains(body, "DUPONT Amina") {
		t.Fatal("search does not filter")
	}
	// the form opened before is now stale: a save is refused with what changed
	code, body = ts.post("/d/dupont-amina/fiche", form)
	if code != 409 || !strings.Contains(body, "a changé sur le disque") {
		t.Fatalf("stale save: %d", code)
	}
}
