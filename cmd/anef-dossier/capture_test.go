package main

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// The capture scripts get a local site: $PAGES (plain), $PAGES_TLS (TLS with
// a self-signed certificate), $REFUSED (a closed port) and $DTPORT (a free
// port for the DevTools of `capture browser`).
func init() {
	scriptSetups = append(scriptSetups, captureSetup)
	scriptCmds["pnginfo"] = cmdPNGInfo
	scriptCmds["noprofiles"] = cmdNoProfiles
}

var (
	pagesOnce       sync.Once
	pagesPlain      *httptest.Server
	pagesTLS        *httptest.Server
	errCIChromeless = errors.New("CI est défini mais Chromium est absent : les tests de capture doivent tourner en CI")
)

const pageHome = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Rendez-vous en préfecture</title></head>
<body><h1>Préfecture de test</h1><p>Aucun créneau disponible.</p></body></html>`

func startPages() {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, pageHome)
	})
	mux.HandleFunc("/erreur", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `<html><body><h1>Erreur interne du service</h1></body></html>`)
	})
	mux.HandleFunc("/ancienne", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/", http.StatusFound)
	})
	mux.HandleFunc("/lente", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(60 * time.Second):
		}
	})
	pagesPlain = httptest.NewServer(mux)
	pagesTLS = httptest.NewUnstartedServer(mux)
	pagesTLS.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused certificate is expected
	pagesTLS.StartTLS()
}

func captureSetup(env *testscript.Env) error {
	if chromiumPath() == "" && os.Getenv("CI") != "" {
		return errCIChromeless
	}
	pagesOnce.Do(startPages)
	env.Setenv("PAGES", pagesPlain.URL)
	env.Setenv("PAGES_TLS", pagesTLS.URL)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	env.Setenv("REFUSED", "http://"+l.Addr().String())
	l.Close()
	l2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	env.Setenv("DTPORT", strconv.Itoa(l2.Addr().(*net.TCPAddr).Port))
	l2.Close()
	// A PATH with the command and no Chromium.
	bin, _, _ := strings.Cut(env.Getenv("PATH"), string(os.PathListSeparator))
	env.Setenv("PATH_SANS_CHROMIUM", bin)
	// A browser opened by `capture browser` outlives the command: end it
	// with the script.
	work := env.WorkDir
	env.Defer(func() { killBrowsersUnder(work) })
	return nil
}

// killBrowsersUnder kills the browsers whose profile is inside dir (the
// separator matters: script-capture must not match script-capture_series).
func killBrowsersUnder(dir string) {
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmd, []byte("--user-data-dir="+dir+string(os.PathSeparator))) {
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
		}
	}
}

// pnginfo FILE prints "WIDTHxHEIGHT MODE" of a PNG, MODE being RGB, RGBA,
// ... from its header, and "entrelacé" when it is interlaced.
func cmdPNGInfo(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: pnginfo FILE")
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	ts.Check(err)
	modes := map[byte]string{0: "GRAY", 2: "RGB", 3: "PALETTE", 4: "GRAYA", 6: "RGBA"}
	out := fmt.Sprintf("%dx%d %s", cfg.Width, cfg.Height, modes[b[25]])
	if b[28] != 0 {
		out += " entrelacé"
	}
	fmt.Fprintln(ts.Stdout(), out)
}

// noprofiles fails if a temporary browser profile or a browser using one is
// left in the script's temporary folder.
func cmdNoProfiles(ts *testscript.TestScript, neg bool, args []string) {
	tmp := ts.Getenv("TMPDIR")
	var left []string
	deadline := time.Now().Add(3 * time.Second)
	for {
		left = left[:0]
		ents, _ := os.ReadDir(tmp)
		for _, e := range ents {
			if n := e.Name(); strings.HasPrefix(n, "chromedp-runner") || strings.Contains(n, "org.chromium.") || strings.HasPrefix(n, "adc-") {
				left = append(left, e.Name())
			}
		}
		procs, _ := os.ReadDir("/proc")
		for _, p := range procs {
			cmd, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
			if err == nil && bytes.Contains(cmd, []byte("--user-data-dir="+tmp+string(os.PathSeparator))) {
				left = append(left, "processus "+p.Name())
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(left) > 0 != neg {
		ts.Fatalf("restes de navigateur : %v", left)
	}
}
