package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"anefdossier/app"
	"anefdossier/protocol"
)

func (s *Server) caseRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /d/{case}/{$}", s.dossier)
	m.HandleFunc("POST /d/{case}/etape", s.recordStep)
	m.HandleFunc("POST /d/{case}/annuler", s.undoStep)
	s.pieceRoutes(m)
	s.captureRoutes(m)
	s.documentRoutes(m)
	s.checkRoutes(m)
}

// flashes carry a message across a redirect after a POST (so that
// reloading the page does not send the form again).
type flashes struct {
	mu sync.Mutex
	m  map[string]flash
}

type flash struct {
	notice, warn string
	at           time.Time
}

func (s *Server) setFlash(notice, warn string) string {
	s.flash.mu.Lock()
	defer s.flash.mu.Unlock()
	if s.flash.m == nil {
		s.flash.m = map[string]flash{}
	}
	for k, f := range s.flash.m {
		if time.Since(f.at) > 10*time.Minute {
			delete(s.flash.m, k)
		}
	}
	id := random128()[:12]
	s.flash.m[id] = flash{notice, warn, time.Now()}
	return id
}

func (s *Server) takeFlash(r *http.Request, p *page) {
	id := r.URL.Query().Get("msg")
	if id == "" {
		return
	}
	s.flash.mu.Lock()
	defer s.flash.mu.Unlock()
	if f, ok := s.flash.m[id]; ok {
		p.Notice, p.Warning = f.notice, f.warn
	}
}

func (s *Server) redirectMsg(w http.ResponseWriter, r *http.Request, to, notice, warn string) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"msg="+s.setFlash(notice, warn), http.StatusSeeOther)
}

type dossierData struct {
	View *app.CaseView
	// Pieces are the choices of every step form, made once per page (a
	// case of 200 pieces and 8 step forms shows 1,600 of them).
	Pieces []pieceChoice
	// Draft keeps what the user typed in a step form refused.
	DraftStep string
	Draft     stepDraft
}

type pieceChoice struct {
	Number int
	Label  string // "n°3 — Courriel de la préfecture (10/03/2026)"
}

func pieceChoices(v *app.CaseView) []pieceChoice {
	out := make([]pieceChoice, len(v.State.Pieces))
	for i, p := range v.State.Pieces {
		title := p.Title
		if title == "" {
			title = kindTitle(p.Kind)
		}
		out[i] = pieceChoice{p.Number, fmt.Sprintf("n°%d — %s (%s)", p.Number, title, protocol.FrDate(p.Date))}
	}
	return out
}

type stepDraft struct {
	Channel, Date, Ref, Note string
	Pieces                   map[int]bool
	Fields                   map[string]string
}

func (s *Server) dossier(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	v, err := s.ws.Case(rel)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	p := &page{Title: "Dossier", Case: rel, Nav: "dossier", Person: v.Person(), Data: dossierData{View: v, Pieces: pieceChoices(v)}}
	s.takeFlash(r, p)
	s.render(w, r, http.StatusOK, "dossier", p)
}

func (s *Server) recordStep(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, rel, &app.UserError{Msg: "formulaire illisible"})
		return
	}
	f := r.PostForm
	rec := protocol.StepRecord{Step: f.Get("etape"), Channel: f.Get("canal"), Ref: strings.TrimSpace(f.Get("ref")), Note: strings.TrimSpace(f.Get("note"))}
	draft := stepDraft{Channel: rec.Channel, Date: f.Get("date"), Ref: rec.Ref, Note: rec.Note, Pieces: map[int]bool{}, Fields: map[string]string{}}
	var perr error
	if d := strings.TrimSpace(f.Get("date")); d != "" {
		t, _, err := protocol.ParseDate(d)
		if err != nil {
			perr = &app.UserError{Msg: "date : " + err.Error(), Hint: "exemple : 10/03/2026"}
		} else {
			rec.Date = &t
		}
	}
	for _, v := range f["piece"] {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			perr = &app.UserError{Msg: fmt.Sprintf("numéro de pièce « %s » invalide", v)}
			continue
		}
		rec.Pieces = append(rec.Pieces, n)
		draft.Pieces[n] = true
	}
	for k, v := range f {
		if id, ok := strings.CutPrefix(k, "champ."); ok && strings.TrimSpace(v[0]) != "" {
			if rec.Fields == nil {
				rec.Fields = map[string]string{}
			}
			rec.Fields[id] = strings.TrimSpace(v[0])
			draft.Fields[id] = v[0]
		}
	}
	var res *app.StepResult
	err := perr
	if err == nil {
		res, err = s.ws.RecordStep(r.Context(), rel, rec)
	}
	if err != nil {
		v, verr := s.ws.Case(rel)
		if verr != nil {
			s.fail(w, r, rel, verr)
			return
		}
		status, msg, hint := explain(err)
		p := &page{Title: "Dossier", Case: rel, Nav: "dossier", Person: v.Person(), Error: msg, Hint: hint,
			Data: dossierData{View: v, Pieces: pieceChoices(v), DraftStep: rec.Step, Draft: draft}}
		if errors.Is(err, protocol.ErrBusy) {
			p.Retry = true
		}
		s.render(w, r, status, "dossier", p)
		return
	}
	notice := fmt.Sprintf("Étape enregistrée : %s — %s.", res.Step.Title, res.Step.Describe(res.Record))
	if res.Done {
		notice += fmt.Sprintf(" L'étape « %s » est complète.", res.Step.Title)
	} else if res.Missing != "" {
		notice += fmt.Sprintf(" L'étape n'est pas encore complète : manque %s.", res.Missing)
	}
	if l := res.Anchor.Lines(); len(l) > 0 {
		notice += " " + strings.Join(l, " ") + "."
	}
	s.redirectMsg(w, r, caseURL(rel)+"/", notice, strings.Join(res.NewWarnings, " "))
}

func (s *Server) undoStep(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	u := protocol.UndoRecord{Step: r.PostFormValue("etape"), Channel: r.PostFormValue("canal"), Reason: strings.TrimSpace(r.PostFormValue("motif"))}
	res, err := s.ws.Undo(r.Context(), rel, u)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	notice := fmt.Sprintf("Annulation enregistrée (%s). Les enregistrements restent lisibles dans le journal.", protocol.Count(res.Records, "enregistrement", "enregistrements"))
	if l := res.Anchor.Lines(); len(l) > 0 {
		notice += " " + strings.Join(l, " ") + "."
	}
	s.redirectMsg(w, r, caseURL(rel)+"/", notice, "")
}
