package web

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type upFile struct {
	name string
	data []byte
}

// upload posts files like the Pièces page does.
func (ts *testServer) upload(rel string, fields map[string]string, files ...upFile) (int, string) {
	ts.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("fichiers", f.name)
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", ts.base+"/d/"+rel+"/pieces?csrf="+ts.s.csrf, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", ts.base)
	resp, err := ts.c.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func readExample(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "examples", "demo", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPiecesImportAndView(t *testing.T) {
	ts := newTestServer(t, 0)
	ts.ws.NewCase("dupont", "bug-technique")
	eml, pdf := readExample(t, "courriel-support.eml"), readExample(t, "preuve-depot-lrar.pdf")
	code, body := ts.upload("dupont", map[string]string{"type": "courriel", "titre": "Courriel au support", "date": "2026-03-10",
		"type.1": "preuve-depot", "titre.1": "Preuve de dépôt"}, upFile{"support.eml", eml}, upFile{"depot.pdf", pdf})
	if code != 200 || !strings.Contains(body, "Pièce(s) ajoutée(s) : n°1, n°2") {
		t.Fatalf("upload: %d %s", code, body)
	}
	if !strings.Contains(body, "Courriel au support") || !strings.Contains(body, "Preuve de dépôt") {
		t.Error("titles not shown")
	}
	got, _ := os.ReadFile(filepath.Join(ts.ws.Root, "dupont", "pieces", "001-courriel.eml"))
	if !bytes.Equal(got, eml) {
		t.Fatal("stored piece differs from the upload")
	}
	code, body = ts.get("/d/dupont/pieces/1")
	if code != 200 || !strings.Contains(body, "<dt>Objet</dt>") || !strings.Contains(body, `<pre class="mail">`) {
		t.Fatalf("mail view: %d %s", code, body)
	}
	code, body = ts.get("/d/dupont/pieces/2")
	if code != 200 || !strings.Contains(body, `<iframe src="/d/dupont/pieces/2/fichier/piece"`) {
		t.Fatalf("pdf view: %d", code)
	}
	resp, _ := ts.c.Get(ts.base + "/d/dupont/pieces/2/fichier/piece")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "application/pdf" || !bytes.Equal(b, pdf) {
		t.Fatalf("pdf served as %s", resp.Header.Get("Content-Type"))
	}
	// no temporary file left beside the case
	entries, _ := os.ReadDir(filepath.Join(ts.ws.Root, "dupont"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".televersement") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestSecurityOversizeUpload(t *testing.T) {
	ts := newTestServer(t, 1<<20) // 1 MB
	ts.ws.NewCase("dupont", "bug-technique")
	dir := filepath.Join(ts.ws.Root, "dupont")
	before := listDir(t, dir)
	n := journalLines(t, dir)
	small := readExample(t, "courriel-support.eml")
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 3<<19)...) // 1.5 MB
	big = append(big, []byte("\n%%EOF\n")...)
	// one good file then one too big: nothing at all is stored
	code, body := ts.upload("dupont", nil, upFile{"ok.eml", small}, upFile{"gros.pdf", big})
	if code != 413 || !strings.Contains(body, "trop volumineux") || !strings.Contains(body, "rien n&#39;a été enregistré") {
		t.Fatalf("oversize: %d %s", code, body)
	}
	if after := listDir(t, dir); fmt.Sprint(after) != fmt.Sprint(before) || journalLines(t, dir) != n {
		t.Fatalf("files written by a refused upload:\n%v\n%v", before, after)
	}
	// announced too big: refused before reading
	req, _ := http.NewRequest("POST", ts.base+"/d/dupont/pieces?csrf="+ts.s.csrf, bytes.NewReader(make([]byte, 3<<20)))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("Origin", ts.base)
	resp, err := ts.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("announced oversize: %d", resp.StatusCode)
	}
	if after := listDir(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatal("files written")
	}
	// a bad file among good ones: nothing stored either
	code, _ = ts.upload("dupont", nil, upFile{"ok.eml", small}, upFile{"faux.png", []byte("pas une image")})
	if code != 400 || journalLines(t, dir) != n {
		t.Fatalf("bad file: %d", code)
	}
	// upload without the token: refused
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, _ := mw.CreateFormFile("fichiers", "ok.eml")
	w.Write(small)
	mw.Close()
	req, _ = http.NewRequest("POST", ts.base+"/d/dupont/pieces", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", ts.base)
	resp, _ = ts.c.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 403 || journalLines(t, dir) != n {
		t.Fatalf("upload without token: %d", resp.StatusCode)
	}
}

func TestSecurityHTMLPieceIsInert(t *testing.T) {
	ts := newTestServer(t, 0)
	ts.ws.NewCase("dupont", "bug-technique")
	html := []byte("From: a@exemple.fr\r\nSubject: test\r\nContent-Type: text/html\r\n\r\n<html><body><script>document.title='pwned'</script><b>Bonjour</b></body></html>\r\n")
	mhtml := []byte("MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>")
	code, body := ts.upload("dupont", nil, upFile{"piege.eml", html}, upFile{"page.mhtml", mhtml}, upFile{"note.txt", []byte("<script>alert(1)</script>")})
	if code != 200 {
		t.Fatalf("upload: %d %s", code, body)
	}
	for n := 1; n <= 3; n++ {
		resp, err := ts.c.Get(fmt.Sprintf("%s/d/dupont/pieces/%d/fichier/piece", ts.base, n))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ct, cd, csp := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), resp.Header.Get("Content-Security-Policy")
		if ct != "application/octet-stream" || !strings.HasPrefix(cd, "attachment") || !strings.Contains(csp, "sandbox") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("piece %d served as %q %q %q", n, ct, cd, csp)
		}
	}
	// the e-mail shown in the page is text: the script is escaped, not run
	_, body = ts.get("/d/dupont/pieces/1")
	if strings.Contains(body, "<script>document") || strings.Contains(body, "<b>Bonjour</b>") {
		t.Fatal("HTML of a piece inserted in the page")
	}
	if !strings.Contains(body, "Bonjour") {
		t.Fatal("mail text not shown")
	}
}

// M12 of the legal review: the Dossier page flags an imported piece without
// an explicit title (art. R.412-2 al. 2 CJA) and links to its page, whose
// form gives the title; the flag then goes away.
func TestUntitledPieceFlaggedAndTitled(t *testing.T) {
	ts := newTestServer(t, 0)
	ts.ws.NewCase("dupont", "bug-technique")
	pdf := readExample(t, "preuve-depot-lrar.pdf")
	if code, body := ts.upload("dupont", map[string]string{"type": "capture", "date": "2026-03-10"}, upFile{"IMG_2031.pdf", pdf}); code != 200 {
		t.Fatalf("upload: %d %s", code, body)
	}
	_, body := ts.get("/d/dupont/")
	if !strings.Contains(body, "R.412-2 al. 2 CJA") || !strings.Contains(body, `href="/d/dupont/pieces/1#intitule"`) {
		t.Fatalf("untitled piece not flagged on the Dossier page:\n%s", body)
	}
	if strings.Contains(body, "anef-dossier piece title") {
		t.Error("the web page gives a command line instead of a link")
	}
	if code, body := ts.post("/d/dupont/pieces/1/intitule", url.Values{"intitule": {"deux\nlignes"}}); code == 200 || !strings.Contains(body, "saut de ligne") {
		t.Errorf("a two-line title: %d, want a refusal naming the line break", code)
	}
	code, body := ts.post("/d/dupont/pieces/1/intitule", url.Values{"intitule": {"Capture d'écran de l'ANEF constatant le refus du numéro de visa"}})
	if code != 200 || !strings.Contains(body, "Intitulé de la pièce n°1 enregistré") {
		t.Fatalf("title form: %d %s", code, body)
	}
	_, body = ts.get("/d/dupont/")
	if strings.Contains(body, "R.412-2 al. 2 CJA") {
		t.Error("still flagged after the title was given")
	}
}

// Review 1, H3: a piece set aside from the piece's page, with a reason.
func TestSetAsidePiece(t *testing.T) {
	ts := newTestServer(t, 0)
	ts.ws.NewCase("dupont", "bug-technique")
	eml, pdf := readExample(t, "courriel-support.eml"), readExample(t, "preuve-depot-lrar.pdf")
	if code, body := ts.upload("dupont", map[string]string{"type": "courriel"}, upFile{"support.eml", eml}, upFile{"depot.pdf", pdf}); code != 200 {
		t.Fatalf("upload: %d %s", code, body)
	}
	code, body := ts.get("/d/dupont/pieces/1")
	if code != 200 || !strings.Contains(body, `action="/d/dupont/pieces/1/ecarter"`) {
		t.Fatalf("no set-aside form: %d", code)
	}
	dir := filepath.Join(ts.ws.Root, "dupont")
	n := journalLines(t, dir)
	code, body = ts.post("/d/dupont/pieces/1/ecarter", url.Values{"motif": {""}})
	if code != 400 || !strings.Contains(body, "motif manquant") || journalLines(t, dir) != n {
		t.Fatalf("empty reason: %d, %d lines", code, journalLines(t, dir))
	}
	code, body = ts.post("/d/dupont/pieces/1/ecarter", url.Values{"motif": {"courriel en double"}})
	if code != 200 || !strings.Contains(body, "Pièce n°1 écartée des documents (motif : courriel en double)") ||
		!strings.Contains(body, "Écartée des documents le ") || journalLines(t, dir) != n+1 {
		t.Fatalf("set aside: %d %s", code, body)
	}
	if _, err := os.Stat(filepath.Join(dir, "pieces", "001-courriel.eml")); err != nil {
		t.Error("the file of the piece set aside is gone")
	}
	code, body = ts.post("/d/dupont/pieces/1/ecarter", url.Values{"motif": {"encore"}})
	if code != 400 || !strings.Contains(body, "pièce déjà écartée") {
		t.Errorf("twice: %d", code)
	}
}
