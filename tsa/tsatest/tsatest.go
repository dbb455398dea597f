// Package tsatest runs a real RFC 3161 timestamp authority for tests:
// `openssl ts -reply` behind an httptest server, with a root CA and a TSA
// certificate (extendedKeyUsage critical timeStamping) made by openssl in a
// temporary folder. No network: the server listens on loopback.
package tsatest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/digitorus/timestamp"
)

// Authority is a running local TSA.
type Authority struct {
	URL string
	// Dir holds ca.pem (the root), tsa.pem (the signer), their keys, tsa.cnf.
	Dir string
	// RootPEM is the path of the root certificate to trust.
	RootPEM string
	// SignerPEM is the TSA's own certificate (for openssl -untrusted).
	SignerPEM string

	// Tamper, when set, rewrites each request before openssl answers it
	// (to make a reply for another hash or another nonce).
	Tamper func(*timestamp.Request)
	// Mangle, when set, rewrites each reply before it is sent.
	Mangle func([]byte) []byte

	mu       sync.Mutex
	srv      *httptest.Server
	requests int
}

// Requests returns how many requests the authority answered.
func (a *Authority) Requests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.requests
}

const extCnf = `[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`

const tsaCnf = `[tsa]
default_tsa = tsa_config1
[tsa_config1]
serial = %[1]s/serial
crypto_device = builtin
signer_cert = %[1]s/tsa.pem
certs = %[1]s/ca.pem
signer_key = %[1]s/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`

// MakePKI writes, in dir, a root CA (ca.pem, ca.key) and a TSA certificate
// signed by it (tsa.pem, tsa.key) plus tsa.cnf for `openssl ts -reply`.
// name distinguishes two PKIs in one test (an untrusted root).
func MakePKI(dir, name string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "ext.cnf"), []byte(extCnf), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "tsa.cnf"), []byte(fmt.Sprintf(tsaCnf, dir)), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600); err != nil {
		return err
	}
	steps := [][]string{
		{"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
			"-days", "3650", "-subj", "/CN=" + name + " racine de test", "-config", "ext.cnf", "-extensions", "v3_ca"},
		{"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
			"-subj", "/CN=" + name + " horodatage de test", "-config", "ext.cnf"},
		{"x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2", "-out", "tsa.pem",
			"-days", "3650", "-extfile", "ext.cnf", "-extensions", "v3_tsa"},
	}
	for _, args := range steps {
		if err := openssl(dir, nil, args...); err != nil {
			return err
		}
	}
	return nil
}

func openssl(dir string, stdin []byte, args ...string) error {
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("openssl %v: %v: %s", args[0], err, out)
	}
	return nil
}

// Start makes a PKI in dir and serves `openssl ts -reply` on loopback.
func Start(dir string) (*Authority, error) {
	if _, err := exec.LookPath("openssl"); err != nil {
		return nil, errors.New("openssl absent")
	}
	if err := MakePKI(dir, "Autorite"); err != nil {
		return nil, err
	}
	a := &Authority{Dir: dir, RootPEM: filepath.Join(dir, "ca.pem"), SignerPEM: filepath.Join(dir, "tsa.pem")}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	a.URL = a.srv.URL + "/tsr"
	return a, nil
}

// Close stops the server.
func (a *Authority) Close() { a.srv.Close() }

func (a *Authority) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST attendu", http.StatusMethodNotAllowed)
		return
	}
	q, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.Tamper != nil {
		req, err := timestamp.ParseRequest(q)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.Tamper(req)
		if q, err = req.Marshal(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	qf := filepath.Join(a.Dir, "query.tsq")
	rf := filepath.Join(a.Dir, "reply.tsr")
	os.Remove(rf)
	if err := os.WriteFile(qf, q, 0o600); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := openssl(a.Dir, nil, "ts", "-reply", "-config", "tsa.cnf", "-queryfile", qf, "-out", rf); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	reply, err := os.ReadFile(rf)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if a.Mangle != nil {
		reply = a.Mangle(reply)
	}
	a.requests++
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(reply)
}
