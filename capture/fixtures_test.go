package capture

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"
)

// npmModules finds the node_modules folder of the test fixtures (real
// third-party libraries from the npm registry: consent managers, the WARC
// reader, ReplayWeb.page), installed by .ci/run with « npm ci » in .ci/npm.
// ANEF_NPM_MODULES overrides it. Without it the test is skipped, except in
// CI where it fails.
func npmModules(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ANEF_NPM_MODULES")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, ".ci", "npm", "node_modules")
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "tarteaucitronjs")); err != nil || !st.IsDir() {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and the npm test fixtures are missing in %s (cd .ci/npm && npm ci)", dir)
		}
		t.Skipf("npm test fixtures absent in %s : cd .ci/npm && npm ci", dir)
	}
	return dir
}

// needTool skips without a command, except in CI.
func needTool(t *testing.T, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and %s is missing (apt-get install %s)", name, pkg)
		}
		t.Skipf("%s absent (apt-get install %s)", name, pkg)
	}
}

// fixtureServer serves the npm modules under /npm/ and the given pages.
func fixtureServer(t *testing.T, modules string, pages map[string]string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/npm/", http.StripPrefix("/npm/", http.FileServer(http.Dir(modules))))
	for path, html := range pages {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != path {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(html))
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// ocr reads the text of a PNG with tesseract (French), the image scaled
// twice first (small banner text is then read reliably) and sparse text
// looked for everywhere (--psm 11).
func ocr(t *testing.T, shot []byte) string {
	t.Helper()
	needTool(t, "tesseract", "tesseract-ocr tesseract-ocr-fra")
	src, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	b := src.Bounds()
	big := image.NewRGBA(image.Rect(0, 0, 2*b.Dx(), 2*b.Dy()))
	draw.CatmullRom.Scale(big, big.Bounds(), src, b, draw.Src, nil)
	var buf bytes.Buffer
	if err := png.Encode(&buf, big); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "shot.png")
	if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tesseract", f, "stdout", "-l", "fra", "--psm", "11").Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
