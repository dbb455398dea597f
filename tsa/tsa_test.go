package tsa

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/digitorus/timestamp"

	"anefdossier/tsa/tsatest"
)

var (
	authOnce sync.Once
	auth     *tsatest.Authority
	authErr  error
	authDir  string
)

// authority returns one local openssl TSA shared by the tests of this
// package (Tamper and Mangle are reset by each test that sets them).
func authority(t *testing.T) *tsatest.Authority {
	t.Helper()
	authOnce.Do(func() {
		authDir, authErr = os.MkdirTemp("", "tsa-test-")
		if authErr == nil {
			auth, authErr = tsatest.Start(authDir)
		}
	})
	if authErr != nil {
		if _, err := exec.LookPath("openssl"); err != nil {
			t.Skip("openssl absent")
		}
		t.Fatalf("local authority: %v", authErr)
	}
	t.Cleanup(func() { auth.Tamper, auth.Mangle = nil, nil })
	return auth
}

func TestMain(m *testing.M) {
	code := m.Run()
	if auth != nil {
		auth.Close()
	}
	if authDir != "" {
		os.RemoveAll(authDir)
	}
	os.Exit(code)
}

func digestOf(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}

func TestStampVerifiedWithRoot(t *testing.T) {
	a := authority(t)
	roots, err := LoadRoots(a.RootPEM)
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf("capture 1")
	tok, info, err := Stamp(context.Background(), a.URL, d, roots)
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != StatusVerified || info.GenTime.IsZero() || !strings.Contains(info.Signer, "horodatage de test") {
		t.Fatalf("info = %+v", info)
	}
	if _, err := Verify(tok, d, roots); err != nil {
		t.Fatalf("offline verify: %v", err)
	}
	// Without a root: valid, but recorded as not vouched for.
	info2, err := Verify(tok, d, nil)
	if err != nil || info2.Status != StatusRootUnverified {
		t.Fatalf("verify without root: %+v, %v", info2, err)
	}
}

func TestWrongHashRefused(t *testing.T) {
	a := authority(t)
	a.Tamper = func(r *timestamp.Request) { r.HashedMessage = digestOf("autre chose") }
	_, _, err := Stamp(context.Background(), a.URL, digestOf("capture"), nil)
	if !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("got %v, want ErrHashMismatch", err)
	}
	// And offline: a good token checked against another file's hash.
	a.Tamper = nil
	tok, _, err := Stamp(context.Background(), a.URL, digestOf("capture"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(tok, digestOf("capture modifiée"), nil); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("got %v, want ErrHashMismatch", err)
	}
}

func TestWrongNonceRefused(t *testing.T) {
	a := authority(t)
	a.Tamper = func(r *timestamp.Request) { r.Nonce = new(big.Int).Add(r.Nonce, big.NewInt(1)) }
	_, _, err := Stamp(context.Background(), a.URL, digestOf("capture"), nil)
	if !errors.Is(err, ErrNonceMismatch) {
		t.Fatalf("got %v, want ErrNonceMismatch", err)
	}
	a.Tamper = func(r *timestamp.Request) { r.Nonce = nil }
	_, _, err = Stamp(context.Background(), a.URL, digestOf("capture"), nil)
	if !errors.Is(err, ErrNonceMismatch) {
		t.Fatalf("no nonce: got %v, want ErrNonceMismatch", err)
	}
}

func TestUntrustedRootRefused(t *testing.T) {
	a := authority(t)
	other := t.TempDir()
	if err := tsatest.MakePKI(other, "Autre"); err != nil {
		t.Fatal(err)
	}
	roots, err := LoadRoots(filepath.Join(other, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Stamp(context.Background(), a.URL, digestOf("capture"), roots)
	if !errors.Is(err, ErrUntrusted) {
		t.Fatalf("got %v, want ErrUntrusted", err)
	}
	// The signer certificate itself is not a root: trusting it alone must
	// not be enough either (it is not self-signed).
	roots2, err := LoadRoots(a.SignerPEM)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := Stamp(context.Background(), a.URL, digestOf("capture"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(tok, digestOf("capture"), roots); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("offline, other root: got %v", err)
	}
	_ = roots2
}

// TestCorruptedTokenRefused flips every byte of a reply in turn and checks
// that no corrupted reply is accepted as a valid token for our hash with our
// root, except where the byte is outside what is signed and checked; the
// count is reported (docs/RELIABILITY.md).
func TestCorruptedTokenRefused(t *testing.T) {
	a := authority(t)
	roots, err := LoadRoots(a.RootPEM)
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf("capture")
	tok, _, err := Stamp(context.Background(), a.URL, d, roots)
	if err != nil {
		t.Fatal(err)
	}
	// A reply mangled in transit is refused on receipt.
	a.Mangle = func(b []byte) []byte { b[len(b)/2] ^= 0x01; return b }
	if _, _, err := Stamp(context.Background(), a.URL, d, roots); err == nil {
		t.Error("mangled reply accepted")
	}
	a.Mangle = func(b []byte) []byte { return b[:len(b)-10] }
	if _, _, err := Stamp(context.Background(), a.URL, d, roots); !errors.Is(err, ErrInvalid) {
		t.Fatalf("truncated reply: %v", err)
	}
	accepted := 0
	var where []int
	for i := range tok {
		bad := append([]byte(nil), tok...)
		bad[i] ^= 0x01
		if _, err := Verify(bad, d, roots); err == nil {
			accepted++
			where = append(where, i)
		}
	}
	t.Logf("single-bit corruptions: %d bytes, %d accepted by the crypto check (offsets %v)", len(tok), accepted, where)
	// Every corruption is still caught by the token's SHA-256 in the journal;
	// the crypto check alone refuses all but a few re-encoded tag bytes.
	if accepted > len(tok)/100 {
		t.Fatalf("%d of %d corrupted tokens accepted", accepted, len(tok))
	}
	if _, err := Verify([]byte("pas un jeton"), d, roots); !errors.Is(err, ErrInvalid) {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := Verify(nil, d, roots); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty: %v", err)
	}
}

func TestRefusalStatus(t *testing.T) {
	a := authority(t)
	a.Tamper = func(r *timestamp.Request) { r.TSAPolicyOID = asn1.ObjectIdentifier{1, 2, 3, 9, 9} }
	_, _, err := Stamp(context.Background(), a.URL, digestOf("capture"), nil)
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("got %v, want ErrRefused", err)
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, _, err = Stamp(context.Background(), "http://"+addr+"/tsr", digestOf("x"), nil)
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "connexion refusée") {
		t.Fatalf("got %v", err)
	}
	for _, u := range []string{"", "tsa.example", "ftp://x/y", "http://", "http://a b/"} {
		if _, _, err := Stamp(context.Background(), u, digestOf("x"), nil); !errors.Is(err, ErrBadURL) {
			t.Errorf("%q: got %v, want ErrBadURL", u, err)
		}
	}
	if _, _, err := Stamp(context.Background(), "http://127.0.0.1:1/", []byte("court"), nil); err == nil {
		t.Error("short digest accepted")
	}
}

// TestOpenSSLVerify is the third-party check documented in
// docs/HORODATAGE.md: openssl, not our code, accepts the token for the file.
func TestOpenSSLVerify(t *testing.T) {
	a := authority(t)
	dir := t.TempDir()
	piece := filepath.Join(dir, "piece.png")
	content := []byte("\x89PNG\r\n\x1a\n une capture")
	if err := os.WriteFile(piece, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	tok, _, err := Stamp(context.Background(), a.URL, sum[:], nil)
	if err != nil {
		t.Fatal(err)
	}
	tsr := piece + ".1.tsr"
	if err := os.WriteFile(tsr, tok, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "ts", "-verify", "-in", tsr, "-data", piece, "-CAfile", a.RootPEM).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}
	// And it refuses the same token for a modified file.
	if err := os.WriteFile(piece, append(content, 'x'), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command("openssl", "ts", "-verify", "-in", tsr, "-data", piece, "-CAfile", a.RootPEM).CombinedOutput()
	if err == nil || strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl accepted a modified file:\n%s", out)
	}
}

// TestOnlyTheHashIsSent: what leaves the machine is a TimeStampReq carrying
// the 32-byte digest and a nonce, nothing of the file, to the configured URL.
func TestOnlyTheHashIsSent(t *testing.T) {
	a := authority(t)
	var seen []*timestamp.Request
	a.Tamper = func(r *timestamp.Request) { seen = append(seen, r) }
	secret := []byte("Nom: DUPONT, numéro d'étranger 1234567890")
	d := sha256.Sum256(secret)
	before := a.Requests()
	if _, _, err := Stamp(context.Background(), a.URL, d[:], nil); err != nil {
		t.Fatal(err)
	}
	if a.Requests() != before+1 || len(seen) != 1 {
		t.Fatalf("requests: %d", a.Requests()-before)
	}
	r := seen[0]
	if !bytes.Equal(r.HashedMessage, d[:]) || r.Nonce == nil || r.Nonce.BitLen() < 64 {
		t.Fatalf("request: %+v", r)
	}
	der, _ := r.Marshal()
	if len(der) > 120 || bytes.Contains(der, secret[:8]) {
		t.Fatalf("request of %d bytes carries more than a hash", len(der))
	}
}
