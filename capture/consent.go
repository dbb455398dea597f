package capture

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"anefdossier/protocol"
)

// Consent banners. Before the screenshot of a headless capture, the banner
// of a known consent manager is answered with its "refuse all" (or
// "continue without accepting") choice: it is the person's privacy choice,
// and it uncovers the page the capture is meant to prove. The record says
// which manager was found, what was clicked and when. With
// Options.KeepConsent the banner is left as it is (and recorded as seen).
//
// A manager is known by the selectors its documentation gives for its
// banner and its refusal button. The button is clicked as a person would;
// when it cannot be found, the manager's documented JavaScript call is
// used when there is one. A capture in the user's own browser (attached)
// never touches the page: the person answers the banner themselves.

// consentManager is one known consent manager.
type consentManager struct {
	Name string // as recorded
	// Banner is a CSS selector of the visible banner (or its dialog).
	Banner string
	// Refuse lists selectors of the refusal button, best first.
	Refuse []string
	// API is a JavaScript statement that refuses all through the
	// manager's documented interface, used when no button is found ("" =
	// none).
	API string
	// Global is the manager's script object: when it is there but its
	// banner not yet visible, the banner is waited for a moment.
	Global string
}

// consentManagers are the managers answered, in the order they are looked
// for. Selectors come from each manager's documentation or its published
// source:
//   - tarteaucitron (tarteaucitron.io): #tarteaucitronAlertBig, button
//     #tarteaucitronAllDenied2, tarteaucitron.userInterface.respondAll(false);
//   - the State design system's consent banner (DSFR, "gestionnaire de
//     consentement"): .fr-consent-banner, its "Tout refuser" button (the
//     design system gives the markup; the site's own script hides it);
//   - vanilla-cookieconsent v3: #cc-main .cm, button [data-role=necessary]
//     ("Reject all"), CookieConsent.acceptCategory([]);
//   - cookieconsent by Osano: .cc-window, .cc-deny (opt-in) or .cc-dismiss;
//   - Didomi: #didomi-notice, #didomi-notice-disagree-button or the
//     "continue without agreeing" link, Didomi.setUserDisagreeToAll();
//   - Axeptio: #axeptio_overlay, #axeptio_btn_dismiss;
//   - OneTrust: #onetrust-banner-sdk, #onetrust-reject-all-handler,
//     OneTrust.RejectAll();
//   - Cookiebot: #CybotCookiebotDialog, #CybotCookiebotDialogBodyButtonDecline.
var consentManagers = []consentManager{
	{Name: "tarteaucitron", Global: "tarteaucitron", Banner: "#tarteaucitronAlertBig",
		Refuse: []string{"#tarteaucitronAllDenied2", "#tarteaucitronAllDenied"},
		API:    "tarteaucitron.userInterface.respondAll(false)"},
	{Name: "DSFR (gestionnaire de consentement du système de design de l'État)", Banner: ".fr-consent-banner",
		Refuse: []string{"text:.fr-consent-banner button:tout refuser", "text:.fr-consent-banner button:refuser"}},
	{Name: "vanilla-cookieconsent", Global: "CookieConsent", Banner: "#cc-main .cm",
		Refuse: []string{"#cc-main .cm [data-role=necessary]"},
		API:    "CookieConsent.acceptCategory([])"},
	{Name: "cookieconsent (Osano)", Global: "cookieconsent", Banner: ".cc-window:not(.cc-invisible)",
		Refuse: []string{".cc-window .cc-deny", ".cc-window .cc-dismiss"}},
	{Name: "Didomi", Global: "Didomi", Banner: "#didomi-notice, #didomi-popup",
		Refuse: []string{"#didomi-notice-disagree-button", ".didomi-continue-without-agreeing", "#didomi-popup .didomi-button-standard"},
		API:    "Didomi.setUserDisagreeToAll()"},
	{Name: "Axeptio", Global: "axeptioSettings", Banner: "#axeptio_overlay",
		Refuse: []string{"#axeptio_btn_dismiss"}},
	{Name: "OneTrust", Global: "OneTrust", Banner: "#onetrust-banner-sdk",
		Refuse: []string{"#onetrust-reject-all-handler"},
		API:    "OneTrust.RejectAll()"},
	{Name: "Cookiebot", Global: "Cookiebot", Banner: "#CybotCookiebotDialog",
		Refuse: []string{"#CybotCookiebotDialogBodyButtonDecline", "#CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll"}},
}

// pendingWait bounds the wait for a banner whose manager is on the page
// but which is not visible yet.
const pendingWait = 2 * time.Second

// consentFound is what the page script reports.
type consentFound struct {
	Manager string `json:"manager"`
	Clicked string `json:"clicked"` // the button's text
	Target  string `json:"target"`  // the selector that matched, or "api"
	Error   string `json:"error"`
	// Pending: a manager is on the page but its banner is not visible
	// yet (still appearing).
	Pending bool `json:"pending"`
}

// consentJS builds the script that looks for the managers in order and,
// when act is true, answers the first one found. Selectors are searched in
// the document and in open shadow roots. A selector "text:SEL:WORDS" is the
// first element matching SEL whose text contains WORDS (case ignored).
func consentJS(act bool) string {
	var b strings.Builder
	b.WriteString(`(() => {
  const roots = () => {
    const out = [document];
    const walk = (r) => { for (const e of r.querySelectorAll('*')) if (e.shadowRoot) { out.push(e.shadowRoot); walk(e.shadowRoot); } };
    walk(document);
    return out;
  };
  const all = roots();
  const visible = (e) => {
    if (!e || !e.isConnected) return false;
    const s = getComputedStyle(e);
    if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
    const r = e.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const find = (sel) => {
    let text = '';
    if (sel.startsWith('text:')) { const i = sel.lastIndexOf(':'); text = sel.slice(i + 1); sel = sel.slice(5, i); }
    for (const r of all) for (const e of r.querySelectorAll(sel)) {
      if (!visible(e)) continue;
      if (text && !(e.innerText || e.textContent || '').toLowerCase().includes(text)) continue;
      return e;
    }
    return null;
  };
  const managers = `)
	b.WriteString(consentManagersJSON())
	b.WriteString(`;
  let pending = false;
  for (const m of managers) {
    const banner = find(m.banner);
    if (!banner) {
      if ((m.global && typeof window[m.global] !== 'undefined') || all.some(r => r.querySelector(m.banner))) pending = true;
      continue;
    }
    const out = {manager: m.name, clicked: '', target: '', error: ''};
    if (!`)
	fmt.Fprintf(&b, "%t", act)
	b.WriteString(`) return out;
    for (const sel of m.refuse) {
      const btn = find(sel);
      if (!btn) continue;
      out.clicked = ((btn.innerText || btn.textContent || btn.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim());
      out.target = sel.startsWith('text:') ? sel.slice(5, sel.lastIndexOf(':')) : sel;
      try { btn.click(); } catch (e) { out.error = String(e); }
      return out;
    }
    if (m.api && typeof window[m.api.split(/[.(]/)[0]] !== 'undefined') {
      try { (0, eval)(m.api); out.target = 'api'; out.clicked = m.api; } catch (e) { out.error = String(e); }
      return out;
    }
    out.error = 'no-button';
    return out;
  }
  return pending ? {pending: true} : null;
})()`)
	return b.String()
}

func consentManagersJSON() string {
	var b strings.Builder
	b.WriteString("[")
	for i, m := range consentManagers {
		if i > 0 {
			b.WriteString(",")
		}
		refuse := make([]string, len(m.Refuse))
		for j, r := range m.Refuse {
			refuse[j] = jsString(r)
		}
		fmt.Fprintf(&b, "{name:%s,banner:%s,refuse:[%s],api:%s,global:%s}", jsString(m.Name), jsString(m.Banner),
			strings.Join(refuse, ","), jsString(m.API), jsString(m.Global))
	}
	b.WriteString("]")
	return b.String()
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "<", `\x3c`)
	return "'" + r.Replace(s) + "'"
}

// bannerGoneJS tells whether the banner of the named manager is no longer
// visible.
func bannerGoneJS(m consentManager) string {
	return `(() => {
  const sel = ` + jsString(m.Banner) + `;
  const roots = [document];
  const walk = (r) => { for (const e of r.querySelectorAll('*')) if (e.shadowRoot) { roots.push(e.shadowRoot); walk(e.shadowRoot); } };
  walk(document);
  for (const r of roots) for (const e of r.querySelectorAll(sel)) {
    const s = getComputedStyle(e);
    if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) < 0.05) continue;
    const b = e.getBoundingClientRect();
    if (b.width > 1 && b.height > 1 && b.bottom > 0 && b.top < innerHeight) return false;
  }
  return true;
})()`
}

// findConsent looks for a known consent manager's banner and, unless
// keep is set, answers it with its refusal. It returns the record of what
// happened (nil when no known banner is visible) and warnings in French.
func findConsent(ctx context.Context, keep bool, now func() time.Time) (*protocol.ConsentRecord, []string) {
	var found *consentFound
	var err error
	// A banner may still be appearing (a timer, a fade-in): wait for it
	// at most pendingWait when its manager is on the page.
	for end := time.Now().Add(pendingWait); ; {
		found, err = chromedp.Run(ctx, chromedp.Evaluate[*consentFound](consentJS(!keep)))
		if err != nil || found == nil || !found.Pending || time.Now().After(end) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if found != nil && found.Pending {
		found = nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, []string{"recherche d'un bandeau de consentement impossible : " + err.Error()}
	}
	if found == nil {
		return nil, nil
	}
	rec := &protocol.ConsentRecord{Manager: found.Manager, At: now().UTC()}
	if keep {
		rec.Action = "laissé tel quel (--keep-consent)"
		return rec, []string{fmt.Sprintf("bandeau de consentement %s laissé affiché (--keep-consent) : il peut masquer une partie de la page", found.Manager)}
	}
	var m consentManager
	for _, c := range consentManagers {
		if c.Name == found.Manager {
			m = c
		}
	}
	switch {
	case found.Error == "no-button":
		rec.Action = "aucun bouton de refus trouvé"
		rec.Result = "bandeau encore affiché"
		return rec, []string{fmt.Sprintf("bandeau de consentement %s : aucun bouton « Tout refuser » trouvé, le bandeau reste sur la capture", found.Manager)}
	case found.Error != "":
		rec.Action = "échec : " + found.Error
		rec.Result = "bandeau encore affiché"
		return rec, []string{fmt.Sprintf("bandeau de consentement %s : le refus a échoué (%s), le bandeau reste sur la capture", found.Manager, found.Error)}
	case found.Target == "api":
		rec.Action = "refus par l'interface du gestionnaire : " + found.Clicked
	default:
		rec.Action = fmt.Sprintf("clic sur « %s » (%s)", found.Clicked, found.Target)
	}
	// The banner usually leaves with an animation, and a centred banner
	// takes the page's blur with it.
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](bannerGoneJS(m), chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(3*time.Second)))
	if err != nil {
		if ctx.Err() != nil {
			return rec, nil
		}
		rec.Result = "bandeau encore affiché après le refus"
		return rec, []string{fmt.Sprintf("bandeau de consentement %s : « %s » a été cliqué mais le bandeau est resté affiché", found.Manager, found.Clicked)}
	}
	rec.Result = "bandeau fermé"
	// Let a closing transition (opacity, blur) end before the screenshot.
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => setTimeout(() => r(true), 400)))`, chromedp.EvalAwaitPromise))
	return rec, nil
}

// coverJS returns the largest share of the viewport covered by one fixed
// or sticky element (or a blurred page), with a short description of it.
const coverJS = `(() => {
  const vw = innerWidth, vh = innerHeight, area = vw * vh;
  let best = {share: 0, what: ''};
  const all = document.body ? document.body.querySelectorAll('*') : [];
  const n = Math.min(all.length, 20000);
  for (let i = 0; i < n; i++) {
    const e = all[i];
    const s = getComputedStyle(e);
    if (s.position !== 'fixed' && s.position !== 'sticky') continue;
    if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) < 0.05) continue;
    const r = e.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    const share = (w * h) / area;
    if (share > best.share) {
      let what = e.tagName.toLowerCase();
      if (e.id) what += '#' + e.id;
      else if (typeof e.className === 'string' && e.className.trim()) what += '.' + e.className.trim().split(/\s+/).slice(0, 2).join('.');
      const text = (e.innerText || '').replace(/\s+/g, ' ').trim().slice(0, 80);
      best = {share, what: text ? what + ' « ' + text + ' »' : what};
    }
  }
  return best;
})()`

type coverage struct {
	Share float64 `json:"share"`
	What  string  `json:"what"`
}

// coverThreshold is the share of the viewport above which a fixed element
// is said to hide the page.
const coverThreshold = 0.3

// checkCover warns when a fixed element still covers a large part of the
// viewport (an unknown consent manager, a pop-up).
func checkCover(ctx context.Context) string {
	c, err := chromedp.Run(ctx, chromedp.Evaluate[coverage](coverJS))
	if err != nil || c.Share < coverThreshold {
		return ""
	}
	return fmt.Sprintf("un élément fixe couvre %d %% de la fenêtre au moment de la capture (%s) : bandeau ou fenêtre surgissante non reconnu, la page peut être en partie masquée", int(c.Share*100+0.5), c.What)
}

// answerConsent answers a consent banner (then lets the page settle
// again: refusing may load or remove content). It tells whether to look
// for a fixed element that still hides much of the viewport: not when a
// banner was left on purpose or could not be closed (the record says so).
func answerConsent(ctx context.Context, o Options, nl *netLog, rec *protocol.CaptureRecord) bool {
	c, warns := findConsent(ctx, o.KeepConsent, o.Now)
	rec.Consent = c
	rec.Notes = append(rec.Notes, warns...)
	if c != nil && !o.KeepConsent {
		settle(ctx, o, nl, rec)
	}
	return c == nil || c.Result == "bandeau fermé"
}
