package capture

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"anefdossier/protocol"
)

// The JavaScript dialogs a page opens (alert, confirm, prompt,
// beforeunload) stop its scripts until someone answers: a headless browser
// has no one to answer, so the page never finished loading and the capture
// timed out. Each dialog is now recorded (its text is evidence: « votre
// session a expiré ») and answered at once: alert and beforeunload are
// accepted (the only button, or leaving the page), confirm and prompt are
// dismissed (« Annuler »: the capture never agrees to anything on the
// person's behalf). Calls to window.print() are recorded too (a headless
// browser prints nothing).

// maxDialogs bounds the dialogs recorded: a page that opens them in a loop
// is answered every time, but its record does not grow without end.
const maxDialogs = 20

// printBinding is the function the page's print() calls to tell the capture.
const printBinding = "__anefDossierPrint"

// printJS replaces window.print in every document of the capture.
const printJS = `(() => {
  const tell = window.` + printBinding + `;
  try { delete window.` + printBinding + `; } catch (e) {}
  const print = function print() { try { tell(String(location.href)); } catch (e) {} };
  try { Object.defineProperty(window, "print", {value: print, configurable: true, writable: true}); } catch (e) {}
})();`

type dialogLog struct {
	mu      sync.Mutex
	list    []protocol.DialogRecord
	more    int // dialogs past maxDialogs
	pending chan page.DialogType
	now     func() time.Time
}

// watchDialogs starts answering the dialogs of the capture's tab; it must be
// called before the navigation.
func watchDialogs(ctx context.Context, now func() time.Time) (*dialogLog, error) {
	d := &dialogLog{pending: make(chan page.DialogType, 64), now: now}
	if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: printBinding}); err != nil {
		return nil, err
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: printJS}); err != nil {
		return nil, err
	}
	if err := chromedp.Listen(ctx, d.handle); err != nil {
		return nil, err
	}
	// The answers are commands: they cannot be sent from the listener.
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case typ := <-d.pending:
				accept := typ == page.DialogTypeAlert || typ == page.DialogTypeBeforeunload
				chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
			}
		}
	}()
	return d, nil
}

func (d *dialogLog) handle(ev any) {
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		d.add(protocol.DialogRecord{Type: string(ev.Type), Message: ev.Message, URL: ev.URL, Answer: dialogAnswer(ev.Type)})
		select {
		case d.pending <- ev.Type:
		default: // a flood: the answers already queued will free the page
		}
	case *runtime.EventBindingCalled:
		if ev.Name == printBinding {
			d.add(protocol.DialogRecord{Type: "print", URL: ev.Payload, Answer: "impression ignorée (navigateur sans interface)"})
		}
	}
}

func (d *dialogLog) add(r protocol.DialogRecord) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.list) >= maxDialogs {
		d.more++
		return
	}
	r.At = d.now().UTC()
	r.Message = clip(r.Message, 2000)
	d.list = append(d.list, r)
}

func dialogAnswer(t page.DialogType) string {
	switch t {
	case page.DialogTypeAlert:
		return "fermée (« OK »)"
	case page.DialogTypeBeforeunload:
		return "acceptée (quitter la page)"
	}
	return "refusée (« Annuler »)"
}

// record copies the dialogs into the capture's record, with a note when
// there were more than were kept.
func (d *dialogLog) record(rec *protocol.CaptureRecord) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	rec.Dialogs = append([]protocol.DialogRecord(nil), d.list...)
	if d.more > 0 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("la page a ouvert %d autres dialogues, non détaillés (seuls les %d premiers le sont)", d.more, maxDialogs))
	}
	for _, r := range d.list {
		what := "la page a ouvert un dialogue " + r.Type
		if r.Type == "print" {
			what = "la page a demandé son impression (print())"
		}
		if r.Message != "" {
			what += " : « " + clip(r.Message, 300) + " »"
		}
		rec.Notes = append(rec.Notes, what+" ; "+r.Answer)
	}
}

// count is the number of dialogs seen so far.
func (d *dialogLog) count() int {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.list) + d.more
}
