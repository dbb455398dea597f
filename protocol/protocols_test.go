package protocol

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"anefdossier/templates"
)

func TestEmbeddedProtocolsLoad(t *testing.T) {
	for _, id := range Protocols(nil) {
		if _, err := LoadProtocol(nil, id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}

// Every source cited by a protocol (deadlines, alerts) is an id of
// templates/SOURCES.md, and every letter template is one of the agreed names.
func TestProtocolSourcesKnown(t *testing.T) {
	raw, err := fs.ReadFile(templates.FS, "SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "| ") {
			ids[strings.TrimSpace(strings.Split(line, "|")[1])] = true
		}
	}
	for _, id := range Protocols(nil) {
		p, err := LoadProtocol(nil, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Deadlines {
			if !ids[d.Source] {
				t.Errorf("%s: délai %s: source %q absente de SOURCES.md", id, d.ID, d.Source)
			}
			if d.ReplaceSource != "" && !ids[d.ReplaceSource] {
				t.Errorf("%s: délai %s: source %q absente de SOURCES.md", id, d.ID, d.ReplaceSource)
			}
		}
		for _, a := range p.Alerts {
			if a.Source != "" && !ids[a.Source] {
				t.Errorf("%s: alerte %s: source %q absente de SOURCES.md", id, a.ID, a.Source)
			}
		}
	}
	want := map[string]string{"api": "demande-api.tmpl", "complement": "lettre-complement.tmpl",
		"rdv-indisponible": "lettre-rdv-indisponible.tmpl", "limite-conception": "lettre-limite-conception.tmpl"}
	for id, tmpl := range want {
		p, err := LoadProtocol(nil, id)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range p.Documents {
			found = found || d.Template == tmpl
		}
		if !found {
			t.Errorf("%s: aucun document n'utilise le modèle %s", id, tmpl)
		}
	}
}

// synJournal builds a synthetic, correctly chained journal for one protocol,
// recording steps through ValidateRecord as the command does.
type synJournal struct {
	t      *testing.T
	p      *Protocol
	d      *Dossier
	events []Event
	clock  time.Time
}

func newSyn(t *testing.T, id string) *synJournal {
	t.Helper()
	p, err := LoadProtocol(nil, id)
	if err != nil {
		t.Fatal(err)
	}
	j := &synJournal{t: t, p: p, clock: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	j.add(EventCreated, CreatedData{Protocol: id, Tool: "test"})
	return j
}

func (j *synJournal) add(typ string, data any) {
	j.t.Helper()
	prev := GenesisHash
	if n := len(j.events); n > 0 {
		prev = j.events[n-1].Hash
	}
	j.clock = j.clock.Add(time.Minute)
	ev, _, err := NewEvent(prev, j.clock, typ, data)
	if err != nil {
		j.t.Fatal(err)
	}
	ev.Line = len(j.events) + 1
	j.events = append(j.events, ev)
}

func synDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, _, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// piece adds a piece of that kind dated s and returns its number.
func (j *synJournal) piece(kind, s string) int {
	j.t.Helper()
	n := len(j.state().Pieces) + 1
	j.add(EventPiece, Piece{Number: n, Kind: kind, Date: synDate(j.t, s).UTC(), Provenance: ProvenanceImported,
		Files: []PieceFile{{Role: "piece", Path: fmt.Sprintf("pieces/%03d.png", n), SHA256: "x", Size: 1}}})
	return n
}

// done records a step; kv are field=value pairs. It fails the test when the
// record is refused.
func (j *synJournal) done(step, channel, ref, date string, pieces []int, kv ...string) {
	j.t.Helper()
	if err := j.try(step, channel, ref, date, pieces, kv...); err != nil {
		j.t.Fatalf("done %s/%s: %v", step, channel, err)
	}
}

func (j *synJournal) try(step, channel, ref, date string, pieces []int, kv ...string) error {
	j.t.Helper()
	r := StepRecord{Step: step, Channel: channel, Ref: ref, Pieces: pieces}
	if date != "" {
		d := synDate(j.t, date)
		r.Date = &d
	}
	for _, f := range kv {
		k, v, _ := strings.Cut(f, "=")
		if r.Fields == nil {
			r.Fields = map[string]string{}
		}
		r.Fields[k] = v
	}
	if err := j.state().ValidateRecord(&r); err != nil {
		return err
	}
	j.add(EventStepDone, r)
	return nil
}

func (j *synJournal) state() *State { return Fold(j.p, j.events, j.d) }

func (j *synJournal) next() string {
	if n := j.state().Next(); n != nil {
		return n.Step.ID
	}
	return ""
}

func (j *synJournal) wantNext(want string) {
	j.t.Helper()
	if got := j.next(); got != want {
		s := j.state()
		j.t.Fatalf("next = %q, want %q (manque : %v)", got, want, s.StepState(got))
	}
}

func (j *synJournal) deadline(id string, today time.Time) *DeadlineState {
	for _, d := range j.state().Deadlines(j.d, today) {
		if d.Deadline.ID == id {
			d := d
			return &d
		}
	}
	return nil
}

func hasWarning(s *State, sub string) bool {
	for _, w := range s.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestProtocolAPIPath(t *testing.T) {
	j := newSyn(t, "api")
	j.wantNext("constat")
	c := j.piece("capture", "2026-03-02")
	j.done("constat", "non-renouvelee", "", "02/03/2026", []int{c})
	j.wantNext("prefecture")

	// LRAR alone is not enough: the e-mail is required too.
	j.done("prefecture", "lrar", "1A 234 567 8901 2", "03/03/2026", nil)
	if st := j.state().StepState("prefecture"); st.Done || !strings.Contains(st.Missing, "courriel") {
		t.Fatalf("prefecture after LRAR only: done=%v missing=%q", st.Done, st.Missing)
	}
	j.done("prefecture", "courriel", "", "03/03/2026", []int{j.piece("courriel", "2026-03-03")})
	j.wantNext("ccc")

	// The préfecture's own channel becomes required once dossier.yaml names it.
	j.d = &Dossier{Prefecture: Prefecture{OwnChannel: "formulaire Démarches numériques API"}}
	if st := j.state().StepState("prefecture"); st.Done || !strings.Contains(st.Missing, "canal propre") {
		t.Fatalf("prefecture with canal_propre: done=%v missing=%q", st.Done, st.Missing)
	}
	if err := j.try("prefecture", "canal-propre", "", "04/03/2026", nil); err == nil {
		t.Fatal("canal-propre without a piece accepted")
	}
	f := j.piece("capture", "2026-03-04")
	j.done("prefecture", "canal-propre", "", "04/03/2026", []int{f})
	j.wantNext("ccc")

	// The phone call must quote the e-mail's reference.
	m := j.piece("courriel", "2026-03-05")
	if err := j.try("ccc", "telephone", "REF-1", "05/03/2026", []int{m}); err == nil {
		t.Fatal("phone before e-mail accepted")
	}
	j.done("ccc", "courriel", "REF-1", "05/03/2026", []int{m})
	if err := j.try("ccc", "telephone", "REF-2", "06/03/2026", []int{m}); err == nil {
		t.Fatal("phone quoting an unknown reference accepted")
	}
	j.done("ccc", "telephone", "REF-1", "06/03/2026", []int{m}, "reponse=transmis à la préfecture")
	j.wantNext("issue")

	a := j.piece("attestation", "2026-03-20")
	j.done("issue", "api-delivree", "", "20/03/2026", []int{a}, "fin_validite=19/06/2026", "autorisation_travail=non")
	j.wantNext("")
	s := j.state()
	if !hasWarning(s, "autorisation de travailler") {
		t.Errorf("no warning for an API without the right to work: %v", s.Warnings)
	}
	today := synDate(t, "2026-05-20")
	if d := j.deadline("fin-validite-api-max", today); d == nil || FrDate(d.Date) != "20/06/2026" || d.DaysLeft != 31 {
		t.Errorf("API validity (3 months) = %+v", d)
	}
	if d := j.deadline("fin-validite-api", today); d == nil || FrDate(d.Date) != "19/06/2026" {
		t.Errorf("API end of validity from the field = %+v", d)
	}
	// A renewed API moves the deadlines.
	a2 := j.piece("attestation", "2026-06-18")
	j.done("issue", "api-delivree", "", "18/06/2026", []int{a2}, "fin_validite=17/09/2026", "autorisation_travail=oui")
	if d := j.deadline("fin-validite-api", today); d == nil || FrDate(d.Date) != "17/09/2026" {
		t.Errorf("renewed API end of validity = %+v", d)
	}
	// The decision closes them.
	j.done("decision", "acceptation", "", "01/07/2026", nil)
	if d := j.deadline("fin-validite-api", today); d == nil || !d.Closed {
		t.Errorf("deadline not closed by the decision: %+v", d)
	}
}

func TestProtocolComplementPath(t *testing.T) {
	j := newSyn(t, "complement")
	j.wantNext("notification")
	n1 := j.piece("notification", "2026-03-10")
	j.done("notification", "", "", "10/03/2026", []int{n1}, "pieces_demandees=relevé de notes", "documents_non_obligatoires=oui")
	j.wantNext("reponse")
	s := j.state()
	if !hasWarning(s, "clôture fondée sur leur absence serait abusive") {
		t.Errorf("no warning for non-mandatory documents: %v", s.Warnings)
	}
	today := synDate(t, "2026-03-25")
	d := j.deadline("delai-complement", today)
	if d == nil || FrDate(d.Date) != "09/04/2026" || d.DaysLeft != 15 || d.Closed {
		t.Fatalf("30-day window = %+v", d)
	}
	if nd := NextDeadline(s.Deadlines(nil, today)); nd == nil || nd.Deadline.ID != "delai-complement" {
		t.Errorf("next deadline = %+v", nd)
	}

	r1 := j.piece("capture", "2026-03-20")
	j.done("reponse", "", "", "20/03/2026", []int{r1}, "piece_impossible=oui")
	j.wantNext("")
	if d := j.deadline("delai-complement", today); d == nil || !d.Closed {
		t.Errorf("window not closed by the answer: %+v", d)
	}
	if !hasWarning(j.state(), "lettre explicative") {
		t.Errorf("no warning asking for the explanatory letter: %v", j.state().Warnings)
	}
	l := j.piece("lettre", "2026-03-20")
	j.done("lettre-explicative", "observations", "", "20/03/2026", []int{l})
	if hasWarning(j.state(), "Une pièce demandée ne peut pas être produite") {
		t.Errorf("warning kept after the letter: %v", j.state().Warnings)
	}

	// A second request reopens the answer and the window.
	n2 := j.piece("notification", "2026-04-02")
	j.done("notification", "", "", "02/04/2026", []int{n2}, "documents_non_obligatoires=non")
	j.wantNext("reponse")
	if st := j.state().StepState("reponse"); !strings.Contains(st.Missing, "02/04/2026") {
		t.Errorf("missing = %q", st.Missing)
	}
	d = j.deadline("delai-complement", synDate(t, "2026-04-02"))
	if d == nil || FrDate(d.Date) != "02/05/2026" || d.Closed || d.DaysLeft != 30 {
		t.Fatalf("second window = %+v", d)
	}
	r2 := j.piece("capture", "2026-04-03")
	j.done("reponse", "", "", "03/04/2026", []int{r2})
	j.wantNext("")

	// A closing after a request for non-mandatory documents is flagged.
	c := j.piece("decision", "2026-05-01")
	j.done("decision", "cloture", "", "01/05/2026", []int{c})
	s = j.state()
	if !hasWarning(s, "clôture est contestable") || hasWarning(s, "serait abusive") {
		t.Errorf("warnings after closing: %v", s.Warnings)
	}
}

func TestProtocolRdvIndisponiblePath(t *testing.T) {
	j := newSyn(t, "rdv-indisponible")
	j.wantNext("canal")
	p := j.piece("capture", "2026-02-26")
	j.done("canal", "module-rendez-vous", "", "26/02/2026", []int{p})
	j.wantNext("captures")
	// The capture of the procedure page is not an attempt: 3 pieces only.
	j.piece("capture", "2026-02-26")
	j.piece("capture", "2026-02-27")
	j.piece("capture", "2026-03-02")
	if st := j.state().StepState("captures"); st.Done || !strings.Contains(st.Missing, "3 pièces seulement ; il en faut au moins 4") {
		t.Fatalf("3 attempts: done=%v missing=%q", st.Done, st.Missing)
	}
	// Four within six days, across a calendar-week boundary (Thursday to
	// Tuesday): one week only, as in CE 10 June 2020, n°435594.
	j.piece("capture", "2026-03-03")
	st := j.state().StepState("captures")
	if st.Done || !strings.Contains(st.Missing, "1 semaine") {
		t.Fatalf("4 captures within 6 days: done=%v missing=%q", st.Done, st.Missing)
	}
	j.wantNext("captures")
	j.piece("capture", "2026-03-05") // 7 days after the first: second week
	st = j.state().StepState("captures")
	if !st.Done {
		t.Fatalf("captures over 2 weeks not done: %q", st.Missing)
	}
	if !hasWarning(j.state(), "au moins 4 semaines") {
		t.Errorf("no recommendation of a longer series: %v", j.state().Warnings)
	}
	j.wantNext("prefecture")
	j.piece("image", "2026-03-12")
	j.piece("capture", "2026-03-19")
	if hasWarning(j.state(), "au moins 4 semaines") {
		t.Errorf("recommendation kept after 4 weeks: %v", j.state().Warnings)
	}
	j.done("prefecture", "courriel", "", "20/03/2026", []int{j.piece("courriel", "2026-03-20")})
	j.done("prefecture", "lrar", "1A 111", "20/03/2026", nil)
	j.wantNext("issue")
	j.done("issue", "sans-reponse", "", "", nil)
	j.wantNext("")
	if len(j.state().Warnings) != 0 {
		t.Errorf("warnings: %v", j.state().Warnings)
	}
}

func TestProtocolLimiteConceptionPath(t *testing.T) {
	j := newSyn(t, "limite-conception")
	j.wantNext("captures")
	c := j.piece("capture", "2026-03-02")
	j.wantNext("limite")
	j.done("limite", "modification-impossible", "", "02/03/2026", []int{c})
	j.wantNext("contournement")
	if !hasWarning(j.state(), "complément avec une lettre explicative par LRAR") {
		t.Errorf("no warning for a request that cannot be amended: %v", j.state().Warnings)
	}
	// A choice step is done through one of its steps, never directly.
	if err := j.try("contournement", "", "", "03/03/2026", nil); err == nil || !strings.Contains(err.Error(), "complement-lrar") {
		t.Fatalf("choice step recorded directly: %v", err)
	}
	j.done("complement-lrar", "lrar", "1A 222", "03/03/2026", nil)
	j.wantNext("contournement") // the e-mail is still missing
	j.done("complement-lrar", "courriel", "", "03/03/2026", nil)
	j.wantNext("")
	if len(j.state().Warnings) != 0 {
		t.Errorf("warnings: %v", j.state().Warnings)
	}
	// Any other workaround also completes the choice.
	k := newSyn(t, "limite-conception")
	c = k.piece("capture", "2026-03-02")
	k.done("limite", "demande-unique", "", "02/03/2026", []int{c})
	k.done("second-compte", "", "", "04/03/2026", []int{c}, "fondement=salarié")
	k.wantNext("")
}

func TestProtocolOutOfOrderWarnings(t *testing.T) {
	j := newSyn(t, "rdv-indisponible")
	// The letter to the préfecture before any capture: allowed, warned.
	j.done("prefecture", "lrar", "1A 333", "01/03/2026", nil)
	s := j.state()
	if !hasWarning(s, "avant l'étape « Captures répétées") {
		t.Errorf("no out-of-order warning: %v", s.Warnings)
	}
	k := newSyn(t, "complement")
	p := k.piece("capture", "2026-03-01")
	k.done("reponse", "", "", "01/03/2026", []int{p})
	if !hasWarning(k.state(), "avant l'étape « Notification") {
		t.Errorf("no out-of-order warning: %v", k.state().Warnings)
	}
}

func TestProtocolChannelRequirements(t *testing.T) {
	j := newSyn(t, "rdv-indisponible")
	cases := []struct {
		step, channel, ref, date string
		pieces                   []int
		want                     string
	}{
		{"canal", "module-rendez-vous", "", "01/03/2026", nil, "exige une pièce"},
		{"canal", "fax", "", "01/03/2026", nil, "canal « fax » inconnu"},
		{"prefecture", "lrar", "", "01/03/2026", nil, "exige --ref"},
		{"prefecture", "courriel", "", "", nil, "exige une pièce"},
		{"prefecture", "accuse-reception", "", "", []int{1}, "exige --date"},
		{"prefecture", "", "", "01/03/2026", nil, "demande un canal"},
		{"captures", "", "", "", []int{9}, "n'existe pas"},
		{"inconnue", "", "", "", nil, "inconnue"},
	}
	for _, c := range cases {
		err := j.try(c.step, c.channel, c.ref, c.date, c.pieces)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s/%s: err = %v, want %q", c.step, c.channel, err, c.want)
		}
	}
	k := newSyn(t, "complement")
	n := k.piece("notification", "2026-03-01")
	if err := k.try("notification", "", "", "01/03/2026", []int{n}, "documents_non_obligatoires=peut-être"); err == nil {
		t.Error("a boolean field accepted « peut-être »")
	}
	if err := k.try("notification", "", "", "01/03/2026", []int{n}, "inconnu=1"); err == nil {
		t.Error("an unknown field accepted")
	}
}

func TestProtocolFilingDeadlines(t *testing.T) {
	j := newSyn(t, "api")
	j.d = &Dossier{Procedure: Procedure{Nature: "renouvellement", ExpiryDate: "2026-06-30", FilingDate: "31/01/2026"}}
	today := synDate(t, "2026-03-01")
	want := map[string]string{
		"depot-renouvellement":     "02/03/2026", // 30 June - 120 days
		"depot-renouvellement-fin": "01/05/2026", // 30 June - 60 days
		"expiration-titre":         "30/06/2026",
		"rejet-implicite":          "31/05/2026", // 31 Jan + 4 months
		"recours-rejet-implicite":  "31/07/2026", // + 2 months: the safe default (C2)
	}
	for id, date := range want {
		d := j.deadline(id, today)
		if d == nil || FrDate(d.Date) != date {
			t.Errorf("%s = %+v, want %s", id, d, date)
		}
	}
	// The filing date known, the filing window no longer matters.
	if d := j.deadline("depot-renouvellement-fin", today); d == nil || !d.Closed || !strings.Contains(d.ClosedReason, "date du dépôt complet") {
		t.Errorf("filing window not closed by the filing date: %+v", d)
	}
	// R.432-2 shorter silence: 60 days.
	j.d.Procedure.SilenceDays = 60
	if d := j.deadline("rejet-implicite", today); d == nil || FrDate(d.Date) != "01/04/2026" {
		t.Errorf("rejet-implicite (60 days) = %+v", d)
	}
	if d := j.deadline("recours-rejet-implicite", today); d == nil || FrDate(d.Date) != "01/06/2026" {
		t.Errorf("recours (2 months) = %+v", d)
	}
	// The R.431-5 window applies to any holder of a document (M4).
	j.d.Procedure.Nature = "premiere-demande"
	if d := j.deadline("depot-renouvellement", today); d == nil || FrDate(d.Date) != "02/03/2026" {
		t.Errorf("filing window for a first request by a holder: %+v", d)
	}
	// A decision closes the implicit rejection and, through it, the appeal period.
	j.done("decision", "refus", "", "15/03/2026", nil)
	for _, id := range []string{"rejet-implicite", "recours-rejet-implicite"} {
		if d := j.deadline(id, today); d == nil || !d.Closed {
			t.Errorf("%s not closed by the decision: %+v", id, d)
		}
	}
	// Passed events and openings are not "next"; a missed due date is.
	ds := j.state().Deadlines(j.d, synDate(t, "2026-07-15"))
	if nd := NextDeadline(ds); nd != nil {
		t.Errorf("next deadline after everything = %+v", nd)
	}
	j.d.Procedure.Nature, j.d.Procedure.FilingDate = "renouvellement", ""
	ds = j.state().Deadlines(j.d, synDate(t, "2026-05-15"))
	if nd := NextDeadline(ds); nd == nil || nd.Deadline.ID != "depot-renouvellement-fin" {
		t.Errorf("next deadline = %+v", nd)
	}
}

// The engine refuses inconsistent protocol definitions with a message naming
// the faulty key.
func TestProtocolDefinitionChecks(t *testing.T) {
	head := "id: t\ntitre: T\netapes:\n  - id: a\n    titre: A\n    obligatoire: true\n    champs: [{id: ok, titre: OK, type: booleen}]\n    canaux: [{id: c, titre: C}]\n"
	cases := map[string]string{
		"  - id: b\n    titre: B\n    une_parmi: [z]\n":                                                                                                                        "une_parmi",
		"  - id: b\n    titre: B\n    une_parmi: [a]\n    canaux: [{id: c, titre: C}]\n":                                                                                       "ni canaux",
		"  - id: b\n    titre: B\n    repond_a: b\n":                                                                                                                           "repond_a",
		"  - id: b\n    titre: B\n    canaux: [{id: c, titre: C, requis_si_champ: prefecture.inconnu}]\n":                                                                      "champ prefecture.inconnu inconnu",
		"delais:\n  - {id: d, titre: D, depuis_delai: e, duree: 1m, source: s}\n":                                                                                              "depuis_delai",
		"delais:\n  - {id: d, titre: D, depuis_etape: a, depuis_canal: x, duree: 1m, source: s}\n":                                                                             "canal x inconnu",
		"delais:\n  - {id: d, titre: D, depuis_etape: a, depuis_champ_etape: ok, duree: 1m, source: s}\n":                                                                      "champ de date ok",
		"delais:\n  - {id: d, titre: D, depuis_champ: procedure.date_depot, depuis_etape: a, duree: 1m, source: s}\n":                                                          "un seul point de départ",
		"delais:\n  - {id: d, titre: D, depuis_champ: procedure.date_depot, duree: 1m, nature: jamais, source: s}\n":                                                           "nature « jamais » inconnue",
		"delais:\n  - {id: d, titre: D, depuis_champ: procedure.date_depot, duree: 1m, si: procedure.x=1, source: s}\n":                                                        "champ procedure.x inconnu",
		"delais:\n  - {id: d, titre: D, depuis_champ: procedure.date_depot, duree: 1m, remplace_si: procedure.protection_internationale, duree_remplacement: 2x, source: s}\n": "illisible",
		"delais:\n  - {id: d, titre: D, depuis_champ: procedure.date_depot, duree: 1m, duree_remplacement: 2m, source: s}\n":                                                   "vont ensemble",
		"alertes:\n  - {id: x, si: [a.ok=peut-être], message: M}\n":                                                                                                            "oui ou non attendu",
		"alertes:\n  - {id: x, si: [\"a:z\"], message: M}\n":                                                                                                                   "canal z inconnu",
		"alertes:\n  - {id: x, si: [z], message: M}\n":                                                                                                                         "étape z inconnue",
		"alertes:\n  - {id: x, si: [a], message: M, sauf_etape: z}\n":                                                                                                          "étape z inconnue",
		"alertes:\n  - {id: x, message: M}\n":                                                                                                                                  "« si » et « message »",
	}
	for tail, want := range cases {
		fsys := fstest.MapFS{"protocols/t.yaml": {Data: []byte(head + tail)}}
		_, err := LoadProtocol(fsys, "t")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", tail, err, want)
		}
	}
	ok := head + "  - id: b\n    titre: B\n    une_parmi: [a]\nalertes:\n  - {id: x, si: [a.ok=oui, \"a:c\", a], message: M, sauf_etape: b}\n"
	if _, err := LoadProtocol(fstest.MapFS{"protocols/t.yaml": {Data: []byte(ok)}}, "t"); err != nil {
		t.Errorf("valid definition refused: %v", err)
	}
}

// Undoing the answer reopens the 30-day window.
func TestProtocolComplementUndo(t *testing.T) {
	j := newSyn(t, "complement")
	n := j.piece("notification", "2026-03-10")
	j.done("notification", "", "", "10/03/2026", []int{n})
	j.done("reponse", "", "", "12/03/2026", []int{n})
	today := synDate(t, "2026-03-25")
	if d := j.deadline("delai-complement", today); d == nil || !d.Closed {
		t.Fatalf("window = %+v", d)
	}
	j.add(EventStepUndo, UndoRecord{Step: "reponse", Reason: "mauvaise pièce"})
	j.wantNext("reponse")
	if d := j.deadline("delai-complement", today); d == nil || d.Closed || d.DaysLeft != 15 {
		t.Fatalf("window after undo = %+v", d)
	}
	if nd := NextDeadline(j.state().Deadlines(nil, today)); nd == nil || nd.Deadline.ID != "delai-complement" {
		t.Fatalf("next deadline = %+v", nd)
	}
}
