package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"anefdossier/app"
	"anefdossier/protocol"
)

func (s *Server) captureRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /d/{case}/capturer", s.capturePage)
	m.HandleFunc("POST /d/{case}/capturer", s.startCapture)
	m.HandleFunc("POST /d/{case}/navigateur", s.openBrowser)
	m.HandleFunc("GET /d/{case}/capturer/{job}", s.captureJob)
	m.HandleFunc("GET /d/{case}/capturer/{job}/etat", s.captureJobState)
	m.HandleFunc("POST /d/{case}/capturer/{job}/arreter", s.stopCapture)
}

type captureData struct {
	In       app.CaptureInput
	EveryH   string
	DevTools string
	Jobs     []jobLink
	Job      *jobView
	JobID    string
}

type jobLink struct {
	ID, What string
	Done     bool
}

func (s *Server) captureData(rel string) captureData {
	d := captureData{DevTools: s.devTools(rel)}
	s.jobs.mu.Lock()
	for id, j := range s.jobs.m {
		if j.Case == rel {
			v := j.view()
			d.Jobs = append(d.Jobs, jobLink{ID: id, What: j.What, Done: v.Done})
		}
	}
	s.jobs.mu.Unlock()
	return d
}

func (s *Server) devTools(rel string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.browsers[rel]
}

func (s *Server) capturePage(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	v, err := s.ws.Case(rel)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	p := &page{Title: "Capturer", Case: rel, Nav: "capturer", Person: v.Person(), Data: s.captureData(rel)}
	s.takeFlash(r, p)
	s.render(w, r, http.StatusOK, "capturer", p)
}

// startCapture checks the form, starts the capture in the background and
// shows its live progress.
func (s *Server) startCapture(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	f := r.PostForm
	in := app.CaptureInput{URL: strings.TrimSpace(f.Get("url")), Title: strings.TrimSpace(f.Get("titre")), FullPage: f.Get("page_entiere") != "",
		ExpectText: strings.TrimSpace(f.Get("texte_attendu")), Attach: f.Get("mode") == "onglet", TabURL: strings.TrimSpace(f.Get("onglet")),
		Chromium: s.cfg.Chromium, DevTools: s.devTools(rel)}
	everyH := strings.TrimSpace(f.Get("toutes_heures"))
	if n, _ := strconv.Atoi(strings.TrimSpace(f.Get("tentatives"))); n > 1 {
		in.Count = n
		h, err := strconv.ParseFloat(strings.ReplaceAll(everyH, ",", "."), 64)
		if err == nil && h > 0 {
			in.Every = time.Duration(h * float64(time.Hour))
		}
	}
	if _, err := s.ws.Case(rel); err != nil {
		s.fail(w, r, rel, err)
		return
	}
	if err := app.CheckCapture(&in); err != nil {
		status, msg, hint := explain(err)
		d := s.captureData(rel)
		d.In, d.EveryH = in, everyH
		s.render(w, r, status, "capturer", &page{Title: "Capturer", Case: rel, Nav: "capturer", Error: msg, Hint: hint, Data: d})
		return
	}
	what := in.URL
	if in.Attach {
		what = "onglet affiché du navigateur visible"
	}
	if in.Count > 1 {
		what += fmt.Sprintf(" (série de %d)", in.Count)
	}
	id, j := s.jobs.start(rel)
	j.What = what
	ctx, cancel := context.WithCancel(context.Background())
	j.cancel = cancel
	go func() {
		defer cancel()
		for attempt := 0; ; attempt++ {
			pieces, failed, err := s.ws.Capture(ctx, rel, in, func(msg string, fail bool) { j.add(msg, fail) })
			if isBusy(err) && attempt < 20 {
				j.add("Le dossier est occupé par une autre commande : nouvel essai dans quelques secondes…", false)
				select {
				case <-ctx.Done():
				case <-time.After(3 * time.Second):
					continue
				}
			}
			switch {
			case err != nil:
				_, msg, hint := explain(err)
				j.add("Échec : "+msg+". "+hint, true)
				j.finish(true, "Échec de la capture : "+msg)
			case failed > 0:
				j.finish(true, fmt.Sprintf("Terminé : %s, %d tentative(s) échouée(s) notée(s) au journal.", protocol.Count(len(pieces), "pièce ajoutée", "pièces ajoutées"), failed))
			default:
				j.finish(false, fmt.Sprintf("Terminé : %s.", protocol.Count(len(pieces), "pièce ajoutée", "pièces ajoutées")))
			}
			return
		}
	}()
	http.Redirect(w, r, caseURL(rel)+"/capturer/"+id, http.StatusSeeOther)
}

func (s *Server) jobOf(w http.ResponseWriter, r *http.Request) *job {
	j := s.jobs.get(r.PathValue("job"))
	if j == nil || j.Case != caseOf(r) {
		s.fail(w, r, caseOf(r), &app.UserError{Msg: "cette capture n'existe plus (l'interface a été relancée ?)", Hint: "revenez à la page Capturer"})
		return nil
	}
	return j
}

func (s *Server) captureJob(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	j := s.jobOf(w, r)
	if j == nil {
		return
	}
	v := j.view()
	d := s.captureData(rel)
	d.Job, d.JobID = &v, r.PathValue("job")
	s.render(w, r, http.StatusOK, "capturer", &page{Title: "Capture en cours", Case: rel, Nav: "capturer", Data: d})
}

func (s *Server) captureJobState(w http.ResponseWriter, r *http.Request) {
	j := s.jobOf(w, r)
	if j == nil {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(j.view())
}

func (s *Server) stopCapture(w http.ResponseWriter, r *http.Request) {
	j := s.jobOf(w, r)
	if j == nil {
		return
	}
	if j.cancel != nil {
		j.cancel()
	}
	http.Redirect(w, r, caseURL(caseOf(r))+"/capturer/"+r.PathValue("job"), http.StatusSeeOther)
}

// openBrowser starts the visible browser of the case (the `capture
// browser` flow).
func (s *Server) openBrowser(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	port := 0
	if s.cfg.DevToolsPort != 0 {
		port = s.cfg.DevToolsPort
	}
	addr, err := s.ws.OpenBrowser(rel, strings.TrimSpace(r.PostFormValue("url")), s.cfg.Chromium, port, s.cfg.HeadlessBrowser)
	if err != nil {
		status, msg, hint := explain(err)
		s.render(w, r, status, "capturer", &page{Title: "Capturer", Case: rel, Nav: "capturer", Error: msg, Hint: hint, Data: s.captureData(rel)})
		return
	}
	s.mu.Lock()
	if s.browsers == nil {
		s.browsers = map[string]string{}
	}
	s.browsers[rel] = addr
	s.mu.Unlock()
	s.redirectMsg(w, r, caseURL(rel)+"/capturer", "Le navigateur visible est ouvert avec un profil réservé à ce dossier. Connectez-vous, affichez la page du blocage, puis revenez ici et cliquez sur « Capturer l'onglet affiché ».", "")
}
