package capture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// warcRecord is one line of testdata/warcdump.mjs (read with warcio).
type warcRecord struct {
	Offset      int64  `json:"offset"`
	Type        string `json:"type"`
	Version     string `json:"version"`
	URI         string `json:"uri"`
	Date        string `json:"date"`
	IP          string `json:"ip"`
	ID          string `json:"id"`
	Concurrent  string `json:"concurrent"`
	ContentType string `json:"contentType"`
	Status      *int   `json:"status"`
	Method      string `json:"method"`
	Length      int    `json:"length"`
	SHA256      string `json:"sha256"`
	DigestOK    bool   `json:"digestOK"`
	Text        string `json:"text"`
}

// readWARC reads a WARC file with the npm warcio package.
func readWARC(t *testing.T, modules, file string) []warcRecord {
	t.Helper()
	needTool(t, "node", "nodejs")
	out, err := exec.Command("node", filepath.Join("testdata", "warcdump.mjs"), modules, file).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("warcio: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("warcio: %v", err)
	}
	var recs []warcRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var r warcRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("warcio line %q: %v", sc.Text(), err)
		}
		recs = append(recs, r)
	}
	return recs
}

const warcPageHTML = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Archive</title>
<link rel="stylesheet" href="/style.css"></head><body><h1>Rendez-vous indisponible</h1>
<img src="/rouge.png" width="50" height="50">
<script>fetch('/journal', {method: 'POST', body: 'tentative=1'});</script></body></html>`

func warcSite(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/depart", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/page", http.StatusFound)
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		// Compressed on the wire: the archive keeps the body as the page
		// uses it, and says so in its headers.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		z := gzip.NewWriter(w)
		z.Write([]byte(warcPageHTML))
		z.Close()
	})
	mux.HandleFunc("/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		w.Write([]byte("h1 { color: #123456; }"))
	})
	mux.HandleFunc("/rouge.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(redPNG())
	})
	mux.HandleFunc("/journal", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("noté"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestWARC: every resource the page loaded is in the WARC as a request and
// its response as received, read back by warcio; the screenshots are
// resource records; the record holds the file's hash.
func TestWARC(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium and node: not in -short")
	}
	mods := npmModules(t)
	srv := warcSite(t)
	before := time.Now().UTC().Add(-time.Second)
	res, err := capt(t, Options{URL: srv.URL + "/depart"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := res.Finish(7)
	if err != nil {
		t.Fatal(err)
	}
	if res.WARC == nil || res.Record.Hashes.WARC != sha(res.WARC) {
		t.Fatalf("WARC hash %q, want the SHA-256 of the %d bytes", res.Record.Hashes.WARC, len(res.WARC))
	}
	file := filepath.Join(t.TempDir(), "capture.warc.gz")
	if err := os.WriteFile(file, res.WARC, 0o600); err != nil {
		t.Fatal(err)
	}
	recs := readWARC(t, mods, file)
	if len(recs) == 0 || recs[0].Type != "warcinfo" || !strings.Contains(recs[0].Text, "X-Archive-Orig") {
		t.Fatalf("first record %+v, want warcinfo", recs[0])
	}
	responses := map[string]warcRecord{}
	ids := map[string]bool{}
	var requests []warcRecord
	var shots []warcRecord
	for _, r := range recs {
		if r.Version != "WARC/1.1" {
			t.Errorf("record %s %s: version %q", r.Type, r.URI, r.Version)
		}
		if !r.DigestOK {
			t.Errorf("record %s %s: digest does not match the payload", r.Type, r.URI)
		}
		d, err := time.Parse(time.RFC3339Nano, r.Date)
		if err != nil || d.Before(before) || d.After(time.Now().Add(time.Second)) {
			t.Errorf("record %s %s: WARC-Date %q outside the capture", r.Type, r.URI, r.Date)
		}
		ids[r.ID] = true
		switch r.Type {
		case "response":
			if r.IP != "127.0.0.1" {
				t.Errorf("response %s: WARC-IP-Address %q", r.URI, r.IP)
			}
			responses[strings.TrimPrefix(r.URI, srv.URL)] = r
		case "request":
			requests = append(requests, r)
		case "resource":
			shots = append(shots, r)
		}
	}
	if r, ok := responses["/depart"]; !ok || r.Status == nil || *r.Status != 302 {
		t.Errorf("redirect response: %+v", r)
	}
	page, ok := responses["/page"]
	if !ok || page.Status == nil || *page.Status != 200 || page.SHA256 != sha([]byte(warcPageHTML)) || !strings.Contains(page.Text, "Rendez-vous indisponible") {
		t.Errorf("page response: %+v (want the decoded HTML)", page)
	}
	for _, p := range []string{"/style.css", "/rouge.png", "/journal"} {
		if _, ok := responses[p]; !ok {
			t.Errorf("no response record for %s (have %v)", p, keys(responses))
		}
	}
	if r := responses["/rouge.png"]; r.SHA256 != sha(redPNG()) {
		t.Errorf("image body not as served")
	}
	post := false
	for _, r := range requests {
		if !ids[r.Concurrent] {
			t.Errorf("request %s: WARC-Concurrent-To %q names no record", r.URI, r.Concurrent)
		}
		post = post || (r.Method == "POST" && strings.HasSuffix(r.URI, "/journal") && r.SHA256 == sha([]byte("tentative=1")))
	}
	if len(requests) != len(responses) || !post {
		t.Errorf("%d requests for %d responses, POST body kept: %v", len(requests), len(responses), post)
	}
	if len(shots) != 2 || shots[0].SHA256 != sha(res.Raw) || shots[1].SHA256 != sha(b.PNG) || shots[0].ContentType != "image/png" {
		t.Errorf("screenshot resources: %+v", shots)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
