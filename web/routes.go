package web

import (
	"errors"
	"io/fs"
	"net/http"
	"strings"

	"anefdossier/app"
	"anefdossier/protocol"
)

func (s *Server) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(assetFS, "assets")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("POST /nouveau", s.newCase)
	m.HandleFunc("GET /d/{case}/fiche", s.fiche)
	m.HandleFunc("POST /d/{case}/fiche", s.saveFiche)
	s.caseRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, "", fs.ErrNotExist)
	})
	s.mux = m
}

// caseOf returns the case name of the URL.
func caseOf(r *http.Request) string { return r.PathValue("case") }

type homeData struct {
	Query     string
	List      *app.CaseList
	Protocols []app.ProtocolInfo
	NewName   string
	NewProto  string
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	list, err := s.ws.ListCases(q)
	if err != nil {
		s.fail(w, r, "", err)
		return
	}
	s.render(w, r, http.StatusOK, "accueil", &page{Title: "Accueil", Nav: "accueil",
		Data: homeData{Query: q, List: list, Protocols: s.ws.Protocols(), NewProto: "bug-technique"}})
}

func (s *Server) newCase(w http.ResponseWriter, r *http.Request) {
	name, proto := r.PostFormValue("nom"), r.PostFormValue("protocole")
	rel, err := s.ws.NewCase(name, proto)
	if err != nil {
		status, msg, hint := explain(err)
		list, _ := s.ws.ListCases("")
		s.render(w, r, status, "accueil", &page{Title: "Accueil", Nav: "accueil", Error: msg, Hint: hint,
			Data: homeData{List: list, Protocols: s.ws.Protocols(), NewName: name, NewProto: proto}})
		return
	}
	http.Redirect(w, r, caseURL(rel)+"/fiche?cree=1", http.StatusSeeOther)
}

type ficheData struct {
	Form     *app.Form
	Base     map[string]string // values the form was opened with
	Conflict bool
}

func (s *Server) fiche(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	f, err := s.ws.Form(rel)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	p := &page{Title: "Fiche", Case: rel, Nav: "fiche", Person: personOf(f), Data: ficheData{Form: f, Base: f.Values()}}
	if r.URL.Query().Has("cree") {
		p.Notice = "Dossier créé. Remplissez la fiche au fur et à mesure : les courriers ne demandent que les champs dont ils ont besoin."
	}
	s.render(w, r, http.StatusOK, "fiche", p)
}

func personOf(f *app.Form) string {
	if f == nil {
		return ""
	}
	var parts []string
	if fl := f.Field("personne.nom"); fl != nil && fl.Value != "" {
		parts = append(parts, strings.ToUpper(fl.Value))
	}
	if fl := f.Field("personne.prenoms"); fl != nil && fl.Value != "" {
		parts = append(parts, fl.Value)
	}
	return strings.Join(parts, " ")
}

func (s *Server) saveFiche(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, rel, &app.UserError{Msg: "formulaire illisible", Hint: "rechargez la page"})
		return
	}
	in := app.FormSave{BaseHash: r.PostForm.Get("base_hash"), Base: map[string]string{}, Values: map[string]string{}}
	for k, v := range r.PostForm {
		switch {
		case strings.HasPrefix(k, "base."):
			in.Base[strings.TrimPrefix(k, "base.")] = v[0]
		case strings.HasPrefix(k, "f."):
			in.Values[strings.TrimPrefix(k, "f.")] = v[len(v)-1]
		}
	}
	for k, v := range r.PostForm {
		if path, ok := strings.CutPrefix(k, "choix."); ok && v[0] == "disque" {
			in.Values[path] = r.PostForm.Get("disque." + path)
		}
	}
	// An unchecked box sends nothing: the hidden "present" field says
	// which booleans the form showed.
	for _, k := range r.PostForm["bools"] {
		if _, ok := in.Values[k]; !ok {
			in.Values[k] = "false"
		}
	}
	res, err := s.ws.SaveForm(r.Context(), rel, in)
	if err != nil {
		if errors.Is(err, protocol.ErrBusy) {
			// Nothing lost: the page shows the values typed and submits
			// them again by itself.
			f, ferr := s.ws.Form(rel)
			if ferr != nil {
				s.fail(w, r, rel, ferr)
				return
			}
			for path, v := range in.Values {
				if fl := f.Field(path); fl != nil {
					fl.Value = v
				}
			}
			f.Hash = in.BaseHash
			_, msg, hint := explain(err)
			s.render(w, r, http.StatusConflict, "fiche", &page{Title: "Fiche", Case: rel, Nav: "fiche", Error: msg, Hint: hint, Retry: true,
				Person: personOf(f), Data: ficheData{Form: f, Base: in.Base}})
			return
		}
		s.fail(w, r, rel, err)
		return
	}
	p := &page{Title: "Fiche", Case: rel, Nav: "fiche", Person: personOf(res.Form)}
	status := http.StatusOK
	switch {
	case res.Conflict:
		status = http.StatusConflict
		p.Error = "dossier.yaml a changé sur le disque depuis l'ouverture de ce formulaire (ligne de commande ou éditeur) : rien n'a été écrit."
		p.Hint = "Les champs modifiés sur le disque sont signalés ci-dessous avec leur nouvelle valeur. Choisissez pour chacun, puis enregistrez de nouveau."
		base := map[string]string{}
		for _, sec := range res.Form.Sections {
			for _, fl := range sec.Fields {
				base[fl.Path] = fl.Disk
			}
		}
		p.Data = ficheData{Form: res.Form, Base: base, Conflict: true}
	case !res.Saved:
		status = http.StatusUnprocessableEntity
		p.Error = "Rien n'a été enregistré : une valeur ne peut pas être écrite (voir le champ signalé)."
		p.Data = ficheData{Form: res.Form, Base: in.Base}
	default:
		p.Notice = "Fiche enregistrée (" + protocol.Count(res.Changed, "champ modifié", "champs modifiés") + ")."
		if n := countProblems(res.Form); n > 0 {
			p.Notice += " " + protocol.Count(n, "valeur est à corriger", "valeurs sont à corriger") + " : voir les messages à côté des champs."
		}
		p.Data = ficheData{Form: res.Form, Base: res.Form.Values()}
	}
	s.render(w, r, status, "fiche", p)
}

func countProblems(f *app.Form) int {
	n := len(f.Problems)
	for _, s := range f.Sections {
		for _, fl := range s.Fields {
			n += len(fl.Problems)
		}
	}
	return n
}
