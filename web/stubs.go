package web

import "net/http"

func (s *Server) captureRoutes(m *http.ServeMux)  {}
func (s *Server) documentRoutes(m *http.ServeMux) {}
func (s *Server) checkRoutes(m *http.ServeMux)    {}
