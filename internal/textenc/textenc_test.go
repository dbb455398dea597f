package textenc

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// What a French user types: accents, €, the typographic apostrophe and
// quotes, œ (the bytes 0x80-0x9F of Windows-1252 that ISO-8859-1 lacks).
const sample = "Réponse du CCC : délai dépassé, 15 € — l’œuvre « dossier » n°3\nDeuxième ligne\n"

func cp1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func TestDetect(t *testing.T) {
	u16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(crlf(sample)))
	u16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(sample))
	for _, c := range []struct {
		name string
		in   []byte
		enc  string
		crlf bool
	}{
		{"utf-8", []byte(sample), UTF8, false},
		{"utf-8 crlf", []byte(crlf(sample)), UTF8, true},
		{"utf-8 bom (Notepad)", append([]byte("\xef\xbb\xbf"), crlf(sample)...), UTF8BOM, true},
		{"windows-1252 crlf (Notepad, ANSI)", cp1252(t, crlf(sample)), Windows1252, true},
		{"utf-16 le bom (Notepad, Unicode)", u16le, UTF16LE, true},
		{"utf-16 be bom", u16be, UTF16BE, false},
		{"old Mac CR", cp1252(t, strings.ReplaceAll(sample, "\n", "\r")), Windows1252, true},
	} {
		got := Detect(c.in)
		if got.Text != sample || got.Encoding != c.enc || got.CRLF != c.crlf {
			t.Errorf("%s: %+v", c.name, got)
		}
		if (got.Note() == "") != (c.enc == UTF8 && !c.crlf) {
			t.Errorf("%s: note %q", c.name, got.Note())
		}
	}
	if n := Detect(cp1252(t, crlf(sample))).Note(); !strings.Contains(n, "Windows-1252") || !strings.Contains(n, "CRLF") || !strings.Contains(n, "original") {
		t.Errorf("note: %q", n)
	}
}

func TestDecode(t *testing.T) {
	win := cp1252(t, sample)
	for _, label := range []string{"windows-1252", "CP1252", "iso-8859-1", `"ISO-8859-1"`, "us-ascii", "", "utf-8", "x-unknown"} {
		if got := Decode(win, label).Text; got != sample {
			t.Errorf("Windows-1252 bytes labelled %q: %q", label, got)
		}
	}
	for _, label := range []string{"utf-8", "", "us-ascii", "UTF-16"} {
		if got := Decode([]byte(sample), label).Text; got != sample {
			t.Errorf("UTF-8 bytes labelled %q: %q", label, got)
		}
	}
	l9, _ := charmap.ISO8859_15.NewEncoder().Bytes([]byte("15 € œuvre"))
	if got := Decode(l9, "iso-8859-15").Text; got != "15 € œuvre" {
		t.Errorf("ISO-8859-15: %q", got)
	}
	if got := Decode([]byte("plain ascii"), "iso-8859-1").Text; got != "plain ascii" {
		t.Errorf("ascii: %q", got)
	}
}

func TestHeader(t *testing.T) {
	raw := string(cp1252(t, "Réponse à votre demande — 15 €"))
	if got := Header(raw); got != "Réponse à votre demande — 15 €" {
		t.Errorf("Header(raw 8-bit) = %q", got)
	}
	for in, want := range map[string]string{
		"=?iso-8859-1?Q?R=E9ponse_=96_15_=80_l=92=9Cuvre?=": "Réponse – 15 € l’œuvre", // Outlook
		"=?windows-1252?Q?R=E9ponse_=96_15_=80?=":           "Réponse – 15 €",
		"=?iso-8859-15?Q?15_=A4?=":                          "15 €",
		"=?utf-8?B?UsOpcG9uc2Ug4oCTIDE1IOKCrA==?=":          "Réponse – 15 €",
		"=?x-inconnu?Q?abc?=":                               "abc", // unknown label: what the bytes are
	} {
		if got := Header(in); got != want {
			t.Errorf("Header(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Header("Déjà UTF-8"); got != "Déjà UTF-8" {
		t.Errorf("Header(utf-8) = %q", got)
	}
}
