package render

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"anefdossier/protocol"
)

// Review 1, M2 and low 13: a page title of a megabyte (it comes from the
// page, and the journal keeps it forever) with control and reordering
// characters renders; what reaches the PDF is clipped and neutralised.
func TestHugeHostileTitleRenders(t *testing.T) {
	in := exampleCase(t)
	in.State.Pieces[0].Title = "Début\x1b[31m\x00\u202Efdp.exe " + strings.Repeat("Session expirée ", 1<<16)
	if len(in.State.Pieces[0].Title) < 1<<20 {
		t.Fatal("title shorter than 1 MB")
	}
	title := in.PieceTitle(&in.State.Pieces[0])
	if n := len([]rune(title)); n != MaxTitle+1 {
		t.Fatalf("inventory title of %d runes, want %d", n, MaxTitle+1)
	}
	pdf, err := dossierPDF(in)
	if err != nil {
		t.Fatal(err)
	}
	text := checkPDF(t, "dossier-titre.pdf", pdf)
	if text == "" {
		return
	}
	for _, bad := range []string{"\x1b", "\x00", "\u202E"} {
		if strings.Contains(text, bad) {
			t.Errorf("%q reached the PDF", bad)
		}
	}
	if !strings.Contains(text, "[U+001B]") || !strings.Contains(text, "[U+202E]") {
		t.Error("neutralised codes not shown in the PDF")
	}
}

// fitText finds the same cut as dropping one rune at a time.
func TestFitTextBisection(t *testing.T) {
	d := newDoc(fixedNow, "t")
	d.AddPage()
	d.SetFont(sans, "", 10)
	s := strings.Repeat("Une page « session expirée » ", 40)
	for _, w := range []float64{5, 20, 57.3, 120, 170} {
		got := fitText(d, s, w)
		r := []rune(s)
		for len(r) > 0 && d.GetStringWidth(string(r)+"…") > w {
			r = r[:len(r)-1]
		}
		if want := string(r) + "…"; got != want {
			t.Errorf("width %v: got %q, want %q", w, got, want)
		}
	}
}

// Review 1, low 12: a long Subject is folded in lines RFC 5322 accepts, and
// decodes back to the whole subject.
func TestLongSubjectFolded(t *testing.T) {
	subject := strings.Repeat("Demande de rendez-vous — préfecture ", 3000)
	data, _, err := buildEml("", []string{"a@example.org"}, subject, "Thu, 26 Nov 2026 10:00:00 +0100", "corps", nil)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	for _, l := range bytes.Split(head, []byte("\r\n")) {
		if len(l) > 78 {
			t.Fatalf("header line of %d characters: %.80q", len(l), l)
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || got != subject {
		t.Fatalf("subject decoded to %d bytes (%v), want %d", len(got), err, len(subject))
	}
	io.Discard.Write(nil)
}

func BenchmarkFitText1MB(b *testing.B) {
	d := newDoc(fixedNow, "t")
	d.AddPage()
	d.SetFont(sans, "", 10)
	s := strings.Repeat("Session expirée ", 1<<16)
	for i := 0; i < b.N; i++ {
		fitText(d, s, bodyW)
	}
}

func BenchmarkDossierTitle1MB(b *testing.B) {
	in := exampleCase(b)
	in.State.Pieces[0].Title = strings.Repeat("Session expirée ", 1<<16)
	for i := 0; i < b.N; i++ {
		if _, err := dossierPDF(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDossierReference(b *testing.B) {
	in := exampleCase(b)
	for i := 0; i < b.N; i++ {
		if _, err := dossierPDF(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDossierSubject1MB: the example case whose imported e-mail has a
// Subject of 1 MB (review 1, M2: a 60 KB Subject took more than 200 s).
func BenchmarkDossierSubject1MB(b *testing.B) {
	in := exampleCase(b)
	var p *protocol.Piece
	for i := range in.State.Pieces {
		if strings.HasSuffix(in.State.Pieces[i].Main().Path, ".eml") && in.State.Pieces[i].Title == "" {
			p = &in.State.Pieces[i]
		}
	}
	if p == nil {
		b.Fatal("no untitled e-mail in the example case")
	}
	path := filepath.Join(in.Dir, filepath.FromSlash(p.Main().Path))
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	subject := "Subject: " + strings.Repeat("Session expiree ", 1<<16) + "\r\n"
	data = append([]byte(subject), regexp.MustCompile(`(?mi)^Subject:.*\r?\n`).ReplaceAll(data, nil)...)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	p.Files[0].SHA256, p.Files[0].Size = protocol.HashBytes(data), int64(len(data))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := dossierPDF(in); err != nil {
			b.Fatal(err)
		}
	}
}
