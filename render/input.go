package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"anefdossier/protocol"
)

// Input is everything a render reads: the case folder, its dossier.yaml, the
// state folded from its journal, the template tree and the clock.
type Input struct {
	Dir       string
	Dossier   *protocol.Dossier
	State     *protocol.State
	Templates fs.FS
	// Now dates the documents ("Fait à ..., le ...") and the PDF metadata.
	Now time.Time

	// sending is the record of the sending being frozen (see SentLetter);
	// excluded are the pieces the document being composed must not list
	// (the proofs of its own sending, itself).
	sending  *protocol.StepRecord
	excluded map[int]bool
	// composing is the document being composed ("" outside Compose).
	composing string
}

// Load reads a case for rendering. It takes no lock for long: the journal is
// read under a shared lock, and rendering never writes to it.
func Load(cs *protocol.Case) (*Input, error) {
	// The documents never include a piece set aside, and number the others
	// continuously (R.412-2 CJA).
	st, derr, err := cs.DocumentState()
	if err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	return &Input{Dir: cs.Dir, Dossier: st.Dossier, State: st, Templates: cs.Templates, Now: protocol.Now()}, nil
}

// MissingError lists the dossier.yaml fields a document cannot do without.
type MissingError struct {
	Document string   // French title of the document
	Fields   []string // dotted paths
}

func (e *MissingError) Error() string {
	labels := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		labels[i] = protocol.Label(f) + " (" + f + ")"
	}
	return fmt.Sprintf("%s : informations manquantes dans dossier.yaml : %s", e.Document, strings.Join(labels, ", "))
}

// ErrTampered is matched by errors.Is when a piece no longer has the
// fingerprint the journal recorded: nothing is rendered from it.
var ErrTampered = errors.New("empreinte de la pièce différente de celle du journal")

// readPiece reads the piece's main file and checks it against the journal.
func (in *Input) readPiece(p *protocol.Piece) ([]byte, error) {
	f := p.Main()
	return in.readFile(p.Ref(), f)
}

func (in *Input) readFile(n int, f protocol.PieceFile) ([]byte, error) {
	data, err := in.readRaw(f.Path)
	if err != nil {
		return nil, fmt.Errorf("pièce n°%d : %w", n, err)
	}
	if protocol.HashBytes(data) != f.SHA256 {
		return nil, fmt.Errorf("pièce n°%d (%s) : %w ; lancez anef-dossier verify", n, f.Path, ErrTampered)
	}
	return data, nil
}

// MaxPieceRead bounds what a render reads of one piece into memory.
const MaxPieceRead = 1 << 30

// readRaw reads a file of the case without checking its fingerprint: never
// through a link, never a FIFO or a device (a FIFO would block forever).
func (in *Input) readRaw(rel string) ([]byte, error) {
	return protocol.ReadCaseFile(in.path(rel), rel, MaxPieceRead)
}

// open opens a file of the case as readRaw does.
func (in *Input) open(rel string) (*os.File, error) {
	f, _, err := protocol.OpenCaseFile(in.path(rel), rel)
	return f, err
}

func (in *Input) path(rel string) string {
	return in.Dir + string(os.PathSeparator) + strings.TrimPrefix(rel, "/")
}

// captureRecord returns the evidence record of a capture piece, if it has one
// that can be read and still matches its fingerprint.
func (in *Input) captureRecord(p *protocol.Piece) *protocol.CaptureRecord {
	f, ok := p.File(protocol.RoleEvidence)
	if !ok {
		return nil
	}
	data, err := in.readFile(p.Ref(), f)
	if err != nil {
		return nil
	}
	var r protocol.CaptureRecord
	if json.Unmarshal(data, &r) != nil {
		return nil
	}
	return &r
}

// captureSummary decodes the record a capture's piece.added event carries.
func captureSummary(p *protocol.Piece) *protocol.CaptureSummary {
	if len(p.Record) == 0 {
		return nil
	}
	var s protocol.CaptureSummary
	if json.Unmarshal(p.Record, &s) != nil {
		return nil
	}
	return &s
}

// isCapture tells whether a piece was taken by anef-dossier's capture.
func isCapture(p *protocol.Piece) bool {
	return p.Provenance.IsCapture()
}
