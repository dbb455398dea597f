// Package textenc turns the bytes of an imported text or e-mail into text
// for display and rendering, whatever system wrote them. A file saved by
// Notepad, or a message saved by Outlook or Thunderbird on Windows, often
// has CRLF line ends and is encoded in Windows-1252 (or UTF-16 with a byte
// order mark), sometimes labelled ISO-8859-1 or not labelled at all. The
// stored piece keeps its original bytes; only what is shown is converted.
package textenc

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Names of the encodings [Detect] tells apart, in French as shown to users.
const (
	UTF8        = "UTF-8"
	UTF8BOM     = "UTF-8 avec BOM"
	UTF16LE     = "UTF-16 LE"
	UTF16BE     = "UTF-16 BE"
	Windows1252 = "Windows-1252"
	ISO885915   = "ISO-8859-15"
)

// Text is a decoded text and what it was.
type Text struct {
	Text     string // UTF-8, "\n" line ends
	Encoding string // one of the names above
	CRLF     bool   // the original had CRLF (or CR) line ends
}

// Detect decodes a text file of unknown encoding: a byte order mark
// (UTF-8, UTF-16 LE or BE) decides; else valid UTF-8 is UTF-8; else it is
// Windows-1252, the encoding of Windows in French (a superset of ISO-8859-1
// for every printable character), which decodes any byte.
func Detect(b []byte) Text {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return finish(string(b[3:]), UTF8BOM)
	case bytes.HasPrefix(b, []byte("\xff\xfe")):
		return finish(decode(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), b[2:]), UTF16LE)
	case bytes.HasPrefix(b, []byte("\xfe\xff")):
		return finish(decode(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), b[2:]), UTF16BE)
	case utf8.Valid(b):
		return finish(string(b), UTF8)
	}
	return finish(decode(charmap.Windows1252, b), Windows1252)
}

// Decode decodes a text whose charset is declared (an e-mail part's
// charset parameter, "" when absent). Labels are read as mail clients and
// browsers read them: "iso-8859-1" as Windows-1252 (Outlook labels its
// Windows-1252 so); "utf-8", "us-ascii", none or an unknown label as what
// the bytes are (see [Detect]): UTF-8 when they are, else Windows-1252 (a
// mislabelled message from a Windows client).
func Decode(b []byte, charset string) Text {
	switch strings.ToLower(strings.Trim(charset, `" `)) {
	case "windows-1252", "cp1252", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		if !hasHigh(b) {
			return finish(string(b), UTF8)
		}
		return finish(decode(charmap.Windows1252, b), Windows1252)
	case "iso-8859-15", "iso8859-15", "latin9", "latin-9":
		return finish(decode(charmap.ISO8859_15, b), ISO885915)
	case "utf-16", "utf-16le", "utf-16be":
		return Detect(b)
	}
	// UTF-8, no label, or a label not known here: what the bytes say.
	return Detect(b)
}

// Header decodes an e-mail header value for display: raw 8-bit bytes (a
// Windows client writing Windows-1252 instead of RFC 2047 words), then the
// RFC 2047 words in any charset [Decode] reads. Go decodes "iso-8859-1"
// words itself, byte for character: the C1 controls this gives for the
// bytes 0x80-0x9F (€, ’, œ, – in Outlook's "iso-8859-1") are read as
// Windows-1252 too. A word in an unknown charset is read as [Decode] reads it.
func Header(v string) string {
	if !utf8.ValidString(v) {
		v = decode(charmap.Windows1252, []byte(v))
	}
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		v = d
	}
	if !strings.ContainsFunc(v, isC1) {
		return v
	}
	var b strings.Builder
	for _, r := range v {
		if isC1(r) {
			r = charmap.Windows1252.DecodeByte(byte(r))
		}
		b.WriteRune(r)
	}
	return b.String()
}

var wordDecoder = &mime.WordDecoder{CharsetReader: CharsetReader}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// CharsetReader is for mime.WordDecoder: the RFC 2047 words of a header in
// any charset [Decode] reads.
func CharsetReader(charset string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, err
	}
	return strings.NewReader(Decode(b, charset).Text), nil
}

func hasHigh(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func decode(e encoding.Encoding, b []byte) string {
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// finish turns CRLF and lone CR line ends into "\n".
func finish(s, enc string) Text {
	t := Text{Encoding: enc}
	if strings.Contains(s, "\r") {
		t.CRLF = true
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	t.Text = s
	return t
}

// Note says in French how a text was converted for display, or "" for
// UTF-8 with Unix line ends (nothing converted).
func (t Text) Note() string {
	var parts []string
	if t.Encoding != UTF8 {
		parts = append(parts, "encodé en "+t.Encoding)
	}
	if t.CRLF {
		parts = append(parts, "fins de ligne Windows (CRLF)")
	}
	if len(parts) == 0 {
		return ""
	}
	return "Fichier " + strings.Join(parts, ", ") + " : texte converti pour l'affichage ; le fichier conservé est l'original, octet pour octet."
}
