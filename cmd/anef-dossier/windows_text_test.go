package main

// Texts and e-mails from Windows (issue 13): Notepad saves CRLF and
// Windows-1252 ("ANSI") or UTF-16 ("Unicode"); Outlook labels its
// Windows-1252 messages "iso-8859-1"; some clients write 8-bit headers or
// no charset at all. Each is imported with its bytes intact, and shown in
// the PDFs and the web interface with its accents, € and œ right.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"anefdossier/app"
	"anefdossier/protocol"
)

func win1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// windowsFiles builds the files as those programs write them.
func windowsFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	body := "Madame, Monsieur,\nVotre demande de rendez-vous est enregistrée ; frais de 15 € réglés.\nJe reste à votre disposition pour l’œuvre « Dupont ».\nDeuxième ligne du message.\n"
	crlf := strings.ReplaceAll(body, "\n", "\r\n")
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(crlf))
	if err != nil {
		t.Fatal(err)
	}
	// Outlook: multipart/alternative, "iso-8859-1" label on Windows-1252
	// bytes (=80 is €, =92 is ’, =9C is œ), quoted-printable, RFC 2047 words.
	outlook := "From: =?iso-8859-1?Q?Pr=E9fecture_du_Rh=F4ne?= <pref-sejour@rhone.gouv.example>\r\n" +
		"To: <dupont@example.fr>\r\n" +
		"Subject: =?iso-8859-1?Q?R=E9ponse_=E0_votre_demande_=96_15_=80?=\r\n" +
		"Date: Tue, 10 Mar 2026 10:00:00 +0100\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"----=_NextPart_000_0001\"\r\n" +
		"X-Mailer: Microsoft Outlook 16.0\r\n\r\n" +
		"------=_NextPart_000_0001\r\n" +
		"Content-Type: text/plain; charset=\"iso-8859-1\"\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Madame, Monsieur,\r\nVotre demande de rendez-vous est enregistr=E9e ; frais de 15 =80 r=E9gl=E9s.\r\n" +
		"Je reste =E0 votre disposition pour l=92=9Cuvre =AB Dupont =BB.\r\nDeuxi=E8me ligne du message.\r\n\r\n" +
		"------=_NextPart_000_0001\r\n" +
		"Content-Type: text/html; charset=\"iso-8859-1\"\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<html><body><p>Votre demande est enregistr=E9e, 15 =80.</p></body></html>\r\n\r\n" +
		"------=_NextPart_000_0001--\r\n"
	// A client writing 8-bit headers and body in Windows-1252, labelled so.
	eightBit := append(win1252(t, "From: Préfecture <pref@example.gouv.fr>\r\nSubject: Réponse à votre demande – 15 €\r\nDate: Wed, 11 Mar 2026 09:30:00 +0100\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"), win1252(t, crlf)...)
	// No charset at all: 8-bit Windows-1252 body.
	bare := append([]byte("From: pref@example.gouv.fr\r\nSubject: Accuse de reception\r\nDate: Thu, 12 Mar 2026 08:00:00 +0100\r\n\r\n"), win1252(t, crlf)...)
	files := map[string][]byte{
		"bloc-notes-ansi.txt":    win1252(t, crlf),
		"bloc-notes-unicode.txt": utf16,
		"outlook.eml":            []byte(outlook),
		"client-8bit.eml":        eightBit,
		"sans-charset.eml":       bare,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func TestWindowsTextsAndMails(t *testing.T) {
	src := t.TempDir()
	files := windowsFiles(t, src)
	root := t.TempDir()
	dir := filepath.Join(root, "dupont")
	mustRun(t, "init", dir, "--protocol", "bug-technique")
	order := []string{"bloc-notes-ansi.txt", "bloc-notes-unicode.txt", "outlook.eml", "client-8bit.eml", "sans-charset.eml"}
	for _, name := range order {
		mustRun(t, "-C", dir, "piece", "add", filepath.Join(src, name))
	}
	// The pieces keep the bytes as they came, CRLF, Windows-1252 and
	// UTF-16 included.
	cs, err := protocol.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := cs.State()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Pieces) != len(order) {
		t.Fatalf("%d pieces", len(st.Pieces))
	}
	for i, p := range st.Pieces {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p.Main().Path)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, files[order[i]]) {
			t.Errorf("piece %d (%s): bytes changed on import", p.Number, order[i])
		}
	}

	// The web interface reads the e-mails with their accents.
	ws, err := app.NewWorkspace(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for n, subject := range map[int]string{3: "Réponse à votre demande – 15 €", 4: "Réponse à votre demande – 15 €", 5: "Accuse de reception"} {
		m, err := ws.ReadMail("dupont", n)
		if err != nil {
			t.Fatal(err)
		}
		var obj, from string
		for _, h := range m.Headers {
			switch h[0] {
			case "Objet":
				obj = h[1]
			case "De":
				from = h[1]
			}
		}
		if obj != subject {
			t.Errorf("piece %d: Objet %q, want %q", n, obj, subject)
		}
		if n == 3 && !strings.HasPrefix(from, "Préfecture du Rhône") {
			t.Errorf("piece 3: De %q", from)
		}
		for _, w := range []string{"enregistrée", "15 €", "l’œuvre « Dupont »", "Deuxième ligne du message."} {
			if !strings.Contains(m.Text, w) {
				t.Errorf("piece %d: %q not in the text shown:\n%q", n, w, m.Text)
			}
		}
		if strings.ContainsAny(m.Text, "\r\uFFFD") || strings.Contains(m.Text, "Ã") {
			t.Errorf("piece %d: CR or wrong decoding in the text shown: %q", n, m.Text)
		}
	}

	// The PDFs: each piece rendered for Télérecours, read back by pdftotext.
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext absent: PDFs not read back")
	}
	mustRun(t, "-C", dir, "render", "telerecours")
	pdfs, _ := filepath.Glob(filepath.Join(dir, "out", "telerecours", "0[1-5]_*.pdf"))
	if len(pdfs) != 5 {
		t.Fatalf("Télérecours PDFs: %v", pdfs)
	}
	for i, p := range pdfs {
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, w := range []string{"15 €", "l’œuvre « Dupont »", "Deuxième ligne du message."} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q not in the PDF:\n%s", filepath.Base(p), w, text)
			}
		}
		if strings.Contains(text, "\uFFFD") || strings.Contains(text, "Ã") {
			t.Errorf("%s: wrong decoding in the PDF:\n%s", filepath.Base(p), text)
		}
		switch i {
		case 0:
			if !strings.Contains(text, "encodé en Windows-1252, fins de ligne Windows (CRLF) : texte converti pour l’affichage") &&
				!strings.Contains(text, "encodé en Windows-1252, fins de ligne Windows (CRLF) : texte converti pour l'affichage") {
				t.Errorf("%s: the conversion is not said:\n%s", filepath.Base(p), text)
			}
		case 1:
			if !strings.Contains(text, "encodé en UTF-16 LE") {
				t.Errorf("%s: the conversion is not said:\n%s", filepath.Base(p), text)
			}
		case 2, 3:
			if !strings.Contains(text, "Réponse à votre demande – 15 €") {
				t.Errorf("%s: subject not decoded:\n%s", filepath.Base(p), text)
			}
		}
	}
	if code := verifyProc(t, dir); code != 0 {
		t.Errorf("verify: exit %d", code)
	}
}
