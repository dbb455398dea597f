package protocol

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"

	"anefdossier/internal/portable"
	"anefdossier/templates"
)

// Protocol is one kind of ANEF blockage and the legal steps it calls for,
// declared as data in templates/protocols/*.yaml and read by one engine.
type Protocol struct {
	ID        string     `yaml:"id"`
	Title     string     `yaml:"titre"`
	Summary   string     `yaml:"resume"`
	Steps     []Step     `yaml:"etapes"`
	Documents []Document `yaml:"documents"`
	Deadlines []Deadline `yaml:"delais"`
	// Alerts are warnings raised by what the journal records (e.g. documents
	// asked that the law does not require).
	Alerts []Alert `yaml:"alertes"`
	// Final is shown by `protocol next` when every mandatory step is done.
	Final string `yaml:"fin"`
}

// Step is one legal step.
type Step struct {
	ID        string `yaml:"id"`
	Title     string `yaml:"titre"`
	Mandatory bool   `yaml:"obligatoire"`
	// After lists the steps that should come before this one; recording this
	// step earlier is allowed (real life is messy) but warned about.
	After []string `yaml:"apres"`
	// Proof says, in French, what proves the step.
	Proof string `yaml:"preuve"`
	// Command is the command line that records it.
	Command string `yaml:"commande"`
	// Auto, when set, completes the step from the pieces alone.
	Auto *AutoRule `yaml:"auto"`
	// Channels are the ways of doing the step; see MinChannels and Required.
	Channels []Channel `yaml:"canaux"`
	// MinChannels is how many distinct channels complete the step (default 1
	// when there are channels).
	MinChannels int `yaml:"canaux_min"`
	// RequiredChannels must all be present.
	RequiredChannels []string `yaml:"canaux_requis"`
	// Fields are extra facts recorded with the step (--set id=value).
	Fields []StepField `yaml:"champs"`
	// Documents produced for this step (ids of Protocol.Documents).
	Documents []string `yaml:"documents"`
	// Advice is shown with the step (e.g. what préfectures require).
	Advice string `yaml:"conseil"`
	// AnyOf makes a choice step: it has no records of its own and is done
	// when at least one of these (earlier) steps is done, e.g. "at least one
	// workaround".
	AnyOf []string `yaml:"une_parmi"`
	// AnswersTo: the step answers each record of that (earlier) step, e.g.
	// one answer per request for documents; it is done only when its latest
	// record is dated on or after the latest record of AnswersTo.
	AnswersTo string `yaml:"repond_a"`
}

// AutoRule completes a step from pieces of some kinds.
type AutoRule struct {
	Kinds []string `yaml:"types"`
	Min   int      `yaml:"min"`
	// DistinctWeeks: the pieces must fall in at least that many distinct
	// weeks, a week being seven days counted from the earliest piece.
	DistinctWeeks int `yaml:"semaines_distinctes"`
	// RecommendedWeeks: once the step is done, a warning recommends going on
	// until the pieces cover that many distinct weeks (Advice says why).
	RecommendedWeeks int `yaml:"semaines_recommandees"`
	// Advice is the reason given with the recommendation.
	Advice string `yaml:"conseil"`
	// ExcludeSteps: pieces cited by records of these steps do not count
	// (the capture of the préfecture's procedure page is not an attempt).
	ExcludeSteps []string `yaml:"sauf_pieces_de"`
}

// Channel is one way of doing a step (form, e-mail, phone, LRAR, ...).
type Channel struct {
	ID    string `yaml:"id"`
	Title string `yaml:"titre"`
	// Needs lists what a record of this channel must carry: "piece", "ref", "date".
	Needs []string `yaml:"exige"`
	// RefLabel names the reference in French (e.g. "numéro de la LRAR").
	RefLabel string `yaml:"reference"`
	// RefFromChannel: the reference must be one already recorded on that
	// channel of the same step (the phone call quotes the e-mail's number).
	RefFromChannel string `yaml:"reference_du_canal"`
	Hint           string `yaml:"aide"`
	// RequiredIfField: a dossier.yaml field that, when filled for a case,
	// makes this channel required for the step (e.g. the préfecture's own
	// channel, prefecture.canal_propre). Only applied when [Fold] is given the dossier.
	RequiredIfField string `yaml:"requis_si_champ"`
	// Sends: the document (id of Protocol.Documents) this channel sends, e.g.
	// the LRAR sends the main letter. Recording the channel freezes the
	// letter as sent into a numbered piece (see app.RecordStep).
	Sends string `yaml:"envoie"`
}

// StepField is an extra fact recorded with a step.
type StepField struct {
	ID    string `yaml:"id"`
	Title string `yaml:"titre"`
	Type  string `yaml:"type"` // texte (default), booleen, date
}

// Document is something the protocol produces (a letter, an e-mail) and the
// dossier.yaml fields it cannot do without.
type Document struct {
	ID     string   `yaml:"id"`
	Title  string   `yaml:"titre"`
	Fields []string `yaml:"champs"`
	// AnyOf: at least one field of each group must be filled.
	AnyOf [][]string `yaml:"au_moins_un"`
	// Template is the letter template under templates/letters/.
	Template string `yaml:"modele"`
	// RequiredSteps must be done before the document is written for real:
	// a letter that recounts the diligences cannot be sent before them
	// (render letter refuses, unless --draft).
	RequiredSteps []string `yaml:"exige_etapes"`
}

// SentBy returns the step and channel whose recording sends the document
// ("envoie"), or nils.
func (p *Protocol) SentBy(docID string) (*Step, *Channel) {
	for i := range p.Steps {
		for j := range p.Steps[i].Channels {
			if p.Steps[i].Channels[j].Sends == docID {
				return &p.Steps[i], &p.Steps[i].Channels[j]
			}
		}
	}
	return nil, nil
}

// Deadline is a date computed from the case: a starting date (a step's
// recorded date or a dossier.yaml field) plus a period.
type Deadline struct {
	ID    string `yaml:"id"`
	Title string `yaml:"titre"`
	// FromStep / FromChannel: the date of the latest record of that step.
	FromStep    string `yaml:"depuis_etape"`
	FromChannel string `yaml:"depuis_canal"`
	// FromField: a date field of dossier.yaml.
	FromField string `yaml:"depuis_champ"`
	// Period: "30j", "4m", "-120j", "2m"; or PeriodField, a dossier.yaml
	// field holding a number of days (0 = use Period).
	Period      string `yaml:"duree"`
	PeriodField string `yaml:"duree_champ"`
	// Until: the deadline stops mattering once this step is done.
	Until string `yaml:"jusqu_a"`
	// UntilField: the deadline stops mattering once this dossier.yaml field
	// is filled (e.g. the filing window, once procedure.date_depot is known).
	UntilField string `yaml:"jusqu_au_champ"`
	// Kind: "echeance" (a date not to miss, default) or "ouverture" (a
	// window opens on that date).
	Kind string `yaml:"nature"`
	// ReplaceIf: a dossier.yaml field that, when filled (a boolean at
	// "oui"), replaces Period with ReplacePeriod, Note with ReplaceNote and
	// Source with ReplaceSource. The default Period is always the safe one
	// (the earliest date): the longer period needs a fact the user states,
	// e.g. 2 months become the 1-year reasonable delay only once the user
	// says the acknowledgment lacked the mentions of art. R.112-5 CRPA.
	ReplaceIf     string `yaml:"remplace_si"`
	ReplacePeriod string `yaml:"duree_remplacement"`
	ReplaceNote   string `yaml:"note_remplacement"`
	ReplaceSource string `yaml:"source_remplacement"`
	Note          string `yaml:"note"`
	Source        string `yaml:"source"`
	// LateNote is shown when UntilField holds a date after the deadline.
	LateNote string `yaml:"note_retard"`
	// FromDeadline: starts on the date of an earlier deadline of the list
	// (e.g. the appeal period runs from the implicit rejection). When that
	// deadline is closed, this one is too.
	FromDeadline string `yaml:"depuis_delai"`
	// FromStepField: with FromStep, the start is this date field of the
	// step's latest record that has it (e.g. the end of validity printed on
	// an API) instead of the record's date.
	FromStepField string `yaml:"depuis_champ_etape"`
	// OnlyIf: "champ=valeur" or "champ"; the deadline applies only when the
	// dossier.yaml field has that value (or is filled), e.g.
	// "procedure.nature=renouvellement".
	OnlyIf string `yaml:"si"`
}

// Deadline kinds.
const (
	// KindDue is a date not to miss (the default).
	KindDue = "echeance"
	// KindOpening is the date a window opens.
	KindOpening = "ouverture"
	// KindEvent is a date on which something happens by itself (an
	// implicit rejection, the expiry of a permit): not a date to act by.
	KindEvent = "evenement"
)

// Alert is a warning that the protocol raises from the journal: every
// condition of When holds and the step Unless is not done.
type Alert struct {
	ID string `yaml:"id"`
	// When: conditions that must all hold, each one of
	//   "etape"              the step is done,
	//   "etape:canal"        a record of the step on that channel exists,
	//   "etape.champ=valeur" a record of the step has that field value
	//                        (oui/non for booleans),
	//   "etape.champ=valeur+ecrit" and that record carries a written piece
	//                        (the CCC's answer, an attestation: [WrittenKinds]),
	//   "!condition"         the condition does not hold.
	When []string `yaml:"si"`
	// Unless: a step whose completion silences the alert.
	Unless  string `yaml:"sauf_etape"`
	Message string `yaml:"message"`
	Source  string `yaml:"source"`
}

// Step returns the step with that id, or nil.
func (p *Protocol) Step(id string) *Step {
	for i := range p.Steps {
		if p.Steps[i].ID == id {
			return &p.Steps[i]
		}
	}
	return nil
}

// Channel returns the channel with that id, or nil.
func (s *Step) Channel(id string) *Channel {
	for i := range s.Channels {
		if s.Channels[i].ID == id {
			return &s.Channels[i]
		}
	}
	return nil
}

// Field returns the extra field with that id, or nil.
func (s *Step) Field(id string) *StepField {
	for i := range s.Fields {
		if s.Fields[i].ID == id {
			return &s.Fields[i]
		}
	}
	return nil
}

// Document returns the document with that id, or nil.
func (p *Protocol) Document(id string) *Document {
	for i := range p.Documents {
		if p.Documents[i].ID == id {
			return &p.Documents[i]
		}
	}
	return nil
}

// StepIDs lists the ids of the steps, for messages.
func (p *Protocol) StepIDs() []string {
	ids := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		ids[i] = s.ID
	}
	return ids
}

// UnknownProtocolError is returned for a protocol id that has no file.
type UnknownProtocolError struct {
	ID    string
	Known []string
}

func (e *UnknownProtocolError) Error() string {
	return fmt.Sprintf("protocole inconnu « %s » ; protocoles connus : %s", e.ID, strings.Join(e.Known, ", "))
}

// Protocols lists the ids of the known protocols.
func Protocols(fsys fs.FS) []string {
	if fsys == nil {
		fsys = templates.FS
	}
	matches, _ := fs.Glob(fsys, "protocols/*.yaml")
	ids := make([]string, 0, len(matches))
	for _, m := range matches {
		ids = append(ids, strings.TrimSuffix(path.Base(m), ".yaml"))
	}
	sort.Strings(ids)
	return ids
}

// LoadProtocol reads and checks one protocol from the template tree (nil: the
// embedded one). The returned Protocol is shared (see [loadProtocol]): it
// must not be modified.
func LoadProtocol(fsys fs.FS, id string) (*Protocol, error) {
	p, _, err := loadProtocol(fsys, id)
	return p, err
}

// parsedProtocols holds every protocol this process parsed, by its id and
// the SHA-256 of its file: loading a protocol again (every page of `serve`,
// every case of a list) reads and hashes the file, and parses it only when
// its bytes changed. Parsing is most of the cost (a few milliseconds each).
var parsedProtocols sync.Map // protocolKey -> *Protocol

type protocolKey struct {
	id  string
	sha [sha256.Size]byte
}

// loadProtocol is LoadProtocol, with the hex SHA-256 of the protocol's file
// (what a list summary is stamped with).
func loadProtocol(fsys fs.FS, id string) (*Protocol, string, error) {
	if fsys == nil {
		fsys = templates.FS
	}
	if id == "" || strings.ContainsAny(id, "/\\.") {
		return nil, "", &UnknownProtocolError{ID: id, Known: Protocols(fsys)}
	}
	data, err := fs.ReadFile(fsys, "protocols/"+id+".yaml")
	if err != nil {
		return nil, "", &UnknownProtocolError{ID: id, Known: Protocols(fsys)}
	}
	key := protocolKey{id, sha256.Sum256(data)}
	sha := hex.EncodeToString(key.sha[:])
	if p, ok := parsedProtocols.Load(key); ok {
		return p.(*Protocol), sha, nil
	}
	var p Protocol
	if err := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField()).Decode(&p); err != nil {
		return nil, "", fmt.Errorf("protocole %s : %s", id, yamlProblem(err).String())
	}
	if p.ID != id {
		return nil, "", fmt.Errorf("protocole %s : l'identifiant du fichier est « %s »", id, p.ID)
	}
	if err := p.check(); err != nil {
		return nil, "", fmt.Errorf("protocole %s : %w", id, err)
	}
	parsedProtocols.Store(key, &p)
	return &p, sha, nil
}

var reDocID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,59}$`)

// check verifies the internal consistency of a protocol definition.
func (p *Protocol) check() error {
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if s.ID == "" || s.Title == "" {
			return fmt.Errorf("étape sans id ou sans titre")
		}
		if seen[s.ID] {
			return fmt.Errorf("étape %s en double", s.ID)
		}
		seen[s.ID] = true
		for _, a := range s.After {
			if !seen[a] {
				return fmt.Errorf("étape %s : « apres » cite %s, inconnue ou placée après", s.ID, a)
			}
		}
		for _, c := range s.Channels {
			for _, n := range c.Needs {
				if n != "piece" && n != "ref" && n != "date" {
					return fmt.Errorf("étape %s, canal %s : exigence inconnue %s", s.ID, c.ID, n)
				}
			}
			if c.Sends != "" && p.Document(c.Sends) == nil {
				return fmt.Errorf("étape %s, canal %s : document envoyé %s inconnu", s.ID, c.ID, c.Sends)
			}
			if c.RefFromChannel != "" && s.Channel(c.RefFromChannel) == nil {
				return fmt.Errorf("étape %s, canal %s : canal de référence %s inconnu", s.ID, c.ID, c.RefFromChannel)
			}
		}
		for _, r := range s.RequiredChannels {
			if s.Channel(r) == nil {
				return fmt.Errorf("étape %s : canal requis %s inconnu", s.ID, r)
			}
		}
		for _, d := range s.Documents {
			if p.Document(d) == nil {
				return fmt.Errorf("étape %s : document %s inconnu", s.ID, d)
			}
		}
		for _, c := range s.Channels {
			if c.RequiredIfField != "" && !HasField(c.RequiredIfField) {
				return fmt.Errorf("étape %s, canal %s : champ %s inconnu de dossier.yaml", s.ID, c.ID, c.RequiredIfField)
			}
		}
		for _, a := range s.AnyOf {
			if !seen[a] || a == s.ID {
				return fmt.Errorf("étape %s : « une_parmi » cite %s, inconnue ou placée après", s.ID, a)
			}
		}
		if len(s.AnyOf) > 0 && (len(s.Channels) > 0 || s.Auto != nil) {
			return fmt.Errorf("étape %s : une étape « une_parmi » n'a ni canaux ni règle automatique", s.ID)
		}
		if s.AnswersTo != "" && (!seen[s.AnswersTo] || s.AnswersTo == s.ID) {
			return fmt.Errorf("étape %s : « repond_a » cite %s, inconnue ou placée après", s.ID, s.AnswersTo)
		}
		if s.Auto != nil {
			for _, x := range s.Auto.ExcludeSteps {
				if p.Step(x) == nil || x == s.ID {
					return fmt.Errorf("étape %s : « sauf_pieces_de » cite %s, inconnue", s.ID, x)
				}
			}
		}
		if s.Auto != nil && s.Auto.RecommendedWeeks > 0 && s.Auto.RecommendedWeeks < s.Auto.DistinctWeeks {
			return fmt.Errorf("étape %s : semaines_recommandees inférieur à semaines_distinctes", s.ID)
		}
	}
	seenDoc := map[string]bool{}
	for _, d := range p.Documents {
		// The id names the document's files (out/ID.pdf, ID.eml): lower
		// case ASCII, so that no two differ only by case, and never a
		// Windows device name.
		if !reDocID.MatchString(d.ID) || portable.Problem(d.ID) != "" || seenDoc[d.ID] {
			return fmt.Errorf("document « %s » : identifiant en double ou invalide (lettres minuscules sans accent, chiffres et tirets, 60 au plus ; ni CON, PRN, AUX, NUL, COM1…, LPT1…)", d.ID)
		}
		seenDoc[d.ID] = true
		for _, st := range d.RequiredSteps {
			if p.Step(st) == nil {
				return fmt.Errorf("document %s : étape exigée %s inconnue", d.ID, st)
			}
		}
		for _, f := range d.Fields {
			if !HasField(f) {
				return fmt.Errorf("document %s : champ %s inconnu de dossier.yaml", d.ID, f)
			}
		}
		for _, g := range d.AnyOf {
			for _, f := range g {
				if !HasField(f) {
					return fmt.Errorf("document %s : champ %s inconnu de dossier.yaml", d.ID, f)
				}
			}
		}
	}
	seenDl := map[string]bool{}
	for _, dl := range p.Deadlines {
		if dl.ID == "" || seenDl[dl.ID] {
			return fmt.Errorf("délai sans id ou en double (%s)", dl.ID)
		}
		if dl.FromStep != "" && p.Step(dl.FromStep) == nil {
			return fmt.Errorf("délai %s : étape %s inconnue", dl.ID, dl.FromStep)
		}
		if dl.FromChannel != "" && (dl.FromStep == "" || p.Step(dl.FromStep).Channel(dl.FromChannel) == nil) {
			return fmt.Errorf("délai %s : canal %s inconnu pour l'étape %s", dl.ID, dl.FromChannel, dl.FromStep)
		}
		if dl.FromStepField != "" {
			if dl.FromStep == "" || p.Step(dl.FromStep).Field(dl.FromStepField) == nil || p.Step(dl.FromStep).Field(dl.FromStepField).Type != "date" {
				return fmt.Errorf("délai %s : champ de date %s inconnu pour l'étape %s", dl.ID, dl.FromStepField, dl.FromStep)
			}
		}
		if dl.FromDeadline != "" && !seenDl[dl.FromDeadline] {
			return fmt.Errorf("délai %s : « depuis_delai » cite %s, inconnu ou placé après", dl.ID, dl.FromDeadline)
		}
		starts := 0
		for _, v := range []string{dl.FromStep, dl.FromField, dl.FromDeadline} {
			if v != "" {
				starts++
			}
		}
		if starts != 1 {
			return fmt.Errorf("délai %s : un seul point de départ attendu (depuis_etape, depuis_champ ou depuis_delai)", dl.ID)
		}
		for _, f := range []string{dl.PeriodField, dl.ReplaceIf, dl.UntilField, strings.SplitN(dl.OnlyIf, "=", 2)[0]} {
			if f != "" && !HasField(f) {
				return fmt.Errorf("délai %s : champ %s inconnu de dossier.yaml", dl.ID, f)
			}
		}
		if _, err := ParsePeriod(dl.ReplacePeriod); err != nil {
			return fmt.Errorf("délai %s : %w", dl.ID, err)
		}
		if (dl.ReplaceIf == "") != (dl.ReplacePeriod == "") {
			return fmt.Errorf("délai %s : « remplace_si » et « duree_remplacement » vont ensemble", dl.ID)
		}
		switch dl.Kind {
		case "", KindDue, KindOpening, KindEvent:
		default:
			return fmt.Errorf("délai %s : nature « %s » inconnue (echeance, ouverture ou evenement)", dl.ID, dl.Kind)
		}
		seenDl[dl.ID] = true
		if dl.FromField != "" && !HasField(dl.FromField) {
			return fmt.Errorf("délai %s : champ %s inconnu", dl.ID, dl.FromField)
		}
		if dl.Until != "" && p.Step(dl.Until) == nil {
			return fmt.Errorf("délai %s : étape %s inconnue", dl.ID, dl.Until)
		}
		if _, err := ParsePeriod(dl.Period); err != nil {
			return fmt.Errorf("délai %s : %w", dl.ID, err)
		}
		if dl.Source == "" {
			return fmt.Errorf("délai %s : source manquante", dl.ID)
		}
	}
	for _, a := range p.Alerts {
		if a.Message == "" || len(a.When) == 0 {
			return fmt.Errorf("alerte %s : « si » et « message » attendus", a.ID)
		}
		for _, cond := range a.When {
			if err := p.checkCondition(cond); err != nil {
				return fmt.Errorf("alerte %s : %w", a.ID, err)
			}
		}
		if a.Unless != "" && p.Step(a.Unless) == nil {
			return fmt.Errorf("alerte %s : étape %s inconnue", a.ID, a.Unless)
		}
	}
	return nil
}

// condition is one parsed condition of an [Alert].
type condition struct {
	step, channel, field, value string
	// neg: "!cond" holds when cond does not.
	neg bool
	// written: "etape.champ=valeur+ecrit" also needs a written piece
	// ([WrittenKinds]) on the record that has the value.
	written bool
}

func parseCondition(s string) condition {
	var c condition
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "!") {
		c.neg, s = true, strings.TrimSpace(s[1:])
	}
	if strings.HasSuffix(s, "+ecrit") && strings.Contains(s, "=") {
		c.written, s = true, strings.TrimSuffix(s, "+ecrit")
	}
	if i := strings.IndexByte(s, '='); i >= 0 {
		c.value = strings.TrimSpace(s[i+1:])
		s = strings.TrimSpace(s[:i])
		c.step, c.field, _ = strings.Cut(s, ".")
		return c
	}
	c.step, c.channel, _ = strings.Cut(s, ":")
	return c
}

func (p *Protocol) checkCondition(s string) error {
	c := parseCondition(s)
	st := p.Step(c.step)
	if st == nil {
		return fmt.Errorf("condition « %s » : étape %s inconnue", s, c.step)
	}
	if c.channel != "" && st.Channel(c.channel) == nil {
		return fmt.Errorf("condition « %s » : canal %s inconnu", s, c.channel)
	}
	if c.field != "" || strings.Contains(s, "=") {
		f := st.Field(c.field)
		if f == nil {
			return fmt.Errorf("condition « %s » : champ %s inconnu", s, c.field)
		}
		if f.Type == "booleen" {
			if _, err := ParseBool(c.value); err != nil {
				return fmt.Errorf("condition « %s » : %w", s, err)
			}
		}
	}
	return nil
}

// MissingFields returns, for each document of the protocol, the labels of
// the dossier.yaml fields still empty.
func (p *Protocol) MissingFields(d *Dossier) map[string][]string {
	out := map[string][]string{}
	for _, doc := range p.Documents {
		out[doc.ID] = doc.Missing(d)
	}
	return out
}

// Missing lists the fields of d this document still needs (dotted paths).
func (doc *Document) Missing(d *Dossier) []string {
	var miss []string
	for _, f := range doc.Fields {
		if d.Field(f) == "" {
			miss = append(miss, f)
		}
	}
	for _, g := range doc.AnyOf {
		ok := false
		for _, f := range g {
			if d.Field(f) != "" {
				ok = true
			}
		}
		if !ok {
			miss = append(miss, strings.Join(g, " ou "))
		}
	}
	return miss
}
