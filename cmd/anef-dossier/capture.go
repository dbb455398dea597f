package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"anefdossier/app"
	"anefdossier/capture"
	"anefdossier/protocol"
)

// browserProfileDir is the dedicated profile of `capture browser`, inside
// the case: the person's ANEF session stays with their case, never in their
// everyday browser.
const browserProfileDir = ".navigateur"

var captureCmd = command{
	name:    "capture",
	summary: "capture une page web avec l'adresse et la date incrustées, et son relevé technique",
	usage:   "anef-dossier [-C DOSSIER] capture URL [--title TITRE] [--full-page] [--every 6h --count 20] [--expect-text TEXTE]\nanef-dossier [-C DOSSIER] capture --urls FICHIER [--full-page]\nanef-dossier [-C DOSSIER] capture --attach http://127.0.0.1:9222 [--tab-url TEXTE]\nanef-dossier [-C DOSSIER] capture browser",
	help: `Ouvre la page dans un Chromium neuf (profil vierge, supprimé ensuite), attend qu'elle soit complète
(chargement, réseau calme, polices, images différées), puis enregistre une pièce :
  pieces/NNN-capture.png          la capture avec, au-dessus de la page, un bandeau : numéro de pièce, date et
                                  heure (Paris et UTC), adresse complète
  pieces/NNN-capture.brut.png     la capture sans bandeau
  pieces/NNN-capture.mhtml        la page enregistrée (MHTML)
  pieces/NNN-capture.document.*   le document tel que le serveur l'a envoyé
  pieces/NNN-capture.warc.gz      l'archive web (WARC 1.1, ISO 28500) : chaque requête et chaque réponse reçue
                                  (en-têtes, contenu, adresse IP, date), et les captures d'écran
  pieces/NNN-capture.preuve.json  le relevé technique : adresses et redirections, statut HTTP, IP et port
                                  du serveur, certificat TLS, en-têtes, heures, empreintes SHA-256, navigateur,
                                  machine
Un bandeau de cookies d'un gestionnaire connu (tarteaucitron, DSFR, vanilla-cookieconsent, cookieconsent,
Didomi, Axeptio, OneTrust, Cookiebot) reçoit la réponse « Tout refuser » avant la capture, ce que le
procès-verbal inscrit (gestionnaire, bouton, heure) ; --keep-consent le laisse tel quel.
Les dialogues que la page ouvre (alert, confirm, prompt, print) sont inscrits au relevé avec leur texte
(« session expirée »...) et refermés : « OK » pour une alerte, « Annuler » pour une question.
Avec --urls FICHIER, chaque adresse du fichier (une par ligne) est capturée dans un navigateur neuf.
Une page d'erreur (HTTP 404, 500...) est capturée : c'est une preuve. Une page injoignable ne crée aucune pièce.
Pour une page où il faut être connecté (compte ANEF), ouvrez d'abord « capture browser ».

Exemples (adresses d'exemple : le numéro de démarche 1234 est inventé) :
   anef-dossier -C ~/dossiers/dupont capture "https://www.rdv-prefecture.interieur.gouv.fr/rdvpref/reservation/demarche/1234/cgu/" --title "Prise de rendez-vous : aucun créneau"
   anef-dossier -C ~/dossiers/dupont capture URL --every 6h --count 20 --expect-text "Aucun créneau"
   anef-dossier -C ~/dossiers/dupont capture --attach http://127.0.0.1:9222`,
	run:  runCapture,
	subs: []*command{&captureBrowserCmd, &capturePlanCmd},
}

var captureBrowserCmd = command{
	name:    "browser",
	summary: "ouvre un Chromium pour vous connecter (profil propre au dossier, port de débogage local)",
	usage:   "anef-dossier [-C DOSSIER] capture browser [URL] [--port 9222]",
	help: `Ouvre une fenêtre Chromium avec un profil réservé à ce dossier (` + browserProfileDir + `/ dans le dossier) et le port de
débogage ouvert sur cette machine seulement (127.0.0.1). Connectez-vous à votre compte, affichez la page du
blocage, puis lancez « capture --attach ». La fenêtre reste ouverte après la commande.

Exemple :
   anef-dossier -C ~/dossiers/dupont capture browser`,
	run: runCaptureBrowser,
}

func runCapture(e *env, args []string) error {
	fs := e.flags()
	title := fs.String("title", "t", "", "intitulé pour l'inventaire : ce que la capture montre")
	viewport := fs.String("viewport", "", "1366x768", "taille de la fenêtre, LARGEURxHAUTEUR en pixels")
	fullPage := fs.Bool("full-page", "", "capture toute la hauteur de la page, pas seulement la fenêtre")
	timeout := fs.Duration("timeout", capture.DefaultTimeout, "délai maximal d'une capture (ex. 90s, 2m)")
	insecure := fs.Bool("insecure", "", "accepte un certificat TLS invalide (inscrit dans la pièce et sur le bandeau)")
	attach := fs.String("attach", "", "", "capture l'onglet affiché du navigateur ouvert par « capture browser » (http://127.0.0.1:9222)")
	tabURL := fs.String("tab-url", "", "", "avec --attach : l'onglet dont l'adresse contient ce texte")
	everyFlag := fs.Duration("every", 0, "répète la capture à cet intervalle (ex. 6h, 30m), au premier plan")
	countFlag := fs.Int("count", 0, "avec --every : nombre de tentatives")
	untilFlag := fs.String("until", "", "", "avec --every : dernière tentative au plus tard à cette date (ex. \"2026-03-20 18:00\")")
	expect := fs.String("expect-text", "", "", "note si ce texte figure dans la page (ex. \"Aucun créneau\")")
	keepConsent := fs.Bool("keep-consent", "", "laisse le bandeau de cookies tel quel (par défaut : « Tout refuser » est cliqué avant la capture)")
	urlsFile := fs.String("urls", "", "", "capture chaque adresse de ce fichier (une par ligne), chacune dans un navigateur neuf")
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	browserPath := fs.String("browser", "", "", "programme du navigateur à utiliser (sinon "+capture.EnvBrowser+", puis Chrome, Edge, Brave ou Chromium à leur place habituelle)")
	tsas := fs.Strings("tsa", "", "horodate la capture auprès de cette autorité RFC 3161 (sinon horodatage.autorites)")
	tsaRoot := fs.String("tsa-root", "", "", "certificat racine (PEM) de l'autorité d'horodatage (sinon racine: de ~/.config/anef-dossier/horodatage.yaml)")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	req := app.CaptureRequest{Title: strings.TrimSpace(*title), TSA: *tsas, TSARoot: *tsaRoot}
	if strings.ContainsAny(req.Title, "\r\n") {
		return usageErr("le titre contient un saut de ligne", "donnez le titre sur une seule ligne")
	}
	url := ""
	var urls []string
	if *urlsFile != "" {
		if *attach != "" || len(pos) > 0 || fs.isSet("every") || fs.isSet("title") {
			return usageErr("--urls ne se combine ni avec une URL, ni avec --attach, --every ou --title",
				"chaque page reçoit le titre de la page capturée ; exemple : anef-dossier capture --urls adresses.txt")
		}
		list, err := readURLList(*urlsFile)
		if err != nil {
			return err
		}
		urls = list
		pos = []string{urls[0]}
	}
	if *attach != "" {
		if len(pos) > 0 {
			return usageErr("avec --attach, la page capturée est l'onglet affiché : ne donnez pas d'URL",
				"choisissez l'onglet avec --tab-url TEXTE")
		}
		if _, err := capture.CheckDevTools(*attach); err != nil {
			return usageErr(err.Error(), "l'adresse est affichée par « anef-dossier capture browser » (http://127.0.0.1:9222)")
		}
		if *fullPage || fs.isSet("viewport") || *insecure {
			return usageErr("--full-page, --viewport et --insecure ne s'appliquent pas avec --attach : l'onglet est capturé tel quel",
				"agrandissez la fenêtre du navigateur si besoin")
		}
	} else {
		if len(pos) != 1 {
			return usageErr("une URL attendue", "anef-dossier capture --help")
		}
		if fs.isSet("tab-url") {
			return usageErr("--tab-url ne s'utilise qu'avec --attach", "anef-dossier capture --help")
		}
		u, err := capture.CheckURL(pos[0])
		if err != nil {
			return usageErr(err.Error(), "exemple : anef-dossier capture https://administration-etrangers-en-france.interieur.gouv.fr/ ; pour une page où il faut être connecté : anef-dossier capture browser")
		}
		url = u.String()
	}
	w, h, err := parseViewport(*viewport)
	if err != nil {
		return err
	}
	if *timeout < time.Second {
		return usageErr("--timeout trop court", "exemple : --timeout 90s")
	}
	if *attach != "" {
		req.Attach = capture.AttachOptions{DevTools: *attach, TabURL: *tabURL, ExpectText: *expect,
			Timeout: *timeout, Now: protocol.Now}
	} else {
		req.Page = capture.Options{URL: url, Width: w, Height: h, FullPage: *fullPage, Timeout: *timeout,
			Insecure: *insecure, ExpectText: *expect, Now: protocol.Now, KeepConsent: *keepConsent, ExecPath: *browserPath}
	}

	every, count := *everyFlag, *countFlag
	var until time.Time
	if *untilFlag != "" {
		t, _, err := parseUserDate("until", *untilFlag)
		if err != nil {
			return err
		}
		until = t
	}
	switch {
	case every == 0 && (count != 0 || !until.IsZero()):
		return usageErr("--count et --until s'utilisent avec --every", "exemple : --every 6h --count 20")
	case every != 0 && every < time.Second:
		return usageErr("--every trop court", "exemple : --every 6h")
	case every != 0 && count == 0 && until.IsZero():
		return usageErr("--every demande --count N ou --until DATE", "exemple : --every 6h --count 20")
	case count < 0:
		return usageErr("--count doit être positif", "exemple : --count 20")
	case !until.IsZero() && !until.After(protocol.Now()):
		return usageErr("--until est dans le passé", "exemple : --until \"2026-03-20 18:00\"")
	}

	cs, err := e.openCase()
	if err != nil {
		return err
	}
	// Ctrl-C cancels the context: the deferred clean-ups then stop the
	// browser and remove its temporary profile.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if urls != nil {
		return runURLList(ctx, e, cs, req, urls, *asJSON)
	}
	if every == 0 {
		res, err := app.Capture(ctx, cs, req)
		if err != nil {
			return captureErr(err)
		}
		reportStamps(e, res, *asJSON)
		return reportCapture(e, res, *asJSON)
	}
	return runSeries(ctx, e, cs, req, app.Series{Every: every, Count: count, Until: until}, *asJSON)
}

// maxURLList bounds the file of --urls.
const maxURLList = 1 << 20

// readURLList reads the addresses of --urls: one per line, blank lines and
// lines starting with # ignored; each is checked, with its line number.
func readURLList(path string) ([]string, error) {
	hint := "une adresse http:// ou https:// par ligne ; les lignes vides et celles qui commencent par # sont ignorées"
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr(fmt.Sprintf("--urls : fichier %s illisible (%v)", path, err), hint)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, usageErr(fmt.Sprintf("--urls : %s n'est pas un fichier ordinaire", path), hint)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxURLList+1))
	if err != nil {
		return nil, usageErr(fmt.Sprintf("--urls : lecture de %s impossible (%v)", path, err), hint)
	}
	if len(b) > maxURLList {
		return nil, usageErr(fmt.Sprintf("--urls : %s dépasse 1 Mo", path), hint)
	}
	var urls []string
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, err := capture.CheckURL(line)
		if err != nil {
			return nil, usageErr(fmt.Sprintf("--urls : %s, ligne %d : %v", path, i+1, err), hint)
		}
		urls = append(urls, u.String())
	}
	if len(urls) == 0 {
		return nil, usageErr(fmt.Sprintf("--urls : aucune adresse dans %s", path), hint)
	}
	return urls, nil
}

// runURLList captures each address of --urls and reports each as it ends.
func runURLList(ctx context.Context, e *env, cs *protocol.Case, req app.CaptureRequest, urls []string, asJSON bool) error {
	type itemJSON struct {
		URL   string       `json:"url"`
		Piece *captureJSON `json:"piece,omitempty"`
		Error string       `json:"error,omitempty"`
	}
	out := []itemJSON{}
	total := len(urls)
	res, err := app.CaptureEach(ctx, cs, req, urls, func(a app.Attempt) {
		u := urls[a.N-1]
		if a.Err != nil {
			fmt.Fprintf(e.stderr, "anef-dossier: adresse %d/%d (%s) : échec (inscrit au journal) : %s\n", a.N, total, u, a.Err)
			out = append(out, itemJSON{URL: u, Error: a.Err.Error()})
			return
		}
		reportStamps(e, a.Result, asJSON)
		if !asJSON {
			e.outf("Pièce n°%d ajoutée : %s (%s)\n", a.Result.Piece.Number, a.Result.Piece.Main().Path, captureLine(a.Result.Record))
			for _, n := range a.Result.Record.Notes {
				e.warnf("pièce n°%d : %s", a.Result.Piece.Number, n)
			}
		}
		pj := pieceOut(a.Result.Piece, a.Result.Record)
		out = append(out, itemJSON{URL: u, Piece: &pj})
	})
	if err != nil {
		return captureErr(err)
	}
	if asJSON {
		if err := e.printJSON(out); err != nil {
			return err
		}
	}
	summary := fmt.Sprintf("%s, %s", protocol.Count(res.Pieces, "pièce ajoutée", "pièces ajoutées"), protocol.Count(res.Failed, "échec", "échecs"))
	if res.Interrupted > 0 {
		return failure(fmt.Sprintf("captures interrompues à l'adresse %d/%d : %s", res.Interrupted, total, summary), "relancez la commande avec les adresses restantes")
	}
	if !asJSON {
		e.outf("Adresses capturées : %s.\n", summary)
	}
	if res.Pieces == 0 {
		return failure("aucune capture n'a réussi", "les raisons sont inscrites au journal (capture.failed) ; vérifiez les adresses et la connexion")
	}
	return nil
}

func parseViewport(v string) (int, int, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(strings.TrimSpace(v)), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 320 || h < 240 || w > 7680 || h > 4320 {
		return 0, 0, usageErr(fmt.Sprintf("--viewport « %s » : LARGEURxHAUTEUR attendu, entre 320x240 et 7680x4320", v), "exemple : --viewport 1366x768")
	}
	return w, h, nil
}

type captureJSON struct {
	Number int                     `json:"number"`
	Title  string                  `json:"title"`
	Date   string                  `json:"date"`
	Files  []protocol.PieceFile    `json:"files"`
	Record *protocol.CaptureRecord `json:"evidence"`
}

func pieceOut(p protocol.Piece, rec *protocol.CaptureRecord) captureJSON {
	return captureJSON{Number: p.Number, Title: p.Title, Date: p.Date.Format(time.RFC3339), Files: p.Files, Record: rec}
}

func reportCapture(e *env, res *app.CaptureResult, asJSON bool) error {
	p, rec := res.Piece, res.Record
	if asJSON {
		return e.printJSON(pieceOut(p, rec))
	}
	e.outf("Pièce n°%d ajoutée : %s\n", p.Number, p.Main().Path)
	e.outf("  %s\n", captureLine(rec))
	if f, ok := p.File(protocol.RoleEvidence); ok {
		e.outf("  relevé technique : %s\n", f.Path)
	}
	if cr := rec.Consent; cr != nil {
		e.outf("  bandeau de cookies %s : %s\n", cr.Manager, strings.TrimSpace(cr.Action+" ; "+cr.Result))
	}
	if rec.Status >= 400 {
		e.warnf("la page a répondu HTTP %d : la capture de cette erreur est conservée comme preuve", rec.Status)
	}
	if rec.Insecure {
		e.warnf("certificat TLS non vérifié (--insecure) : c'est inscrit dans la pièce et sur le bandeau")
	}
	for _, n := range rec.Notes {
		e.warnf("%s", n)
	}
	if len(rec.Unrecorded) > 0 {
		e.warnf("fiche de preuve de la capture : non enregistré : %s", strings.Join(rec.Unrecorded, " ; "))
	}
	return nil
}

// captureLine sums up a capture on one line.
func captureLine(rec *protocol.CaptureRecord) string {
	var parts []string
	if rec.Status != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", rec.Status))
	}
	parts = append(parts, rec.FinalURL)
	if rec.ServerIP != "" {
		parts = append(parts, fmt.Sprintf("serveur %s port %d", rec.ServerIP, rec.ServerPort))
	}
	parts = append(parts, protocol.FrDateTime(rec.Shot))
	if rec.ExpectFound != nil {
		if *rec.ExpectFound {
			parts = append(parts, fmt.Sprintf("texte « %s » présent", rec.ExpectText))
		} else {
			parts = append(parts, fmt.Sprintf("texte « %s » absent", rec.ExpectText))
		}
	}
	return strings.Join(parts, ", ")
}

// runSeries runs a repeated capture in the foreground and reports each
// attempt as it ends.
func runSeries(ctx context.Context, e *env, cs *protocol.Case, req app.CaptureRequest, s app.Series, asJSON bool) error {
	type attemptJSON struct {
		Attempt int          `json:"attempt"`
		Piece   *captureJSON `json:"piece,omitempty"`
		Error   string       `json:"error,omitempty"`
	}
	out := []attemptJSON{}
	total := "?"
	if s.Count > 0 {
		total = strconv.Itoa(s.Count)
	}
	progress := func(format string, a ...any) {
		fmt.Fprintf(e.stderr, "anef-dossier: "+format+"\n", a...)
	}
	res, err := app.CaptureSeries(ctx, cs, req, s, func(a app.Attempt) {
		var jf *app.JournaledFailure
		switch {
		case errors.As(a.Err, &jf):
			progress("tentative %d/%s : échec (inscrit au journal) : %s", a.N, total, a.Err)
			out = append(out, attemptJSON{Attempt: a.N, Error: a.Err.Error()})
		case a.Err != nil:
			progress("tentative %d/%s : échec : %s", a.N, total, a.Err)
			out = append(out, attemptJSON{Attempt: a.N, Error: a.Err.Error()})
		default:
			reportStamps(e, a.Result, asJSON)
			progress("tentative %d/%s : pièce n°%d ajoutée (%s)", a.N, total, a.Result.Piece.Number, captureLine(a.Result.Record))
			pj := pieceOut(a.Result.Piece, a.Result.Record)
			out = append(out, attemptJSON{Attempt: a.N, Piece: &pj})
		}
		if !a.Next.IsZero() {
			progress("prochaine tentative le %s (Ctrl-C pour arrêter)", protocol.FrDateTime(a.Next))
		}
	})
	if err != nil {
		return captureErr(err) // no attempt can succeed
	}
	if asJSON {
		if err := e.printJSON(out); err != nil {
			return err
		}
	}
	summary := fmt.Sprintf("%s, %s", protocol.Count(res.Pieces, "pièce ajoutée", "pièces ajoutées"), protocol.Count(res.Failed, "échec", "échecs"))
	if res.Interrupted > 0 {
		if res.DuringAttempt {
			progress("série interrompue à la tentative %d/%s", res.Interrupted, total)
		} else {
			progress("série interrompue avant la tentative %d/%s", res.Interrupted, total)
		}
		return failure("série de captures interrompue : "+summary, "relancez la commande pour reprendre la série")
	}
	if !asJSON {
		e.outf("Série terminée : %s.\n", summary)
	}
	if res.Pieces == 0 {
		return failure("aucune tentative n'a réussi", "les raisons sont inscrites au journal (capture.failed) ; vérifiez l'adresse et la connexion")
	}
	return nil
}

// captureErr gives a capture error its hint.
func captureErr(err error) error {
	var ne *capture.NavError
	none := " ; aucune pièce n'a été ajoutée"
	switch {
	case errors.Is(err, capture.ErrNoChromium):
		return failure(err.Error(), capture.InstallHint())
	case errors.Is(err, capture.ErrCertificate):
		return failure(err.Error(), "vérifiez l'adresse ; si vous savez pourquoi ce certificat est refusé, relancez avec --insecure (ce sera inscrit dans la pièce)"+none)
	case errors.As(err, new(*capture.StuckError)):
		return failure(err.Error(), "la page elle-même ne rend pas la main : réessayez plus tard, ou allongez le délai avec --timeout 2m"+none)
	case errors.Is(err, capture.ErrTimeout):
		return failure(err.Error(), "vérifiez la connexion, ou allongez le délai avec --timeout 2m"+none)
	case errors.As(err, &ne) && len(ne.Redirects) > 0:
		return failure(err.Error(), "c'est le serveur qui redirige ainsi ; conservez ce message, il décrit le blocage"+none)
	case errors.As(err, &ne):
		return failure(err.Error(), "vérifiez l'adresse et la connexion"+none)
	case errors.Is(err, capture.ErrBrowserDied):
		return failure(err.Error(), "relancez la capture"+none)
	case errors.Is(err, capture.ErrAttach):
		return failure(err.Error(), "ouvrez d'abord le navigateur avec : anef-dossier capture browser")
	case errors.Is(err, capture.ErrNoTab):
		return failure(err.Error(), "affichez l'onglet à capturer dans la fenêtre ouverte par « capture browser »"+none)
	case errors.Is(err, context.Canceled):
		return failure("capture interrompue", "aucune pièce n'a été ajoutée")
	}
	return err
}

func runCaptureBrowser(e *env, args []string) error {
	fs := e.flags()
	port := fs.Int("port", capture.DefaultDevToolsPort, "port de débogage (sur 127.0.0.1)")
	browserPath := fs.String("browser", "", "", "programme du navigateur à ouvrir (sinon "+capture.EnvBrowser+", puis Chrome, Edge, Brave ou Chromium à leur place habituelle)")
	headless := fs.fs.Bool("headless", false, "sans fenêtre (tests)") // not listed in the help
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 0, 1, "au plus une URL"); err != nil {
		return err
	}
	first := "https://administration-etrangers-en-france.interieur.gouv.fr/"
	if len(pos) == 1 {
		u, err := capture.CheckURL(pos[0])
		if err != nil {
			return usageErr(err.Error(), "exemple : anef-dossier capture browser https://administration-etrangers-en-france.interieur.gouv.fr/")
		}
		first = u.String()
	}
	if *port < 1024 || *port > 65535 {
		return usageErr("--port doit être entre 1024 et 65535", "exemple : --port 9222")
	}
	cs, err := e.openCase()
	if err != nil {
		return err
	}
	l, err := capture.StartBrowser(capture.BrowserOptions{ExecPath: *browserPath, ProfileDir: cs.Path(browserProfileDir), Port: *port, URL: first, Headless: *headless})
	switch {
	case errors.Is(err, capture.ErrNoChromium):
		return failure(err.Error(), capture.InstallHint())
	case errors.Is(err, capture.ErrNoDisplay):
		return failure(err.Error(), "lancez cette commande depuis votre session graphique (pas en SSH) ; sans fenêtre, utilisez anef-dossier capture URL")
	case err != nil:
		return failure(err.Error(), "fermez le navigateur déjà ouvert pour ce dossier, ou choisissez un autre port avec --port")
	}
	dir := e.dir
	e.outf(`Chromium est ouvert (processus %d) avec un profil réservé à ce dossier : %s
Le port de débogage %s n'écoute que sur cette machine.

1. Dans cette fenêtre, connectez-vous à votre compte (ANEF, prise de rendez-vous...) comme d'habitude.
2. Affichez la page qui montre le blocage (message d'erreur, « Aucun créneau disponible »...).
   Gardez cet onglet au premier plan.
3. Dans un terminal, lancez :
     anef-dossier -C %s capture --attach %s
   La capture prend l'onglet affiché tel quel : elle ne le recharge pas et ne le ferme pas.
   Recommencez pour chaque écran du parcours.
4. Fermez la fenêtre quand vous avez fini. Le profil garde votre session : ne partagez pas le dossier %s.
`, l.PID, l.Profile, l.DevTools, shellQuote(dir), l.DevTools, browserProfileDir)
	return nil
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\"$`\\!*?&;|<>()[]{}#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
