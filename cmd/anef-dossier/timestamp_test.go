package main

import (
	"net"
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
		if !strings.Contains(name, "timestamp") && !strings.Contains(name, "export") && !strings.Contains(name, "horodat") {
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
