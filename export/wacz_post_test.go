package export

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// postWARC is a WARC of responses each followed by its request, as the
// capture writes them, with request bodies of several media types.
func postWARC(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	member := func(typ, uri, block string) {
		z := gzip.NewWriter(&out)
		fmt.Fprintf(z, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:%d>\r\nWARC-Date: 2026-03-10T09:00:00.000000Z\r\nWARC-Target-URI: %s\r\nContent-Type: application/http;msgtype=%s\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n",
			typ, out.Len(), uri, typ, len(block), block)
		z.Close()
	}
	resp := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
	for i, c := range []struct{ method, ctype, body string }{
		{"GET", "", ""},
		{"POST", "application/x-www-form-urlencoded", "nom=Dupont&pr%C3%A9nom=J%C3%A9r%C3%B4me&x=a%26b"},
		{"POST", "application/json", `{"b":1,"a":{"c":[true,null,"z z"],"b":2.5}}`},
		{"POST", "text/plain;charset=UTF-8", "tentative=1"},
		{"POST", "text/plain", `{"k":"v"}`},
		{"PUT", "application/octet-stream", "\x00\x01binaire"},
		{"POST", "application/json", "pas du json"},
	} {
		uri := fmt.Sprintf("https://www.prefecture.example/api/%d?z=1&a=2", i)
		member("response", uri, resp)
		hdr := ""
		if c.ctype != "" {
			hdr = "Content-Type: " + c.ctype + "\r\n"
		}
		member("request", uri, fmt.Sprintf("%s /api/%d?z=1&a=2 HTTP/1.1\r\nHost: www.prefecture.example\r\n%s\r\n%s", c.method, i, hdr, c.body))
	}
	return out.Bytes()
}

// POST responses are keyed by address, method and body exactly as warcio
// (the indexer of ReplayWeb.page) keys them, so that they replay.
func TestPOSTIndexLikeWarcio(t *testing.T) {
	warc := postWARC(t)
	mine, err := warcIndex("p.warc.gz", warc)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 7 {
		t.Fatalf("%d index lines, want 7", len(mine))
	}
	got := map[string]string{}
	for _, e := range mine {
		got[e.url] = strings.SplitN(e.key, " ", 2)[0]
	}
	// Checked by hand against warcio 2.4 once; the test below compares
	// with warcio itself when the npm fixtures are installed.
	if k := got["https://www.prefecture.example/api/0?z=1&a=2"]; k != "example,prefecture)/api/0?a=2&z=1" {
		t.Errorf("GET key: %s", k)
	}
	if k := got["https://www.prefecture.example/api/3?z=1&a=2"]; !strings.Contains(k, "__wb_method=post") {
		t.Errorf("POST key without its method: %s", k)
	}
	mods := npmDir()
	if mods == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set and the npm fixtures (warcio) are missing: cd .ci/npm && npm ci")
		}
		t.Skip("npm fixtures absent (cd .ci/npm && npm ci): not compared with warcio")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node absent")
	}
	f := filepath.Join(t.TempDir(), "p.warc.gz")
	os.WriteFile(f, warc, 0o600)
	out, err := exec.Command("node", filepath.Join(mods, "warcio", "dist", "cli.js"), "cdx-index", f).Output()
	if err != nil {
		t.Fatalf("warcio cdx-index: %v", err)
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.SplitN(l, " ", 3)
		var v struct{ URL, Method, RequestBody string }
		json.Unmarshal([]byte(parts[2]), &v)
		n++
		var e *cdxEntry
		for i := range mine {
			if mine[i].url == v.URL {
				e = &mine[i]
			}
		}
		if e == nil || strings.SplitN(e.key, " ", 2)[0] != parts[0] {
			t.Errorf("%s: key %q, warcio %q", v.URL, got[v.URL], parts[0])
			continue
		}
		if v.Method != "" && (e.fields["method"] != v.Method || e.fields["requestBody"] != v.RequestBody) {
			t.Errorf("%s: method %v body %q, warcio %s %q", v.URL, e.fields["method"], e.fields["requestBody"], v.Method, v.RequestBody)
		}
	}
	if n != 7 {
		t.Errorf("warcio indexed %d records:\n%s", n, out)
	}
}

// npmDir finds .ci/npm/node_modules (or ANEF_NPM_MODULES) with warcio in it.
func npmDir() string {
	dir := os.Getenv("ANEF_NPM_MODULES")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, ".ci", "npm", "node_modules")
				break
			}
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "warcio")); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

// The package is streamed to its file: what is reported (hash, size, index
// lines) is what was written, the WARC is stored byte for byte, and a WARC
// that no longer matches its journaled hash leaves no file, not even a
// temporary one.
func TestWACZStreamed(t *testing.T) {
	caseDir, out := t.TempDir(), t.TempDir()
	warc := postWARC(t)
	os.MkdirAll(filepath.Join(caseDir, "pieces"), 0o700)
	os.WriteFile(filepath.Join(caseDir, "pieces", "001-capture.warc.gz"), warc, 0o600)
	sum := sha256.Sum256(warc)
	page := WACZPage{Piece: 1, URL: "https://www.prefecture.example/api/0?z=1&a=2", Title: "essai", TS: time.Now(),
		WARC: "pieces/001-capture.warc.gz", Hash: hex.EncodeToString(sum[:])}
	dst := filepath.Join(out, "cas.wacz")
	res, err := WriteWACZ(caseDir, dst, "Dossier", []WACZPage{page}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	fsum := sha256.Sum256(b)
	if res.SHA256 != hex.EncodeToString(fsum[:]) || res.Size != int64(len(b)) || res.Index != 7 {
		t.Errorf("result %+v for a file of %d bytes", res, len(b))
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	for _, f := range zr.File {
		if f.Name == "archive/001-capture.warc.gz" {
			rc, _ := f.Open()
			stored, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	if !bytes.Equal(stored, warc) {
		t.Error("the WARC is not stored byte for byte")
	}
	page.Hash = strings.Repeat("0", 64)
	if _, err := WriteWACZ(caseDir, filepath.Join(out, "autre.wacz"), "Dossier", []WACZPage{page}, time.Now()); err == nil || !strings.Contains(err.Error(), "ne correspond plus") {
		t.Fatalf("hash mismatch: %v", err)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 1 {
		t.Errorf("files left in the destination: %d", len(ents))
	}
}
