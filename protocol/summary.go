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
	"time"
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
	var walk func(dir string)
	walk = func(dir string) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			unreadable[dir] = err
			return
		}
		for _, e := range entries {
			if e.Name() == JournalFile && e.Type().IsRegular() {
				cases = append(cases, dir)
				return
			}
		}
		for _, e := range entries {
			name := e.Name()
			if !e.IsDir() || strings.HasPrefix(name, ".") || name == PiecesDir || name == OutDir {
				continue
			}
			walk(filepath.Join(dir, name))
		}
	}
	walk(root)
	sort.Strings(cases)
	return cases, unreadable, nil
}

// protocolCache loads each protocol once for a whole list.
type protocolCache struct {
	mu   sync.Mutex
	fsys fs.FS
	m    map[string]protoEntry
}

type protoEntry struct {
	p   *Protocol
	err error
}

func (c *protocolCache) get(id string) (*Protocol, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[id]; ok {
		return e.p, e.err
	}
	p, err := LoadProtocol(c.fsys, id)
	c.m[id] = protoEntry{p, err}
	return p, err
}

// SummarizeCases reads the cases in parallel (at most workers at a time; 0
// means the number of CPUs) and returns one summary per folder, in the same
// order. A broken case never stops the others. cache may be nil.
func SummarizeCases(dirs []string, tmpl fs.FS, today time.Time, workers int, cache *ListCache) []CaseSummary {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(dirs) {
		workers = len(dirs)
	}
	pc := &protocolCache{fsys: tmpl, m: map[string]protoEntry{}}
	out := make([]CaseSummary, len(dirs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = summarize(dirs[i], tmpl, pc, cache, today)
			}
		}()
	}
	for i := range dirs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// SummarizeCase reads one case.
func SummarizeCase(dir string, tmpl fs.FS, today time.Time) CaseSummary {
	return summarize(dir, tmpl, &protocolCache{fsys: tmpl, m: map[string]protoEntry{}}, nil, today)
}

func summarize(dir string, tmpl fs.FS, pc *protocolCache, cache *ListCache, today time.Time) (s CaseSummary) {
	s.Dir = dir
	defer func() {
		// A malformed case must not take the whole list down.
		if r := recover(); r != nil {
			s.Err = fmt.Errorf("erreur interne en lisant ce dossier (%v)", r)
		}
	}()
	cs := &Case{Dir: dir, Templates: tmpl}
	journalPath := cs.Path(JournalFile)
	jst, err := os.Stat(journalPath)
	if err != nil || !jst.Mode().IsRegular() {
		s.Err = fmt.Errorf("%s : %w", dir, ErrNotCase)
		return s
	}
	dossierPath := cs.Path(DossierFile)
	dossierBytes, derr := os.ReadFile(dossierPath)
	var d *Dossier
	if derr == nil {
		if d, _ = quickDossier(dossierBytes); d == nil {
			d, _, derr = ParseDossier(dossierPath, dossierBytes)
		}
	} else {
		derr = fmt.Errorf("lecture de %s : %w", dossierPath, derr)
	}
	if d != nil {
		s.Surname, s.FirstNames = d.Person.Surname, d.Person.FirstNames
	}
	var key string
	if cache != nil && derr == nil {
		key = cache.key(dir, jst, dossierBytes)
		if e := cache.get(key); e != nil {
			if p, err := pc.get(e.Protocol); err == nil && fromEntry(&s, e, p, today) {
				return s
			}
			s = CaseSummary{Dir: dir, Surname: s.Surname, FirstNames: s.FirstNames}
		}
	}
	// Read without the lock: list reads many cases and a journal is only
	// ever appended to, whole lines at a time. A torn last line may be a
	// write in progress: it is read again under the shared lock.
	journal, jerr := os.ReadFile(journalPath)
	if jerr != nil {
		s.Err = fmt.Errorf("lecture du journal %s : %w", journalPath, jerr)
		return s
	}
	if int64(len(journal)) != jst.Size() {
		key = "" // changed since the stat: do not cache what was read
	}
	events, jerr := parseJournalBytes(journalPath, journal)
	var je *JournalError
	if errors.As(jerr, &je) && je.Truncated {
		events, jerr = cs.Events()
		key = ""
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
	p, err := pc.get(s.Protocol)
	if err != nil {
		s.Err = err
		return s
	}
	st := Fold(p, events, d)
	s.Warnings, s.WarningCount = st.Warnings, len(st.Warnings)
	s.Next = st.Next()
	s.Finished = s.Next == nil
	all := st.Deadlines(d, today)
	if dl := NextDeadline(all); dl != nil {
		c := *dl
		s.Deadline = &c
	}
	if key != "" {
		cache.put(key, toEntry(&s, all))
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
