package tsa

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"anefdossier/tsa/tsatest"
)

// Review 1, M6: a 307 from the configured authority re-sent the digest and
// nonce to another host, and the token was recorded under the configured URL.
func TestRedirectRefused(t *testing.T) {
	a := authority(t)
	before := a.Requests()
	r := tsatest.Redirector(a.URL)
	defer r.Close()
	_, _, err := Stamp(context.Background(), r.URL+"/r307", digestOf("capture"), nil)
	if !errors.Is(err, ErrRedirect) {
		t.Fatalf("got %v, want ErrRedirect", err)
	}
	if !strings.Contains(err.Error(), a.URL) || !strings.Contains(err.Error(), "redirection refusée") {
		t.Fatalf("message does not name the target: %v", err)
	}
	if a.Requests() != before {
		t.Fatalf("the redirect was followed: the other authority got %d requests", a.Requests()-before)
	}
}

// Review 1, M6/H2: a token backdated by its authority (genuine signature,
// time ten months before the request) is refused on receipt.
func TestBackdatedTokenRefused(t *testing.T) {
	f, err := tsatest.StartForger(t.TempDir(), "Faussaire", time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC))
	if err != nil {
		if strings.Contains(err.Error(), "executable file not found") {
			t.Skip("openssl absent")
		}
		t.Fatal(err)
	}
	defer f.Close()
	// No root: the chain would also fail (the test certificates are
	// younger than the forged time); what is tested here is the time.
	_, _, err = Stamp(context.Background(), f.URL, digestOf("capture"), nil)
	if !errors.Is(err, ErrTimeInconsistent) || !strings.Contains(err.Error(), "15/01/2026 10:00:00") {
		t.Fatalf("got %v, want ErrTimeInconsistent naming the token's time", err)
	}
	// The same authority with an honest clock is accepted: the refusal is the time.
	f.GenTime = time.Now()
	roots, err := LoadRoots(f.RootPEM)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Stamp(context.Background(), f.URL, digestOf("capture"), roots); err != nil {
		t.Fatalf("honest time refused: %v", err)
	}
}

func TestCheckSkew(t *testing.T) {
	req := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		d  time.Duration
		ok bool
	}{{0, true}, {4 * time.Minute, true}, {-4 * time.Minute, true}, {-6 * time.Minute, false}, {7 * time.Minute, false}, {-300 * 24 * time.Hour, false}} {
		if err := CheckSkew(req.Add(c.d), req); (err == nil) != c.ok {
			t.Errorf("skew %v: err = %v", c.d, err)
		}
	}
}

// Review 1, H2: verify must show who vouched: the signer's subject and the
// SHA-256 fingerprint of the root the chain ends at (as openssl prints it).
func TestRootFingerprintShown(t *testing.T) {
	a := authority(t)
	roots, err := LoadRoots(a.RootPEM)
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf("capture 1")
	tok, _, err := Stamp(context.Background(), a.URL, d, roots)
	if err != nil {
		t.Fatal(err)
	}
	info, err := Verify(tok, d, roots)
	if err != nil {
		t.Fatal(err)
	}
	pemData, _ := os.ReadFile(a.RootPEM)
	b, _ := pem.Decode(pemData)
	sum := sha256.Sum256(b.Bytes)
	if info.RootSHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("root fingerprint %q, want %x", info.RootSHA256, sum)
	}
	v := Voucher(&info)
	if !strings.Contains(v, "horodatage de test") || !strings.Contains(v, Fingerprint(info.RootSHA256)) || !strings.Contains(v, "racine de test") {
		t.Fatalf("voucher %q lacks signer, root or fingerprint", v)
	}
	if f := Fingerprint("ab01"); f != "AB:01" {
		t.Fatalf("Fingerprint = %q", f)
	}
	// Without a root nothing claims a root.
	info2, _ := Verify(tok, d, nil)
	if info2.RootSHA256 != "" || !strings.Contains(Voucher(&info2), "non rattaché") {
		t.Fatalf("unverified voucher: %+v %q", info2, Voucher(&info2))
	}
}

// Review 1, H4: a root path to a device or a FIFO is refused at once,
// instead of reading /dev/zero without end.
func TestRootDeviceRefused(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := LoadRoots("/dev/zero")
	if err == nil || !strings.Contains(err.Error(), "n'est pas un fichier ordinaire") {
		t.Fatalf("got %v", err)
	}
}
