package tsa

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"os"
	"testing"

	"anefdossier/tsa/tsatest"
)

// FuzzVerify: the timestamp-reply parser and checker never panic, never
// accept a reply for another hash, and only ever fail with one of the
// package's named errors (docs/RELIABILITY.md).
func FuzzVerify(f *testing.F) {
	d := sha256.Sum256([]byte("capture"))
	var roots *x509.CertPool
	if _, err := os.Stat("/usr/bin/openssl"); err == nil {
		dir, err := os.MkdirTemp("", "tsa-fuzz-")
		if err == nil {
			defer os.RemoveAll(dir)
			if a, err := tsatest.Start(dir); err == nil {
				if tok, _, err := Stamp(context.Background(), a.URL, d[:], nil); err == nil {
					f.Add(tok)
					f.Add(tok[:len(tok)/2])
				}
				roots, _ = LoadRoots(a.RootPEM)
				a.Close()
			}
		}
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x02})
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Add([]byte("pas un jeton"))
	other := sha256.Sum256([]byte("autre"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, r := range []*x509.CertPool{nil, roots} {
			info, err := Verify(data, d[:], r)
			if err != nil {
				if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrHashMismatch) && !errors.Is(err, ErrUntrusted) && !errors.Is(err, ErrRefused) {
					t.Fatalf("unnamed error: %v", err)
				}
				continue
			}
			if info.Status == "" {
				t.Fatal("accepted without a status")
			}
			if _, err := Verify(data, other[:], r); err == nil {
				t.Fatal("one reply accepted for two different hashes")
			}
		}
	})
}
