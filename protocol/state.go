package protocol

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// StepRecord is the data of a step.done event: one channel of one step,
// with its date, reference, pieces and extra facts.
type StepRecord struct {
	Step    string            `json:"step"`
	Channel string            `json:"channel,omitempty"`
	Ref     string            `json:"ref,omitempty"`
	Date    *time.Time        `json:"date,omitempty"`
	Pieces  []int             `json:"pieces,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
	Note    string            `json:"note,omitempty"`
	// Letter is the piece holding the letter as it was sent with this record
	// (the channel's "envoie" document, frozen when the sending is recorded).
	Letter int `json:"letter,omitempty"`

	EventID    string    `json:"-"`
	RecordedAt time.Time `json:"-"`
}

// UndoRecord is the data of a step.undone event.
type UndoRecord struct {
	Step    string `json:"step"`
	Channel string `json:"channel,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// NoteRecord is the data of a note.added event.
type NoteRecord struct {
	Text string `json:"text"`
}

// TimestampRecord is the data of a timestamp.added event.
type TimestampRecord struct {
	Piece     int             `json:"piece"`
	File      string          `json:"file"`  // the timestamped file (relative path)
	Token     string          `json:"token"` // the .tsr file (relative path)
	TokenSHA  string          `json:"token_sha256"`
	Authority string          `json:"authority"`
	GenTime   time.Time       `json:"gen_time"`
	Status    TimestampStatus `json:"status"`
	// Signer is the subject of the certificate that signed the token.
	Signer string `json:"signer,omitempty"`
	// RequestedAt is the local time the token was asked for: a token whose
	// time is far from it is reported as inconsistent by verify.
	RequestedAt time.Time `json:"requested_at,omitempty"`
}

// CaptureFailure is the data of a capture.failed event (an attempt of a
// repeated capture that did not produce a piece).
type CaptureFailure struct {
	URL     string `json:"url"`
	Reason  string `json:"reason"`
	Attempt int    `json:"attempt,omitempty"`
}

// StepState is where one step stands.
type StepState struct {
	Step     *Step
	Records  []StepRecord
	Pieces   []int // pieces that count for an automatic step
	Done     bool
	Missing  string // what is still missing, in French
	Channels []string
	// Recommendation is advice for a step already done that would be
	// stronger with more (e.g. captures over more weeks).
	Recommendation string
}

// State is the fold of the journal over the protocol: nothing else holds state.
type State struct {
	Protocol   *Protocol
	Pieces     []Piece
	Steps      []*StepState
	Warnings   []string
	Notes      []NoteRecord
	Timestamps []TimestampRecord
	Failures   []CaptureFailure
	Created    time.Time
	LastHash   string
	Events     int
	// Dossier is the case's dossier.yaml the fold was given (nil when
	// unreadable); it makes channels with requis_si_champ required.
	Dossier *Dossier
}

// Piece returns the piece with that number, or nil.
func (s *State) Piece(n int) *Piece {
	if n >= 1 && n <= len(s.Pieces) && s.Pieces[n-1].Number == n {
		return &s.Pieces[n-1]
	}
	for i := range s.Pieces {
		if s.Pieces[i].Number == n {
			return &s.Pieces[i]
		}
	}
	return nil
}

// StepState returns the state of a step, or nil.
func (s *State) StepState(id string) *StepState {
	for _, st := range s.Steps {
		if st.Step.ID == id {
			return st
		}
	}
	return nil
}

// Next returns the first mandatory step not done, or nil when every
// mandatory step is done.
func (s *State) Next() *StepState {
	for _, st := range s.Steps {
		if st.Step.Mandatory && !st.Done {
			return st
		}
	}
	return nil
}

// Fold computes the state of a case from its journal, over its protocol and
// its dossier.yaml (d may be nil: what depends on the case, such as the
// préfecture's own channel, then does not apply). It reads nothing: commands
// get a case's state from [Case.State] or [Tx.State].
func Fold(p *Protocol, events []Event, d *Dossier) *State {
	return foldState(p, events, d, nil)
}

// foldState is Fold; with renum (see [FoldDocuments]) the pieces are renumbered
// and those mapped to 0 left out.
func foldState(p *Protocol, events []Event, d *Dossier, renum map[int]int) *State {
	s := &State{Protocol: p, Events: len(events), Dossier: d}
	aside := setAside(events)
	for i := range p.Steps {
		s.Steps = append(s.Steps, &StepState{Step: &p.Steps[i]})
	}
	for _, e := range events {
		s.LastHash = e.Hash
		switch e.Type {
		case EventCreated:
			s.Created = e.Time
		case EventPiece:
			var pc Piece
			if err := e.Decode(&pc); err != nil {
				s.Warnings = append(s.Warnings, fmt.Sprintf("ligne %d : pièce illisible", e.Line))
				continue
			}
			pc.canonical()
			pc.EventID, pc.AddedAt = e.ID, e.Time
			pc.SetAside, pc.CaseNumber = aside[pc.Number], pc.Number
			if renum != nil {
				if renum[pc.Number] == 0 {
					continue
				}
				pc.Number, pc.SetAside = renum[pc.Number], nil
			}
			s.Pieces = append(s.Pieces, pc)
		case EventStepDone:
			var r StepRecord
			if err := e.Decode(&r); err != nil {
				continue
			}
			r.EventID, r.RecordedAt = e.ID, e.Time
			if renum != nil {
				r.Pieces = remap(r.Pieces, renum)
			}
			st := s.StepState(r.Step)
			if st == nil {
				s.Warnings = append(s.Warnings, fmt.Sprintf("ligne %d : étape « %s » inconnue de ce protocole", e.Line, r.Step))
				continue
			}
			for _, a := range st.Step.After {
				before := s.StepState(a)
				s.evaluate(before)
				if before.Step.Mandatory && !before.Done {
					s.Warnings = append(s.Warnings, fmt.Sprintf("étape « %s » enregistrée le %s avant l'étape « %s », pas encore faite à ce moment",
						st.Step.Title, FrDate(e.Time), before.Step.Title))
				}
			}
			st.Records = append(st.Records, r)
		case EventStepUndo:
			var u UndoRecord
			if err := e.Decode(&u); err != nil {
				continue
			}
			if st := s.StepState(u.Step); st != nil {
				kept := st.Records[:0]
				for _, r := range st.Records {
					if u.Channel != "" && r.Channel != u.Channel {
						kept = append(kept, r)
					}
				}
				st.Records = kept
			}
		case EventPieceTitled:
			var t PieceTitle
			if e.Decode(&t) == nil {
				if renum != nil {
					t.Number = renum[t.Number] // 0 (set aside): no piece
				}
				if p := s.Piece(t.Number); p != nil {
					p.Title, p.TitledAt = t.Title, e.Time
				}
			}
		case EventNote:
			var n NoteRecord
			if e.Decode(&n) == nil {
				s.Notes = append(s.Notes, n)
			}
		case EventTimestamp:
			var t TimestampRecord
			if e.Decode(&t) == nil {
				if renum != nil {
					if renum[t.Piece] == 0 {
						continue
					}
					t.Piece = renum[t.Piece]
				}
				s.Timestamps = append(s.Timestamps, t)
			}
		case EventCaptureFailed:
			var f CaptureFailure
			if e.Decode(&f) == nil {
				s.Failures = append(s.Failures, f)
			}
		}
	}
	for _, st := range s.Steps {
		s.evaluate(st)
	}
	for _, st := range s.Steps {
		if st.Done && st.Recommendation != "" {
			s.Warnings = append(s.Warnings, fmt.Sprintf("étape « %s » : %s", st.Step.Title, st.Recommendation))
		}
	}
	s.Warnings = append(s.Warnings, s.alerts()...)
	// A piece cited by a step that does not exist is worth a warning.
	for _, st := range s.Steps {
		for _, r := range st.Records {
			for _, n := range r.Pieces {
				if s.Piece(n) == nil {
					s.Warnings = append(s.Warnings, fmt.Sprintf("étape « %s » : la pièce n°%d n'existe pas", st.Step.Title, n))
				}
			}
		}
	}
	return s
}

// evaluate decides whether a step is done from its records and the pieces.
func (s *State) evaluate(st *StepState) {
	step := st.Step
	st.Done, st.Missing, st.Channels, st.Pieces, st.Recommendation = false, "", nil, nil, ""
	if len(step.AnyOf) > 0 {
		var titles []string
		for _, id := range step.AnyOf {
			other := s.StepState(id)
			s.evaluate(other)
			if other.Done {
				st.Done = true
			}
			titles = append(titles, "« "+other.Step.Title+" »")
		}
		if !st.Done {
			st.Missing = "au moins une étape parmi : " + strings.Join(titles, ", ")
		}
		return
	}
	defer s.checkAnswer(st)
	if step.Auto != nil {
		kinds := map[string]bool{}
		for _, k := range step.Auto.Kinds {
			kinds[k] = true
		}
		excluded := map[int]bool{}
		for _, id := range step.Auto.ExcludeSteps {
			if other := s.StepState(id); other != nil {
				for _, r := range other.Records {
					for _, n := range r.Pieces {
						excluded[n] = true
					}
				}
			}
		}
		var dates []time.Time
		for _, p := range s.Pieces {
			if kinds[p.Kind] && !excluded[p.Number] && p.SetAside == nil {
				st.Pieces = append(st.Pieces, p.Number)
				dates = append(dates, p.Date)
			}
		}
		for _, r := range st.Records {
			for _, n := range r.Pieces {
				if p := s.Piece(n); p != nil && !containsInt(st.Pieces, n) {
					st.Pieces = append(st.Pieces, n)
					dates = append(dates, p.Date)
				}
			}
		}
		sort.Ints(st.Pieces)
		weeks := distinctWeeks(dates)
		min := step.Auto.Min
		if min < 1 {
			min = 1
		}
		switch {
		case len(st.Pieces) < min:
			st.Missing = piecesShort(len(st.Pieces), min)
		case weeks < step.Auto.DistinctWeeks:
			st.Missing = fmt.Sprintf("captures réparties sur %d semaine(s) seulement (périodes de 7 jours depuis la première) ; il en faut au moins %d différentes", weeks, step.Auto.DistinctWeeks)
		default:
			st.Done = true
			if rw := step.Auto.RecommendedWeeks; rw > weeks {
				st.Recommendation = fmt.Sprintf("pièces réparties sur %d semaine(s) différente(s) ; poursuivez la série jusqu'à au moins %d semaines différentes", weeks, rw)
				if step.Auto.Advice != "" {
					st.Recommendation += " (" + strings.Join(strings.Fields(step.Auto.Advice), " ") + ")"
				}
			}
		}
		return
	}
	if len(step.Channels) == 0 {
		st.Done = len(st.Records) > 0
		if !st.Done {
			st.Missing = "pas encore enregistrée"
		}
		return
	}
	seen := map[string]bool{}
	for _, r := range st.Records {
		if !seen[r.Channel] {
			seen[r.Channel] = true
			st.Channels = append(st.Channels, r.Channel)
		}
	}
	var missing []string
	for _, req := range s.requiredChannels(step) {
		if !seen[req] {
			c := step.Channel(req)
			missing = append(missing, c.Title)
		}
	}
	min := step.MinChannels
	if min < 1 {
		min = 1
	}
	if len(st.Channels) < min {
		if len(missing) == 0 && len(step.Channels) == 1 {
			missing = append(missing, "pas encore enregistrée")
		} else if len(missing) == 0 {
			var titles []string
			for _, c := range step.Channels {
				titles = append(titles, c.Title)
			}
			missing = append(missing, fmt.Sprintf("au moins %d canal parmi : %s", min, strings.Join(titles, ", ")))
		}
	}
	st.Done = len(missing) == 0
	st.Missing = strings.Join(missing, " ; ")
}

// distinctWeeks counts the distinct weeks the dates fall in, a week being a
// period of seven calendar days (Paris) counted from the earliest date. Unlike
// calendar weeks, four attempts within six days always make one week, whatever
// the weekday they start on: CE 10 June 2020, n°435594, judged such a series
// insufficient.
func distinctWeeks(dates []time.Time) int {
	if len(dates) == 0 {
		return 0
	}
	first := dates[0]
	for _, d := range dates {
		if d.Before(first) {
			first = d
		}
	}
	seen := map[int]bool{}
	for _, d := range dates {
		seen[DaysBetween(first, d)/7] = true
	}
	return len(seen)
}

// requiredChannels lists the channels a step requires for this case: the
// protocol's canaux_requis, plus the channels whose requis_si_champ field is
// filled in the case's dossier.yaml.
func (s *State) requiredChannels(step *Step) []string {
	req := append([]string(nil), step.RequiredChannels...)
	if s.Dossier == nil {
		return req
	}
	for _, c := range step.Channels {
		if c.RequiredIfField != "" && s.Dossier.Field(c.RequiredIfField) != "" {
			dup := false
			for _, r := range req {
				dup = dup || r == c.ID
			}
			if !dup {
				req = append(req, c.ID)
			}
		}
	}
	return req
}

// RecordTime is the date of a record: the date given, else when it was recorded.
func RecordTime(r StepRecord) time.Time {
	if r.Date != nil {
		return *r.Date
	}
	return r.RecordedAt
}

// latestRecord returns the time of the latest record of a step (zero if none).
func latestRecord(st *StepState) time.Time {
	var t time.Time
	for _, r := range st.Records {
		if rt := RecordTime(r); rt.After(t) {
			t = rt
		}
	}
	return t
}

// checkAnswer applies repond_a: a step that answers another is done only when
// its latest record is not older than the latest record it answers (same
// day counts: a request and its answer are often recorded by date only).
func (s *State) checkAnswer(st *StepState) {
	if st.Step.AnswersTo == "" || !st.Done {
		return
	}
	target := s.StepState(st.Step.AnswersTo)
	asked := latestRecord(target)
	if asked.IsZero() {
		return
	}
	if answered := latestRecord(st); Midnight(answered).Before(Midnight(asked)) {
		st.Done = false
		st.Missing = fmt.Sprintf("pas encore de réponse à « %s » du %s", target.Step.Title, FrDate(asked))
	}
}

// alerts evaluates the protocol's alerts against the folded state.
func (s *State) alerts() []string {
	var out []string
	for _, a := range s.Protocol.Alerts {
		if a.Unless != "" {
			if st := s.StepState(a.Unless); st != nil && st.Done {
				continue
			}
		}
		ok := true
		for _, cond := range a.When {
			if !s.holds(parseCondition(cond)) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, strings.Join(strings.Fields(a.Message), " "))
		}
	}
	return out
}

// WrittenKinds are the kinds of piece that prove a written statement (the
// CCC's answer, an attestation), as opposed to a call log or a capture.
var WrittenKinds = []string{"reponse-ccc", "attestation"}

// holds tells whether one alert condition is true.
func (s *State) holds(c condition) bool {
	if c.neg {
		c.neg = false
		return !s.holds(c)
	}
	st := s.StepState(c.step)
	if st == nil {
		return false
	}
	switch {
	case c.field != "":
		want := c.value
		if f := st.Step.Field(c.field); f != nil && f.Type == "booleen" {
			if b, err := ParseBool(want); err == nil {
				want = strconv.FormatBool(b)
			}
		}
		for _, r := range st.Records {
			v, ok := r.Fields[c.field]
			if !ok {
				continue
			}
			if f := st.Step.Field(c.field); f != nil && f.Type == "booleen" {
				if b, err := ParseBool(v); err == nil {
					v = strconv.FormatBool(b)
				}
			}
			if strings.EqualFold(strings.TrimSpace(v), want) && (!c.written || s.HasWritten(r)) {
				return true
			}
		}
		return false
	case c.channel != "":
		for _, r := range st.Records {
			if r.Channel == c.channel {
				return true
			}
		}
		return false
	}
	return st.Done
}

// HasWritten tells whether a record carries a written piece (WrittenKinds).
func (s *State) HasWritten(r StepRecord) bool {
	for _, n := range r.Pieces {
		if p := s.Piece(n); p != nil {
			for _, k := range WrittenKinds {
				if p.Kind == k {
					return true
				}
			}
		}
	}
	return false
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// ValidateRecord checks a step.done record against the protocol before it is
// written: known step and channel, what the channel needs, pieces that exist,
// known extra fields with valid values.
func (s *State) ValidateRecord(r *StepRecord) error {
	step := s.Protocol.Step(r.Step)
	if step == nil {
		return &UnknownStepError{ID: r.Step, Known: s.Protocol.StepIDs()}
	}
	if len(step.AnyOf) > 0 {
		return fmt.Errorf("l'étape %s se fait en enregistrant l'une de ces étapes : %s", step.ID, strings.Join(step.AnyOf, ", "))
	}
	if len(step.Channels) > 0 {
		if r.Channel == "" {
			if len(step.Channels) == 1 {
				r.Channel = step.Channels[0].ID
			} else {
				return fmt.Errorf("l'étape %s demande un canal (--channel) : %s", step.ID, channelList(step))
			}
		}
		ch := step.Channel(r.Channel)
		if ch == nil {
			return fmt.Errorf("canal « %s » inconnu pour l'étape %s ; canaux : %s", r.Channel, step.ID, channelList(step))
		}
		for _, need := range ch.Needs {
			switch need {
			case "piece":
				if len(r.Pieces) == 0 {
					return fmt.Errorf("le canal %s de l'étape %s exige une pièce justificative (--piece N) : %s", ch.ID, step.ID, ch.Hint)
				}
			case "ref":
				if r.Ref == "" {
					label := ch.RefLabel
					if label == "" {
						label = "référence"
					}
					return fmt.Errorf("le canal %s de l'étape %s exige --ref (%s)", ch.ID, step.ID, label)
				}
			case "date":
				if r.Date == nil {
					return fmt.Errorf("le canal %s de l'étape %s exige --date", ch.ID, step.ID)
				}
			}
		}
		// A reference quoted from another channel is checked only when one is
		// given: an unanswered call, or a call made before any e-mail, has none.
		if ch.RefFromChannel != "" && r.Ref != "" {
			st := s.StepState(step.ID)
			found := false
			var known []string
			for _, old := range st.Records {
				if old.Channel == ch.RefFromChannel && old.Ref != "" {
					known = append(known, old.Ref)
					if old.Ref == r.Ref {
						found = true
					}
				}
			}
			if !found {
				other := step.Channel(ch.RefFromChannel)
				if len(known) == 0 {
					return fmt.Errorf("le canal %s exige d'abord le canal %s avec sa référence (enregistrez-le avant)", ch.ID, other.ID)
				}
				return fmt.Errorf("la référence « %s » ne correspond à aucune référence du canal %s (connues : %s)", r.Ref, other.ID, strings.Join(known, ", "))
			}
		}
	} else if r.Channel != "" {
		return fmt.Errorf("l'étape %s n'a pas de canaux (--channel inutile)", step.ID)
	}
	for _, n := range r.Pieces {
		if s.Piece(n) == nil {
			return fmt.Errorf("la pièce n°%d n'existe pas (%d pièce(s) au dossier)", n, len(s.Pieces))
		}
	}
	for k, v := range r.Fields {
		f := step.Field(k)
		if f == nil {
			var ids []string
			for _, f := range step.Fields {
				ids = append(ids, f.ID)
			}
			if len(ids) == 0 {
				return fmt.Errorf("l'étape %s n'a pas de champ « %s »", step.ID, k)
			}
			return fmt.Errorf("champ « %s » inconnu pour l'étape %s ; champs : %s", k, step.ID, strings.Join(ids, ", "))
		}
		switch f.Type {
		case "booleen":
			b, err := ParseBool(v)
			if err != nil {
				return fmt.Errorf("champ %s : %w", k, err)
			}
			r.Fields[k] = strconv.FormatBool(b)
		case "date":
			t, _, err := ParseDate(v)
			if err != nil {
				return fmt.Errorf("champ %s : %w", k, err)
			}
			r.Fields[k] = t.Format(time.RFC3339)
		}
	}
	return nil
}

// ParseBool reads oui/non as well as true/false.
func ParseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "oui", "o", "true", "vrai", "1", "yes":
		return true, nil
	case "non", "n", "false", "faux", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("« %s » : oui ou non attendu", v)
}

func channelList(step *Step) string {
	var ids []string
	for _, c := range step.Channels {
		ids = append(ids, c.ID+" ("+c.Title+")")
	}
	return strings.Join(ids, ", ")
}

// UnknownStepError is returned for a step id the protocol does not know.
type UnknownStepError struct {
	ID    string
	Known []string
}

func (e *UnknownStepError) Error() string {
	return fmt.Sprintf("étape « %s » inconnue ; étapes de ce protocole : %s", e.ID, strings.Join(e.Known, ", "))
}

// piecesShort says, in French, how many pieces a step has and how many it
// needs ("aucune pièce pour l'instant ; il en faut au moins 1").
func piecesShort(have, need int) string {
	if have == 0 {
		return fmt.Sprintf("aucune pièce pour l'instant ; il en faut au moins %d", need)
	}
	s := ""
	if have > 1 {
		s = "s"
	}
	return fmt.Sprintf("%d pièce%s seulement ; il en faut au moins %d", have, s, need)
}
