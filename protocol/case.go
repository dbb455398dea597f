package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/gofrs/flock"

	"anefdossier/templates"
)

// Names inside a case folder.
const (
	DossierFile = "dossier.yaml"
	JournalFile = "journal.jsonl"
	PiecesDir   = "pieces"
	OutDir      = "out"
	LockFile    = ".lock"
)

// Now is the clock of the library; the command may replace it (tests only).
var Now = time.Now

// LockTimeout is how long a command waits for another one on the same case.
var LockTimeout = 2 * time.Minute

var (
	// ErrNotCase is returned when a folder is not a case folder.
	ErrNotCase = errors.New("ce dossier n'est pas un dossier anef-dossier (journal.jsonl absent)")
	// ErrBusy is returned when another command holds the case too long.
	ErrBusy = errors.New("le dossier est occupé par une autre commande anef-dossier")
	// ErrNotEmpty is returned by Init on a non-empty folder.
	ErrNotEmpty = errors.New("le dossier existe déjà et n'est pas vide")
)

// Case is a case folder on disk.
type Case struct {
	Dir string
	// Templates is the template tree (embedded, or overridden by a folder).
	Templates fs.FS
}

// Init creates a new case folder for protocolID: folder 0700, a commented
// dossier.yaml, an empty pieces/ and out/, and a journal whose first event
// records the creation.
func Init(dir, protocolID string, tmpl fs.FS) (*Case, error) {
	if tmpl == nil {
		tmpl = templates.FS
	}
	if _, err := LoadProtocol(tmpl, protocolID); err != nil {
		return nil, err
	}
	asked := dir
	// A link the user made to an empty folder (on an encrypted disk, a USB
	// key) is kept: the case is built in the folder it points to, never in
	// place of the link (review 1, low 4).
	if st, err := os.Lstat(dir); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return nil, fmt.Errorf("%s est un lien vers un dossier introuvable : %w", dir, err)
		}
		dir = target
	} else if err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%s existe déjà et n'est pas un dossier : %w", dir, ErrNotEmpty)
	}
	empty := false
	if entries, err := os.ReadDir(dir); err == nil {
		if len(entries) > 0 {
			return nil, fmt.Errorf("%s : %w", dir, ErrNotEmpty)
		}
		empty = true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s : %w", dir, err)
	}
	// The case is built in a hidden sibling folder and renamed into place at
	// the end: a crash during init leaves no half-made case under the name
	// asked, so init can simply be run again.
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, DirMode); err != nil {
		return nil, fmt.Errorf("création de %s : %w", parent, err)
	}
	work, err := os.MkdirTemp(parent, "."+filepath.Base(filepath.Clean(dir))+".init-")
	if err != nil {
		return nil, fmt.Errorf("création de %s : %w", dir, err)
	}
	defer os.RemoveAll(work) // only left behind on failure: the rename empties it
	if err := os.Chmod(work, DirMode); err != nil {
		return nil, err
	}
	for _, sub := range []string{PiecesDir, OutDir} {
		if err := os.Mkdir(filepath.Join(work, sub), DirMode); err != nil {
			return nil, fmt.Errorf("création de %s : %w", sub, err)
		}
	}
	yaml, err := DossierTemplate(tmpl, protocolID)
	if err != nil {
		return nil, err
	}
	if err := WriteFileOnce(filepath.Join(work, DossierFile), yaml); err != nil {
		return nil, err
	}
	crashPoint("init.yaml-ecrit")
	wc := &Case{Dir: work, Templates: tmpl}
	tx, err := wc.Begin(context.Background())
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	_, err = tx.Append(EventCreated, CreatedData{Protocol: protocolID, Tool: ToolVersion, Host: host})
	tx.Close()
	if err != nil {
		return nil, err
	}
	if empty {
		// rename(2) replaces an empty folder; a file put there meanwhile makes it fail.
		if err := os.Remove(dir); err != nil {
			return nil, fmt.Errorf("%s : %w", dir, ErrNotEmpty)
		}
	}
	if err := os.Rename(work, dir); err != nil {
		if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
			return nil, fmt.Errorf("%s : %w", dir, ErrNotEmpty)
		}
		return nil, fmt.Errorf("création de %s : %w", dir, err)
	}
	return &Case{Dir: asked, Templates: tmpl}, SyncDir(parent)
}

// CreatedData is the data of a dossier.created event.
type CreatedData struct {
	Protocol string `json:"protocol"`
	Tool     string `json:"tool"`
	Host     string `json:"host,omitempty"`
}

// ToolVersion is set by the command at start.
var ToolVersion = "anef-dossier (dev)"

// Open opens an existing case folder.
func Open(dir string, tmpl fs.FS) (*Case, error) {
	if tmpl == nil {
		tmpl = templates.FS
	}
	st, err := os.Lstat(filepath.Join(dir, JournalFile))
	if err != nil || st.IsDir() {
		return nil, fmt.Errorf("%s : %w", dir, ErrNotCase)
	}
	c := &Case{Dir: dir, Templates: tmpl}
	if err := c.CheckLinks(); err != nil {
		return nil, err
	}
	return c, nil
}

// Path returns a path inside the case.
func (c *Case) Path(elem ...string) string {
	return filepath.Join(append([]string{c.Dir}, elem...)...)
}

// Dossier loads dossier.yaml.
func (c *Case) Dossier() (*Dossier, *ast.File, error) {
	return LoadDossier(c.Path(DossierFile))
}

// ProtocolID returns the protocol of the case: the journal's creation event
// wins over dossier.yaml (which could be edited after the fact).
func (c *Case) ProtocolID(events []Event) string {
	for _, e := range events {
		if e.Type == EventCreated {
			var d CreatedData
			if e.Decode(&d) == nil && d.Protocol != "" {
				return d.Protocol
			}
		}
	}
	if d, _, err := c.Dossier(); err == nil {
		return d.Protocol
	}
	return ""
}

func (c *Case) lock(ctx context.Context, shared bool) (*flock.Flock, error) {
	// The lock file is never followed if it is a link (a case received as
	// an archive could point it at /etc/nologin), nor chmod-ed through one.
	if st, err := os.Lstat(c.Path(LockFile)); err == nil && !st.Mode().IsRegular() {
		if st.Mode()&fs.ModeSymlink != 0 {
			return nil, &PathError{LockFile, ErrSymlink}
		}
		return nil, &PathError{LockFile, ErrNotRegular}
	}
	fl := flock.New(c.Path(LockFile), flock.SetFlag(lockOpenFlag), flock.SetPermissions(FileMode))
	ctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	var ok bool
	var err error
	if shared {
		ok, err = fl.TryRLockContext(ctx, 20*time.Millisecond)
	} else {
		ok, err = fl.TryLockContext(ctx, 20*time.Millisecond)
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		if isLoop(err) {
			return nil, &PathError{LockFile, ErrSymlink}
		}
		return nil, fmt.Errorf("verrou du dossier : %w", err)
	}
	if !ok {
		return nil, ErrBusy
	}
	if st, err := os.Lstat(c.Path(LockFile)); err != nil || !st.Mode().IsRegular() {
		fl.Unlock()
		return nil, &PathError{LockFile, ErrNotRegular}
	} else if st.Mode().Perm() != FileMode {
		_ = os.Chmod(c.Path(LockFile), FileMode)
	}
	c.cleanPending()
	return fl, nil
}

// Events reads the journal under a shared lock. A broken journal returns the
// events read before the problem and a *JournalError.
func (c *Case) Events() ([]Event, error) {
	fl, err := c.lock(context.Background(), true)
	if err != nil {
		// A read-only folder cannot hold a lock file: read without it.
		if !errors.Is(err, ErrBusy) {
			return ReadJournal(c.Path(JournalFile))
		}
		return nil, err
	}
	defer fl.Unlock()
	return ReadJournal(c.Path(JournalFile))
}

// Tx is an exclusive hold on a case: the journal is loaded and valid, and no
// other command changes the case until Close.
type Tx struct {
	c      *Case
	fl     *flock.Flock
	events []Event
}

// Begin takes the case's exclusive lock and loads the journal. It refuses a
// broken journal: nothing is appended after a line that cannot be trusted.
func (c *Case) Begin(ctx context.Context) (*Tx, error) {
	fl, err := c.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	events, err := ReadJournal(c.Path(JournalFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		fl.Unlock()
		return nil, err
	}
	return &Tx{c: c, fl: fl, events: events}, nil
}

// Close brings the case's summary up to date ([SummaryFile]) and releases
// the lock.
func (t *Tx) Close() error {
	if t.fl == nil {
		return nil
	}
	t.updateSummary()
	err := t.fl.Unlock()
	t.fl = nil
	return err
}

// Events returns the events loaded, including those appended by this Tx.
func (t *Tx) Events() []Event { return t.events }

// Case returns the case being changed.
func (t *Tx) Case() *Case { return t.c }

// Append adds one event to the journal (single write + fsync) and returns it.
func (t *Tx) Append(typ string, data any) (Event, error) {
	prev := GenesisHash
	if n := len(t.events); n > 0 {
		prev = t.events[n-1].Hash
	}
	ev, line, err := NewEvent(prev, Now(), typ, data)
	if err != nil {
		return Event{}, err
	}
	if err := appendLine(t.c.Path(JournalFile), line); err != nil {
		return Event{}, err
	}
	ev.Line = len(t.events) + 1
	t.events = append(t.events, ev)
	// An event whose head is not written is not confirmed: verify --repair
	// sets it aside rather than adopting it, so the caller must not report
	// it as recorded.
	if err := t.c.writeHead(len(t.events), ev.Hash); err != nil {
		return ev, fmt.Errorf("événement écrit mais non confirmé (%s) : %w ; anef-dossier verify --repair le mettra de côté", HeadFile, err)
	}
	return ev, nil
}

// NextPieceNumber is the number the next piece will get: pieces are
// numbered continuously, as art. R.412-2 CJA asks.
func (t *Tx) NextPieceNumber() int {
	n := 0
	for _, e := range t.events {
		if e.Type == EventPiece {
			n++
		}
	}
	return n + 1
}

// NewPiece describes a piece about to be stored.
type NewPiece struct {
	Kind         string
	Title        string
	Date         time.Time // declared or captured date; zero = now
	DateHasTime  bool
	Provenance   Provenance
	OriginalName string
	// Files[0] is the piece itself; the others go with it (raw screenshot,
	// MHTML, evidence record...).
	Files []NewFile
	// Record is a summary stored in the event (URL, HTTP status, ...).
	Record any
}

// NewFile is one file of a piece: either Data in memory or Src copied from disk.
type NewFile struct {
	Role FileRole
	Ext  string // with the dot: ".png"
	Data []byte
	Src  string
}

// Piece is a piece as recorded in the journal.
type Piece struct {
	Number       int             `json:"number"`
	Kind         string          `json:"kind"`
	Title        string          `json:"title,omitempty"`
	Date         time.Time       `json:"date"`
	DateHasTime  bool            `json:"date_has_time,omitempty"`
	Provenance   Provenance      `json:"provenance"`
	OriginalName string          `json:"original_name,omitempty"`
	Files        []PieceFile     `json:"files"`
	Record       json.RawMessage `json:"record,omitempty"`

	// Filled when folding the journal.
	EventID string    `json:"-"`
	AddedAt time.Time `json:"-"`
	// TitledAt: when the title was given after the import (piece.titled).
	TitledAt time.Time `json:"-"`
	// SetAside is set when the piece was set aside (see
	// [EventPieceSetAside]); documents leave it out.
	SetAside *SetAsideRecord `json:"-"`
	// CaseNumber is the piece's number in the case (piece list, the
	// journal); Number differs from it only in the documents' state, where
	// the pieces set aside are left out ([FoldDocuments]). Messages about a
	// piece name it by CaseNumber.
	CaseNumber int `json:"-"`
}

// PieceFile is one stored file of a piece, relative to the case folder.
type PieceFile struct {
	Role   FileRole `json:"role"`
	Path   string   `json:"path"`
	SHA256 string   `json:"sha256"`
	Size   int64    `json:"size"`
}

// Ref is the piece's number in the case ([Piece.CaseNumber], else Number).
func (p *Piece) Ref() int {
	if p.CaseNumber != 0 {
		return p.CaseNumber
	}
	return p.Number
}

// Main returns the piece's own file (the first one).
func (p *Piece) Main() PieceFile {
	if len(p.Files) == 0 {
		return PieceFile{}
	}
	return p.Files[0]
}

// File returns the file with that role, if any.
func (p *Piece) File(role FileRole) (PieceFile, bool) {
	for _, f := range p.Files {
		if f.Role == role {
			return f, true
		}
	}
	return PieceFile{}, false
}

var reSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slug turns a kind into a safe file name part.
func Slug(s string) string {
	s = strings.Trim(reSlug.ReplaceAllString(strings.ToLower(stripAccents(s)), "-"), "-")
	if len(s) > 40 {
		s = strings.Trim(s[:40], "-")
	}
	if s == "" {
		s = "piece"
	}
	return s
}

// AddPiece writes the files of a new piece (each write-once and atomic), then
// appends the piece.added event. A crash before the event leaves files that
// verify reports as orphans (never deleted); the piece is reported saved only
// once the event is synced. It returns the numbers of earlier pieces with the
// same hash, if any.
func (t *Tx) AddPiece(np NewPiece) (Piece, []int, error) {
	if len(np.Files) == 0 {
		return Piece{}, nil, errors.New("pièce sans fichier")
	}
	n := t.NextPieceNumber()
	if np.Date.IsZero() {
		np.Date = Now()
		np.DateHasTime = true
	}
	p := Piece{Number: n, Kind: np.Kind, Title: np.Title, Date: np.Date.UTC(), DateHasTime: np.DateHasTime,
		Provenance: np.Provenance, OriginalName: np.OriginalName}
	if np.Record != nil {
		b, err := json.Marshal(np.Record)
		if err != nil {
			return Piece{}, nil, err
		}
		p.Record = b
	}
	if err := os.MkdirAll(t.c.Path(PiecesDir), DirMode); err != nil {
		return Piece{}, nil, err
	}
	// A piece is whole or absent: when one of its files cannot be written
	// (disk full), those already written are removed (they are this
	// call's own, under the lock, not journaled yet).
	var written []string
	for i, f := range np.Files {
		name := pieceFileName(n, np.Kind, i, f)
		rel := filepath.ToSlash(filepath.Join(PiecesDir, name))
		dst := t.c.Path(PiecesDir, name)
		var sum string
		var size int64
		var err error
		if f.Src != "" {
			sum, size, err = CopyFileOnce(dst, f.Src)
		} else {
			err = WriteFileOnce(dst, f.Data)
			sum, size = HashBytes(f.Data), int64(len(f.Data))
		}
		if err != nil {
			for _, w := range written {
				os.Remove(w)
			}
			return Piece{}, nil, fmt.Errorf("écriture de %s : %w", rel, err)
		}
		written = append(written, dst)
		role := f.Role
		if i == 0 {
			role = RolePiece
		}
		p.Files = append(p.Files, PieceFile{Role: role, Path: rel, SHA256: sum, Size: size})
	}
	var dups []int
	for _, e := range t.events {
		if e.Type != EventPiece {
			continue
		}
		var old Piece
		if e.Decode(&old) == nil && old.Main().SHA256 == p.Main().SHA256 {
			dups = append(dups, old.Number)
		}
	}
	crashPoint("piece.fichiers-ecrits")
	ev, err := t.Append(EventPiece, p)
	if err != nil {
		return Piece{}, nil, err
	}
	crashPoint("piece.inscrite")
	p.EventID, p.AddedAt = ev.ID, ev.Time
	return p, dups, nil
}

func stripAccents(s string) string {
	r := strings.NewReplacer(
		"à", "a", "â", "a", "ä", "a", "á", "a", "ã", "a", "å", "a",
		"ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
		"î", "i", "ï", "i", "í", "i", "ì", "i",
		"ô", "o", "ö", "o", "ó", "o", "ò", "o", "õ", "o",
		"ù", "u", "û", "u", "ü", "u", "ú", "u", "ÿ", "y", "ñ", "n",
		"œ", "oe", "æ", "ae",
		"À", "A", "Â", "A", "Ä", "A", "Á", "A", "Ç", "C", "É", "E", "È", "E", "Ê", "E", "Ë", "E",
		"Î", "I", "Ï", "I", "Ô", "O", "Ö", "O", "Ù", "U", "Û", "U", "Ü", "U", "Œ", "OE", "Æ", "AE",
		"’", "'", "«", "", "»", "", "°", "o",
	)
	return r.Replace(s)
}

// ASCII transliterates French text to plain ASCII (accents removed).
func ASCII(s string) string {
	s = stripAccents(s)
	var b strings.Builder
	for _, r := range s {
		if r < 128 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DossierTemplate is the dossier.yaml of a new case of the protocol, from
// the template (its comments are the help of each field: the web form reads
// them from here too).
func DossierTemplate(tmpl fs.FS, protocolID string) ([]byte, error) {
	raw, err := fs.ReadFile(tmpl, "dossier.yaml.tmpl")
	if err != nil {
		return nil, err
	}
	t, err := template.New("dossier").Parse(string(raw))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, map[string]string{"Protocol": protocolID, "Protocols": strings.Join(Protocols(tmpl), ", ")}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
