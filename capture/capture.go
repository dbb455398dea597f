package capture

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/url"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"anefdossier/protocol"
)

// Defaults of a capture.
const (
	DefaultWidth   = 1366
	DefaultHeight  = 768
	DefaultTimeout = 60 * time.Second
	// The network counts as quiet when no request has been in flight for
	// quietShort, or for quietLong when the page's scripts started requests
	// after its load event (content fetched by a script: the next request
	// of a chain may follow the end of the previous one). Fonts and images are
	// checked on their own.
	quietShort = 150 * time.Millisecond
	quietLong  = 500 * time.Millisecond
	// maxPageHeight bounds a full-page capture (Chromium cannot draw
	// much taller surfaces).
	maxPageHeight = 30000
	// maxPageWidth bounds its width (a page 100,000 px wide took 1.8 GB),
	// unless the viewport itself is wider; maxPagePixels bounds the area
	// (the height then gives way).
	maxPageWidth  = 4096
	maxPagePixels = maxPageHeight * 1920
)

// Options of one capture.
type Options struct {
	URL      string // http or https
	Width    int    // viewport, 0 = DefaultWidth
	Height   int    // viewport, 0 = DefaultHeight
	FullPage bool
	Timeout  time.Duration // whole capture, 0 = DefaultTimeout
	Insecure bool          // accept an invalid TLS certificate (recorded)
	// ExpectText, when set, is looked for in the page's text.
	ExpectText string
	// ExecPath is the browser; "" = FindChromium.
	ExecPath string
	// Now is the clock (protocol.Now by default).
	Now     func() time.Time
	Attempt int
	// Progress, when set, is told each stage of the capture as it starts
	// (in French, for a live display).
	Progress func(stage string)
	// KeepConsent leaves a consent banner as it is (see consent.go).
	KeepConsent bool
}

func (o *Options) progress(stage string) {
	if o.Progress != nil {
		o.Progress(stage)
	}
}

// Result is what a capture produced, before the banner.
type Result struct {
	Record  protocol.CaptureRecord
	Raw     []byte // the screenshot as the browser produced it (PNG)
	MHTML   []byte // the page as an MHTML snapshot
	Body    []byte // the main document's bytes as the server sent them (nil when unknown)
	BodyExt string // extension for Body (".html", ...)
	// WARC is the web archive of the capture (see warc.go), made by
	// Finish; nil for a capture in the user's browser.
	WARC []byte

	warc *warcLog // the exchanges, for the WARC

	closed chan struct{} // closed once the browser is gone (see Close)
}

// CheckURL accepts only absolute http and https addresses with a host, and
// without a user name or password in them.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("« %s » n'est pas une adresse web (http:// ou https://)", raw)
	}
	if u.User != nil {
		// It would be burned into the banner and kept in the record.
		return nil, fmt.Errorf("l'adresse contient un identifiant ou un mot de passe (%s@) : il serait inscrit sur la capture", u.User.Username())
	}
	return u, nil
}

func (o *Options) defaults() {
	if o.Width <= 0 {
		o.Width = DefaultWidth
	}
	if o.Height <= 0 {
		o.Height = DefaultHeight
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = protocol.Now
	}
}

// testHookBrowser, when set (tests only), gets the browser process as soon
// as it runs.
var testHookBrowser func(pid int)

// testHookRelease, when set (tests only), runs before a browser's shutdown.
var testHookRelease func()

// testHookFlags are further browser switches (tests only).
var testHookFlags []chromedp.ExecAllocatorOption

// Capture opens a fresh headless Chromium with an empty temporary profile,
// loads the page, waits for it to settle (load, network quiet, web fonts,
// lazy images), takes the screenshot, the MHTML snapshot and the served
// bytes, and records everything a web constat records.
//
// On error, the browser and its temporary files are gone when Capture
// returns. On success they are being removed while the caller composes the
// banner and stores the piece: the caller must call [Result.Close], which
// returns once they are gone.
func Capture(ctx context.Context, o Options) (*Result, error) {
	o.defaults()
	if _, err := CheckURL(o.URL); err != nil {
		return nil, err
	}
	execPath, err := FindChromium(o.ExecPath)
	if err != nil {
		return nil, err
	}
	// cleanup runs in reverse order: stop the browser (chromedp then
	// removes its profile, chromedp-runner* in the temporary folder, also
	// after Ctrl-C or a crash), then remove the capture's own folder.
	var cleanup []func()
	release := func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	handedOver := false
	defer func() {
		if !handedOver {
			release()
		}
	}()
	// The profile and Chromium's own temporary files (its singleton socket
	// folder, shared memory) go to one folder of this capture, removed
	// once the browser has exited. A folder left by a killed command is
	// removed by the next capture.
	sweepStale()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(execPath))
	if work := browserTempDir(); work != "" {
		profile := filepath.Join(work, "profil")
		cleanup = append(cleanup, func() { removeWork(work, profile) })
		opts = append(opts, chromedp.UserDataDir(profile), chromedp.Env("TMPDIR="+work))
	}
	// Otherwise chromedp makes the profile (chromedp-runner*) and removes it.
	opts = append(opts, headlessFlags()...)
	if o.Insecure {
		opts = append(opts, chromedp.IgnoreCertErrors)
	}
	opts = append(opts, testHookFlags...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	cleanup = append(cleanup, cancelAlloc)
	bctx, cancelB := chromedp.NewContext(allocCtx)
	cleanup = append(cleanup, cancelB)

	// Start the browser with no timeout on this first call (a timeout here
	// would kill the browser later), but give up if it does not start.
	startTimer := time.AfterFunc(o.Timeout, cancelB)
	o.progress("démarrage du navigateur")
	err = chromedp.Do(bctx)
	startTimer.Stop()
	if err != nil {
		return nil, classify(ctx, err, o, "démarrage de Chromium")
	}
	if testHookBrowser != nil {
		if p := chromedp.FromContext(bctx).Browser.Process(); p != nil {
			testHookBrowser(p.Pid)
		}
	}

	tctx, cancelT := context.WithTimeout(bctx, o.Timeout)
	cleanup = append(cleanup, cancelT)
	res, err := shoot(tctx, o)
	if err != nil {
		return nil, classify(ctx, err, o, "")
	}
	res.Record.Browser.Name, res.Record.Browser.Version = browserName(res.Record.Browser.Version)
	// The DevTools product says "Chrome" for Chrome, Edge, Brave and
	// Chromium alike: the program that was run tells them apart.
	if kind := BrowserKind(execPath); kind != "Chromium" {
		res.Record.Browser.Name = strings.Replace(res.Record.Browser.Name, "Chromium", kind, 1)
	}

	// The browser's shutdown (and the removal of its profile) overlaps
	// with the caller's work on the result.
	handedOver = true
	done := make(chan struct{})
	shutdowns.Add(1)
	go func() {
		defer shutdowns.Done()
		defer close(done)
		if testHookRelease != nil {
			testHookRelease()
		}
		release()
	}()
	res.closed = done
	return res, nil
}

// shutdowns are the browsers still exiting after their capture returned.
var shutdowns sync.WaitGroup

// WaitBrowsers returns once every browser of the captures made so far has
// exited and its temporary files are removed. A command calls it before it
// exits, after it has told the person the result: the browser's exit and the
// profile's removal never add to the wait for the piece.
func WaitBrowsers() { shutdowns.Wait() }

// Close waits until the browser of the capture has exited and its
// temporary files are removed. It may be called more than once; it does
// nothing for an attached capture (the user's browser stays open).
func (r *Result) Close() {
	if r != nil && r.closed != nil {
		<-r.closed
	}
}

func browserName(product string) (string, string) {
	name, ver, ok := strings.Cut(product, "/")
	if !ok {
		return "Chromium", product
	}
	switch name {
	case "HeadlessChrome":
		name = "Chromium (sans interface)"
	case "Chrome":
		name = "Chromium"
	}
	return name, ver
}

// netLog follows the network from the target's event loop.
type netLog struct {
	mu        sync.Mutex
	mainFrame cdp.FrameID
	docReq    network.RequestID
	docResp   *network.Response
	redirects []protocol.Redirect
	internal  []string // the browser's own redirects, in French
	inflight  map[network.RequestID]bool
	streams   map[network.RequestID]bool // long-lived, not waited for
	last      time.Time                  // last network activity
	lastStart time.Time                  // last request started by a script
	loaded    time.Time                  // the load event
}

func (n *netLog) handle(ev any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if longLived[ev.Type] || browserOwn(ev) {
			// A stream that never ends must not hold the capture, nor
			// what the browser fetches for itself.
			n.streams[ev.RequestID] = true
			return
		}
		n.last = time.Now()
		n.inflight[ev.RequestID] = true
		if byScript(ev) {
			n.lastStart = n.last
		}
		if ev.Type != network.ResourceTypeDocument || (n.mainFrame != "" && ev.FrameID != n.mainFrame) {
			return
		}
		switch {
		case ev.RedirectResponse != nil && ev.RequestID == n.docReq:
			if why := internalRedirect(ev.RedirectResponse); why != "" {
				// Made up by the browser (HSTS, HTTPS upgrade): the server
				// sent nothing; noted, not listed as the server's.
				n.internal = append(n.internal, fmt.Sprintf("le navigateur a changé de lui-même l'adresse %s en %s (raison : %s), sans réponse du serveur", ev.RedirectResponse.URL, ev.Request.URL, why))
				break
			}
			n.redirects = append(n.redirects, protocol.Redirect{URL: ev.RedirectResponse.URL, Status: int(ev.RedirectResponse.Status)})
		case n.docReq != "" && ev.RequestID != n.docReq && n.docResp != nil:
			// A new document in the main frame: the page moved itself
			// (script or meta refresh). The earlier page is a hop.
			n.redirects = append(n.redirects, protocol.Redirect{URL: n.docResp.URL, Status: int(n.docResp.Status)})
			n.docResp = nil
		}
		n.docReq = ev.RequestID
	case *network.EventResponseReceived:
		if ev.RequestID == n.docReq {
			n.docResp = ev.Response
		}
		n.touch(ev.RequestID)
	case *network.EventLoadingFinished:
		delete(n.inflight, ev.RequestID)
		n.touch(ev.RequestID)
	case *network.EventLoadingFailed:
		delete(n.inflight, ev.RequestID)
		n.touch(ev.RequestID)
	case *network.EventDataReceived:
		n.touch(ev.RequestID)
	case *page.EventLoadEventFired:
		n.loaded = time.Now()
	}
}

// internalRedirect returns the reason of a redirect the browser made up
// itself (Chromium marks them with a Non-Authoritative-Reason header:
// HSTS, HttpsUpgrades…), "" for a redirect the server sent.
func internalRedirect(r *network.Response) string {
	if r == nil {
		return ""
	}
	for k, v := range r.Headers {
		if strings.EqualFold(k, "Non-Authoritative-Reason") {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// byScript tells whether a request comes from the page's scripts (fetch,
// XMLHttpRequest, or a resource a script inserted), not from the browser
// itself (the favicon) or the parser.
func byScript(ev *network.EventRequestWillBeSent) bool {
	if ev.Type == network.ResourceTypeXHR || ev.Type == network.ResourceTypeFetch {
		return true
	}
	return ev.Initiator != nil && ev.Initiator.Type == network.InitiatorTypeScript
}

// browserOwn tells whether the browser made the request for itself, not
// for the page's content: the favicon it asks for after the load event
// (resource type Other, initiated by nothing in the page). What it brings
// is not drawn in the page, so the capture does not wait for it.
func browserOwn(ev *network.EventRequestWillBeSent) bool {
	return ev.Type == network.ResourceTypeOther && (ev.Initiator == nil || ev.Initiator.Type == network.InitiatorTypeOther)
}

// touch notes network activity, except on a long-lived stream.
func (n *netLog) touch(id network.RequestID) {
	if !n.streams[id] {
		n.last = time.Now()
	}
}

// longLived are the requests that may stay open as long as the page: they
// do not count against network quiet.
var longLived = map[network.ResourceType]bool{
	network.ResourceTypeEventSource:        true,
	network.ResourceTypeWebSocket:          true,
	network.ResourceTypeMedia:              true,
	network.ResourceTypePing:               true,
	network.ResourceTypePrefetch:           true,
	network.ResourceTypeCSPViolationReport: true,
}

// quiet tells how long the network must still stay quiet: 0 when no
// request has been in flight for the quiet window.
func (n *netLog) quiet() time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	window := quietShort
	if !n.loaded.IsZero() && n.lastStart.After(n.loaded) {
		window = quietLong
	}
	if len(n.inflight) > 0 {
		return window
	}
	return max(0, window-time.Since(n.last))
}

func shoot(ctx context.Context, o Options) (_ *Result, err error) {
	r := &Result{}
	var nl *netLog
	var dl *dialogLog
	defer func() {
		// A page that answered but never settled is not a slow network:
		// say what is known of it.
		var le *chromedp.LoadError
		if errors.As(err, &le) {
			ne := &NavError{URL: o.URL, Code: le.ErrorText}
			if nl != nil {
				nl.mu.Lock()
				ne.Redirects = append(ne.Redirects, nl.redirects...)
				nl.mu.Unlock()
			}
			err = ne
		}
		if err != nil && errors.Is(err, context.DeadlineExceeded) && nl != nil {
			nl.mu.Lock()
			resp := nl.docResp
			nl.mu.Unlock()
			se := &StuckError{Timeout: o.Timeout}
			if dl != nil {
				var rec protocol.CaptureRecord
				dl.record(&rec)
				se.Dialogs = rec.Dialogs
				se.More = dl.count() - len(rec.Dialogs)
			}
			if resp != nil {
				se.Status = int(resp.Status)
			}
			if se.Status != 0 || len(se.Dialogs) > 0 {
				err = se
			}
		}
	}()
	rec := &r.Record
	rec.Tool = protocol.ToolVersion
	rec.Mode = protocol.ModeHeadless
	rec.URLRequested = o.URL
	rec.Insecure = o.Insecure
	rec.Attempt = o.Attempt
	rec.ClockSource = clockSource()
	rec.Machine = machineInfo()
	rec.Browser.FreshProfile = true
	rec.Browser.FullPage = o.FullPage

	ver, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	rec.Browser.Version = ver.Product
	// The headless browser says "HeadlessChrome" in its user agent, which
	// some sites refuse; send the one of the same Chromium with a window.
	ua := strings.Replace(ver.UserAgent, "HeadlessChrome/", "Chrome/", 1)
	rec.Browser.UserAgent = ua
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua}); err != nil {
		return nil, err
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(o.Width), int64(o.Height))); err != nil {
		return nil, err
	}
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	nl = &netLog{inflight: map[network.RequestID]bool{}, streams: map[network.RequestID]bool{}, last: time.Now()}
	if tree.FrameTree != nil && tree.FrameTree.Frame != nil {
		nl.mainFrame = tree.FrameTree.Frame.ID
	}
	if err := chromedp.Listen(ctx, nl.handle); err != nil {
		return nil, err
	}
	r.warc = newWARCLog()
	if err := chromedp.Listen(ctx, r.warc.handle); err != nil {
		return nil, err
	}
	if dl, err = watchDialogs(ctx, o.Now); err != nil {
		return nil, err
	}

	rec.Started = o.Now().UTC()
	o.progress("chargement de la page")
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(o.URL))
	if err != nil {
		return nil, err
	}
	rec.Loaded = o.Now().UTC()
	nl.mu.Lock()
	if nl.loaded.IsZero() {
		nl.loaded = time.Now()
	}
	nl.mu.Unlock()

	o.progress("attente du réseau calme")
	settle(ctx, o, nl, rec)
	lookForCover := answerConsent(ctx, o, nl, rec)

	nl.mu.Lock()
	if nl.docResp != nil {
		resp = nl.docResp
	}
	rec.Redirects = append([]protocol.Redirect(nil), nl.redirects...)
	rec.Notes = append(rec.Notes, nl.internal...)
	docReq := nl.docReq
	nl.mu.Unlock()
	if resp == nil {
		return nil, errors.New("aucune réponse du serveur pour le document")
	}
	fillResponse(rec, resp)
	if rec.TLS != nil {
		addCertificate(ctx, rec)
	}

	rec.Shot = o.Now().UTC()
	o.progress("capture d'écran")
	// The page has settled: what it says of itself, what may still cover
	// it, the fonts it missed, its MHTML snapshot and the bytes served are
	// read while the browser draws the screenshot (none of them changes
	// the page), one round trip each.
	var (
		reads   sync.WaitGroup
		view    tabView
		viewErr error
		cover   string
		fonts   []string
		snap    page.CaptureSnapshotResult
		snapErr error
		body    network.GetResponseBodyResult
		bodyErr error
		missing []string
		cut     int
	)
	reads.Go(func() { view, viewErr = chromedp.Run(ctx, chromedp.Evaluate[tabView](tabViewJS)) })
	reads.Go(func() {
		if lookForCover {
			cover = checkCover(ctx)
		}
		fonts = missingFonts(ctx)
	})
	reads.Go(func() {
		snap, snapErr = chromedp.Call(ctx, page.CaptureSnapshot, page.CaptureSnapshotParams{Format: page.CaptureSnapshotFormatMhtml})
	})
	reads.Go(func() {
		if docReq != "" {
			body, bodyErr = chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: docReq})
		}
		missing, cut = r.warc.fetchBodies(ctx)
	})
	if o.FullPage {
		// A full-page screenshot enlarges the viewport while it is drawn:
		// what depends on the viewport is read before.
		reads.Wait()
	}
	raw, w, h, pcut, err := screenshot(ctx, o.FullPage, o.Width)
	reads.Wait()
	if err != nil {
		return nil, fmt.Errorf("capture d'écran : %w", err)
	}
	if viewErr != nil {
		return nil, fmt.Errorf("lecture de la page : %w", viewErr)
	}
	if snapErr != nil {
		return nil, fmt.Errorf("instantané MHTML : %w", snapErr)
	}
	if cover != "" {
		rec.Notes = append(rec.Notes, cover)
	}
	if len(fonts) > 0 {
		rec.MissingFonts = fonts
		rec.Notes = append(rec.Notes, fontsNote(fonts))
	}
	if view.URL != "" {
		// The address at the moment of the screenshot (a script may have
		// changed it after the load, history.pushState); the document's
		// own address is kept beside it.
		rec.FinalURL = view.URL
		if resp.URL != "" && resp.URL != view.URL {
			rec.DocumentURL = resp.URL
		}
	}
	rec.PageTitle, rec.Browser.Scale = view.Title, view.Scale
	if o.ExpectText != "" {
		found := ContainsText(view.Text, o.ExpectText)
		rec.ExpectText, rec.ExpectFound = o.ExpectText, &found
	}
	if pcut.W > 0 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("page large de %d pixels : capture limitée aux %d premiers à gauche", pcut.W, w))
	}
	if pcut.H > 0 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("page haute de %d pixels : capture limitée aux %d premiers", pcut.H, h))
	}
	r.Raw = raw
	rec.Browser.Width, rec.Browser.Height = w, h
	if !o.FullPage {
		rec.Browser.Width, rec.Browser.Height = o.Width, o.Height
	}
	r.MHTML = []byte(snap.Data)
	dl.record(rec)
	switch {
	case docReq == "":
	case bodyErr == nil:
		r.Body = body.Body
		r.BodyExt = extFor(resp.MimeType)
		rec.BodySize = int64(len(body.Body))
	default:
		rec.Unrecorded = append(rec.Unrecorded, "octets du document tels que servis (le navigateur ne les a plus)")
	}
	if len(missing) > 0 {
		rec.Unrecorded = append(rec.Unrecorded, "dans l'archive WARC, le contenu de : "+strings.Join(missing, ", ")+" (le navigateur ne l'avait plus)")
	}
	if cut > 0 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("archive WARC limitée à %d Mo : %d ressources sans leur contenu", maxWARCBodies>>20, cut))
	}
	return r, nil
}

// settle waits, within the capture's time, for the page to be complete:
// network quiet, lazy images scrolled into view (full page), web fonts and
// images loaded. A page that never settles (a request that never ends) is
// still captured; the record says which wait was cut short.
func settle(ctx context.Context, o Options, nl *netLog, rec *protocol.CaptureRecord) {
	budget := func() time.Duration {
		d := 15 * time.Second
		if dl, ok := ctx.Deadline(); ok {
			if rest := time.Until(dl) / 3; rest < d {
				d = rest
			}
		}
		return d
	}
	noisy := false
	waitQuiet := func() {
		if noisy {
			return // already waited in vain: do not wait twice
		}
		end := time.Now().Add(budget())
		for rest := nl.quiet(); rest > 0; rest = nl.quiet() {
			if time.Now().After(end) || ctx.Err() != nil {
				noisy = true
				rec.Notes = append(rec.Notes, "le réseau n'est pas devenu calme avant la capture (requêtes encore en cours)")
				return
			}
			// Look again when the window could end, or sooner while
			// requests are in flight.
			time.Sleep(min(rest, 50*time.Millisecond))
		}
	}
	waitQuiet()
	if o.FullPage {
		// Lazy images are fetched only near the viewport: scroll through
		// the page, then back to the top.
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](scrollJS, chromedp.EvalAwaitPromise))
		if err != nil && ctx.Err() == nil {
			rec.Notes = append(rec.Notes, "défilement de la page impossible : "+err.Error())
		}
	}
	cond := assetsJS(o.FullPage)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(budget()))); err != nil && ctx.Err() == nil {
		rec.Notes = append(rec.Notes, "polices ou images encore en chargement au moment de la capture")
	}
	waitQuiet()
}

const scrollJS = `(async () => {
  const pause = () => new Promise(r => setTimeout(r, 60));
  const step = Math.max(200, window.innerHeight);
  for (let i = 0, y = 0; i < 200; i++) {
    const h = Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0);
    if (y >= h) break;
    window.scrollTo(0, y);
    y += step;
    await pause();
  }
  window.scrollTo(0, 0);
  await pause();
  return true;
})()`

func assetsJS(fullPage bool) string {
	inView := "true"
	if !fullPage {
		// In viewport mode, a lazy image below the fold is never fetched.
		inView = "(i.loading !== 'lazy' || i.getBoundingClientRect().top < window.innerHeight)"
	}
	return `document.readyState === 'complete' && document.fonts.status === 'loaded' &&
  Array.from(document.images).every(i => i.complete || !(` + inView + `))`
}

// ContainsText compares with spaces collapsed and case ignored: "Aucun
// créneau" matches "AUCUN  créneau" split over two lines.
func ContainsText(text, want string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	return strings.Contains(norm(text), norm(want))
}

// pageCut gives the page's full size when the full-page capture was cut
// (0 when it was not).
type pageCut struct{ W, H int }

func screenshot(ctx context.Context, fullPage bool, viewportW int) (shot []byte, w, h int, cut pageCut, err error) {
	if !fullPage {
		b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		return b, 0, 0, cut, err
	}
	m, err := chromedp.Call(ctx, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return nil, 0, 0, cut, err
	}
	fw, fh := 0.0, 0.0
	if m.CSSContentSize != nil {
		fw, fh = m.CSSContentSize.Width, m.CSSContentSize.Height
	}
	if m.CSSLayoutViewport != nil {
		fw = math.Max(fw, float64(m.CSSLayoutViewport.ClientWidth))
		fh = math.Max(fh, float64(m.CSSLayoutViewport.ClientHeight))
	}
	fw, fh = math.Ceil(fw), math.Ceil(fh)
	fw, fh, cut = boundPage(fw, fh, viewportW)
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		CaptureBeyondViewport: new(true),
		FromSurface:           new(true),
		Clip:                  &page.Viewport{X: 0, Y: 0, Width: fw, Height: fh, Scale: 1},
	})
	if err != nil {
		return nil, 0, 0, cut, err
	}
	return res.Data, int(fw), int(fh), cut, nil
}

// boundPage bounds a full-page capture: width at maxPageWidth (or the
// viewport's when wider), height at maxPageHeight, area at maxPagePixels.
func boundPage(fw, fh float64, viewportW int) (float64, float64, pageCut) {
	var cut pageCut
	maxW := math.Max(maxPageWidth, float64(viewportW))
	if fw > maxW {
		cut.W, fw = int(fw), maxW
	}
	maxH := math.Min(maxPageHeight, math.Floor(maxPagePixels/fw))
	if fh > maxH {
		cut.H, fh = int(fh), maxH
	}
	return fw, fh, cut
}

// secretHeader tells whether a response header could let someone reuse a
// session or an account (cookies, bearer tokens, API keys): its value is
// left out of the record (lk is lower case).
func secretHeader(lk string) bool {
	switch lk {
	case "set-cookie", "set-cookie2", "cookie", "authorization", "proxy-authorization":
		return true
	case "www-authenticate", "proxy-authenticate":
		return false // the scheme asked for, no secret
	}
	for _, w := range []string{"token", "secret", "api-key", "apikey", "session", "auth", "password", "jwt"} {
		if strings.Contains(lk, w) {
			return true
		}
	}
	return false
}

func fillResponse(rec *protocol.CaptureRecord, resp *network.Response) {
	if rec.FinalURL == "" {
		rec.FinalURL = resp.URL
	}
	rec.Status = int(resp.Status)
	rec.StatusText = resp.StatusText
	rec.ServerIP = strings.Trim(resp.RemoteIPAddress, "[]")
	rec.ServerPort = int(resp.RemotePort)
	rec.Protocol = resp.Protocol
	if len(resp.Headers) > 0 {
		rec.Headers = map[string]string{}
		keys := make([]string, 0, len(resp.Headers))
		for k := range resp.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			lk := strings.ToLower(k)
			if secretHeader(lk) {
				rec.Headers[lk] = "(non enregistré : valeur secrète, cookie ou jeton de session)"
				continue
			}
			rec.Headers[lk] = fmt.Sprint(resp.Headers[k])
		}
	}
	if sd := resp.SecurityDetails; sd != nil {
		rec.TLS = &protocol.TLSInfo{
			Protocol:  sd.Protocol,
			Cipher:    strings.Trim(sd.KeyExchange+" "+sd.KeyExchangeGroup+" "+sd.Cipher+" "+sd.Mac, " "),
			Subject:   sd.SubjectName,
			Issuer:    sd.Issuer,
			SAN:       sd.SanList,
			ValidFrom: epoch(float64(sd.ValidFrom)),
			ValidTo:   epoch(float64(sd.ValidTo)),
		}
	}
}

// addCertificate completes the TLS details with the server's certificate
// itself (full subject and issuer names, SHA-256 fingerprint), which the
// browser still holds for the page's origin.
func addCertificate(ctx context.Context, rec *protocol.CaptureRecord) {
	u, err := url.Parse(rec.FinalURL)
	if err != nil || u.Scheme != "https" {
		return
	}
	cert, fp, ok := serverCertificate(ctx, u)
	if !ok {
		return
	}
	if s := cert.Subject.String(); s != "" {
		rec.TLS.Subject = s
	}
	if s := cert.Issuer.String(); s != "" {
		rec.TLS.Issuer = s
	}
	rec.TLS.ValidFrom, rec.TLS.ValidTo = cert.NotBefore.UTC(), cert.NotAfter.UTC()
	rec.TLS.Fingerprint = fp
}

// serverCertificate asks the browser for the leaf certificate of u's origin.
func serverCertificate(ctx context.Context, u *url.URL) (*x509.Certificate, string, bool) {
	res, err := chromedp.Call(ctx, network.GetCertificate, network.GetCertificateParams{Origin: u.Scheme + "://" + u.Host})
	if err != nil || len(res.TableNames) == 0 {
		return nil, "", false
	}
	der, err := base64.StdEncoding.DecodeString(res.TableNames[0])
	if err != nil {
		return nil, "", false
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, "", false
	}
	sum := sha256.Sum256(der)
	return cert, hex.EncodeToString(sum[:]), true
}

func epoch(sec float64) time.Time {
	s, frac := math.Modf(sec)
	return time.Unix(int64(s), int64(frac*1e9)).UTC()
}

func extFor(mimeType string) string {
	switch mimeType {
	case "text/html", "application/xhtml+xml":
		return ".html"
	case "text/plain":
		return ".txt"
	case "application/json":
		return ".json"
	case "application/pdf":
		return ".pdf"
	}
	if exts, _ := mime.ExtensionsByType(mimeType); len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}

// StuckError is a page that answered (or opened dialogs) but did not let
// the capture finish in time: its scripts keep the browser busy, or its
// resources are still loading. It is not a connection problem.
type StuckError struct {
	Status  int // the document's HTTP status, 0 when none came
	Dialogs []protocol.DialogRecord
	More    int // further dialogs, not detailed
	Timeout time.Duration
}

func (e *StuckError) Error() string {
	if n := len(e.Dialogs) + e.More; n > 0 {
		d := e.Dialogs[len(e.Dialogs)-1]
		return fmt.Sprintf("la page a ouvert %d dialogue(s) JavaScript (dernier : %s « %s ») et n'a pas rendu la main dans le délai (%s)",
			n, d.Type, clip(d.Message, 200), e.Timeout)
	}
	return fmt.Sprintf("la page a répondu (HTTP %d) mais ne s'est pas stabilisée dans le délai (%s) : ressources encore en cours de chargement, ou scripts de la page qui ne rendent pas la main", e.Status, e.Timeout)
}

// Unwrap makes it match ErrTimeout.
func (e *StuckError) Unwrap() error { return ErrTimeout }

// clip shortens s to n runes, with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// NavError is a page that could not be loaded at all (no HTTP answer).
type NavError struct {
	URL  string
	Code string // Chromium's net::ERR_... text
	// Redirects are the hops the server sent before the failure (a
	// redirect loop, a redirect the browser refuses).
	Redirects []protocol.Redirect
}

func (e *NavError) Error() string {
	msg := e.message()
	if n := len(e.Redirects); n > 0 {
		hops := make([]string, 0, 6)
		for i, r := range e.Redirects {
			if i == 5 && n > 6 {
				hops = append(hops, fmt.Sprintf("… (%d autres)", n-6))
				r = e.Redirects[n-1]
			} else if i > 5 {
				break
			}
			hops = append(hops, fmt.Sprintf("%s (HTTP %d)", clip(r.URL, 300), r.Status))
		}
		msg += fmt.Sprintf(" ; redirections reçues du serveur (%d) : %s", n, strings.Join(hops, " → "))
	}
	return msg
}

func (e *NavError) message() string {
	host := e.URL
	if u, err := url.Parse(e.URL); err == nil && u.Host != "" {
		host = u.Host
	}
	switch {
	case strings.Contains(e.Code, "ERR_NAME_NOT_RESOLVED"), strings.Contains(e.Code, "ERR_NAME_RESOLUTION_FAILED"):
		return fmt.Sprintf("le nom %s est introuvable (DNS) (%s)", host, e.Code)
	case strings.Contains(e.Code, "ERR_CONNECTION_REFUSED"):
		return fmt.Sprintf("le serveur %s refuse la connexion (%s)", host, e.Code)
	case strings.Contains(e.Code, "ERR_CERT_"), strings.Contains(e.Code, "ERR_SSL_"):
		return fmt.Sprintf("le certificat TLS de %s n'est pas valide (%s)", host, e.Code)
	case strings.Contains(e.Code, "TIMED_OUT"):
		return fmt.Sprintf("le serveur %s ne répond pas (%s)", host, e.Code)
	case strings.Contains(e.Code, "ERR_TOO_MANY_REDIRECTS"):
		return fmt.Sprintf("la page %s redirige sans fin : le navigateur a arrêté après %d redirections (%s)", e.URL, len(e.Redirects), e.Code)
	case strings.Contains(e.Code, "ERR_UNSAFE_REDIRECT"):
		return fmt.Sprintf("la page %s redirige vers une adresse que le navigateur refuse d'ouvrir (fichier local, data:…) (%s)", e.URL, e.Code)
	case strings.Contains(e.Code, "ERR_INTERNET_DISCONNECTED"), strings.Contains(e.Code, "ERR_ADDRESS_UNREACHABLE"), strings.Contains(e.Code, "ERR_NETWORK"):
		return fmt.Sprintf("le réseau est inaccessible (%s)", e.Code)
	}
	return fmt.Sprintf("la page %s n'a pas pu être chargée (%s)", e.URL, e.Code)
}

// Unwrap makes a certificate problem match ErrCertificate and a network
// timeout match ErrTimeout.
func (e *NavError) Unwrap() error {
	switch {
	case strings.Contains(e.Code, "ERR_CERT_"), strings.Contains(e.Code, "ERR_SSL_"):
		return ErrCertificate
	case strings.Contains(e.Code, "TIMED_OUT"):
		return ErrTimeout
	}
	return nil
}

// classify turns what chromedp returned into one of this package's errors.
func classify(parent context.Context, err error, o Options, during string) error {
	var le *chromedp.LoadError
	var ee *exec.ExitError
	var en *exec.Error
	switch {
	case parent.Err() != nil:
		// Ctrl-C: the terminal also signals Chromium (same process group),
		// so its death is not the cause.
		return fmt.Errorf("capture interrompue : %w", parent.Err())
	case errors.As(err, new(*StuckError)), errors.As(err, new(*NavError)):
		return err
	case errors.As(err, &en):
		return fmt.Errorf("%w (%s : %v)", ErrNoChromium, en.Name, en.Err)
	case errors.As(err, &le):
		return &NavError{URL: o.URL, Code: le.ErrorText}
	case errors.As(err, &ee), strings.Contains(err.Error(), "lost the connection to the browser"):
		return fmt.Errorf("%w (%v)", ErrBrowserDied, err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Errorf("%w (%s)", ErrTimeout, o.Timeout)
	}
	if during != "" {
		return fmt.Errorf("%s : %w", during, err)
	}
	return err
}
