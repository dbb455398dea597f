package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// golden compares data with testdata/name; with -update it rewrites it.
// Large outputs are compared by their SHA-256 (name ends in .sha256). A PDF
// (name ends in .pdf or .pdf.sha256) has a second golden beside it, its text
// as pdftotext -layout gives it (name.txt, without .sha256), so that a
// failure shows what changed in what a reader sees.
func golden(t *testing.T, name string, data []byte) {
	t.Helper()
	want := data
	if strings.HasSuffix(name, ".sha256") {
		s := sha256.Sum256(data)
		want = []byte(hex.EncodeToString(s[:]) + "\n")
	}
	textDiff := ""
	if base := strings.TrimSuffix(name, ".sha256"); strings.HasSuffix(base, ".pdf") {
		textDiff = goldenText(t, base+".txt", goldenPDFText(t, data))
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s missing (run go test ./render -update): %v", name, err)
	}
	if !bytes.Equal(got, want) {
		kept := filepath.Join(t.TempDir(), strings.TrimSuffix(name, ".sha256"))
		os.WriteFile(kept, data, 0o644)
		what := textDiff
		if what == "" && strings.Contains(name, ".pdf") {
			what = "its text is unchanged (fonts, layout, images or metadata changed)"
		}
		t.Errorf("%s differs from its golden file (run go test ./render -update if the change is intended); %s", name, what)
	}
}

// goldenText compares text with the text golden testdata/name (rewritten
// with -update) and returns a description of the difference, "" if none.
func goldenText(t *testing.T, name, text string) string {
	t.Helper()
	if text == "" {
		return ""
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return ""
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s missing (run go test ./render -update): %v", name, err)
	}
	if d := lineDiff(string(want), text); d != "" {
		t.Errorf("%s differs from its golden file (run go test ./render -update if the change is intended):\n%s", name, d)
		return "its text changed, see " + name
	}
	return ""
}

// lineDiff shows the first lines that differ between want and got, with
// their numbers ("" when equal).
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 12; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "  line %d\n    - %s\n    + %s\n", i+1, wl, gl)
			shown++
		}
	}
	if len(w) != len(g) {
		fmt.Fprintf(&b, "  %d lines, golden %d\n", len(g), len(w))
	}
	return b.String()
}

// goldenPDFText is the text of a PDF as pdftotext -layout gives it, or "" when
// pdftotext is not installed (then only the bytes are compared; CI has it).
func goldenPDFText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set and pdftotext is missing")
		}
		return ""
	}
	f := filepath.Join(t.TempDir(), "golden.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// emlText is an e-mail draft as a reader sees it, for its text golden: the
// message's headers as written, the subject decoded, then each part with its
// headers (sorted) and its text decoded; an attachment is given by its size
// and SHA-256 instead of its base64.
func emlText(t *testing.T, raw []byte) []byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	var b bytes.Buffer
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	b.Write(bytes.ReplaceAll(head, []byte("\r\n"), []byte("\n")))
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("draft subject: %v", err)
	}
	fmt.Fprintf(&b, "\n[sujet décodé] %s\n", subject)
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("draft content type: %v", err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for n := 1; ; n++ {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("draft part %d: %v", n, err)
		}
		fmt.Fprintf(&b, "\n[partie %d]\n", n)
		keys := make([]string, 0, len(p.Header))
		for k := range p.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(p.Header[k], ", "))
		}
		var body io.Reader = p
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, p)
		case "quoted-printable":
			body = quotedprintable.NewReader(p)
		}
		data, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("draft part %d: %v", n, err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/") {
			fmt.Fprintf(&b, "\n%s\n", bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
			continue
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "[%d octets, sha256 %x]\n", len(data), sum)
	}
	return b.Bytes()
}
