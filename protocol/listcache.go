package protocol

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"anefdossier/templates"
)

// ListCache remembers, for [SummarizeCases], what the fold of a case gave, so
// that a case unchanged since the last list is not decoded again. An entry is
// found by the journal's size and modification time (the journal is only ever
// appended to, so every change the tool makes grows it), the SHA-256 of
// dossier.yaml's exact bytes, the protocol files and the program itself. A
// hand edit of the journal that keeps its size and forges its modification
// time is not seen by list; verify sees it. Entries hold no personal data (no name,
// no free text typed by the user): the protocol, the next step, the number of
// warnings and the open deadlines' dates. Cases in error are never
// cached. The file is a convenience: unreadable, it is ignored and rewritten.
type ListCache struct {
	path    string
	salt    string
	mu      sync.Mutex
	entries map[string]*listEntry
	used    map[string]bool
	dirty   bool
}

type listEntry struct {
	Protocol  string         `json:"p"`
	Next      string         `json:"n,omitempty"`
	Missing   string         `json:"m,omitempty"`
	Warnings  int            `json:"w,omitempty"`
	Events    int            `json:"e"`
	Deadlines []listDeadline `json:"d,omitempty"`
	Seen      int64          `json:"s"` // Unix day of the last use
}

// listDeadline is a deadline still open when the entry was made; its date
// is a calendar day in Paris.
type listDeadline struct {
	ID   string `json:"i"`
	Date string `json:"d"`
}

// listCacheKeep is how long an entry not used by a list is kept.
const listCacheKeep = 60 // days

// OpenListCache loads the cache file at path (missing or unreadable: empty).
// tmpl is the template tree the cases are read with.
func OpenListCache(path string, tmpl fs.FS) *ListCache {
	c := &ListCache{path: path, salt: listSalt(tmpl), entries: map[string]*listEntry{}, used: map[string]bool{}}
	data, err := os.ReadFile(path)
	if err == nil {
		var file struct {
			Salt    string                `json:"salt"`
			Entries map[string]*listEntry `json:"entries"`
		}
		if json.Unmarshal(data, &file) == nil && file.Entries != nil {
			c.entries = file.Entries
		}
	}
	return c
}

// listSalt identifies what, besides a case's own files, decides its fold:
// the protocol definitions and the program.
func listSalt(tmpl fs.FS) string {
	h := sha256.New()
	fmt.Fprintln(h, ToolVersion)
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			fmt.Fprintln(h, exe, st.Size(), st.ModTime().UnixNano())
		}
	}
	if tmpl == nil {
		tmpl = templates.FS
	}
	for _, id := range Protocols(tmpl) {
		b, _ := fs.ReadFile(tmpl, "protocols/"+id+".yaml")
		fmt.Fprintln(h, id, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *ListCache) key(dir string, journal os.FileInfo, dossier []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%d %d\n", c.salt, dir, journal.Size(), journal.ModTime().UnixNano())
	h.Write(dossier)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *ListCache) get(key string) *listEntry {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e != nil {
		c.used[key] = true
	}
	return e
}

func (c *ListCache) put(key string, e *listEntry) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = e
	c.used[key] = true
	c.dirty = true
}

// Save writes the cache back when it changed (or once a day, to date the
// entries used), dropping entries unused for 60 days. The write is atomic.
func (c *ListCache) Save(today time.Time) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	day := today.Unix() / 86400
	for k := range c.used {
		if e := c.entries[k]; e != nil && e.Seen != day {
			e.Seen, c.dirty = day, true
		}
	}
	for k, e := range c.entries {
		if day-e.Seen > listCacheKeep {
			delete(c.entries, k)
			c.dirty = true
		}
	}
	if !c.dirty {
		return nil
	}
	data, err := json.Marshal(struct {
		Salt    string                `json:"salt"`
		Entries map[string]*listEntry `json:"entries"`
	}{c.salt, c.entries})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("cache de list : %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".liste-*.tmp")
	if err != nil {
		return fmt.Errorf("cache de list : %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("cache de list : %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache de list : %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache de list : %w", err)
	}
	c.dirty = false
	return nil
}

// toEntry keeps what a summary needs from a fold: closed deadlines never
// come back, and notes are for status, not list.
func toEntry(s *CaseSummary, all []DeadlineState) *listEntry {
	e := &listEntry{Protocol: s.Protocol, Warnings: s.WarningCount, Events: s.Events}
	if s.Next != nil {
		e.Next, e.Missing = s.Next.Step.ID, s.Next.Missing
	}
	for _, d := range all {
		if !d.Closed {
			e.Deadlines = append(e.Deadlines, listDeadline{ID: d.Deadline.ID, Date: d.Date.In(Paris).Format("2006-01-02")})
		}
	}
	return e
}

// fromEntry rebuilds a summary from a cache entry; ok is false when the entry
// does not fit the protocol (then the case is read again).
func fromEntry(s *CaseSummary, e *listEntry, p *Protocol, today time.Time) bool {
	s.Protocol, s.WarningCount, s.Events = e.Protocol, e.Warnings, e.Events
	if e.Next != "" {
		step := p.Step(e.Next)
		if step == nil {
			return false
		}
		s.Next = &StepState{Step: step, Missing: e.Missing}
	}
	s.Finished = s.Next == nil
	var all []DeadlineState
	for _, d := range e.Deadlines {
		var def *Deadline
		for i := range p.Deadlines {
			if p.Deadlines[i].ID == d.ID {
				def = &p.Deadlines[i]
			}
		}
		if def == nil {
			return false
		}
		date, err := time.ParseInLocation("2006-01-02", d.Date, Paris)
		if err != nil {
			return false
		}
		all = append(all, DeadlineState{Deadline: def, Date: date, DaysLeft: DaysBetween(today, date)})
	}
	if dl := NextDeadline(all); dl != nil {
		c := *dl
		s.Deadline = &c
	}
	return true
}
