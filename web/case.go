package web

import "net/http"

func (s *Server) caseRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /d/{case}/{$}", s.dossier)
}

func (s *Server) dossier(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, caseURL(caseOf(r))+"/fiche", http.StatusSeeOther)
}
