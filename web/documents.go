package web

import (
	"fmt"
	"net/http"
	"os"
	"path"
	"strings"

	"anefdossier/app"
	"anefdossier/protocol"
)

func (s *Server) documentRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /d/{case}/documents", s.documents)
	m.HandleFunc("POST /d/{case}/documents", s.renderDocument)
	m.HandleFunc("GET /d/{case}/sortie/{name...}", s.output)
}

type documentsData struct {
	Docs []app.Document
}

func (s *Server) documents(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	docs, v, err := s.ws.Documents(rel)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	p := &page{Title: "Documents", Case: rel, Nav: "documents", Person: v.Person(), Data: documentsData{Docs: docs}}
	s.takeFlash(r, p)
	s.render(w, r, http.StatusOK, "documents", p)
}

func (s *Server) renderDocument(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	res, err := s.ws.RenderDocument(rel, r.PostFormValue("document"))
	if err != nil {
		docs, v, derr := s.ws.Documents(rel)
		if derr != nil {
			s.fail(w, r, rel, derr)
			return
		}
		status, msg, hint := explain(err)
		s.render(w, r, status, "documents", &page{Title: "Documents", Case: rel, Nav: "documents", Person: v.Person(),
			Error: msg, Hint: hint, Data: documentsData{Docs: docs}})
		return
	}
	notice := "Produit : " + strings.Join(res.Files, ", ") + "."
	if len(res.Files) > 6 {
		notice = fmt.Sprintf("Produit : %d fichiers (%s…).", len(res.Files), strings.Join(res.Files[:3], ", "))
	}
	s.redirectMsg(w, r, caseURL(rel)+"/documents", notice, strings.Join(res.Warnings, " "))
}

// output serves a file of out/: PDFs inline, anything else (the .eml
// drafts) as a download.
func (s *Server) output(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	name := r.PathValue("name")
	f, err := s.ws.OpenOutput(rel, name)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	defer f.Close()
	serveInert(w, r, f, path.Base(name), r.URL.Query().Has("telecharger"))
}

func (s *Server) checkRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /d/{case}/verifier", s.verify)
	m.HandleFunc("POST /d/{case}/exporter", s.export)
	m.HandleFunc("POST /d/{case}/horodater", s.timestamp)
}

type verifyData struct {
	Result *app.VerifyResult
	Err    string
	Pieces []app.PieceView
	Stamp  *app.TimestampResult
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, status int, p *page, stamp *app.TimestampResult) {
	rel := caseOf(r)
	res, err := s.ws.Verify(rel)
	d := verifyData{Result: res, Stamp: stamp}
	if err != nil {
		_, msg, _ := explain(err)
		d.Err = msg
	}
	ps, v, perr := s.ws.Pieces(rel)
	if perr == nil {
		d.Pieces = ps
		p.Person = v.Person()
	}
	p.Title, p.Case, p.Nav, p.Data = "Vérifier, exporter, horodater", rel, "verifier", d
	s.render(w, r, status, "verifier", p)
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	p := &page{}
	s.takeFlash(r, p)
	s.verifyPage(w, r, http.StatusOK, p, nil)
}

// export sends the archive of the case as a download; the temporary
// archive is removed once sent.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	arch, res, err := s.ws.ExportTemp(r.Context(), rel)
	if err != nil {
		status, msg, hint := explain(err)
		s.verifyPage(w, r, status, &page{Error: msg, Hint: hint}, nil)
		return
	}
	defer os.RemoveAll(path.Dir(arch))
	f, err := os.Open(arch)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	defer f.Close()
	w.Header().Set("X-Archive-SHA256", res.ArchiveSHA256)
	serveInert(w, r, f, path.Base(arch), true)
}

func (s *Server) timestamp(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	res, err := s.ws.Timestamp(r.Context(), rel)
	if err != nil {
		status, msg, hint := explain(err)
		s.verifyPage(w, r, status, &page{Error: msg, Hint: hint}, nil)
		return
	}
	p := &page{}
	switch {
	case res.Asked == 0:
		p.Notice = "Toutes les pièces sont déjà horodatées."
	case len(res.Failures) == 0:
		p.Notice = fmt.Sprintf("%s obtenus.", protocol.Count(len(res.Recorded), "jeton d'horodatage", "jetons d'horodatage"))
	default:
		p.Error = fmt.Sprintf("%d pièce(s) sur %d n'ont pas pu être horodatées (voir ci-dessous) ; les autres l'ont été.", len(res.Failures), res.Asked)
		if res.Offline {
			p.Hint = "l'autorité d'horodatage est injoignable : vérifiez la connexion puis recommencez ; rien n'est perdu"
		}
	}
	s.verifyPage(w, r, http.StatusOK, p, res)
}
