package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"anefdossier/tsa/tsatest"
)

func init() {
	// A real local RFC 3161 authority (openssl ts -reply behind httptest) for
	// the scripts that need one: $TSA, $TSA_ROOT (root PEM), $TSA_SIGNER
	// (the TSA certificate), $TSA_DOWN (an address where nothing listens).
	scriptSetups = append(scriptSetups, func(env *testscript.Env) error {
		name := ""
		if n, ok := env.T().(interface{ Name() string }); ok {
			name = n.Name()
		}
		if !strings.Contains(name, "timestamp") && !strings.Contains(name, "export") && !strings.Contains(name, "horodat") && !strings.Contains(name, "badinput") && !strings.Contains(name, "doctor") {
			return nil
		}
		if _, err := os.Stat("/usr/bin/openssl"); err != nil {
			return nil
		}
		a, err := tsatest.Start(filepath.Join(env.WorkDir, ".tsa"))
		if err != nil {
			return err
		}
		env.Defer(a.Close)
		env.Setenv("TSA", a.URL)
		env.Setenv("TSA_ROOT", a.RootPEM)
		env.Setenv("TSA_SIGNER", a.SignerPEM)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		env.Setenv("TSA_DOWN", "http://"+l.Addr().String()+"/tsr")
		l.Close()
		// Authorities that answer wrongly: HTTP 500, bytes that are not a
		// reply, a TLS certificate nobody trusts.
		bad500 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "panne", http.StatusInternalServerError)
		}))
		garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<html>ceci n'est pas un jeton</html>"))
		}))
		tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		env.Defer(bad500.Close)
		env.Defer(garbage.Close)
		env.Defer(tlsSrv.Close)
		env.Setenv("TSA_500", bad500.URL+"/tsr")
		env.Setenv("TSA_GARBAGE", garbage.URL+"/tsr")
		env.Setenv("TSA_TLS", tlsSrv.URL+"/tsr")
		redir := tsatest.Redirector(a.URL)
		env.Defer(redir.Close)
		env.Setenv("TSA_REDIRECT", redir.URL+"/r307")
		other := filepath.Join(env.WorkDir, ".autre")
		if err := tsatest.MakePKI(other, "Autre"); err != nil {
			return err
		}
		env.Setenv("OTHER_ROOT", filepath.Join(other, "ca.pem"))
		return nil
	})
	// writefile FILE LINE... writes the lines (after $VAR expansion) to FILE.
	scriptCmds["writefile"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 1 {
			ts.Fatalf("usage: writefile FILE LINE...")
		}
		p := ts.MkAbs(args[0])
		ts.Check(os.MkdirAll(filepath.Dir(p), 0o700))
		ts.Check(os.WriteFile(p, []byte(strings.Join(args[1:], "\n")+"\n"), 0o600))
	}
}
