package protocol

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"anefdossier/internal/durable"
)

// FileCheck is the result of checking one stored file.
type FileCheck struct {
	Piece  int    `json:"piece"`
	Role   string `json:"role"`
	Path   string `json:"path"`
	OK     bool   `json:"ok"`
	Status string `json:"status"` // "intact", "absent", "modifié", ...
}

// Report is what verify found.
type Report struct {
	JournalOK    bool          `json:"journal_ok"`
	JournalError *JournalError `json:"-"`
	JournalMsg   string        `json:"journal,omitempty"`
	Events       int           `json:"events"`
	LastHash     string        `json:"last_hash,omitempty"`
	Files        []FileCheck   `json:"files"`
	Orphans      []string      `json:"orphans,omitempty"`
	Temps        []string      `json:"temp_files,omitempty"`
	Quarantined  []string      `json:"quarantined,omitempty"`
	Extra        []string      `json:"problems,omitempty"`
	// Head is a problem with journal.head ("" when consistent);
	// HeadRepairable tells it is the mark of an interrupted write.
	Head           string `json:"head,omitempty"`
	HeadRepairable bool   `json:"head_repairable,omitempty"`
}

// OK tells whether nothing is wrong.
func (r *Report) OK() bool {
	if !r.JournalOK || len(r.Extra) > 0 || r.Head != "" {
		return false
	}
	for _, f := range r.Files {
		if !f.OK {
			return false
		}
	}
	return len(r.Orphans) == 0 && len(r.Temps) == 0
}

// Verify re-checks the journal's chain and the presence and hash of every
// file of every piece. It reads only; see [Case.Repair].
func (c *Case) Verify() (*Report, []Event, error) {
	fl, err := c.lock(context.Background(), true)
	if err == nil {
		defer fl.Unlock()
	} else if errors.Is(err, ErrBusy) {
		return nil, nil, err
	}
	// A read-only folder cannot hold a lock file: verify reads anyway.
	return c.verifyLocked()
}

func (c *Case) verifyLocked() (*Report, []Event, error) {
	r := &Report{JournalOK: true}
	events, err := ReadJournal(c.Path(JournalFile))
	var je *JournalError
	if err != nil {
		if !errors.As(err, &je) {
			return nil, nil, err
		}
		r.JournalOK, r.JournalError, r.JournalMsg = false, je, je.Error()
	}
	r.Events = len(events)
	if len(events) > 0 {
		r.LastHash = events[len(events)-1].Hash
	}
	if je == nil || je.Truncated {
		r.Head, r.HeadRepairable = c.checkHead(events)
	}
	known := map[string]bool{}
	var jobs []fileJob
	for _, e := range events {
		switch e.Type {
		case EventPiece:
			var p Piece
			if err := e.Decode(&p); err != nil {
				r.Extra = append(r.Extra, fmt.Sprintf("ligne %d : pièce illisible", e.Line))
				continue
			}
			for _, f := range p.Files {
				known[f.Path] = true
				jobs = append(jobs, fileJob{p.Number, string(f.Role), f.Path, f.SHA256, f.Size})
			}
		case EventTimestamp:
			var t TimestampRecord
			if err := e.Decode(&t); err != nil {
				continue
			}
			known[t.Token] = true
			jobs = append(jobs, fileJob{t.Piece, "jeton", t.Token, t.TokenSHA, -1})
		}
	}
	r.Files = c.checkFiles(jobs)
	entries, err := os.ReadDir(c.Path(PiecesDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	for _, e := range entries {
		rel := PiecesDir + "/" + e.Name()
		switch {
		case e.IsDir():
			if e.Name() != "orphelins" {
				r.Extra = append(r.Extra, fmt.Sprintf("dossier inattendu %s", rel))
			}
		case strings.HasPrefix(e.Name(), ".tmp-"):
			r.Temps = append(r.Temps, rel)
		case !known[rel]:
			r.Orphans = append(r.Orphans, rel)
		}
	}
	// A crash during an atomic replace (journal.head, dossier.yaml) leaves a
	// temporary file beside the target: named, then set aside by Repair.
	// Outputs under out/ are regenerable and not checked here.
	for _, dir := range []string{""} {
		tmps, _ := filepath.Glob(c.Path(dir, ".tmp-*"))
		for _, f := range tmps {
			rel := filepath.ToSlash(filepath.Join(dir, filepath.Base(f)))
			r.Temps = append(r.Temps, rel)
		}
	}
	q, _ := filepath.Glob(c.Path("journal.quarantaine-*"))
	for _, f := range q {
		r.Quarantined = append(r.Quarantined, filepath.Base(f))
	}
	sort.Strings(r.Orphans)
	return r, events, nil
}

type fileJob struct {
	piece     int
	role, rel string
	want      string
	size      int64
}

// checkFiles hashes the files on every core; the result keeps the journal's order.
func (c *Case) checkFiles(jobs []fileJob) []FileCheck {
	out := make([]FileCheck, len(jobs))
	workers := runtime.GOMAXPROCS(0)
	if workers > len(jobs) {
		workers = len(jobs)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				out[i] = c.checkFile(j.piece, j.role, j.rel, j.want, j.size)
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func (c *Case) checkFile(piece int, role, rel, want string, size int64) FileCheck {
	fc := FileCheck{Piece: piece, Role: role, Path: rel}
	if strings.Contains(rel, "..") || filepath.IsAbs(rel) {
		fc.Status = "chemin refusé"
		return fc
	}
	sum, n, err := HashCaseFile(c.Path(filepath.FromSlash(rel)), rel)
	var pe *PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fc.Status = "absent"
	case errors.As(err, &pe):
		fc.Status = pe.Err.Error()
	case err != nil:
		fc.Status = "illisible : " + err.Error()
	case sum != want || (size >= 0 && n != size):
		fc.Status = "modifié (empreinte SHA-256 différente)"
	default:
		fc.OK, fc.Status = true, "intact"
	}
	return fc
}

// Repair fixes what a crash can leave, without losing a byte: an incomplete
// or unreadable last journal line goes to a quarantine file; temporary files
// and orphan piece files (written but never recorded) go to pieces/orphelins/.
// Anything else (a line broken in the middle of the journal, a modified
// piece) is tampering and is not "repaired": it returns an error.
func (c *Case) Repair() ([]string, error) {
	tx, err := c.lockOnly()
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	var done []string
	_, err = ReadJournal(c.Path(JournalFile))
	var je *JournalError
	if errors.As(err, &je) {
		if !je.Truncated {
			return nil, fmt.Errorf("%s : ce n'est pas une écriture interrompue, réparation refusée (altération possible à examiner)", je.Error())
		}
		q, err := QuarantineTail(c.Path(JournalFile), je.Offset, Now())
		if err != nil {
			return nil, fmt.Errorf("mise en quarantaine : %w", err)
		}
		done = append(done, fmt.Sprintf("ligne %d incomplète du journal déplacée dans %s", je.Line, filepath.Base(q)))
		if _, err := ReadJournal(c.Path(JournalFile)); err != nil {
			return done, err
		}
	} else if err != nil {
		return nil, err
	}
	rep, events, err := c.verifyLocked()
	if err != nil {
		return done, err
	}
	if rep.Head != "" {
		if !rep.HeadRepairable {
			return done, fmt.Errorf("%s : réparation refusée (altération possible à examiner)", rep.Head)
		}
		n, _, headOK, _ := c.readHead()
		if headOK && n == len(events)-1 && len(events) > 1 {
			// The last line is complete and chained, but its write was never
			// confirmed (journal.head not updated). It is set aside, never
			// adopted: a forged or backdated event appended with a correct
			// chain looks exactly the same (review 1, M4).
			last := events[len(events)-1]
			data, err := os.ReadFile(c.Path(JournalFile))
			if err != nil {
				return done, err
			}
			off := int64(bytes.LastIndexByte(bytes.TrimSuffix(data, []byte("\n")), '\n') + 1)
			q, err := QuarantineTail(c.Path(JournalFile), off, Now())
			if err != nil {
				return done, fmt.Errorf("mise en quarantaine : %w", err)
			}
			done = append(done, fmt.Sprintf("ligne %d (%s, inscrite le %s) jamais confirmée par %s : mise de côté dans %s, pas adoptée ; si c'était votre dernière commande, relancez-la",
				last.Line, last.Type, FrDateTime(last.Time), HeadFile, filepath.Base(q)))
			if rep, _, err = c.verifyLocked(); err != nil {
				return done, err
			}
			if rep.Head != "" {
				return done, fmt.Errorf("%s : réparation refusée (altération possible à examiner)", rep.Head)
			}
		} else {
			last := GenesisHash
			if len(events) > 0 {
				last = events[len(events)-1].Hash
			}
			if err := c.writeHead(len(events), last); err != nil {
				return done, err
			}
			done = append(done, fmt.Sprintf("%s remis à jour (%d événements)", HeadFile, len(events)))
		}
	}
	moved := append(append([]string{}, rep.Temps...), rep.Orphans...)
	if len(moved) > 0 {
		dst := c.Path(PiecesDir, "orphelins")
		if err := os.MkdirAll(dst, DirMode); err != nil {
			return done, err
		}
		for _, rel := range moved {
			name := strings.TrimPrefix(filepath.Base(rel), ".")
			if err := moveNoReplace(c.Path(filepath.FromSlash(rel)), dst, name); err != nil {
				return done, err
			}
			done = append(done, fmt.Sprintf("%s déplacé dans pieces/orphelins/ (écrit mais jamais inscrit au journal)", rel))
		}
		if err := SyncDir(dst); err != nil {
			return done, err
		}
		if err := SyncDir(c.Path(PiecesDir)); err != nil {
			return done, err
		}
	}
	return done, nil
}

// lockOnly takes the exclusive lock without requiring a valid journal.
func (c *Case) lockOnly() (*Tx, error) {
	fl, err := c.lock(context.Background(), false)
	if err != nil {
		return nil, err
	}
	return &Tx{c: c, fl: fl}, nil
}

// moveNoReplace moves src into dir under name, or name.2, name.3… : an
// earlier orphan is never replaced (review 1, low 5: rename(2) replaced one
// that had the same name and second).
func moveNoReplace(src, dir, name string) error {
	for k := 1; k < 100000; k++ {
		to := filepath.Join(dir, name)
		if k > 1 {
			to = fmt.Sprintf("%s.%d", to, k)
		}
		err := durable.MoveNoReplace(src, to)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return err
	}
	return fmt.Errorf("trop de fichiers nommés %s dans %s", name, dir)
}
