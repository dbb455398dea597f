package render

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"anefdossier/protocol"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedNow is the clock of every golden output.
var fixedNow = time.Date(2026, 3, 26, 9, 0, 0, 0, time.UTC)

// exampleCase copies examples/cas-exemple to a temporary folder (never write
// into examples/) and loads it with the fixed clock.
func exampleCase(t testing.TB) *Input {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cas")
	src := filepath.Join("..", "examples", "cas-exemple")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	old := protocol.Now
	protocol.Now = func() time.Time { return fixedNow }
	t.Cleanup(func() { protocol.Now = old })
	cs, err := protocol.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Load(cs)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// checkPDF runs qpdf --check and returns pdftotext's text, when the tools
// are installed.
func checkPDF(t *testing.T, name string, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		out, err := exec.Command("qpdf", "--check", f).CombinedOutput()
		if err != nil {
			t.Errorf("qpdf --check %s: %v\n%s", name, err, out)
		}
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return ""
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		t.Errorf("pdftotext %s: %v", name, err)
	}
	return strings.ReplaceAll(string(out), "\u00a0", " ")
}

func TestLetterGolden(t *testing.T) {
	in := exampleCase(t)
	for _, id := range in.Documents() {
		pdf, err := in.LetterPDF(id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		again, _ := in.LetterPDF(id)
		if !bytes.Equal(pdf, again) {
			t.Errorf("%s: two renders differ", id)
		}
		golden(t, id+".pdf", pdf)
		text := checkPDF(t, id+".pdf", pdf)
		if text == "" {
			continue
		}
		if id == "lettre-substitution" {
			for _, want := range []string{
				"Lettre recommandée avec accusé de réception",
				"Préfecture de l'Exemple (fictive)",
				"R.431-2 du CESEDA",
				"décret n°2023-191",
				"arrêté du 1er août 2023",
				"IOMV2311395A",
				"n°452798 et autres",
				"L.112-3",
				"R.112-5",
				"DGEF-2026-031100427",
				"Avocat au barreau d'Exempleville",
				"rendez-vous physique",
				"Page 1 / ",
				DraftMark,
			} {
				if !strings.Contains(text, want) {
					t.Errorf("lettre-substitution: %q missing from pdftotext output", want)
				}
			}
			// A draft has no LRAR number, and never encloses the proof of
			// posting of a letter (C3).
			for _, bad := range []string{"n° 1A 999", "Pièce n°8", "Preuve de dépôt", "Maître Maître", "barreau de Exempleville"} {
				if strings.Contains(text, bad) {
					t.Errorf("lettre-substitution: %q in pdftotext output", bad)
				}
			}
		}
	}
}

func TestInventory(t *testing.T) {
	in := exampleCase(t)
	entries := in.Inventory()
	if len(entries) != 8 {
		t.Fatalf("%d entries, want 8", len(entries))
	}
	for i, e := range entries {
		if e.Number != i+1 {
			t.Errorf("entry %d numbered %d", i, e.Number)
		}
	}
	if want := "Capture d'écran de la page « Mon espace personnel - ANEF » du site administration-etrangers-en-france.interieur.gouv.fr/particuliers, prise le 10/03/2026 à 10h15, constatant l'affichage du message « titre précédent n'a pas été retiré »"; entries[0].Title != want {
		t.Errorf("title 1 = %q", entries[0].Title)
	}
	if !strings.Contains(entries[4].Title, "Courriel « Dépôt impossible sur l'ANEF") {
		t.Errorf("title 5 = %q (e-mail subject not decoded)", entries[4].Title)
	}
	// A title given when the piece was added wins.
	in.State.Pieces[1].Title = "Capture choisie par l'avocat"
	if got := in.PieceTitle(&in.State.Pieces[1]); got != "Capture choisie par l'avocat" {
		t.Errorf("own title ignored: %q", got)
	}
	in.State.Pieces[1].Title = ""
	pdf, err := in.InventoryPDF(ForJudge)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "inventaire.pdf", pdf)
	if text := checkPDF(t, "inventaire.pdf", pdf); text != "" && !strings.Contains(text, "Inventaire des pièces") {
		t.Error("inventory title missing from text")
	}
}

func TestDossier(t *testing.T) {
	in := exampleCase(t)
	pdf, err := dossierPDF(in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := dossierPDF(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf, again) {
		t.Error("two renders of the dossier differ")
	}
	golden(t, "dossier.pdf.sha256", pdf)
	// Screenshots are embedded as they are: the IDAT bytes of each PNG
	// appear unchanged inside the PDF.
	for _, n := range []int{1, 2, 3} {
		data, err := in.readPiece(in.State.Piece(n))
		if err != nil {
			t.Fatal(err)
		}
		if idat := firstIDAT(data); len(idat) == 0 || !bytes.Contains(pdf, idat) {
			t.Errorf("piece %d: PNG data not found as is in the PDF (re-encoded?)", n)
		}
	}
	text := checkPDF(t, "dossier.pdf", pdf)
	if text == "" {
		return
	}
	for _, want := range []string{"Dossier de pièces", "Sommaire", "Inventaire des pièces", "Pièce n°1 — Capture d'écran",
		"Pièce n°8", "Annexe d'intégrité", in.State.LastHash, "192.0.2.10", "Autorité de certification d'exemple",
		"aucun jeton RFC 3161", "Nous accusons réception de votre message", "Je ne peux pas déposer ma demande de renouvellement"} {
		if !strings.Contains(text, want) {
			t.Errorf("dossier: %q missing from pdftotext output", want)
		}
	}
	m := regexp.MustCompile(`Page (\d+) / (\d+)`).FindAllStringSubmatch(text, -1)
	if len(m) == 0 || m[len(m)-1][1] != m[len(m)-1][2] {
		t.Errorf("last page footer wrong: %v", m)
	}
}

func firstIDAT(png []byte) []byte {
	i := bytes.Index(png, []byte("IDAT"))
	if i < 4 {
		return nil
	}
	n := int(png[i-4])<<24 | int(png[i-3])<<16 | int(png[i-2])<<8 | int(png[i-1])
	if n > 4096 {
		n = 4096
	}
	return png[i+4 : i+4+n]
}

func TestMissingFields(t *testing.T) {
	in := exampleCase(t)
	in.Dossier.Prefecture.Address = ""
	in.Dossier.Actor.Bar = ""
	_, err := in.LetterPDF("lettre-substitution")
	var me *MissingError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MissingError", err)
	}
	msg := err.Error()
	for _, want := range []string{"adresse postale de la préfecture (prefecture.adresse)", "barreau de l'avocat (representant.barreau)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q missing from %q", want, msg)
		}
	}
	if _, err := dossierPDF(in); !errors.As(err, &me) {
		t.Errorf("dossier with missing fields: %v", err)
	}
}

func TestTamperedPiece(t *testing.T) {
	in := exampleCase(t)
	p := in.State.Piece(5)
	if err := os.WriteFile(in.path(p.Main().Path), []byte("From: x\r\n\r\nmodifié"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := dossierPDF(in); !errors.Is(err, ErrTampered) {
		t.Errorf("err = %v, want ErrTampered", err)
	}
}

func TestTelerecours(t *testing.T) {
	if testing.Short() {
		t.Skip("go test -short : découpage Télérecours et qpdf sur chaque fichier")
	}
	in := exampleCase(t)
	files, err := in.Telerecours()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 9 {
		t.Fatalf("%d files, want 9", len(files))
	}
	ok := regexp.MustCompile(`^[0-9]{2}_[A-Za-z0-9_-]+\.pdf$`)
	for i, f := range files {
		name := filepath.Base(f.Path)
		if !ok.MatchString(name) || len(name) > 80 {
			t.Errorf("bad Télérecours name %q", name)
		}
		if i > 0 && !strings.HasPrefix(name, strings.Repeat("0", 2-len(itoa(i)))+itoa(i)+"_") {
			t.Errorf("file %d named %q", i, name)
		}
		data, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		checkPDF(t, name, data)
		st, _ := os.Stat(f.Path)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", name, st.Mode().Perm())
		}
	}
	// A piece over the limit is split, and the inventory says so.
	old := TelerecoursMax
	TelerecoursMax = 120 << 10
	defer func() { TelerecoursMax = old }()
	files, err = in.Telerecours()
	if err != nil {
		t.Fatal(err)
	}
	split := 0
	for _, f := range files {
		if strings.Contains(f.Path, "_partie") {
			split++
		}
		if f.Size > TelerecoursMax {
			t.Errorf("%s: %d bytes over the limit", f.Path, f.Size)
		}
	}
	if split == 0 {
		t.Error("no piece split under a 120 ko limit")
	}
	inv, _ := os.ReadFile(files[0].Path)
	if text := checkPDF(t, "inv.pdf", inv); text != "" && !strings.Contains(text, "Pièce produite en") {
		t.Error("inventory does not say a piece was split")
	}
}

func TestTelerecoursName(t *testing.T) {
	n := TelerecoursName(7, 2, "Capture d'écran « Échec » du 10/03/2026 à 10h15 — constatant l'impossibilité de déposer la demande sur le fondement choisi", "")
	if len(n) > 80 || !strings.HasPrefix(n, "07_Capture_d_ecran_Echec_du_10_03_2026") || strings.Count(n, ".") != 1 {
		t.Errorf("name %q", n)
	}
}

func TestDrafts(t *testing.T) {
	in := exampleCase(t)
	drafts, err := in.Drafts()
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 2 {
		t.Fatalf("%d drafts", len(drafts))
	}
	for _, d := range drafts {
		golden(t, d.Name+".txt", emlText(t, d.Data))
		s := string(d.Data)
		for _, want := range []string{"X-Unsent: 1\r\n", "MIME-Version: 1.0\r\n", "Subject: =?utf-8?q?"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: %q missing", d.Name, want)
			}
		}
		m, err := parseMail(d.Data)
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		if d.Name == "courriel-ccc.eml" && (m.To != "<dgef-support@interieur.gouv.fr>" && m.To != "dgef-support@interieur.gouv.fr") {
			t.Errorf("ccc To = %q", m.To)
		}
		if d.Name == "courriel-prefecture.eml" {
			// the letter and its 7 enclosures: never the proof of posting
			// of the LRAR it copies (piece n°8)
			if !strings.Contains(m.To, "titres-sejour@prefecture-fictive.example") || len(m.Attachments) != 8 {
				t.Errorf("prefecture draft: To %q, %d attachments", m.To, len(m.Attachments))
			}
		}
		if !strings.Contains(m.Body, "Awa Fictive EXEMPLE") {
			t.Errorf("%s body: %q", d.Name, m.Body)
		}
	}
	// A line break in a header value is refused, not passed on.
	in.Dossier.Prefecture.Emails = []string{"a@b.example\r\nBcc: espion@example.org"}
	if _, err := in.Draft("courriel-prefecture"); !errors.Is(err, ErrHeaderInjection) {
		t.Errorf("err = %v, want ErrHeaderInjection", err)
	}
	in = exampleCase(t)
	in.Dossier.Person.FirstNames = "Awa\nBcc: x@example.org"
	if _, err := in.Draft("courriel-ccc"); !errors.Is(err, ErrHeaderInjection) {
		t.Errorf("subject with a line break: err = %v", err)
	}
}

func TestParseMail(t *testing.T) {
	raw := "From: =?iso-8859-1?q?Andr=E9?= <a@example.org>\r\nSubject: =?utf-8?b?UsOpcG9uc2U=?=\r\n" +
		"Date: Tue, 10 Mar 2026 10:15:00 +0100\r\nContent-Type: text/html; charset=windows-1252\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>D=E9p=F4t <b>impossible</b></p>\r\n"
	m, err := parseMail([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From != "André <a@example.org>" || m.Subject != "Réponse" || m.Date != "10/03/2026 à 10h15" || m.Body != "Dépôt impossible" {
		t.Errorf("%+v", m)
	}
}

func TestCustomTemplate(t *testing.T) {
	in := exampleCase(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "letters"), 0o700)
	os.WriteFile(filepath.Join(dir, "letters", "lettre-pan.tmpl"), []byte(`{{define "objet"}}Objet adapté{{end}}{{define "corps"}}Texte adapté pour {{.PersonName}}.{{end}}`), 0o600)
	in.Templates = overlayFS{os.DirFS(dir), in.Templates}
	l, err := in.Compose("lettre-pan")
	if err != nil {
		t.Fatal(err)
	}
	if l.Subject != "Objet adapté" || l.Body != "Texte adapté pour Awa Fictive EXEMPLE." {
		t.Errorf("%+v", l)
	}
}

type overlayFS struct{ top, base fs.FS }

func (o overlayFS) Open(name string) (fs.File, error) {
	if f, err := o.top.Open(name); err == nil {
		return f, nil
	}
	return o.base.Open(name)
}

// Every document of every protocol renders from its template on the example
// data (the journal's steps of another protocol are simply ignored).
func TestEveryProtocolDocument(t *testing.T) {
	in := exampleCase(t)
	in.Dossier.Procedure.FilingDate = "2026-02-01"
	events, err := protocol.ReadJournal(filepath.Join(in.Dir, protocol.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range protocol.Protocols(nil) {
		p, err := protocol.LoadProtocol(nil, id)
		if err != nil {
			t.Fatal(err)
		}
		in.State = protocol.Fold(p, events, nil)
		for _, doc := range p.Documents {
			pdf, err := in.LetterPDF(doc.ID)
			if err != nil {
				t.Errorf("%s/%s: %v", id, doc.ID, err)
				continue
			}
			if dir := os.Getenv("RENDER_DUMP"); dir != "" {
				os.WriteFile(filepath.Join(dir, id+"-"+doc.ID+".pdf"), pdf, 0o600)
			}
			text := checkPDF(t, id+"-"+doc.ID+".pdf", pdf)
			if strings.Contains(text, "<no value>") || strings.Contains(text, "%!") {
				t.Errorf("%s/%s: template printed a missing value", id, doc.ID)
			}
		}
	}
}

// A stamped PDF piece over the Télérecours limit is cut into page ranges,
// each a valid PDF under the limit.
func TestSplitPDF(t *testing.T) {
	// Six pages of a scanned document, each with its own incompressible
	// image (as scanners and img2pdf make them), so that the pages outweigh
	// what every part repeats.
	seed := uint32(1)
	var imgs []io.Reader
	for i := 0; i < 6; i++ {
		img := image.NewNRGBA(image.Rect(0, 0, 120, 160))
		for j := range img.Pix {
			seed = seed*1664525 + 1013904223
			img.Pix[j] = byte(seed >> 24)
			if j%4 == 3 {
				img.Pix[j] = 255
			}
		}
		var buf bytes.Buffer
		png.Encode(&buf, opaqueImage{img})
		imgs = append(imgs, &buf)
	}
	var scan bytes.Buffer
	if err := api.ImportImages(nil, &scan, imgs, nil, pdfConf()); err != nil {
		t.Fatal(err)
	}
	data := scan.Bytes()
	ctx, err := stamped(data, 3, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := writePDF(io.Discard, ctx, 1, ctx.PageCount, "essai", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	old := TelerecoursMax
	TelerecoursMax = int(whole) * 2 / 3
	defer func() { TelerecoursMax = old }()
	ranges, err := splitPDF(ctx, 3, "essai", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(ranges) < 2 {
		t.Fatalf("%d parts", len(ranges))
	}
	pages := 0
	for i, r := range ranges {
		var buf bytes.Buffer
		if _, err := writePDF(&buf, ctx, r[0], r[1], "essai", fixedNow); err != nil {
			t.Fatal(err)
		}
		p := buf.Bytes()
		if len(p) > TelerecoursMax {
			t.Errorf("part %d: %d bytes", i+1, len(p))
		}
		checkPDF(t, fmt.Sprintf("part%d.pdf", i+1), p)
		n, err := api.PageCount(bytes.NewReader(p), pdfConf())
		if err != nil {
			t.Fatal(err)
		}
		pages += n
	}
	if pages != 6 {
		t.Errorf("parts hold %d pages, want 6", pages)
	}
}

// Imported images that are not opaque PNGs (a phone screenshot with alpha, a
// JPEG photo) still render; the annex says when one had to be recompressed.
func TestOtherImages(t *testing.T) {
	in := exampleCase(t)
	cs, err := protocol.Open(in.Dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 300, 500))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var pngBuf, jpgBuf bytes.Buffer
	png.Encode(&pngBuf, img)
	jpeg.Encode(&jpgBuf, img, nil)
	tx, err := cs.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []protocol.NewFile{{Role: "piece", Ext: ".png", Data: pngBuf.Bytes()}, {Role: "piece", Ext: ".jpg", Data: jpgBuf.Bytes()}} {
		if _, _, err := tx.AddPiece(protocol.NewPiece{Kind: "image", Provenance: protocol.ProvenanceImported, Files: []protocol.NewFile{f}}); err != nil {
			t.Fatal(err)
		}
	}
	tx.Close()
	in, err = Load(cs)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := dossierPDF(in)
	if err != nil {
		t.Fatal(err)
	}
	if text := checkPDF(t, "dossier.pdf", pdf); text != "" && !strings.Contains(text, "PNG avec transparence") {
		t.Error("annex does not say the PNG with alpha was recompressed")
	}
	if !bytes.Contains(pdf, jpgBuf.Bytes()[:2048]) {
		t.Error("JPEG not embedded as it is")
	}
}

// dossierPDF renders the whole dossier in memory.
func dossierPDF(in *Input) ([]byte, error) {
	var buf bytes.Buffer
	if err := in.WriteDossier(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
