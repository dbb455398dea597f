package protocol

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"anefdossier/templates"
)

// CaseSummary is where one case stands, for a list of many cases: who, which
// protocol, the next mandatory step and the next deadline. Err is set when the
// case cannot be read fully (broken journal, invalid dossier.yaml); the fields
// still hold what could be read.
type CaseSummary struct {
	Dir        string
	Surname    string
	FirstNames string
	Protocol   string
	// Next is the next mandatory step, nil when every one is done (Finished).
	Next     *StepState
	Finished bool
	// Deadline is the next deadline that still calls for attention, or nil.
	Deadline *DeadlineState
	// Warnings are the fold's warnings (nil when the summary came from the
	// cache); WarningCount is their number in both cases.
	Warnings     []string
	WarningCount int
	Events       int
	Err          error
	// Folded is true when the case was folded from its journal, false when
	// it was read from its up-to-date summary file.
	Folded bool
}

// Who returns "SURNAME First names", or "" when neither is known.
func (s *CaseSummary) Who() string {
	return strings.TrimSpace(strings.ToUpper(s.Surname) + " " + s.FirstNames)
}

// FindCases lists the case folders below root (root included): folders that
// hold a journal.jsonl. It does not descend into a case, nor into hidden
// folders, and follows no symbolic link. Folders it cannot read are returned
// in unreadable, so that the caller can report them.
func FindCases(root string) (cases []string, unreadable map[string]error, err error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, nil, fmt.Errorf("lecture de %s : %w", root, err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("%s n'est pas un dossier", root)
	}
	unreadable = map[string]error{}
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if depth > MaxListDepth {
			unreadable[dir] = fmt.Errorf("arborescence de plus de %d niveaux : non parcourue plus bas", MaxListDepth)
			return
		}
		// One stat tells a case; only the other folders are read (a case
		// folder is never listed: that is most of the cost of a big list).
		if st, err := os.Lstat(filepath.Join(dir, JournalFile)); err == nil && st.Mode().IsRegular() {
			cases = append(cases, dir)
			return
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			unreadable[dir] = frenchFSError(err)
			return
		}
		for _, e := range entries {
			name := e.Name()
			if !e.IsDir() || strings.HasPrefix(name, ".") || name == PiecesDir || name == OutDir {
				continue
			}
			walk(filepath.Join(dir, name), depth+1)
		}
	}
	walk(root, 0)
	sort.Strings(cases)
	return cases, unreadable, nil
}

// MaxListDepth bounds how deep list looks for cases below its folder (a
// tree of 3000 levels ended in ENAMETOOLONG, review 1, low 22).
const MaxListDepth = 32

// frenchFSError says in French why a folder could not be read.
func frenchFSError(err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return errors.New("accès refusé (droits de lecture)")
	case errors.Is(err, syscall.ENAMETOOLONG):
		return errors.New("chemin trop long pour le système")
	case errors.Is(err, syscall.ELOOP):
		return errors.New("boucle de liens symboliques")
	case errors.Is(err, syscall.EIO):
		return errors.New("erreur d'entrée-sortie du disque")
	}
	return err
}

// protocolCache loads each protocol once for a whole list, with the SHA-256
// of its file (what a summary's stamp is compared with). Two workers that
// need two different protocols load them at the same time.
type protocolCache struct {
	mu   sync.Mutex
	fsys fs.FS
	m    map[string]*protoEntry
}

type protoEntry struct {
	once sync.Once
	p    *Protocol
	sha  string
	err  error
}

func newProtocolCache(fsys fs.FS) *protocolCache {
	if fsys == nil {
		fsys = templates.FS
	}
	return &protocolCache{fsys: fsys, m: map[string]*protoEntry{}}
}

func (c *protocolCache) get(id string) (*Protocol, string, error) {
	c.mu.Lock()
	e := c.m[id]
	if e == nil {
		e = &protoEntry{}
		c.m[id] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.p, e.sha, e.err = loadProtocol(c.fsys, id) })
	return e.p, e.sha, e.err
}

// ListOptions tune [SummarizeCases].
type ListOptions struct {
	// Workers is how many cases are read at a time (0: the number of CPUs).
	Workers int
	// IgnoreSummaries folds every case from its journal, as if no case had
	// a summary file.
	IgnoreSummaries bool
	// Refresh rewrites the summary of a case whose summary is missing or
	// stale, under the case's exclusive lock taken without waiting: a case
	// busy with another command is read without it and left as it is.
	Refresh bool
}

// SummarizeCases reads the cases in parallel and returns one summary per
// folder, in the same order. A case whose [SummaryFile] matches its files is
// read from it alone; any other is folded from its journal. A broken case
// never stops the others.
func SummarizeCases(dirs []string, tmpl fs.FS, today time.Time, o ListOptions) []CaseSummary {
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(dirs) {
		workers = len(dirs)
	}
	pc := newProtocolCache(tmpl)
	out := make([]CaseSummary, len(dirs))
	var next atomic.Int64 // the next case to read, taken by whichever worker is free
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte // each summary file is read into it in turn
			for i := int(next.Add(1) - 1); i < len(dirs); i = int(next.Add(1) - 1) {
				out[i] = summarize(dirs[i], pc, o, today, &buf)
			}
		}()
	}
	wg.Wait()
	return out
}

func summarize(dir string, pc *protocolCache, o ListOptions, today time.Time, buf *[]byte) (s CaseSummary) {
	s.Dir = dir
	defer func() {
		// A malformed case must not take the whole list down.
		if r := recover(); r != nil {
			s = CaseSummary{Dir: dir, Folded: true, Err: fmt.Errorf("erreur interne en lisant ce dossier (%v)", r)}
		}
	}()
	cs := &Case{Dir: dir, Templates: pc.fsys}
	jst, err := os.Stat(cs.Path(JournalFile))
	if err != nil || !jst.Mode().IsRegular() {
		s.Err = fmt.Errorf("%s : %w", dir, ErrNotCase)
		return s
	}
	if !o.IgnoreSummaries {
		if sf := readSummary(cs, jst, pc, buf); sf != nil && sf.apply(&s, pc, today) {
			return s
		}
		s = CaseSummary{Dir: dir}
	}
	s.Folded = true
	if o.Refresh {
		if sf, ok := cs.refreshSummary(pc); ok && sf.apply(&s, pc, today) {
			return s
		}
		s = CaseSummary{Dir: dir, Folded: true}
	}
	return fold(cs, pc, today)
}

// fold reads a case from its files, without the lock: list reads many cases
// and a journal is only ever appended to, whole lines at a time. A torn last
// line may be a write in progress: it is read again under the shared lock.
func fold(cs *Case, pc *protocolCache, today time.Time) (s CaseSummary) {
	s.Dir, s.Folded = cs.Dir, true
	d, _, derr := cs.Dossier()
	if d != nil {
		s.Surname, s.FirstNames = d.Person.Surname, d.Person.FirstNames
	}
	events, jerr := ReadJournal(cs.Path(JournalFile))
	var je *JournalError
	if errors.As(jerr, &je) && je.Truncated {
		events, jerr = cs.Events()
	}
	s.Events = len(events)
	s.Protocol = cs.ProtocolID(events)
	switch {
	case jerr != nil:
		// A journal that cannot be trusted gives no step and no deadline.
		s.Err = jerr
		return s
	case derr != nil:
		s.Err = derr
		d = nil
	}
	p, _, err := pc.get(s.Protocol)
	if err != nil {
		s.Err = err
		return s
	}
	st := Fold(p, events, d)
	s.Warnings, s.WarningCount = st.Warnings, len(st.Warnings)
	s.Next = st.Next()
	s.Finished = s.Next == nil
	if dl := NextDeadline(st.Deadlines(d, today)); dl != nil {
		c := *dl
		s.Deadline = &c
	}
	return s
}

// SortByUrgency orders summaries most urgent first: cases in error (their
// deadlines are unknown), then by next deadline (a missed one first), then
// cases without a deadline that still have a step to do, then finished ones;
// ties by person, then folder.
func SortByUrgency(list []CaseSummary) {
	rank := func(s *CaseSummary) int {
		switch {
		case s.Err != nil:
			return 0
		case s.Deadline != nil:
			return 1
		case !s.Finished:
			return 2
		}
		return 3
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := &list[i], &list[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if a.Deadline != nil && b.Deadline != nil && !a.Deadline.Date.Equal(b.Deadline.Date) {
			return a.Deadline.Date.Before(b.Deadline.Date)
		}
		if wa, wb := a.Who(), b.Who(); wa != wb {
			return wa < wb
		}
		return a.Dir < b.Dir
	})
}

// ErrUnreadableFolder marks a folder that list could not read.
var ErrUnreadableFolder = errors.New("dossier illisible")
