package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"anefdossier/capture"
	"anefdossier/protocol"
)

// browserProfileDir is the dedicated profile of `capture browser`, inside
// the case: the person's ANEF session stays with their case, never in their
// everyday browser.
const browserProfileDir = ".navigateur"

func init() {
	register(&cli.Command{
		Name:      "capture",
		Usage:     "capture une page web avec l'adresse et la date incrustées, et son procès-verbal technique",
		UsageText: "anef-dossier [-C DOSSIER] capture URL [--title TITRE] [--full-page] [--every 6h --count 20] [--expect-text TEXTE]\nanef-dossier [-C DOSSIER] capture --attach http://127.0.0.1:9222 [--tab-url TEXTE]\nanef-dossier [-C DOSSIER] capture browser",
		Description: `Ouvre la page dans un Chromium neuf (profil vierge, supprimé ensuite), attend qu'elle soit complète
(chargement, réseau calme, polices, images différées), puis enregistre une pièce :
  pieces/NNN-capture.png          la capture avec, au-dessus de la page, un bandeau : numéro de pièce, date et
                                  heure (Paris et UTC), adresse complète
  pieces/NNN-capture.brut.png     la capture sans bandeau
  pieces/NNN-capture.mhtml        la page enregistrée (MHTML)
  pieces/NNN-capture.document.*   le document tel que le serveur l'a envoyé
  pieces/NNN-capture.preuve.json  le procès-verbal technique : adresses et redirections, statut HTTP, IP et port
                                  du serveur, certificat TLS, en-têtes, heures, empreintes SHA-256, navigateur,
                                  machine
Une page d'erreur (HTTP 404, 500...) est capturée : c'est une preuve. Une page injoignable ne crée aucune pièce.
Pour une page où il faut être connecté (compte ANEF), ouvrez d'abord « capture browser ».

Exemples :
   anef-dossier -C ~/dossiers/dupont capture "https://www.rdv-prefecture.interieur.gouv.fr/rdvpref/reservation/demarche/1234/cgu/" --title "Prise de rendez-vous : aucun créneau"
   anef-dossier -C ~/dossiers/dupont capture URL --every 6h --count 20 --expect-text "Aucun créneau"
   anef-dossier -C ~/dossiers/dupont capture --attach http://127.0.0.1:9222`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "title", Aliases: []string{"t"}, Usage: "intitulé pour l'inventaire : ce que la capture montre"},
			&cli.StringFlag{Name: "viewport", Value: "1366x768", Usage: "taille de la fenêtre, LARGEURxHAUTEUR en pixels"},
			&cli.BoolFlag{Name: "full-page", Usage: "capture toute la hauteur de la page, pas seulement la fenêtre"},
			&cli.DurationFlag{Name: "timeout", Value: capture.DefaultTimeout, Usage: "délai maximal d'une capture (ex. 90s, 2m)"},
			&cli.BoolFlag{Name: "insecure", Usage: "accepte un certificat TLS invalide (inscrit dans la pièce et sur le bandeau)"},
			&cli.StringFlag{Name: "attach", Usage: "capture l'onglet affiché du navigateur ouvert par « capture browser » (http://127.0.0.1:9222)"},
			&cli.StringFlag{Name: "tab-url", Usage: "avec --attach : l'onglet dont l'adresse contient ce texte"},
			&cli.DurationFlag{Name: "every", Usage: "répète la capture à cet intervalle (ex. 6h, 30m), au premier plan"},
			&cli.IntFlag{Name: "count", Usage: "avec --every : nombre de tentatives"},
			&cli.StringFlag{Name: "until", Usage: "avec --every : dernière tentative au plus tard à cette date (ex. \"2026-03-20 18:00\")"},
			&cli.StringFlag{Name: "expect-text", Usage: "note si ce texte figure dans la page (ex. \"Aucun créneau\")"},
			jsonFlag,
		},
		Action:          runCapture,
		HideHelpCommand: true,
		Subcommands: []*cli.Command{{
			Name:      "browser",
			Usage:     "ouvre un Chromium pour vous connecter (profil propre au dossier, port de débogage local)",
			UsageText: "anef-dossier [-C DOSSIER] capture browser [URL] [--port 9222]",
			Description: `Ouvre une fenêtre Chromium avec un profil réservé à ce dossier (` + browserProfileDir + `/ dans le dossier) et le port de
débogage ouvert sur cette machine seulement (127.0.0.1). Connectez-vous à votre compte, affichez la page du
blocage, puis lancez « capture --attach ». La fenêtre reste ouverte après la commande.

Exemple :
   anef-dossier -C ~/dossiers/dupont capture browser`,
			Flags: []cli.Flag{
				&cli.IntFlag{Name: "port", Value: capture.DefaultDevToolsPort, Usage: "port de débogage (sur 127.0.0.1)"},
				&cli.BoolFlag{Name: "headless", Hidden: true, Usage: "sans fenêtre (tests)"},
			},
			Action: runCaptureBrowser,
		}},
	})
}

// captureRun is one capture command: what to capture and how.
type captureRun struct {
	c        *cli.Context
	cs       *protocol.Case
	url      string
	attach   string
	opts     capture.Options
	attOpts  capture.AttachOptions
	title    string
	repeated bool
}

func runCapture(c *cli.Context) error {
	r := &captureRun{c: c, title: strings.TrimSpace(c.String("title")), attach: c.String("attach")}
	if strings.ContainsAny(r.title, "\r\n") {
		return usageErr("le titre contient un saut de ligne", "donnez le titre sur une seule ligne")
	}
	if r.attach != "" {
		if c.Args().Len() > 0 {
			return usageErr("avec --attach, la page capturée est l'onglet affiché : ne donnez pas d'URL",
				"choisissez l'onglet avec --tab-url TEXTE")
		}
		if _, err := capture.CheckDevTools(r.attach); err != nil {
			return usageErr(err.Error(), "l'adresse est affichée par « anef-dossier capture browser » (http://127.0.0.1:9222)")
		}
		if c.Bool("full-page") || c.IsSet("viewport") || c.Bool("insecure") {
			return usageErr("--full-page, --viewport et --insecure ne s'appliquent pas avec --attach : l'onglet est capturé tel quel",
				"agrandissez la fenêtre du navigateur si besoin")
		}
	} else {
		if c.Args().Len() != 1 {
			return usageErr("une URL attendue", "anef-dossier capture --help")
		}
		if c.IsSet("tab-url") {
			return usageErr("--tab-url ne s'utilise qu'avec --attach", "anef-dossier capture --help")
		}
		u, err := capture.CheckURL(c.Args().First())
		if err != nil {
			return usageErr(err.Error(), "exemple : anef-dossier capture https://administration-etrangers-en-france.interieur.gouv.fr/ ; pour une page où il faut être connecté : anef-dossier capture browser")
		}
		r.url = u.String()
	}
	w, h, err := parseViewport(c.String("viewport"))
	if err != nil {
		return err
	}
	timeout := c.Duration("timeout")
	if timeout < time.Second {
		return usageErr("--timeout trop court", "exemple : --timeout 90s")
	}
	r.opts = capture.Options{URL: r.url, Width: w, Height: h, FullPage: c.Bool("full-page"), Timeout: timeout,
		Insecure: c.Bool("insecure"), ExpectText: c.String("expect-text"), Now: protocol.Now}
	r.attOpts = capture.AttachOptions{DevTools: r.attach, TabURL: c.String("tab-url"), ExpectText: c.String("expect-text"),
		Timeout: timeout, Now: protocol.Now}

	every, count := c.Duration("every"), c.Int("count")
	var until time.Time
	if v := c.String("until"); v != "" {
		t, _, err := parseUserDate("until", v)
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

	cs, err := openCase(c)
	if err != nil {
		return err
	}
	r.cs = cs
	// Ctrl-C cancels the context: the deferred clean-ups then stop the
	// browser and remove its temporary profile.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if every == 0 {
		p, rec, err := r.attempt(ctx, 0)
		if err != nil {
			return captureErr(err)
		}
		return r.report(p, rec)
	}
	r.repeated = true
	return r.series(ctx, every, count, until)
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

// attempt takes one capture and stores it as a piece. It holds the case's
// lock for the whole attempt, so that the piece number burned into the
// banner is the number the piece gets. In a series, a failed attempt is
// recorded in the journal (capture.failed) under the same lock.
func (r *captureRun) attempt(ctx context.Context, n int) (protocol.Piece, *protocol.CaptureRecord, error) {
	tx, err := r.cs.Begin(ctx)
	if err != nil {
		return protocol.Piece{}, nil, err
	}
	defer tx.Close()
	num := tx.NextPieceNumber()
	var res *capture.Result
	if r.attach != "" {
		o := r.attOpts
		o.Attempt = n
		res, err = capture.Attach(ctx, o)
	} else {
		o := r.opts
		o.Attempt = n
		res, err = capture.Capture(ctx, o)
	}
	// The browser shuts down while the piece is being stored; the attempt
	// ends once it is gone, with its temporary files.
	defer res.Close()
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("capture interrompue : %w", ctx.Err())
	}
	if err != nil {
		if r.repeated && ctx.Err() == nil {
			url := r.url
			if url == "" {
				url = r.attach
			}
			if _, aerr := tx.Append(protocol.EventCaptureFailed, protocol.CaptureFailure{URL: url, Reason: err.Error(), Attempt: n}); aerr != nil {
				return protocol.Piece{}, nil, errors.Join(err, aerr)
			}
			return protocol.Piece{}, nil, &journaledFailure{err}
		}
		return protocol.Piece{}, nil, err
	}
	bannered, err := res.Finish(num)
	if err != nil {
		return protocol.Piece{}, nil, err
	}
	rec := &res.Record
	proof, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return protocol.Piece{}, nil, err
	}
	files := []protocol.NewFile{
		{Role: "piece", Ext: ".png", Data: bannered.PNG},
		{Role: "brut", Ext: ".png", Data: res.Raw},
	}
	if res.MHTML != nil {
		files = append(files, protocol.NewFile{Role: "mhtml", Ext: ".mhtml", Data: res.MHTML})
	}
	if res.Body != nil {
		files = append(files, protocol.NewFile{Role: "document", Ext: res.BodyExt, Data: res.Body})
	}
	files = append(files, protocol.NewFile{Role: "preuve", Ext: ".json", Data: append(proof, '\n')})
	prov := protocol.ProvenanceCapture
	if rec.Mode == capture.ModeAttached {
		prov = protocol.ProvenanceAttached
	}
	title := r.title
	if title == "" {
		title = defaultCaptureTitle(rec)
	}
	sum := protocol.CaptureSummary{URL: rec.URLRequested, FinalURL: rec.FinalURL, Status: rec.Status, ServerIP: rec.ServerIP,
		Mode: rec.Mode, Insecure: rec.Insecure, ExpectText: rec.ExpectText, ExpectFound: rec.ExpectFound, PageTitle: rec.PageTitle}
	if rec.TLS != nil {
		sum.TLSIssuer = rec.TLS.Issuer
	}
	p, dups, err := tx.AddPiece(protocol.NewPiece{Kind: "capture", Title: title, Date: rec.Shot, DateHasTime: true,
		Provenance: prov, Files: files, Record: sum})
	if err != nil {
		return protocol.Piece{}, nil, err
	}
	_ = dups // a bannered capture carries its own time: never a duplicate
	// RFC 3161 timestamp when authorities are configured: capture_tsa.go
	stampCapture(r.c, tx, p)
	return p, rec, nil
}

// journaledFailure is a failed attempt of a series, recorded in the journal
// as a capture.failed event.
type journaledFailure struct{ err error }

func (e *journaledFailure) Error() string { return e.err.Error() }
func (e *journaledFailure) Unwrap() error { return e.err }

func defaultCaptureTitle(rec *protocol.CaptureRecord) string {
	what := rec.PageTitle
	if what == "" {
		what = rec.FinalURL
	}
	return "Capture de la page « " + what + " »"
}

type captureJSON struct {
	Number int                     `json:"numero"`
	Title  string                  `json:"titre"`
	Date   string                  `json:"date"`
	Files  []protocol.PieceFile    `json:"fichiers"`
	Record *protocol.CaptureRecord `json:"preuve"`
}

func pieceOut(p protocol.Piece, rec *protocol.CaptureRecord) captureJSON {
	return captureJSON{Number: p.Number, Title: p.Title, Date: p.Date.Format(time.RFC3339), Files: p.Files, Record: rec}
}

func (r *captureRun) report(p protocol.Piece, rec *protocol.CaptureRecord) error {
	if r.c.Bool("json") {
		return printJSON(r.c, pieceOut(p, rec))
	}
	outf(r.c, "Pièce n°%d ajoutée : %s\n", p.Number, p.Main().Path)
	outf(r.c, "  %s\n", captureLine(rec))
	if f, ok := p.File("preuve"); ok {
		outf(r.c, "  procès-verbal technique : %s\n", f.Path)
	}
	if rec.Status >= 400 {
		warnf(r.c, "la page a répondu HTTP %d : la capture de cette erreur est conservée comme preuve", rec.Status)
	}
	if rec.Insecure {
		warnf(r.c, "certificat TLS non vérifié (--insecure) : c'est inscrit dans la pièce et sur le bandeau")
	}
	for _, n := range rec.Notes {
		warnf(r.c, "%s", n)
	}
	if len(rec.Unrecorded) > 0 {
		warnf(r.c, "capture dans votre navigateur : non enregistré : %s", strings.Join(rec.Unrecorded, " ; "))
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

// series runs a repeated capture in the foreground: each attempt is a piece,
// a failed attempt is journaled and the series goes on.
func (r *captureRun) series(ctx context.Context, every time.Duration, count int, until time.Time) error {
	type attemptJSON struct {
		Attempt int          `json:"tentative"`
		Piece   *captureJSON `json:"piece,omitempty"`
		Error   string       `json:"erreur,omitempty"`
	}
	var out []attemptJSON
	total := "?"
	if count > 0 {
		total = strconv.Itoa(count)
	}
	start := time.Now()
	pieces, failed := 0, 0
	progress := func(format string, a ...any) {
		fmt.Fprintf(r.c.App.ErrWriter, "anef-dossier: "+format+"\n", a...)
	}
	for i := 1; ; i++ {
		p, rec, err := r.attempt(ctx, i)
		switch {
		case ctx.Err() != nil:
			progress("série interrompue à la tentative %d/%s", i, total)
			if r.c.Bool("json") {
				_ = printJSON(r.c, out)
			}
			return failure(fmt.Sprintf("série de captures interrompue : %s, %s", countFr(pieces, "pièce ajoutée", "pièces ajoutées"), countFr(failed, "échec", "échecs")),
				"relancez la commande pour reprendre la série")
		case errors.Is(err, capture.ErrNoChromium):
			return captureErr(err) // no attempt can succeed
		case err != nil:
			failed++
			var jf *journaledFailure
			if errors.As(err, &jf) {
				progress("tentative %d/%s : échec (inscrit au journal) : %s", i, total, err)
			} else {
				progress("tentative %d/%s : échec : %s", i, total, err)
			}
			out = append(out, attemptJSON{Attempt: i, Error: err.Error()})
		default:
			pieces++
			progress("tentative %d/%s : pièce n°%d ajoutée (%s)", i, total, p.Number, captureLine(rec))
			pj := pieceOut(p, rec)
			out = append(out, attemptJSON{Attempt: i, Piece: &pj})
		}
		next := start.Add(time.Duration(i) * every)
		if (count > 0 && i >= count) || (!until.IsZero() && next.After(until)) {
			break
		}
		progress("prochaine tentative le %s (Ctrl-C pour arrêter)", protocol.FrDateTime(next))
		select {
		case <-ctx.Done():
			progress("série interrompue avant la tentative %d/%s", i+1, total)
			if r.c.Bool("json") {
				_ = printJSON(r.c, out)
			}
			return failure(fmt.Sprintf("série de captures interrompue : %s, %s", countFr(pieces, "pièce ajoutée", "pièces ajoutées"), countFr(failed, "échec", "échecs")),
				"relancez la commande pour reprendre la série")
		case <-time.After(time.Until(next)):
		}
	}
	if r.c.Bool("json") {
		if err := printJSON(r.c, out); err != nil {
			return err
		}
	} else {
		outf(r.c, "Série terminée : %s, %s.\n", countFr(pieces, "pièce ajoutée", "pièces ajoutées"), countFr(failed, "échec", "échecs"))
	}
	if pieces == 0 {
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
		return failure(err.Error(), "installez-le : apt-get install chromium (ou indiquez son chemin dans ANEF_DOSSIER_CHROMIUM)")
	case errors.Is(err, capture.ErrCertificate):
		return failure(err.Error(), "vérifiez l'adresse ; si vous savez pourquoi ce certificat est refusé, relancez avec --insecure (ce sera inscrit dans la pièce)"+none)
	case errors.Is(err, capture.ErrTimeout):
		return failure(err.Error(), "vérifiez la connexion, ou allongez le délai avec --timeout 2m"+none)
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

func runCaptureBrowser(c *cli.Context) error {
	if err := needArgs(c, 0, 1, "au plus une URL"); err != nil {
		return err
	}
	first := "https://administration-etrangers-en-france.interieur.gouv.fr/"
	if c.Args().Len() == 1 {
		u, err := capture.CheckURL(c.Args().First())
		if err != nil {
			return usageErr(err.Error(), "exemple : anef-dossier capture browser https://administration-etrangers-en-france.interieur.gouv.fr/")
		}
		first = u.String()
	}
	port := c.Int("port")
	if port < 1024 || port > 65535 {
		return usageErr("--port doit être entre 1024 et 65535", "exemple : --port 9222")
	}
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	l, err := capture.StartBrowser(capture.BrowserOptions{ProfileDir: cs.Path(browserProfileDir), Port: port, URL: first, Headless: c.Bool("headless")})
	switch {
	case errors.Is(err, capture.ErrNoChromium):
		return failure(err.Error(), "installez-le : apt-get install chromium (ou indiquez son chemin dans ANEF_DOSSIER_CHROMIUM)")
	case errors.Is(err, capture.ErrNoDisplay):
		return failure(err.Error(), "lancez cette commande depuis votre session graphique (pas en SSH) ; sans fenêtre, utilisez anef-dossier capture URL")
	case err != nil:
		return failure(err.Error(), "fermez le navigateur déjà ouvert pour ce dossier, ou choisissez un autre port avec --port")
	}
	dir := caseDir(c)
	outf(c, `Chromium est ouvert (processus %d) avec un profil réservé à ce dossier : %s
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

// countFr writes a count the French way: singular for 0 and 1.
func countFr(n int, one, many string) string {
	if n <= 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
