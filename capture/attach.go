package capture

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"anefdossier/protocol"
)

// AttachOptions of a capture in the user's own browser.
type AttachOptions struct {
	// DevTools is the browser's debugging address, http://127.0.0.1:9222.
	DevTools string
	// TabURL, when set, keeps only the tabs whose address contains it.
	TabURL     string
	ExpectText string
	Timeout    time.Duration // 0 = DefaultTimeout
	Now        func() time.Time
	Attempt    int
}

// What an attached capture cannot know: the page was loaded before we came.
var attachedUnrecorded = []string{
	"adresse IP et port du serveur (page chargée avant la capture)",
	"en-têtes de la réponse du serveur",
	"chaîne de redirections",
	"protocole et chiffrement de la connexion TLS",
	"octets du document tels que le serveur les a envoyés",
	"profil vierge : c'est le navigateur de l'utilisateur, avec sa session ouverte",
}

// CheckDevTools accepts only a debugging address on this machine: the
// DevTools port gives full control of the browser and its logged-in session.
func CheckDevTools(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "ws") || u.Host == "" {
		return nil, fmt.Errorf("« %s » n'est pas une adresse de débogage (http://127.0.0.1:9222)", raw)
	}
	host := u.Hostname()
	if host != "localhost" {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("« %s » n'est pas sur cette machine : seule une adresse 127.0.0.1 est acceptée", raw)
		}
	}
	return u, nil
}

type navEntry struct {
	Status   int     `json:"status"`
	Protocol string  `json:"protocol"`
	Origin   float64 `json:"origin"`
	Start    float64 `json:"start"`
	Loaded   float64 `json:"loaded"`
	Type     string  `json:"type"`
}

// tabView is what a page says of itself, read in one evaluation.
type tabView struct {
	URL    string  `json:"url"`
	Title  string  `json:"title"`
	UA     string  `json:"ua"`
	Width  int     `json:"w"`
	Height int     `json:"h"`
	Scale  float64 `json:"dpr"`
	Text   string  `json:"text"`
}

const tabViewJS = `({url: location.href, title: document.title, ua: navigator.userAgent,
	w: window.innerWidth, h: window.innerHeight, dpr: window.devicePixelRatio,
	text: document.body ? document.body.innerText : ""})`

// Attach captures the visible tab of a browser the user started with a
// DevTools port (see [StartBrowser]). It never navigates, reloads, resizes
// or closes the tab: it reads the page and takes what the user sees. The
// record says it was an attached capture and lists what could not be
// recorded that way.
func Attach(ctx context.Context, o AttachOptions) (*Result, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = protocol.Now
	}
	if _, err := CheckDevTools(o.DevTools); err != nil {
		return nil, err
	}
	tctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	allocCtx, cancelA := remote.NewAllocator(tctx, o.DevTools)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(allocCtx)
	defer cancelB()

	infos, err := chromedp.Targets(bctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("capture interrompue : %w", ctx.Err())
		}
		return nil, fmt.Errorf("%w à %s : %v", ErrAttach, o.DevTools, err)
	}
	var tabCtx context.Context
	var seen, visible []string
	for _, info := range infos {
		if info.Type != "page" || strings.HasPrefix(info.URL, "devtools://") {
			continue
		}
		if o.TabURL != "" && !strings.Contains(info.URL, o.TabURL) {
			continue
		}
		seen = append(seen, info.URL)
		// WithDetachOnCancel: leaving must not close the user's tab.
		c, cancelTab := chromedp.NewContext(bctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
		defer cancelTab()
		state, err := chromedp.Run(c, chromedp.Evaluate[string](`document.visibilityState`))
		if err != nil || state != "visible" {
			cancelTab()
			continue
		}
		visible = append(visible, info.URL)
		if tabCtx == nil {
			tabCtx = c
		}
	}
	switch {
	case len(visible) == 0 && len(seen) == 0 && o.TabURL != "":
		return nil, fmt.Errorf("%w : aucun onglet ouvert ne contient « %s »", ErrNoTab, o.TabURL)
	case len(visible) == 0 && len(seen) == 0:
		return nil, fmt.Errorf("%w : le navigateur n'a aucun onglet ouvert", ErrNoTab)
	case len(visible) == 0:
		return nil, fmt.Errorf("%w : les onglets %s sont masqués ; affichez celui à capturer", ErrNoTab, strings.Join(seen, ", "))
	case len(visible) > 1:
		return nil, fmt.Errorf("%w : plusieurs onglets sont affichés (%s) ; choisissez avec --tab-url", ErrNoTab, strings.Join(visible, ", "))
	}

	r, err := shootAttached(tabCtx, o, visible[0])
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("capture interrompue : %w", ctx.Err())
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w (%s)", ErrTimeout, o.Timeout)
		}
		return nil, fmt.Errorf("capture de l'onglet : %w", err)
	}
	return r, nil
}

func shootAttached(ctx context.Context, o AttachOptions, tabURL string) (*Result, error) {
	r := &Result{}
	rec := &r.Record
	rec.Tool = protocol.ToolVersion
	rec.Mode = protocol.ModeAttached
	rec.Attempt = o.Attempt
	rec.ClockSource = clockSource()
	rec.Machine = machineInfo()
	rec.Unrecorded = append(rec.Unrecorded, attachedUnrecorded...)

	// A tab still loading is waited for (reading only: nothing is sent to
	// the page). A tab whose address is set but whose document is still the
	// initial about:blank (a navigation not yet committed) is loading too.
	loaded := `document.readyState === "complete"`
	if tabURL != "about:blank" {
		loaded += ` && location.href !== "about:blank"`
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](loaded,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(o.Timeout/2))); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec.Notes = append(rec.Notes, "la page de l'onglet n'avait pas fini de se charger au moment de la capture")
	}
	if ver, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{}); err == nil {
		rec.Browser.Name, rec.Browser.Version = browserName(ver.Product)
	}
	view, err := chromedp.Run(ctx, chromedp.Evaluate[tabView](tabViewJS))
	if err != nil {
		return nil, err
	}
	rec.URLRequested, rec.FinalURL, rec.PageTitle = view.URL, view.URL, view.Title
	rec.Browser.UserAgent = view.UA
	rec.Browser.Width, rec.Browser.Height, rec.Browser.Scale = view.Width, view.Height, view.Scale

	// The response events of a page loaded earlier are gone, but the
	// navigation timing entry keeps its status and times.
	nav, err := chromedp.Run(ctx, chromedp.Evaluate[*navEntry](`(() => {
		const e = performance.getEntriesByType("navigation")[0];
		if (!e) return null;
		return {status: e.responseStatus || 0, protocol: e.nextHopProtocol || "", origin: performance.timeOrigin,
			start: e.startTime, loaded: e.loadEventEnd || e.domContentLoadedEventEnd || 0, type: e.type};
	})()`))
	if err == nil && nav != nil {
		rec.Status = nav.Status
		rec.Protocol = nav.Protocol
		rec.Started = msTime(nav.Origin + nav.Start)
		if nav.Loaded > 0 {
			rec.Loaded = msTime(nav.Origin + nav.Loaded)
		}
		if nav.Type != "" && nav.Type != "navigate" {
			rec.Notes = append(rec.Notes, "type de chargement de la page selon le navigateur : "+nav.Type)
		}
	}
	if rec.Status == 0 {
		rec.Unrecorded = append(rec.Unrecorded, "statut HTTP (le navigateur ne le donne pas)")
	}
	if u, err := url.Parse(view.URL); err == nil && u.Scheme == "https" {
		if !attachedCertificate(ctx, rec, u) {
			rec.Unrecorded = append(rec.Unrecorded, "certificat TLS du serveur")
		}
	}
	if o.ExpectText != "" {
		found := ContainsText(view.Text, o.ExpectText)
		rec.ExpectText, rec.ExpectFound = o.ExpectText, &found
	}
	rec.Shot = o.Now().UTC()
	if rec.Started.IsZero() {
		rec.Started = rec.Shot
	}
	raw, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return nil, fmt.Errorf("capture d'écran : %w", err)
	}
	r.Raw = raw
	snap, err := chromedp.Call(ctx, page.CaptureSnapshot, page.CaptureSnapshotParams{Format: page.CaptureSnapshotFormatMhtml})
	if err != nil {
		rec.Unrecorded = append(rec.Unrecorded, "instantané MHTML de la page")
	} else {
		r.MHTML = []byte(snap.Data)
	}
	return r, nil
}

func msTime(ms float64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	s, frac := math.Modf(ms / 1000)
	return time.Unix(int64(s), int64(frac*1e9)).UTC()
}

func attachedCertificate(ctx context.Context, rec *protocol.CaptureRecord, u *url.URL) bool {
	cert, fp, ok := serverCertificate(ctx, u)
	if !ok {
		return false
	}
	rec.TLS = &protocol.TLSInfo{Subject: cert.Subject.String(), Issuer: cert.Issuer.String(),
		SAN: certNames(cert), ValidFrom: cert.NotBefore.UTC(), ValidTo: cert.NotAfter.UTC(), Fingerprint: fp}
	return true
}

func certNames(c *x509.Certificate) []string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}
