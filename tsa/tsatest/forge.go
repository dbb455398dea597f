package tsatest

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/digitorus/timestamp"
)

// Forger signs replies with a PKI made by [MakePKI] but with a time of its
// choice: the adversary of the review, a TSA whose clock lies (a backdated
// token is genuine cryptographically and wrong in time). Its certificate
// chains to its own ca.pem.
type Forger struct {
	URL     string
	RootPEM string
	// GenTime is the time written in every token.
	GenTime time.Time

	srv    *httptest.Server
	serial atomic.Int64
	cert   *x509.Certificate
	key    crypto.Signer
}

// StartForger makes a PKI named name in dir and serves backdated replies on
// loopback at URL (path /tsr).
func StartForger(dir, name string, genTime time.Time) (*Forger, error) {
	if err := MakePKI(dir, name); err != nil {
		return nil, err
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, "tsa.pem"))
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, "tsa.key"))
	if err != nil {
		return nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("tsatest: PEM illisible")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("tsatest: clé %T", k)
	}
	f := &Forger{RootPEM: filepath.Join(dir, "ca.pem"), GenTime: genTime, cert: cert, key: signer}
	f.serial.Store(100)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL + "/tsr"
	return f, nil
}

// Close stops the server.
func (f *Forger) Close() { f.srv.Close() }

func (f *Forger) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ts := timestamp.Timestamp{HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Time: f.GenTime,
		Nonce: req.Nonce, Policy: []int{1, 2, 3, 4, 1}, SerialNumber: big.NewInt(f.serial.Add(1)), AddTSACertificate: true}
	resp, err := ts.CreateResponseWithOpts(f.cert, f.key, crypto.SHA256)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}

// Redirector answers every request with a 307 to target (which would re-send
// the digest and nonce elsewhere if followed).
func Redirector(target string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	}))
}
