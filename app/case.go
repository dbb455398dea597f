package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"anefdossier/export"
	"anefdossier/protocol"
	"anefdossier/render"
)

// InitCase creates the case folder dir for protocolID (see [protocol.Init]).
// tmpl is the template tree (nil: the embedded one).
func InitCase(dir, protocolID string, tmpl fs.FS) (*protocol.Case, error) {
	return protocol.Init(dir, protocolID, tmpl)
}

// Render loads a case for the renderer: its state, its dossier.yaml (which
// must be readable) and its templates.
func Render(cs *protocol.Case) (*render.Input, error) {
	return render.Load(cs)
}

// StepResult is what recording a step changed.
type StepResult struct {
	Step   *protocol.Step
	Record protocol.StepRecord // as recorded (normalised)
	// NewWarnings are the warnings the record brought (e.g. a step
	// recorded before the one it should follow).
	NewWarnings []string
	Done        bool   // the step is now complete
	Missing     string // what the step still lacks, when not done
	Next        *protocol.StepState
	// Letter is the piece holding the letter as sent, when the channel
	// sends one (frozen by this record); nil otherwise.
	Letter *protocol.Piece
	// Anchor is the anchoring of the journal after the record (nil: no
	// timestamp authority configured).
	Anchor *Anchored
}

// ErrMultiline is matched by a value of a step record holding a line break
// or a NUL: values are copied as they are into letters and e-mail headers.
var ErrMultiline = errors.New("une valeur contient un saut de ligne ou un caractère nul")

// RecordStep records a step done in cs (see [protocol.Tx.RecordStep]). A
// record the protocol refuses is a *[protocol.InvalidRecordError]; an unknown
// step a *[protocol.UnknownStepError].
func RecordStep(ctx context.Context, cs *protocol.Case, rec protocol.StepRecord) (*StepResult, error) {
	for _, v := range append([]string{rec.Step, rec.Channel, rec.Ref, rec.Note}, fieldValues(rec.Fields)...) {
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, &protocol.InvalidRecordError{Err: fmt.Errorf("%w : « %s »", ErrMultiline,
				strings.NewReplacer("\r", "\\r", "\n", "\\n", "\x00", "\\0").Replace(v))}
		}
	}
	if rec.Date != nil {
		if err := protocol.CheckYear(*rec.Date); err != nil {
			return nil, &protocol.InvalidRecordError{Err: err}
		}
	}
	tx, err := cs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	sent, sentWarning, err := freezeSent(tx, cs, &rec)
	if err != nil {
		return nil, err
	}
	before, after, err := tx.RecordStep(&rec)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, w := range before.Warnings {
		known[w] = true
	}
	res := &StepResult{Step: after.Protocol.Step(rec.Step), Record: rec, Next: after.Next(), Letter: sent}
	if sentWarning != "" {
		res.NewWarnings = append(res.NewWarnings, sentWarning)
	}
	for _, w := range after.Warnings {
		if !known[w] {
			res.NewWarnings = append(res.NewWarnings, w)
		}
	}
	s := after.StepState(rec.Step)
	res.Done, res.Missing = s.Done, s.Missing
	res.Anchor = anchorConfigured(ctx, cs, tx)
	return res, nil
}

func fieldValues(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// UndoResult is what an undo cancelled.
type UndoResult struct {
	Step    *protocol.Step
	Records int // records cancelled
	Anchor  *Anchored
}

// Undo cancels the records of a step (of one channel when u.Channel is set)
// by appending a step.undone event; nothing is erased. With nothing to
// cancel it returns an error matching [protocol.ErrNothingToUndo].
func Undo(ctx context.Context, cs *protocol.Case, u protocol.UndoRecord) (*UndoResult, error) {
	tx, err := cs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	n, err := tx.Undo(u)
	if err != nil {
		return nil, err
	}
	p, err := tx.Protocol()
	if err != nil {
		return nil, err
	}
	return &UndoResult{Step: p.Step(u.Step), Records: n, Anchor: anchorConfigured(ctx, cs, tx)}, nil
}

// Import is an outside file to bring into a case as a piece.
type Import struct {
	Src         string // the file, copied as it is
	Kind        string // "" = guessed from the extension
	Title       string
	Date        time.Time // declared date; zero = now
	DateHasTime bool
}

// UnknownKindError is a piece kind the tool does not know.
type UnknownKindError struct{ Kind string }

func (e *UnknownKindError) Error() string {
	return fmt.Sprintf("type de pièce « %s » inconnu", e.Kind)
}

// ImportError is a file refused for import (missing, empty, of a type the
// dossier cannot hold, or not what its extension says).
type ImportError struct{ Err error }

func (e *ImportError) Error() string { return e.Err.Error() }
func (e *ImportError) Unwrap() error { return e.Err }

// ImportPiece copies an outside file into cs as the next piece (write-once,
// hashed, provenance "imported"). It returns the piece and the numbers of
// earlier pieces with the same fingerprint.
func ImportPiece(ctx context.Context, cs *protocol.Case, in Import) (protocol.Piece, []int, error) {
	kind := in.Kind
	if kind == "" {
		kind = protocol.GuessKind(in.Src)
	} else if protocol.KindByID(kind) == nil {
		return protocol.Piece{}, nil, &UnknownKindError{kind}
	}
	if strings.ContainsAny(in.Title, "\r\n") {
		return protocol.Piece{}, nil, &ImportError{fmt.Errorf("le titre contient un saut de ligne")}
	}
	if !in.Date.IsZero() {
		if err := protocol.CheckYear(in.Date); err != nil {
			return protocol.Piece{}, nil, &ImportError{err}
		}
	}
	ext, err := protocol.CheckImport(in.Src)
	if err != nil {
		return protocol.Piece{}, nil, &ImportError{err}
	}
	// Read it fully as the renders will, before anything is stored: one bad
	// piece must never block the dossier (review 1, H3).
	if err := render.CheckPiece(in.Src, filepath.Base(in.Src), ext); err != nil {
		return protocol.Piece{}, nil, &ImportError{err}
	}
	tx, err := cs.Begin(ctx)
	if err != nil {
		return protocol.Piece{}, nil, err
	}
	defer tx.Close()
	return tx.AddPiece(protocol.NewPiece{Kind: kind, Title: in.Title, Date: in.Date, DateHasTime: in.DateHasTime,
		Provenance: protocol.ProvenanceImported, OriginalName: filepath.Base(in.Src),
		Files: []protocol.NewFile{{Role: protocol.RolePiece, Ext: ext, Src: in.Src}}})
}

// TitlePiece gives piece n its inventory title (art. R.412-2 al. 2 CJA) by a
// piece.titled event; the piece itself is not touched. A refused title
// matches [protocol.ErrBadTitle].
func TitlePiece(ctx context.Context, cs *protocol.Case, n int, title string) (protocol.Piece, error) {
	tx, err := cs.Begin(ctx)
	if err != nil {
		return protocol.Piece{}, err
	}
	defer tx.Close()
	return tx.TitlePiece(n, title)
}

// Export writes the archive of cs to dst (see [export.Write]) under the
// case's exclusive lock: no other command changes the case while its files
// are read, and a journal that cannot be trusted is refused.
func Export(ctx context.Context, cs *protocol.Case, dst string, opts export.Options) (*export.Result, error) {
	tx, err := cs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	return export.Write(tx, dst, opts)
}
