package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"anefdossier/app"
	"anefdossier/protocol"
)

//go:embed pages/*.html
var pageFS embed.FS

//go:embed assets
var assetFS embed.FS

type pageSet struct {
	m map[string]*template.Template
}

var funcs = template.FuncMap{
	"caseURL":  caseURL,
	"frDate":   func(t time.Time) string { return protocol.FrDate(t) },
	"frLong":   func(t time.Time) string { return protocol.FrLongDate(t) },
	"frTime":   func(t time.Time) string { return protocol.FrDateTime(t) },
	"daysLeft": protocol.DaysLeftFr,
	"when":     protocol.DeadlineState.When,
	"plural":   protocol.Count,
	"lines":    func(s string) []string { return strings.Split(s, "\n") },
	"join":     strings.Join,
	"add":      func(a, b int) int { return a + b },
	"trim":     strings.TrimSpace,
	"record":   func(s *protocol.Step, r protocol.StepRecord) string { return s.Describe(r) },
	"needs": func(ch protocol.Channel, what string) bool {
		for _, n := range ch.Needs {
			if n == what {
				return true
			}
		}
		return false
	},
	"isoDate": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(protocol.Paris).Format("2006-01-02")
	},
	"kindTitle": kindTitle,
}

// kindTitle is the French title of a piece kind, or its id when unknown.
func kindTitle(id string) string {
	if k := protocol.KindByID(id); k != nil {
		return k.Title
	}
	return id
}

func loadPages() (*pageSet, error) {
	names, err := fs.Glob(pageFS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{m: map[string]*template.Template{}}
	for _, n := range names {
		if strings.HasSuffix(n, "/layout.html") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(pageFS, "pages/layout.html", n)
		if err != nil {
			return nil, err
		}
		ps.m[strings.TrimSuffix(strings.TrimPrefix(n, "pages/"), ".html")] = t
	}
	return ps, nil
}

func caseURL(rel string) string {
	return "/d/" + url.PathEscape(rel)
}

// page is what every template receives.
type page struct {
	Title   string
	Case    string // case name in the workspace, "" on the home page
	Person  string
	Nav     string // active tab
	CSRF    string
	Notice  string // a success message
	Warning string // a warning raised by what was done
	Error   string // a French error message
	Hint    string
	Retry   bool // the case is busy: the page resubmits its form
	Data    any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t := s.pages.m[name]
	if t == nil {
		http.Error(w, "page inconnue", http.StatusInternalServerError)
		return
	}
	p.CSRF = s.csrf
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		log.Printf("anef-dossier serve: page %s : %v", name, err)
		http.Error(w, "erreur interne en affichant la page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows a French error page for err.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rel string, err error) {
	status, msg, hint := explain(err)
	s.render(w, r, status, "erreur", &page{Title: "Erreur", Case: rel, Error: msg, Hint: hint})
}

// explain turns a library error into a status, a French message and a hint.
func explain(err error) (int, string, string) {
	var je *protocol.JournalError
	var de *protocol.DossierError
	var up *protocol.UnknownProtocolError
	var us *protocol.UnknownStepError
	switch {
	case errors.Is(err, app.ErrOutside):
		return http.StatusForbidden, err.Error(), "seuls les dossiers sous le dossier servi sont accessibles"
	case errors.Is(err, protocol.ErrNotCase):
		return http.StatusNotFound, "ce dossier n'est pas un dossier anef-dossier", "revenez à l'accueil pour choisir un dossier"
	case errors.Is(err, fs.ErrNotExist):
		return http.StatusNotFound, "introuvable : " + err.Error(), "revenez à l'accueil"
	case errors.Is(err, protocol.ErrBusy):
		return http.StatusConflict, "le dossier est occupé par une autre commande anef-dossier (ligne de commande ou autre onglet)", "nouvel essai dans quelques secondes ; rien n'est perdu"
	case errors.As(err, &je):
		return http.StatusInternalServerError, err.Error(), "le journal a été modifié ou une écriture a été interrompue : lancez la vérification (onglet Vérifier) ; ne corrigez pas le journal à la main"
	case errors.As(err, &de):
		return http.StatusUnprocessableEntity, err.Error(), "corrigez la fiche (onglet Fiche)"
	case errors.As(err, &up):
		return http.StatusBadRequest, err.Error(), "choisissez un des protocoles proposés"
	case errors.As(err, &us):
		return http.StatusBadRequest, err.Error(), ""
	case errors.Is(err, app.ErrBadName):
		return http.StatusBadRequest, err.Error(), "un nom simple, par exemple dupont-amina"
	case errors.Is(err, protocol.ErrNotEmpty):
		return http.StatusBadRequest, err.Error(), "choisissez un autre nom : un dossier existant n'est jamais écrasé"
	case errors.Is(err, os.ErrPermission):
		return http.StatusForbidden, "accès refusé par le système : " + err.Error(), "vérifiez les droits du dossier"
	}
	var ue *app.UserError
	if errors.As(err, &ue) {
		return http.StatusBadRequest, ue.Msg, ue.Hint
	}
	return http.StatusInternalServerError, err.Error(), ""
}

var zeroTime time.Time

func isBusy(err error) bool { return errors.Is(err, protocol.ErrBusy) }
