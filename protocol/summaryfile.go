package protocol

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/gofrs/flock"
)

// SummaryFile is the case's summary: what `list` shows of it (person,
// protocol, next step, open deadlines as absolute dates, warnings), written
// by every command that holds the case's exclusive lock ([Tx.Close]) and
// stamped with what it was derived from. `list` reads it instead of folding
// the journal when the stamps still match the case's files. It is derived
// data, never evidence: missing, unreadable or stale, it is ignored and the
// case is folded from its journal. It holds personal data, like the rest of
// the folder (mode 0600).
const SummaryFile = ".summary.json"

// summarySchema is the version of the summary's content and of the fold
// that produced it: bump it whenever what a fold gives for the same files
// changes (the engine, the deadline rules, the piece kinds in Go), so that
// every older summary is ignored.
const summarySchema = 1

// maxSummarySize bounds what is read of a summary file; a real one is
// under a few kilobytes.
const maxSummarySize = 1 << 20

// summary is the content of [SummaryFile]. Its keys are English and ASCII,
// as for every machine format of a case.
type summary struct {
	Schema int `json:"schema"`
	// The stamps: what the summary was derived from. DossierSize is -1 when
	// dossier.yaml is missing.
	JournalSize    int64  `json:"journal_size"`
	JournalMtime   int64  `json:"journal_mtime_ns"`
	DossierSize    int64  `json:"dossier_size"`
	DossierMtime   int64  `json:"dossier_mtime_ns"`
	Protocol       string `json:"protocol"`
	ProtocolSHA256 string `json:"protocol_sha256"`

	Events     int               `json:"events"`
	Surname    string            `json:"surname,omitempty"`
	FirstNames string            `json:"first_names,omitempty"`
	Next       *summaryStep      `json:"next,omitempty"`
	Deadlines  []summaryDeadline `json:"deadlines,omitempty"`
	Warnings   []string          `json:"warnings,omitempty"`
}

type summaryStep struct {
	Step    string `json:"step"`
	Missing string `json:"missing,omitempty"`
}

// summaryDeadline is a deadline still open when the summary was written,
// by its absolute date: the days left are counted when the summary is read.
type summaryDeadline struct {
	ID   string    `json:"id"`
	Date time.Time `json:"date"`
	Note string    `json:"note,omitempty"`
}

// fileStamp returns the size and modification time of path; a missing
// file has size -1.
func fileStamp(path string) (size, mtime int64, err error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return -1, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	return st.Size(), st.ModTime().UnixNano(), nil
}

// readSummary returns the case's summary when it is readable and its stamps
// match the journal (jst), dossier.yaml and the protocol as pc has it; nil
// otherwise. The file is read into buf, which can be reused for the next
// case once the summary is decoded.
func readSummary(c *Case, jst os.FileInfo, pc *protocolCache, buf *[]byte) *summary {
	// Never os.Open: a FIFO would block list for ever, a link could point
	// anywhere (review 1, list over a hostile case).
	f, st, err := OpenCaseFile(c.Path(SummaryFile), SummaryFile)
	if err != nil {
		return nil
	}
	defer f.Close()
	// Read in one call, into the same buffer for every case of a list. The
	// file is replaced whole (rename), never written in place: its size
	// is its content's.
	n := st.Size()
	if n > maxSummarySize {
		return nil
	}
	if int64(cap(*buf)) < n {
		*buf = make([]byte, n, max(n, 8<<10))
	}
	data := (*buf)[:n]
	if _, err := io.ReadFull(f, data); err != nil {
		return nil
	}
	var sf summary
	if jsonv2.Unmarshal(data, &sf, jsonv2.RejectUnknownMembers(true)) != nil || sf.Schema != summarySchema {
		return nil
	}
	if sf.JournalSize != jst.Size() || sf.JournalMtime != jst.ModTime().UnixNano() {
		return nil
	}
	size, mtime, err := fileStamp(c.Path(DossierFile))
	if err != nil || sf.DossierSize != size || sf.DossierMtime != mtime {
		return nil
	}
	if _, sha, err := pc.get(sf.Protocol); err != nil || sha != sf.ProtocolSHA256 {
		return nil
	}
	return &sf
}

// apply fills s from the summary; false when the summary does not fit the
// protocol (then the case is folded).
func (sf *summary) apply(s *CaseSummary, pc *protocolCache, today time.Time) bool {
	p, _, err := pc.get(sf.Protocol)
	if err != nil {
		return false
	}
	s.Surname, s.FirstNames = sf.Surname, sf.FirstNames
	s.Protocol, s.Events = sf.Protocol, sf.Events
	s.Warnings, s.WarningCount = sf.Warnings, len(sf.Warnings)
	s.Next = nil
	if sf.Next != nil {
		step := p.Step(sf.Next.Step)
		if step == nil {
			return false
		}
		s.Next = &StepState{Step: step, Missing: sf.Next.Missing}
	}
	s.Finished = s.Next == nil
	all := make([]DeadlineState, 0, len(sf.Deadlines))
	for _, d := range sf.Deadlines {
		var def *Deadline
		for i := range p.Deadlines {
			if p.Deadlines[i].ID == d.ID {
				def = &p.Deadlines[i]
			}
		}
		if def == nil {
			return false
		}
		all = append(all, DeadlineState{Deadline: def, Date: d.Date, DaysLeft: DaysBetween(today, d.Date), Note: d.Note})
	}
	s.Deadline = nil
	if dl := NextDeadline(all); dl != nil {
		c := *dl
		s.Deadline = &c
	}
	return true
}

// makeSummary folds events (the whole journal, whose stat is jst) with the
// case's dossier.yaml and protocol. It fails when the case has a problem
// list must show (dossier.yaml missing or invalid, protocol unknown): such a
// case gets no summary and is folded by every list, which reports it.
func (c *Case) makeSummary(events []Event, jst os.FileInfo, pc *protocolCache) (*summary, error) {
	// The stamp is taken before the bytes are read: an edit in between
	// leaves a stamp older than the file, so the summary is not used.
	dsize, dmtime, err := fileStamp(c.Path(DossierFile))
	if err != nil {
		return nil, err
	}
	d, _, err := c.Dossier()
	if err != nil {
		return nil, err
	}
	id := c.ProtocolID(events)
	p, sha, err := pc.get(id)
	if err != nil {
		return nil, err
	}
	now := Now()
	st := Fold(p, events, d)
	sf := &summary{Schema: summarySchema, JournalSize: jst.Size(), JournalMtime: jst.ModTime().UnixNano(),
		DossierSize: dsize, DossierMtime: dmtime, Protocol: id, ProtocolSHA256: sha,
		Events: len(events), Surname: d.Person.Surname, FirstNames: d.Person.FirstNames, Warnings: st.Warnings}
	if next := st.Next(); next != nil {
		sf.Next = &summaryStep{Step: next.Step.ID, Missing: next.Missing}
	}
	for _, dl := range st.Deadlines(d, now) {
		if !dl.Closed {
			sf.Deadlines = append(sf.Deadlines, summaryDeadline{ID: dl.Deadline.ID, Date: dl.Date, Note: dl.Note})
		}
	}
	return sf, nil
}

// writeSummary writes sf atomically. A failure is harmless (the next list
// folds the case), so the summary is not worth a crash point of its own.
func (c *Case) writeSummary(sf *summary) error {
	data, err := json.Marshal(sf)
	if err != nil {
		return err
	}
	return ReplaceFile(c.Path(SummaryFile), append(data, '\n'))
}

// updateSummary brings the summary up to date at the end of a transaction,
// while the exclusive lock is still held: after an append its stamps no
// longer match, and a stale summary (hand edit of dossier.yaml, older
// binary) is rewritten by the next command that holds the case. Nothing
// here fails the command: a case without a summary is only slower to list.
func (t *Tx) updateSummary() {
	defer func() { _ = recover() }()
	c := t.c
	jst, err := os.Stat(c.Path(JournalFile))
	if err != nil || len(t.events) == 0 {
		return
	}
	pc := newProtocolCache(c.Templates)
	if readSummary(c, jst, pc, new([]byte)) != nil {
		return
	}
	sf, err := c.makeSummary(t.events, jst, pc)
	if err != nil {
		// Do not leave a summary that could be taken for this state.
		_ = os.Remove(c.Path(SummaryFile))
		return
	}
	_ = c.writeSummary(sf)
}

// refreshSummary rewrites the summary of a case for `list --refresh`, under
// the case's exclusive lock taken without waiting; ok is false when the lock
// is busy or the case cannot be summarised (then list folds it unlocked).
func (c *Case) refreshSummary(pc *protocolCache) (sf *summary, ok bool) {
	// The lock is never followed if it is a link, nor chmod-ed through one
	// (review 1, M5): the same rules as every other command.
	if st, err := os.Lstat(c.Path(LockFile)); err == nil && !st.Mode().IsRegular() {
		return nil, false
	}
	fl := flock.New(c.Path(LockFile), flock.SetFlag(lockOpenFlag), flock.SetPermissions(FileMode))
	locked, err := fl.TryLock()
	if err != nil || !locked {
		return nil, false
	}
	defer fl.Unlock()
	if st, err := os.Lstat(c.Path(LockFile)); err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	jst, err := os.Stat(c.Path(JournalFile))
	if err != nil {
		return nil, false
	}
	events, err := ReadJournal(c.Path(JournalFile))
	if err != nil {
		return nil, false
	}
	if sf, err = c.makeSummary(events, jst, pc); err != nil {
		return nil, false
	}
	if err := c.writeSummary(sf); err != nil {
		return nil, false
	}
	return sf, true
}
