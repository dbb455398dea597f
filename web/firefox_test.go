package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"anefdossier/app"
	"anefdossier/protocol"
)

// The interface must work in Firefox too (issue 12), not only in the
// Chromium the other tests drive. Firefox speaks WebDriver BiDi
// (https://w3c.github.io/webdriver-bidi/) on the port given by
// --remote-debugging-port; bidi is the few commands this test needs.
type bidi struct {
	t    *testing.T
	ctx  context.Context
	conn *websocket.Conn
	id   int
	top  string // the browsing context (tab)
}

// findFirefox returns Firefox from ANEF_DOSSIER_FIREFOX or PATH.
func findFirefox() string {
	if p := os.Getenv("ANEF_DOSSIER_FIREFOX"); p != "" {
		return p
	}
	for _, n := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// startFirefox starts a headless Firefox with a profile of its own and
// returns a BiDi session on its only tab.
func startFirefox(t *testing.T, ctx context.Context) *bidi {
	t.Helper()
	bin := findFirefox()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Firefox absent : .ci/run installe firefox-esr (ANEF_DOSSIER_FIREFOX pour un autre chemin)")
		}
		t.Skip("Firefox absent (firefox-esr, or ANEF_DOSSIER_FIREFOX)")
	}
	profile := t.TempDir()
	// No first-run pages, no update or telemetry calls: the test runs offline.
	prefs := `user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("app.update.auto", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
`
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(prefs), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0", "about:blank")
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1", "TMPDIR="+t.TempDir())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() { // read to the end: Firefox must never block on stderr
			line := sc.Text()
			if i := strings.Index(line, "WebDriver BiDi listening on "); i >= 0 && !sent {
				addr <- strings.TrimSpace(line[i+len("WebDriver BiDi listening on "):])
				sent = true
			}
		}
		if !sent {
			close(addr)
		}
	}()
	var ws string
	select {
	case ws = <-addr:
	case <-time.After(2 * time.Minute):
	}
	if ws == "" {
		t.Fatal("Firefox did not announce its WebDriver BiDi address")
	}
	conn, _, err := websocket.Dial(ctx, ws+"/session", nil)
	if err != nil {
		t.Fatalf("BiDi connection: %v", err)
	}
	conn.SetReadLimit(64 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	b := &bidi{t: t, ctx: ctx, conn: conn}
	var sess struct {
		Capabilities struct {
			BrowserName    string `json:"browserName"`
			BrowserVersion string `json:"browserVersion"`
		} `json:"capabilities"`
	}
	json.Unmarshal(b.call("session.new", map[string]any{"capabilities": map[string]any{}}), &sess)
	t.Logf("%s %s", sess.Capabilities.BrowserName, sess.Capabilities.BrowserVersion)
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := json.Unmarshal(b.call("browsingContext.getTree", map[string]any{}), &tree); err != nil || len(tree.Contexts) == 0 {
		t.Fatalf("no tab: %v", err)
	}
	b.top = tree.Contexts[0].Context
	return b
}

// call sends one command and returns its result, failing the test on an error.
func (b *bidi) call(method string, params any) json.RawMessage {
	b.t.Helper()
	res, err := b.try(method, params)
	if err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	return res
}

func (b *bidi) try(method string, params any) (json.RawMessage, error) {
	b.id++
	msg, _ := json.Marshal(map[string]any{"id": b.id, "method": method, "params": params})
	if err := b.conn.Write(b.ctx, websocket.MessageText, msg); err != nil {
		return nil, err
	}
	for {
		_, data, err := b.conn.Read(b.ctx)
		if err != nil {
			return nil, err
		}
		var r struct {
			Type    string          `json:"type"`
			ID      int             `json:"id"`
			Result  json.RawMessage `json:"result"`
			Error   string          `json:"error"`
			Message string          `json:"message"`
		}
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, err
		}
		if r.Type == "event" || r.ID != b.id {
			continue
		}
		if r.Type == "error" {
			return nil, fmt.Errorf("%s: %s", r.Error, r.Message)
		}
		return r.Result, nil
	}
}

func (b *bidi) navigate(url string) {
	b.t.Helper()
	b.call("browsingContext.navigate", map[string]any{"context": b.top, "url": url, "wait": "complete"})
}

// eval runs a script in the page and returns its result as a string ("" for
// null or undefined).
func (b *bidi) eval(js string) (string, error) {
	res, err := b.try("script.evaluate", map[string]any{
		"expression":   js,
		"target":       map[string]any{"context": b.top},
		"awaitPromise": true,
	})
	if err != nil {
		return "", err
	}
	var r struct {
		Type   string `json:"type"`
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return "", err
	}
	if r.Type == "exception" {
		return "", fmt.Errorf("script: %s", r.ExceptionDetails.Text)
	}
	var s string
	if r.Result.Type == "string" {
		json.Unmarshal(r.Result.Value, &s)
	} else if len(r.Result.Value) > 0 {
		s = string(r.Result.Value)
	}
	return s, nil
}

func (b *bidi) mustEval(js string) string {
	b.t.Helper()
	s, err := b.eval(js)
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return s
}

// waitText waits until the element sel exists and returns its text. A page
// being replaced by the next one makes eval fail for a moment: retry.
func (b *bidi) waitText(sel string) string {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText || "(vide)" : ""; })()`, sel)
	deadline := time.Now().Add(90 * time.Second) // 10x a loaded machine's normal
	for time.Now().Before(deadline) {
		if s, err := b.eval(js); err == nil && s != "" {
			return s
		}
		time.Sleep(200 * time.Millisecond)
	}
	page, _ := b.eval(`location.href + " " + document.body.innerText.slice(0, 400)`)
	b.t.Fatalf("%s never appeared (page %s)", sel, page)
	return ""
}

// set gives a form field its value as typing would (input and change events).
func (b *bidi) set(sel, value string) {
	b.t.Helper()
	b.mustEval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return "ok"; })()`, sel, value))
}

// click clicks an element in the page.
func (b *bidi) click(sel string) {
	b.t.Helper()
	b.mustEval(fmt.Sprintf(`(() => { document.querySelector(%q).click(); return "ok"; })()`, sel))
}

// submit clicks the button, which sends the form by a real navigation (the
// browser itself sets Origin and the cookie, as for a user), and waits for
// the next page.
func (b *bidi) submit(sel string) {
	b.t.Helper()
	b.mustEval(fmt.Sprintf(`(() => { window.anefOldPage = true; document.querySelector(%q).click(); return "ok"; })()`, sel))
	deadline := time.Now().Add(90 * time.Second) // 10x a loaded machine's normal
	for time.Now().Before(deadline) {
		if s, err := b.eval(`(window.anefOldPage ? "old" : document.readyState)`); err == nil && s == "complete" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("no page after %s", sel)
}

// setFiles chooses files in a file input, as the file picker does.
func (b *bidi) setFiles(sel string, files []string) {
	b.t.Helper()
	res := b.call("script.evaluate", map[string]any{
		"expression":   fmt.Sprintf("document.querySelector(%q)", sel),
		"target":       map[string]any{"context": b.top},
		"awaitPromise": false,
	})
	var r struct {
		Result struct {
			SharedID string `json:"sharedId"`
		} `json:"result"`
	}
	if err := json.Unmarshal(res, &r); err != nil || r.Result.SharedID == "" {
		b.t.Fatalf("file input %s: %s", sel, res)
	}
	b.call("input.setFiles", map[string]any{"context": b.top, "element": map[string]any{"sharedId": r.Result.SharedID}, "files": files})
}

// TestFirefox runs the main pages of the interface in Firefox: the secret
// exchange and its SameSite cookie, a new case, the fiche saved, two files
// imported at once (the per-file fields are made by the page's script, so
// the script runs under the Content-Security-Policy), a step recorded from
// its generated form, and verify. Each write is checked in the case folder.
func TestFirefox(t *testing.T) {
	if testing.Short() {
		t.Skip("Firefox")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	ts := newTestServer(t, 0)
	b := startFirefox(t, ctx)

	b.navigate(ts.s.URL())
	if s := b.waitText(`section.new`); !strings.Contains(s, "Nouveau dossier") {
		t.Fatalf("home: %q", s)
	}
	if loc := b.mustEval(`location.href`); strings.Contains(loc, "cle=") {
		t.Fatalf("secret left in the address bar: %s", loc)
	}
	// the cookie is HttpOnly: the page's script cannot read it
	if c := b.mustEval(`document.cookie`); c != "" {
		t.Fatalf("cookie readable by scripts: %q", c)
	}

	b.set(`#nom`, "dossier-firefox")
	b.click(`#p-bug-technique`)
	b.submit(`section.new button[type=submit]`)
	if s := b.waitText(`.notice`); !strings.Contains(s, "Dossier créé") {
		t.Fatalf("new case: %q", s)
	}
	b.waitText(`form.fiche`)
	b.set(`[name="f.personne.nom"]`, "EXEMPLE")
	b.set(`[name="f.personne.prenoms"]`, "Aïcha Marie")
	b.submit(`form.fiche button[type=submit]`)
	if s := b.waitText(`.notice`); !strings.Contains(s, "Fiche enregistrée") {
		t.Fatalf("fiche: %q", s)
	}
	d, _, err := protocol.LoadDossier(filepath.Join(ts.ws.Root, "dossier-firefox", "dossier.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Field("personne.nom") != "EXEMPLE" || d.Field("personne.prenoms") != "Aïcha Marie" {
		t.Fatalf("fiche on disk: %q %q", d.Field("personne.nom"), d.Field("personne.prenoms"))
	}

	base := ts.base + "/d/dossier-firefox"
	b.navigate(base + "/pieces")
	b.waitText(`#fichiers`)
	eml, _ := filepath.Abs(filepath.Join("..", "examples", "demo", "courriel-support.eml"))
	pdf, _ := filepath.Abs(filepath.Join("..", "examples", "demo", "preuve-depot-lrar.pdf"))
	b.setFiles(`#fichiers`, []string{eml, pdf})
	// two files: the page's script adds a type, title and date for each
	b.waitText(`#titre-1`)
	const emlTitle = "Courriel adressé au support de l'ANEF"
	const pdfTitle = "Preuve de dépôt de la lettre recommandée"
	b.set(`#type-0`, "courriel")
	b.set(`#titre-0`, emlTitle)
	b.set(`#type-1`, "preuve-depot")
	b.set(`#titre-1`, pdfTitle)
	b.submit(`form.drop button[type=submit]`)
	if s := b.waitText(`.notice`); !strings.Contains(s, "n°2") {
		t.Fatalf("import: %q", s)
	}

	b.navigate(base + "/")
	b.waitText(`#etape-pan`)
	b.mustEval(`(() => { document.querySelector("#etape-pan details.record-step").open = true; return "ok"; })()`)
	today := time.Now().In(protocol.Paris).Format("2006-01-02")
	b.set(`#d-pan`, today)
	b.set(`#f-pan-lieu`, "point d'accueil numérique de la préfecture")
	b.submit(`#etape-pan form.stepform button[type=submit]`)
	if s := b.waitText(`.notice`); !strings.Contains(s, "Étape enregistrée") {
		t.Fatalf("step: %q", s)
	}

	b.navigate(base + "/verifier")
	if s := b.waitText(`main`); !strings.Contains(s, "Le dossier est intact") {
		t.Fatalf("verify: %q", s)
	}

	// what the pages said is what the case holds
	cs, err := ts.ws.Open("dossier-firefox")
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := cs.State()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Pieces) != 2 || st.Pieces[0].Title != emlTitle || st.Pieces[0].Kind != "courriel" ||
		st.Pieces[1].Title != pdfTitle || st.Pieces[1].Kind != "preuve-depot" {
		t.Fatalf("pieces: %+v", st.Pieces)
	}
	var pan *protocol.StepState
	for i := range st.Steps {
		if st.Steps[i].Step.ID == "pan" {
			pan = st.Steps[i]
		}
	}
	if pan == nil || !pan.Done || len(pan.Records) != 1 || pan.Records[0].Fields["lieu"] != "point d'accueil numérique de la préfecture" {
		t.Fatalf("pan step: %+v", pan)
	}
	if res, err := app.Verify(cs, app.VerifyRequest{}); err != nil || !res.OK {
		t.Fatalf("verify: %v %+v", err, res)
	}
}
