package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileRole says what one stored file of a piece is. The first file of a
// piece is always [RolePiece]; the others go with it.
type FileRole string

// File roles, as recorded in the journal (piece.added, files[].role).
const (
	RolePiece    FileRole = "piece"    // the piece itself (a capture: with its banner)
	RoleRaw      FileRole = "raw"      // a capture without its banner (file name: .brut.png)
	RoleMHTML    FileRole = "mhtml"    // the page saved by the browser
	RoleDocument FileRole = "document" // the main document as the server sent it
	RoleWARC     FileRole = "warc"     // the web archive of the capture (WARC 1.1, gzip)
	RoleEvidence FileRole = "evidence" // the capture's evidence record (CaptureRecord; file name: .preuve.json)
)

// Provenance says how a piece came into the case.
type Provenance string

// Provenances of a piece, as recorded in the journal.
const (
	ProvenanceCapture  Provenance = "capture"          // captured in a fresh headless browser
	ProvenanceAttached Provenance = "attached-capture" // captured in the user's own browser
	ProvenanceImported Provenance = "imported"         // a file brought from outside (piece add)
	// ProvenanceSent: a letter rendered by the tool and frozen, as sent,
	// when its sending was recorded (app.RecordStep).
	ProvenanceSent Provenance = "sent-letter"
)

// IsCapture tells whether the piece was captured by the tool (in either mode).
func (p Provenance) IsCapture() bool {
	return p == ProvenanceCapture || p == ProvenanceAttached
}

// KindCapture is the kind of every piece the capture command stores.
const KindCapture = "capture"

// NewCapture is a finished capture about to be stored as a piece: the
// screenshot with its banner (the piece itself), the raw screenshot, what the
// browser saved, and the evidence record.
type NewCapture struct {
	Record   *CaptureRecord
	Bannered []byte // the screenshot with the banner: the piece itself
	Raw      []byte // the screenshot without the banner
	MHTML    []byte // optional: the page saved as MHTML
	Body     []byte // optional: the main document as served
	BodyExt  string // extension of Body, with the dot (".html", ".pdf")
	WARC     []byte // optional: the web archive (WARC 1.1, gzip members)
	Title    string // what the capture shows, for the inventory (may be empty)
}

// Piece is the recipe that turns a capture into a piece: its files with
// their roles, its provenance (from the capture mode) and the summary of the
// evidence record that the journal carries. [Tx.AddCapture] stores it; the
// example and benchmark generators use it to write the same records.
func (nc NewCapture) Piece() (NewPiece, error) {
	rec := nc.Record
	if rec == nil || len(nc.Bannered) == 0 {
		return NewPiece{}, errors.New("capture sans image ni procès-verbal")
	}
	proof, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return NewPiece{}, err
	}
	files := []NewFile{{Role: RolePiece, Ext: ".png", Data: nc.Bannered}}
	if nc.Raw != nil {
		files = append(files, NewFile{Role: RoleRaw, Ext: ".png", Data: nc.Raw})
	}
	if nc.MHTML != nil {
		files = append(files, NewFile{Role: RoleMHTML, Ext: ".mhtml", Data: nc.MHTML})
	}
	if nc.Body != nil {
		files = append(files, NewFile{Role: RoleDocument, Ext: nc.BodyExt, Data: nc.Body})
	}
	if nc.WARC != nil {
		files = append(files, NewFile{Role: RoleWARC, Ext: ".warc.gz", Data: nc.WARC})
	}
	files = append(files, NewFile{Role: RoleEvidence, Ext: ".json", Data: append(proof, '\n')})
	prov := ProvenanceCapture
	if rec.Mode == ModeAttached {
		prov = ProvenanceAttached
	}
	sum := CaptureSummary{URL: rec.URLRequested, FinalURL: rec.FinalURL, Status: rec.Status, ServerIP: rec.ServerIP,
		Mode: rec.Mode, Insecure: rec.Insecure, ExpectText: rec.ExpectText, ExpectFound: rec.ExpectFound, PageTitle: rec.PageTitle}
	if rec.TLS != nil {
		sum.TLSIssuer = rec.TLS.Issuer
	}
	return NewPiece{Kind: KindCapture, Title: nc.Title, Date: rec.Shot, DateHasTime: true, Provenance: prov,
		Files: files, Record: sum}, nil
}

// AddCapture stores a capture as the next piece (see [NewCapture.Piece] and
// [Tx.AddPiece]). The number burned into the banner must be the one the
// piece gets: take it with [Tx.NextPieceNumber] under the same Tx.
func (t *Tx) AddCapture(nc NewCapture) (Piece, error) {
	np, err := nc.Piece()
	if err != nil {
		return Piece{}, err
	}
	// A bannered capture carries its own time: it is never a duplicate.
	p, _, err := t.AddPiece(np)
	return p, err
}

// pieceFileName is the name of the i-th file of piece number n:
// "NNN-kind.ext", then "NNN-kind.role.ext" for the files that go with it.
func pieceFileName(n int, kind string, i int, f NewFile) string {
	name := fmt.Sprintf("%03d-%s", n, Slug(kind))
	// The role is left out when the extension says it (".mhtml", ".warc.gz").
	role, ext := f.Role.suffix(), strings.ToLower(f.Ext)
	if i > 0 && f.Role != "" && "."+role != ext && !strings.HasPrefix(ext, "."+role+".") {
		name += "." + role
	}
	return name + strings.ToLower(f.Ext)
}

// Stored is the piece record that [Tx.AddPiece] would append for np as piece
// number n, computed without writing anything (files given by Src are read
// to hash them). Generators of test and benchmark cases use it to write
// journals the way the tool does.
func (np NewPiece) Stored(n int) (Piece, error) {
	p := Piece{Number: n, Kind: np.Kind, Title: np.Title, Date: np.Date.UTC(), DateHasTime: np.DateHasTime,
		Provenance: np.Provenance, OriginalName: np.OriginalName}
	if np.Record != nil {
		b, err := json.Marshal(np.Record)
		if err != nil {
			return Piece{}, err
		}
		p.Record = b
	}
	for i, f := range np.Files {
		data := f.Data
		if f.Src != "" {
			var err error
			if data, err = os.ReadFile(f.Src); err != nil {
				return Piece{}, err
			}
		}
		role := f.Role
		if i == 0 {
			role = RolePiece
		}
		rel := filepath.ToSlash(filepath.Join(PiecesDir, pieceFileName(n, np.Kind, i, f)))
		p.Files = append(p.Files, PieceFile{Role: role, Path: rel, SHA256: HashBytes(data), Size: int64(len(data))})
	}
	return p, nil
}
