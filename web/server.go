// Package web is the local web interface of anef-dossier (`anef-dossier
// serve`): the same use cases as the command line, in French, in the
// browser of the person who runs it, on 127.0.0.1 only.
//
// A handler parses the request, calls one function of package app and
// renders a page: no file access and no protocol logic here, so that another
// store can later stand behind the same use cases.
//
// Security, since the pages hold personal data: the server listens on the
// loopback address only; the first URL carries a 128-bit secret, exchanged
// for an HttpOnly, SameSite=Strict session cookie, and every request without
// it is refused (403); the Host header must be the loopback address and port
// (DNS rebinding); a state change needs POST, the same Origin and a CSRF
// token; every page carries a Content-Security-Policy without inline
// scripts and refuses framing; pieces are served as downloads or inert
// content, never as active HTML from this origin.
package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"anefdossier/app"
)

// DefaultMaxUpload is the default size limit of one upload request.
const DefaultMaxUpload = 200 << 20

// Config configures a Server.
type Config struct {
	// Workspace is the folder of cases served.
	Workspace *app.Workspace
	// MaxUpload bounds an upload request in bytes (0: DefaultMaxUpload).
	MaxUpload int64
	// Secret is the secret of the first URL (empty: 128 random bits).
	Secret string
	// Chromium is the browser used for captures ("" : found on the PATH).
	Chromium string
	// DevToolsPort of the visible browser (0: 9222); HeadlessBrowser
	// starts it without a window (tests only).
	DevToolsPort    int
	HeadlessBrowser bool
}

// Server is the web interface.
type Server struct {
	cfg      Config
	ws       *app.Workspace
	secret   string
	session  string // the cookie value, another 128 random bits
	csrf     string
	addr     string // 127.0.0.1:port, set by Listen
	mux      *http.ServeMux
	pages    *pageSet
	jobs     *jobs
	flash    flashes
	browsers map[string]string // case -> DevTools address of its visible browser
	mu       sync.Mutex
}

const cookieName = "anef_session"

// New returns a server; Listen must be called before serving.
func New(cfg Config) (*Server, error) {
	if cfg.Workspace == nil {
		return nil, errors.New("web: Workspace manquant")
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	s := &Server{cfg: cfg, ws: cfg.Workspace, secret: cfg.Secret, jobs: newJobs()}
	if s.secret == "" {
		s.secret = random128()
	}
	s.session = random128()
	m := hmac.New(sha256.New, []byte(s.session))
	m.Write([]byte("csrf"))
	s.csrf = hex.EncodeToString(m.Sum(nil))
	pages, err := loadPages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.routes()
	return s, nil
}

func random128() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Listen opens a free port on 127.0.0.1 (or addr when given, which must be
// a loopback address) and returns the listener.
func (s *Server) Listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("adresse %s refusée : l'interface n'écoute que sur la boucle locale (127.0.0.1)", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.SetAddr(l.Addr().String())
	return l, nil
}

// SetAddr sets the address the server is reached at (host:port), used for
// the Host and Origin checks. Listen calls it.
func (s *Server) SetAddr(addr string) {
	s.mu.Lock()
	s.addr = addr
	s.mu.Unlock()
}

// URL is the first address to open: it carries the secret.
func (s *Server) URL() string {
	return "http://" + s.addr + "/?cle=" + s.secret
}

// Serve serves on l until it is closed.
func (s *Server) Serve(l net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	err := hs.Serve(l)
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// ServeHTTP applies the security rules, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin") // "no-referrer" would make Chromium send Origin: null with our own forms
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if !s.hostOK(r.Host) {
		refuse(w, "Adresse refusée : ouvrez l'interface par l'adresse affichée au lancement (http://"+s.addr+"/).")
		return
	}
	if r.URL.Path == "/" && r.URL.Query().Has("cle") {
		s.exchange(w, r)
		return
	}
	c, err := r.Cookie(cookieName)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.session)) != 1 {
		refuse(w, "Accès refusé : ouvrez l'adresse complète affichée par « anef-dossier serve » (elle contient une clé secrète).")
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		if !s.originOK(r) {
			refuse(w, "Requête refusée : elle ne vient pas de cette interface (origine différente).")
			return
		}
		if !s.csrfOK(r) {
			refuse(w, "Requête refusée : jeton de formulaire absent ou périmé ; rechargez la page.")
			return
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "méthode refusée", http.StatusMethodNotAllowed)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func refuse(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintln(w, msg)
}

// hostOK accepts only the loopback address and port served (or localhost
// with that port): a page of another site that made its name resolve to
// 127.0.0.1 sends its own name.
func (s *Server) hostOK(host string) bool {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	if addr == "" {
		return false
	}
	_, port, _ := net.SplitHostPort(addr)
	return host == addr || host == "localhost:"+port
}

func (s *Server) originOK(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		// Browsers send Origin with every POST; a request without it is
		// not from this interface's pages.
		return false
	}
	u, err := url.Parse(o)
	if err != nil || u.Scheme != "http" {
		return false
	}
	return u.Host == r.Host && s.hostOK(u.Host)
}

func (s *Server) csrfOK(r *http.Request) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.URL.Query().Get("csrf")
	}
	if tok == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		tok = r.PostFormValue("csrf")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.csrf)) == 1
}

// exchange trades the secret of the first URL for the session cookie.
func (s *Server) exchange(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("cle")), []byte(s.secret)) != 1 {
		refuse(w, "Clé refusée : ouvrez l'adresse exacte affichée par « anef-dossier serve ».")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.session, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	next := "/"
	if a := r.URL.Query().Get("aller"); strings.HasPrefix(a, "/d/") && !strings.Contains(a, "//") && !strings.Contains(a, "\\") {
		next = a
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
