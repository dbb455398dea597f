package web

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestDocumentsVerifyExport(t *testing.T) {
	ts := newTestServer(t, 0)
	ts.ws.NewCase("dupont", "bug-technique")
	ts.upload("dupont", map[string]string{"type": "courriel", "titre": "Courriel au support"}, upFile{"support.eml", readExample(t, "courriel-support.eml")})
	code, body := ts.get("/d/dupont/documents")
	if code != 200 || !strings.Contains(body, "Demande d&#39;accès à la solution de substitution") || !strings.Contains(body, "Champs encore vides") {
		t.Fatalf("documents: %d", code)
	}
	// the letter needs the fiche: a French error naming the fields, nothing written
	code, body = ts.post("/d/dupont/documents", url.Values{"document": {"letter:lettre-substitution"}})
	if code == 200 || !strings.Contains(body, "Erreur") {
		t.Fatalf("letter with an empty fiche: %d", code)
	}
	code, body = ts.post("/d/dupont/documents", url.Values{"document": {"inventaire"}})
	if code != 200 || !strings.Contains(body, "Produit : inventaire-des-pieces.pdf") {
		t.Fatalf("inventory: %d %s", code, body)
	}
	resp, err := ts.c.Get(ts.base + "/d/dupont/sortie/inventaire-des-pieces.pdf")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("inventory served as %s", resp.Header.Get("Content-Type"))
	}
	for _, bad := range []string{"/d/dupont/sortie/..%2Fjournal.jsonl", "/d/dupont/sortie/../dossier.yaml", "/d/dupont/sortie/.lock"} {
		if code, _ := ts.get(bad); code == 200 {
			t.Errorf("%s served", bad)
		}
	}
	code, body = ts.get("/d/dupont/verifier")
	if code != 200 || !strings.Contains(body, "Le dossier est intact") {
		t.Fatalf("verify: %d %s", code, body)
	}
	req, _ := http.NewRequest("POST", ts.base+"/d/dupont/exporter", strings.NewReader(url.Values{"csrf": {ts.s.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.base)
	resp, err = ts.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	gz, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, h.Name)
	}
	all := strings.Join(names, " ")
	if !strings.Contains(all, "MANIFEST.sha256") || !strings.Contains(all, "pieces/001-courriel.eml") {
		t.Fatalf("archive: %v", names)
	}
	code, body = ts.post("/d/dupont/horodater", url.Values{})
	if code != 400 || !strings.Contains(body, "aucune autorité d&#39;horodatage") {
		t.Fatalf("timestamp without authority: %d", code)
	}
}
