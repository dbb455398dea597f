package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"anefdossier/capture"
	"anefdossier/protocol"
)

// BrowserProfileDir is the dedicated profile of the visible browser, inside
// the case (the same folder as `capture browser`).
const BrowserProfileDir = ".navigateur"

// CaptureInput is what the Capturer page asks.
type CaptureInput struct {
	URL        string
	Title      string
	FullPage   bool
	ExpectText string
	// Every and Count make a series (Count attempts, Every apart).
	Every time.Duration
	Count int
	// Attach: capture the tab shown in the visible browser at DevTools
	// (TabURL keeps the tabs whose address contains it).
	Attach   bool
	DevTools string
	TabURL   string
	// Chromium is the browser ("" = found on the system).
	Chromium string
}

// CheckCapture checks the input before a capture starts, so that the page
// can say what is wrong at once.
func CheckCapture(in *CaptureInput) error {
	if in.Attach {
		if in.DevTools == "" {
			in.DevTools = fmt.Sprintf("http://127.0.0.1:%d", capture.DefaultDevToolsPort)
		}
		return nil
	}
	u, err := capture.CheckURL(in.URL)
	if err != nil {
		return userErr(err.Error(), "exemple : https://administration-etrangers-en-france.interieur.gouv.fr/ ; pour une page où il faut être connecté, ouvrez le navigateur visible")
	}
	in.URL = u.String()
	if strings.ContainsAny(in.Title, "\r\n") {
		return userErr("le titre contient un saut de ligne", "donnez le titre sur une seule ligne")
	}
	if in.Count < 0 || in.Count > 500 {
		return userErr("nombre de tentatives invalide (1 à 500)", "")
	}
	if in.Count > 1 && in.Every < time.Second {
		return userErr("une série demande un intervalle entre les tentatives", "exemple : toutes les 6 heures, 20 tentatives")
	}
	return nil
}

// Capture takes a capture (or a series) into the case named rel, telling
// progress each stage in French. It returns the pieces added and the
// failed attempts (a series goes on after a failure).
func (w *Workspace) Capture(ctx context.Context, rel string, in CaptureInput, progress func(msg string, fail bool)) (pieces []int, failed int, err error) {
	if err := CheckCapture(&in); err != nil {
		return nil, 0, err
	}
	cs, err := w.Open(rel)
	if err != nil {
		return nil, 0, err
	}
	req := CaptureRequest{Title: in.Title}
	if in.Attach {
		req.Attach = capture.AttachOptions{DevTools: in.DevTools, TabURL: in.TabURL, ExpectText: in.ExpectText}
	} else {
		req.Page = capture.Options{URL: in.URL, FullPage: in.FullPage, ExpectText: in.ExpectText, ExecPath: in.Chromium,
			Progress: func(stage string) { progress(strings.ToUpper(stage[:1])+stage[1:]+"…", false) }}
	}
	done := func(res *CaptureResult) {
		msg := fmt.Sprintf("Enregistrée comme pièce n°%d (%s)", res.Piece.Number, res.Piece.Main().Path)
		if res.Record != nil && res.Record.Status >= 400 {
			msg += fmt.Sprintf(" — la page a répondu HTTP %d : cette erreur est conservée comme preuve", res.Record.Status)
		}
		if res.Record != nil && res.Record.ExpectFound != nil {
			if *res.Record.ExpectFound {
				msg += fmt.Sprintf(" — texte « %s » présent", res.Record.ExpectText)
			} else {
				msg += fmt.Sprintf(" — texte « %s » absent", res.Record.ExpectText)
			}
		}
		progress(msg, false)
		pieces = append(pieces, res.Piece.Number)
	}
	if in.Count <= 1 {
		if in.Attach {
			progress("Capture de l'onglet affiché, sans le recharger…", false)
		}
		res, err := Capture(ctx, cs, req)
		if err != nil {
			return nil, 0, CaptureError(err)
		}
		done(res)
		return pieces, 0, nil
	}
	_, err = CaptureSeries(ctx, cs, req, Series{Every: in.Every, Count: in.Count}, func(a Attempt) {
		if a.Err != nil {
			failed++
			progress(fmt.Sprintf("Tentative %d/%d échouée (notée au journal) : %s", a.N, in.Count, CaptureError(a.Err).Error()), true)
		} else {
			progress(fmt.Sprintf("Tentative %d/%d réussie", a.N, in.Count), false)
			done(a.Result)
		}
		if !a.Next.IsZero() {
			progress("Prochaine tentative le "+protocol.FrDateTime(a.Next), false)
		}
	})
	if err != nil {
		return pieces, failed, CaptureError(err)
	}
	return pieces, failed, nil
}

// CaptureError gives a capture error its French hint.
func CaptureError(err error) error {
	var ne *capture.NavError
	var ue *UserError
	none := " ; aucune pièce n'a été ajoutée"
	switch {
	case err == nil || errors.As(err, &ue):
		return err
	case errors.Is(err, capture.ErrNoChromium):
		return userErr(err.Error(), capture.InstallHint())
	case errors.Is(err, capture.ErrCertificate):
		return userErr(err.Error()+none, "vérifiez l'adresse")
	case errors.Is(err, capture.ErrTimeout):
		return userErr(err.Error()+none, "vérifiez la connexion et recommencez")
	case errors.As(err, &ne):
		return userErr(err.Error()+none, "vérifiez l'adresse et la connexion")
	case errors.Is(err, capture.ErrBrowserDied):
		return userErr(err.Error()+none, "recommencez la capture")
	case errors.Is(err, capture.ErrAttach):
		return userErr(err.Error()+none, "ouvrez d'abord le navigateur visible (bouton ci-dessus)")
	case errors.Is(err, capture.ErrNoTab):
		return userErr(err.Error()+none, "affichez l'onglet à capturer dans la fenêtre du navigateur visible")
	case errors.Is(err, context.Canceled):
		return userErr("capture interrompue"+none, "")
	case errors.Is(err, protocol.ErrBusy):
		return err
	}
	return err
}

// OpenBrowser starts the visible browser of the case named rel, with its
// dedicated profile and DevTools on 127.0.0.1 only, on url (may be empty),
// and returns its DevTools address. headless is for tests.
func (w *Workspace) OpenBrowser(rel, url, chromium string, port int, headless bool) (string, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return "", err
	}
	if url != "" {
		u, err := capture.CheckURL(url)
		if err != nil {
			return "", userErr(err.Error(), "")
		}
		url = u.String()
	}
	l, err := capture.StartBrowser(capture.BrowserOptions{ExecPath: chromium, ProfileDir: cs.Path(BrowserProfileDir), Port: port, URL: url, Headless: headless})
	switch {
	case errors.Is(err, capture.ErrNoChromium):
		return "", userErr(err.Error(), capture.InstallHint())
	case errors.Is(err, capture.ErrNoDisplay):
		return "", userErr(err.Error(), "lancez anef-dossier serve depuis votre session graphique ; sans fenêtre, capturez par l'adresse")
	case err != nil:
		return "", userErr(err.Error(), "fermez le navigateur déjà ouvert pour ce dossier")
	}
	return l.DevTools, nil
}
