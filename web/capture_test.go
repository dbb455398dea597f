package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// waitJob polls a capture job until it ends.
func (ts *testServer) waitJob(path string) jobView {
	ts.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := ts.c.Get(ts.base + path + "/etat")
		if err != nil {
			ts.t.Fatal(err)
		}
		var v jobView
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if v.Done {
			return v
		}
		time.Sleep(300 * time.Millisecond)
	}
	ts.t.Fatal("capture never ended")
	return jobView{}
}

func TestCapturePage(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium")
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>Rendez-vous</title><h1>Aucun créneau disponible</h1>"))
	}))
	defer site.Close()
	ts := newTestServer(t, 0)
	ts.ws.NewCase("dupont", "bug-technique")
	// a French error for a bad address, nothing started
	code, body := ts.post("/d/dupont/capturer", url.Values{"url": {"ftp://x"}})
	if code != 400 || !strings.Contains(body, "n&#39;est pas une adresse web") {
		t.Fatalf("bad URL: %d", code)
	}
	req, _ := http.NewRequest("POST", ts.base+"/d/dupont/capturer", strings.NewReader(url.Values{"csrf": {ts.s.csrf}, "url": {site.URL + "/rdv"},
		"titre": {"Module de rendez-vous"}, "texte_attendu": {"Aucun créneau"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.base)
	ts.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := ts.c.Do(req)
	ts.c.CheckRedirect = nil
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	job := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(job, "/d/dupont/capturer/") {
		t.Fatalf("start: %d %s", resp.StatusCode, job)
	}
	v := ts.waitJob(job)
	if v.Failed {
		t.Fatalf("capture failed: %+v", v)
	}
	var texts []string
	for _, s := range v.Steps {
		texts = append(texts, s.Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Démarrage du navigateur", "Chargement de la page", "Attente du réseau calme", "Capture d'écran", "Enregistrée comme pièce n°1", "texte « Aucun créneau » présent"} {
		if !strings.Contains(all, want) {
			t.Errorf("progress lacks %q:\n%s", want, all)
		}
	}
	_, body = ts.get("/d/dupont/pieces/1")
	if !strings.Contains(body, "Fiche de preuve de la capture") || !strings.Contains(body, site.URL+"/rdv") {
		t.Fatalf("capture piece page: %s", body)
	}
	// the thumbnail is made and served
	resp, err = ts.c.Get(ts.base + "/d/dupont/pieces/1/miniature")
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("thumbnail: %v %v", err, resp)
	}
	resp.Body.Close()
}
