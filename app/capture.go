package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"anefdossier/capture"
	"anefdossier/protocol"
	"anefdossier/tsa"
)

// CaptureRequest is what to capture and how. Exactly one of Page (a fresh
// headless browser loads the page) and Attach (the tab shown in the user's
// browser) is used: Attach when its DevTools address is set.
type CaptureRequest struct {
	Page   capture.Options
	Attach capture.AttachOptions
	// Title is what the capture shows, for the inventory; "" = from the
	// page's title.
	Title string
	// TSA are RFC 3161 authorities given on the command line, and TSARoot
	// their root certificate; otherwise the case's and the user's settings
	// apply (see [tsa.ResolveConfig]). With no authority, no timestamp.
	TSA     []string
	TSARoot string
}

func (r *CaptureRequest) attached() bool { return r.Attach.DevTools != "" }

// target names what is captured, for the journal of a failed attempt.
func (r *CaptureRequest) target() string {
	if r.attached() {
		return r.Attach.DevTools
	}
	return r.Page.URL
}

// CaptureResult is a capture stored as a piece.
type CaptureResult struct {
	Piece  protocol.Piece
	Record *protocol.CaptureRecord
	// Stamps are the timestamps obtained right after the capture.
	Stamps []protocol.TimestampRecord
	// StampErr says why (some) timestamps could not be obtained (a
	// *StampConfigError when none was asked); the capture is kept all the
	// same, and `timestamp` can add them later.
	StampErr error
}

// Capture takes one capture and stores it as the next piece, with its
// files (see [protocol.NewCapture]). It holds the case's lock for the whole
// attempt, so that the number burned into the banner is the number the
// piece gets. When timestamp authorities are configured, the piece is
// timestamped in the same hold; a timestamp failure never fails the capture.
func Capture(ctx context.Context, cs *protocol.Case, req CaptureRequest) (*CaptureResult, error) {
	return captureAttempt(ctx, cs, req, 0, false)
}

// JournaledFailure is a failed attempt of a series: it was recorded in the
// journal (capture.failed) and the series went on.
type JournaledFailure struct{ Err error }

func (e *JournaledFailure) Error() string { return e.Err.Error() }
func (e *JournaledFailure) Unwrap() error { return e.Err }

func captureAttempt(ctx context.Context, cs *protocol.Case, req CaptureRequest, n int, series bool) (*CaptureResult, error) {
	tx, err := cs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	return captureTx(ctx, tx, req, n, series)
}

// captureTx is one attempt under the lock tx holds.
func captureTx(ctx context.Context, tx *protocol.Tx, req CaptureRequest, n int, series bool) (*CaptureResult, error) {
	var err error
	num := tx.NextPieceNumber()
	var res *capture.Result
	if req.attached() {
		o := req.Attach
		o.Attempt = n
		res, err = capture.Attach(ctx, o)
	} else {
		o := req.Page
		o.Attempt = n
		res, err = capture.Capture(ctx, o)
	}
	// The browser shuts down while the piece is being stored and after:
	// the attempt does not wait for it (the command waits with
	// capture.WaitBrowsers before it exits).
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("capture interrompue : %w", ctx.Err())
	}
	if err != nil {
		if series && ctx.Err() == nil {
			f := protocol.CaptureFailure{URL: req.target(), Reason: err.Error(), Attempt: n}
			if _, aerr := tx.Append(protocol.EventCaptureFailed, f); aerr != nil {
				return nil, errors.Join(err, aerr)
			}
			return nil, &JournaledFailure{err}
		}
		return nil, err
	}
	bannered, err := res.Finish(num)
	if err != nil {
		return nil, err
	}
	rec := &res.Record
	title := req.Title
	if title == "" {
		title = DefaultCaptureTitle(rec)
	}
	p, err := tx.AddCapture(protocol.NewCapture{Record: rec, Bannered: bannered.PNG, Raw: res.Raw, MHTML: res.MHTML,
		Body: res.Body, BodyExt: res.BodyExt, WARC: res.WARC, Title: title})
	if err != nil {
		return nil, err
	}
	out := &CaptureResult{Piece: p, Record: rec}
	out.Stamps, out.StampErr = stampNew(ctx, tx, p, req.TSA, req.TSARoot)
	return out, nil
}

// StampConfigError is a timestamp setting that could not be used (a bad
// authority address, an unreadable root): no timestamp was asked.
type StampConfigError struct{ Err error }

func (e *StampConfigError) Error() string { return e.Err.Error() }
func (e *StampConfigError) Unwrap() error { return e.Err }

// stampNew timestamps a piece just stored when authorities are configured.
func stampNew(ctx context.Context, tx *protocol.Tx, p protocol.Piece, urls []string, root string) ([]protocol.TimestampRecord, error) {
	cfg, err := tsa.ResolveConfig(tx.Case(), urls, root)
	if err != nil {
		return nil, &StampConfigError{err}
	}
	if len(cfg.Authorities) == 0 {
		return nil, nil
	}
	roots, err := cfg.Roots()
	if err != nil {
		return nil, &StampConfigError{err}
	}
	return tsa.StampPiece(ctx, tx, p, cfg.Authorities, roots)
}

// DefaultCaptureTitle is the inventory title of a capture given none.
func DefaultCaptureTitle(rec *protocol.CaptureRecord) string {
	what := rec.PageTitle
	if what == "" {
		what = rec.FinalURL
	}
	return "Capture de la page « " + what + " »"
}

// Series says how to repeat a capture: every Every, Count attempts or until
// Until (the last attempt starts at Until at the latest).
type Series struct {
	Every time.Duration
	Count int
	Until time.Time
}

// Attempt is the outcome of one attempt of a series, reported as it ends.
type Attempt struct {
	N      int
	Result *CaptureResult // nil when the attempt failed
	Err    error          // a *JournaledFailure when recorded in the journal
	// Next is when the next attempt starts (zero after the last one).
	Next time.Time
}

// SeriesResult sums up a series.
type SeriesResult struct {
	Attempts []Attempt
	Pieces   int
	Failed   int
	// Interrupted is set when the context was cancelled (Ctrl-C): during
	// the attempt Interrupted when DuringAttempt, before it otherwise.
	Interrupted   int
	DuringAttempt bool
}

// CaptureSeries repeats a capture in the foreground: each attempt is a piece,
// a failed attempt is journaled and the series goes on. report, when not nil,
// is called after each attempt. A missing Chromium stops the series at once
// (no attempt can succeed) and is returned as the error.
func CaptureSeries(ctx context.Context, cs *protocol.Case, req CaptureRequest, s Series, report func(Attempt)) (*SeriesResult, error) {
	out := &SeriesResult{}
	start := time.Now()
	for i := 1; ; i++ {
		res, err := captureAttempt(ctx, cs, req, i, true)
		if ctx.Err() != nil {
			out.Interrupted, out.DuringAttempt = i, true
			return out, nil
		}
		if errors.Is(err, capture.ErrNoChromium) {
			return out, err
		}
		a := Attempt{N: i, Result: res, Err: err}
		if err != nil {
			out.Failed++
		} else {
			out.Pieces++
		}
		next := start.Add(time.Duration(i) * s.Every)
		last := (s.Count > 0 && i >= s.Count) || (!s.Until.IsZero() && next.After(s.Until))
		if !last {
			a.Next = next
		}
		out.Attempts = append(out.Attempts, a)
		if report != nil {
			report(a)
		}
		if last {
			return out, nil
		}
		select {
		case <-ctx.Done():
			out.Interrupted = i + 1
			return out, nil
		case <-time.After(time.Until(next)):
		}
	}
}

// CaptureEach takes one capture of each address, in order, each in a fresh
// browser with a fresh profile (req.Page gives the other settings; its URL
// is replaced). As in a series, a failed capture is journaled
// (capture.failed) and the next address is tried; report, when not nil, is
// called after each. A missing Chromium stops at once and is returned.
func CaptureEach(ctx context.Context, cs *protocol.Case, req CaptureRequest, urls []string, report func(Attempt)) (*SeriesResult, error) {
	out := &SeriesResult{}
	for i, u := range urls {
		r := req
		r.Page.URL = u
		res, err := captureAttempt(ctx, cs, r, i+1, true)
		if ctx.Err() != nil {
			out.Interrupted, out.DuringAttempt = i+1, true
			return out, nil
		}
		if errors.Is(err, capture.ErrNoChromium) {
			return out, err
		}
		a := Attempt{N: i + 1, Result: res, Err: err}
		if err != nil {
			out.Failed++
		} else {
			out.Pieces++
		}
		out.Attempts = append(out.Attempts, a)
		if report != nil {
			report(a)
		}
	}
	return out, nil
}
