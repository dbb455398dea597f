package capture

import (
	"strings"
	"testing"
)

func TestURLForms(t *testing.T) {
	for _, c := range []struct{ in, uni, ascii string }{
		{"https://xn--prfecture-c4a.fr/rdv?x=1", "https://préfecture.fr/rdv?x=1", "https://xn--prfecture-c4a.fr/rdv?x=1"},
		{"https://préfecture.fr:8443/", "https://préfecture.fr:8443/", "https://xn--prfecture-c4a.fr:8443/"},
		// A Cyrillic "а" in place of the Latin one: both forms shown.
		{"https://xn--nts-5cd.gouv.fr/", "https://аnts.gouv.fr/", "https://xn--nts-5cd.gouv.fr/"},
	} {
		uni, ascii, differ := URLForms(c.in)
		if !differ || uni != c.uni || ascii != c.ascii {
			t.Errorf("URLForms(%q) = %q, %q, %v; want %q, %q", c.in, uni, ascii, differ, c.uni, c.ascii)
		}
		if b := bannerURL(c.in); b != c.uni+" (en ASCII : "+c.ascii+")" {
			t.Errorf("bannerURL(%q) = %q", c.in, b)
		}
	}
	for _, plain := range []string{"https://www.interieur.gouv.fr/a?b=c", "http://127.0.0.1:8080/"} {
		if uni, ascii, differ := URLForms(plain); differ || uni != plain || ascii != plain || bannerURL(plain) != plain {
			t.Errorf("URLForms(%q) = %q, %q, %v", plain, uni, ascii, differ)
		}
	}
}

// TestPushStateAddress: a page that changes its address after the load is
// shown with the address of the moment of the screenshot; the record keeps
// the document's own address too.
func TestPushStateAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium: not in -short")
	}
	needChromium(t)
	srv := fixtureServer(t, t.TempDir(), map[string]string{
		"/demarche": `<!doctype html><html><body><h1>Démarche</h1><script>
window.addEventListener('load', () => setTimeout(() => history.pushState({}, '', '/demarche/etape-2?id=7'), 30));</script></body></html>`,
	})
	res, err := capt(t, Options{URL: srv.URL + "/demarche"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.FinalURL != srv.URL+"/demarche/etape-2?id=7" || res.Record.DocumentURL != srv.URL+"/demarche" {
		t.Fatalf("final %q, document %q", res.Record.FinalURL, res.Record.DocumentURL)
	}
	b, err := res.Finish(3)
	if err != nil {
		t.Fatal(err)
	}
	var shown string
	for _, l := range b.Lines {
		shown += l.Text + "\n"
	}
	if !strings.Contains(shown, "/demarche/etape-2?id=7") {
		t.Errorf("banner does not show the address of the screenshot: %q", shown)
	}
}

// TestMissingFonts: a family the page asks for and nobody provides is
// listed; one the machine has (DejaVu Sans, fonts-dejavu) is not.
func TestMissingFonts(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium: not in -short")
	}
	needChromium(t)
	srv := fixtureServer(t, t.TempDir(), map[string]string{
		"/p": `<!doctype html><html><body><p style="font-family: 'Police Absente', sans-serif">Texte officiel</p>
<p style="font-family: 'DejaVu Sans', serif">Texte ordinaire</p></body></html>`,
	})
	res, err := capt(t, Options{URL: srv.URL + "/p"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Record.MissingFonts; len(got) != 1 || got[0] != "Police Absente" {
		t.Fatalf("missing fonts = %q, want only Police Absente", got)
	}
	if !hasNote(res.Record.Notes, "polices demandées", "Police Absente") {
		t.Errorf("no French note: %q", res.Record.Notes)
	}
}
