package capture

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anefdossier/export"
	"anefdossier/protocol"
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

	// The WACZ package of a case holding this capture.
	caseDir := t.TempDir()
	os.MkdirAll(filepath.Join(caseDir, "pieces"), 0o700)
	if err := os.WriteFile(filepath.Join(caseDir, "pieces", "001-capture.warc.gz"), res.WARC, 0o600); err != nil {
		t.Fatal(err)
	}
	wacz := filepath.Join(t.TempDir(), "dossier.wacz")
	wp := export.WACZPage{Piece: 1, URL: res.Record.FinalURL, Title: "Rendez-vous", TS: res.Record.Shot, WARC: "pieces/001-capture.warc.gz", Hash: sha(res.WARC)}
	if _, err := export.WriteWACZ(caseDir, wacz, "Dossier test", []export.WACZPage{wp}, time.Now()); err != nil {
		t.Fatal(err)
	}
	checkWACZ(t, mods, wacz, res.WARC, res.Record.FinalURL)
	if _, err := export.WriteWACZ(caseDir, wacz, "Dossier test", []export.WACZPage{wp}, time.Now()); !errors.Is(err, protocol.ErrExists) {
		t.Errorf("second write over the package: %v, want ErrExists", err)
	}
	wp.Hash = sha([]byte("autre"))
	if _, err := export.WriteWACZ(caseDir, wacz+".2.wacz", "Dossier test", []export.WACZPage{wp}, time.Now()); err == nil || !strings.Contains(err.Error(), "ne correspond plus") {
		t.Errorf("WARC that no longer matches its hash: %v", err)
	}
	if _, err := os.Stat(wacz + ".2.wacz"); err == nil {
		t.Errorf("a package was written from a WARC that does not match its hash")
	}

	// ReplayWeb.page (npm replaywebpage), served on loopback, replays it.
	replayText := replayWACZ(t, mods, wacz, res.Record.FinalURL)
	if !strings.Contains(replayText, "Rendez-vous indisponible") {
		t.Errorf("the replayed page does not show the captured text: %q", replayText)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkWACZ opens the package and checks it against the specification's
// rules: WARC stored uncompressed and byte for byte, every file listed in
// datapackage.json with its SHA-256 and size, the digest file, the pages,
// and the index equal to the one warcio computes from the WARC itself.
func checkWACZ(t *testing.T, mods, wacz string, warc []byte, pageURL string) {
	t.Helper()
	zr, err := zip.OpenReader(wacz)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
		if strings.HasPrefix(f.Name, "archive/") && f.Method != zip.Store {
			t.Errorf("%s is compressed in the zip (method %d): WACZ wants it stored", f.Name, f.Method)
		}
	}
	if !bytes.Equal(files["archive/001-capture.warc.gz"], warc) {
		t.Fatalf("archive/001-capture.warc.gz is not the stored WARC (files %v)", keys(files))
	}
	var dp struct {
		Profile   string `json:"profile"`
		Version   string `json:"wacz_version"`
		Resources []struct {
			Name, Path, Hash string
			Bytes            int
		} `json:"resources"`
	}
	if err := json.Unmarshal(files["datapackage.json"], &dp); err != nil {
		t.Fatal(err)
	}
	if dp.Profile != "data-package" || dp.Version != "1.1.1" || len(dp.Resources) != 3 {
		t.Errorf("datapackage.json: %+v", dp)
	}
	for _, r := range dp.Resources {
		if b, ok := files[r.Path]; !ok || "sha256:"+sha(b) != r.Hash || len(b) != r.Bytes {
			t.Errorf("datapackage.json lists %s with %s, %d bytes: not what the zip holds", r.Path, r.Hash, r.Bytes)
		}
	}
	var dd struct{ Path, Hash string }
	if err := json.Unmarshal(files["datapackage-digest.json"], &dd); err != nil || dd.Hash != "sha256:"+sha(files["datapackage.json"]) {
		t.Errorf("datapackage-digest.json: %+v %v", dd, err)
	}
	pages := strings.Split(strings.TrimSpace(string(files["pages/pages.jsonl"])), "\n")
	if len(pages) != 2 || !strings.Contains(pages[0], `"format":"json-pages-1.0"`) || !strings.Contains(pages[1], `"url":"`+pageURL+`"`) {
		t.Errorf("pages.jsonl: %q", pages)
	}
	// The index, against warcio's own (cdx-index) of the same WARC.
	f := filepath.Join(t.TempDir(), "001-capture.warc.gz")
	os.WriteFile(f, warc, 0o600)
	cmd := exec.Command("node", filepath.Join(mods, "warcio", "dist", "cli.js"), "cdx-index", f)
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("warcio cdx-index: %v", err)
	}
	type cdx struct {
		key, ts                           string
		URL, Status, Offset, Length, Mime string
	}
	parse := func(text string) map[string]cdx {
		out := map[string]cdx{}
		for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
			parts := strings.SplitN(l, " ", 3)
			if len(parts) != 3 {
				continue
			}
			var v struct{ URL, Status, Offset, Length, Mime string }
			json.Unmarshal([]byte(parts[2]), &v)
			out[v.URL+"@"+v.Offset] = cdx{parts[0], parts[1], v.URL, v.Status, v.Offset, v.Length, v.Mime}
		}
		return out
	}
	mine, theirs := parse(string(files["indexes/index.cdx"])), parse(string(want))
	post := 0
	for k, w := range theirs {
		if strings.HasPrefix(w.URL, "urn:") {
			continue // warcio indexes resources only with --all
		}
		if strings.Contains(w.key, "__wb_method=") {
			post++ // keyed with its method and body, as warcio keys it
		}
		if got, ok := mine[k]; !ok || got != w {
			t.Errorf("index line for %s: got %+v, warcio %+v", k, got, w)
		}
	}
	if post == 0 {
		t.Error("warcio indexed no POST response")
	}
	if len(theirs) < 5 {
		t.Errorf("warcio indexed only %d records: %s", len(theirs), want)
	}
}
