package protocol

import (
	"strings"
	"testing"
)

// The deadlines of the first legal review (legal-review-1.md, section 4),
// computed there by hand, plus the corrected cases C1, C2, M4 and M5. Each
// case states its input and the dates a lawyer counts on a calendar.

type wantDeadline struct {
	id, date string
	closed   bool
	source   string // "" = not checked
}

func checkDeadlines(t *testing.T, j *synJournal, today string, want []wantDeadline) {
	t.Helper()
	for _, w := range want {
		d := j.deadline(w.id, synDate(t, today))
		if d == nil {
			t.Errorf("%s: no deadline, want %s", w.id, w.date)
			continue
		}
		if FrDate(d.Date) != w.date || d.Closed != w.closed {
			t.Errorf("%s = %s (closed %v), want %s (closed %v)", w.id, FrDate(d.Date), d.Closed, w.date, w.closed)
		}
		if w.source != "" && d.Source != w.source {
			t.Errorf("%s: source %s, want %s", w.id, d.Source, w.source)
		}
	}
}

// A. The example case: bug-technique, renewal, document expiring 31/05/2026.
func TestLegalDeadlineA(t *testing.T) {
	j := newSyn(t, "bug-technique")
	j.d = &Dossier{Procedure: Procedure{Nature: "renouvellement", ExpiryDate: "31/05/2026"}}
	checkDeadlines(t, j, "2026-01-10", []wantDeadline{
		{"depot-renouvellement", "31/01/2026", false, "ceseda-r431-5"}, // 31 May - 120 days
		{"depot-renouvellement-fin", "01/04/2026", false, ""},          // 31 May - 60 days
		{"expiration-titre", "31/05/2026", false, ""},
	})
}

// B. Month end: document expiring 01/03/2026.
func TestLegalDeadlineB(t *testing.T) {
	j := newSyn(t, "bug-technique")
	j.d = &Dossier{Procedure: Procedure{Nature: "renouvellement", ExpiryDate: "01/03/2026"}}
	checkDeadlines(t, j, "2025-10-01", []wantDeadline{
		{"depot-renouvellement", "01/11/2025", false, ""},
		{"depot-renouvellement-fin", "31/12/2025", false, ""},
	})
}

// C, C', C” and C2: the API case. Expiry 31/03/2026, complete filing
// 15/01/2026, API issued 31/03/2026; today 15/04/2026.
func TestLegalDeadlineC(t *testing.T) {
	j := newSyn(t, "api")
	j.d = &Dossier{Procedure: Procedure{Nature: "renouvellement", ExpiryDate: "31/03/2026", FilingDate: "15/01/2026"}}
	checkDeadlines(t, j, "2026-04-15", []wantDeadline{
		{"depot-renouvellement", "01/12/2025", true, ""},
		{"depot-renouvellement-fin", "30/01/2026", true, ""}, // filed in time
		{"rejet-implicite", "15/05/2026", false, "ceseda-r432-2"},
		// C2: two months by default, the earliest date (R.421-2 CJA), not one year.
		{"recours-rejet-implicite", "15/07/2026", false, "cja-r421-2"},
	})
	if d := j.deadline("depot-renouvellement-fin", synDate(t, "2026-04-15")); d.Late {
		t.Errorf("filing of 15/01 flagged late against 30/01: %+v", d)
	}
	rec := j.deadline("recours-rejet-implicite", synDate(t, "2026-04-15"))
	for _, s := range []string{"R.421-2 CJA", "L.112-6", "R.112-5 CRPA", "plus précoce"} {
		if !strings.Contains(rec.Note, s) {
			t.Errorf("appeal note lacks %q: %s", s, rec.Note)
		}
	}
	if strings.Contains(rec.Note, "R.421-5") {
		t.Errorf("appeal note still cites R.421-5 CJA (M9): %s", rec.Note)
	}
	// The API: issued 31/03, at most 3 months: 30/06/2026 (clamped).
	api := j.piece("attestation", "2026-03-31")
	j.done("issue", "api-delivree", "", "31/03/2026", []int{api}, "fin_validite=29/06/2026")
	checkDeadlines(t, j, "2026-04-15", []wantDeadline{
		{"fin-validite-api-max", "30/06/2026", false, "ceseda-r431-15-1"},
		{"fin-validite-api", "29/06/2026", false, ""},
	})

	// Only once the user states the acknowledgment lacked the mentions does
	// the reasonable delay apply, with its own source and note.
	j.d.Procedure.AckLacksMentions = true
	checkDeadlines(t, j, "2026-04-15", []wantDeadline{{"recours-rejet-implicite", "15/05/2027", false, "crpa-l112-6"}})
	rec = j.deadline("recours-rejet-implicite", synDate(t, "2026-04-15"))
	for _, s := range []string{"n°387763", "n°417270", "L.112-6"} {
		if !strings.Contains(rec.Note, s) {
			t.Errorf("reasonable-delay note lacks %q: %s", s, rec.Note)
		}
	}
	j.d.Procedure.AckLacksMentions = false

	// C'. A 90-day silence (art. R.432-2): 15/04/2026, appeal 15/06/2026.
	j.d.Procedure.SilenceDays = 90
	checkDeadlines(t, j, "2026-04-15", []wantDeadline{
		{"rejet-implicite", "15/04/2026", false, ""},
		{"recours-rejet-implicite", "15/06/2026", false, ""},
	})
	// C''. Filing on 31/10/2025: rejection 28/02/2026 (clamped), appeal
	// 28/04/2026 by default, 28/02/2027 without the mentions.
	j.d.Procedure.SilenceDays, j.d.Procedure.FilingDate = 0, "31/10/2025"
	checkDeadlines(t, j, "2026-01-15", []wantDeadline{
		{"rejet-implicite", "28/02/2026", false, ""},
		{"recours-rejet-implicite", "28/04/2026", false, ""},
	})
	j.d.Procedure.AckLacksMentions = true
	checkDeadlines(t, j, "2026-01-15", []wantDeadline{{"recours-rejet-implicite", "28/02/2027", false, ""}})
}

// M5: refugees and subsidiary protection get an API of six months.
func TestLegalDeadlineAPIInternationalProtection(t *testing.T) {
	j := newSyn(t, "api")
	j.d = &Dossier{Procedure: Procedure{ExpiryDate: "31/03/2026", FilingDate: "15/01/2026", InternationalProtection: true}}
	api := j.piece("attestation", "2026-03-31")
	j.done("issue", "api-delivree", "", "31/03/2026", []int{api})
	checkDeadlines(t, j, "2026-04-15", []wantDeadline{{"fin-validite-api-max", "30/09/2026", false, "ceseda-r431-15-3"}})
	if d := j.deadline("fin-validite-api-max", synDate(t, "2026-04-15")); !strings.Contains(d.Note, "R.431-15-4") {
		t.Errorf("BPI note: %s", d.Note)
	}
}

// M4 and the late filing: a filing after the R.431-5 window is flagged, and
// the API protocol says why it matters (R.431-15-1 al. 2).
func TestLegalDeadlineLateFiling(t *testing.T) {
	j := newSyn(t, "api")
	j.d = &Dossier{Procedure: Procedure{Nature: "premiere-demande", ExpiryDate: "31/03/2026", FilingDate: "15/02/2026"}}
	d := j.deadline("depot-renouvellement-fin", synDate(t, "2026-04-15"))
	if d == nil || !d.Closed || !d.Late || !strings.Contains(d.Note, "R.431-15-1") || !strings.Contains(d.ClosedReason, "15/02/2026") {
		t.Fatalf("late filing not flagged: %+v", d)
	}
}

// D. Complement: two requests (31/01 and 10/02/2026), document expiring 30/04/2026.
func TestLegalDeadlineD(t *testing.T) {
	j := newSyn(t, "complement")
	j.d = &Dossier{Procedure: Procedure{Nature: "renouvellement", ExpiryDate: "30/04/2026"}}
	n1 := j.piece("notification", "2026-01-31")
	j.done("notification", "anef", "", "31/01/2026", []int{n1})
	checkDeadlines(t, j, "2026-02-01", []wantDeadline{
		{"delai-complement", "02/03/2026", false, "anef-complement-30j"},
		{"depot-renouvellement-fin", "01/03/2026", false, ""},
	})
	n2 := j.piece("notification", "2026-02-10")
	j.done("notification", "anef", "", "10/02/2026", []int{n2})
	checkDeadlines(t, j, "2026-02-11", []wantDeadline{{"delai-complement", "12/03/2026", false, ""}})
	if d := j.deadline("delai-complement", synDate(t, "2026-02-11")); !strings.Contains(d.Note, "non fixé par un texte") {
		t.Errorf("the 30 days are stated as a rule of law (m7): %s", d.Note)
	}
}

// E and C1. rdv-indisponible (title outside the ANEF list): the window is the
// two months before expiry. Expiry 30/06/2026, today 15/05/2026: inside.
func TestLegalDeadlineE(t *testing.T) {
	j := newSyn(t, "rdv-indisponible")
	j.d = &Dossier{Procedure: Procedure{Nature: "renouvellement", ExpiryDate: "30/06/2026"}}
	checkDeadlines(t, j, "2026-05-15", []wantDeadline{
		{"depot-renouvellement", "30/04/2026", false, "ceseda-r431-5"},
		{"depot-renouvellement-fin", "30/06/2026", false, ""},
	})
	ds := j.state().Deadlines(j.d, synDate(t, "2026-05-15"))
	nd := NextDeadline(ds)
	if nd == nil || nd.Deadline.ID != "depot-renouvellement-fin" || nd.DaysLeft != 46 {
		t.Errorf("next deadline on 15/05 = %+v, want the end of the window in 46 days", nd)
	}
	for _, d := range ds {
		if d.DaysLeft < 0 && d.Deadline.KindOrDefault() == KindDue {
			t.Errorf("%s said passed on 15/05/2026 (C1)", d.Deadline.ID)
		}
	}
}

// F and M4. A first request by someone holding a document expiring
// 30/06/2026 (change of status): the window applies. 30 June - 120 days is
// 2 March (29 days of March from the 2nd, 30 + 31 + 30): the review wrote
// 01/03/2026, one day off; 30 June - 60 days is 1 May.
func TestLegalDeadlineF(t *testing.T) {
	j := newSyn(t, "bug-technique")
	j.d = &Dossier{Procedure: Procedure{Nature: "premiere-demande", ExpiryDate: "30/06/2026"}}
	checkDeadlines(t, j, "2026-02-01", []wantDeadline{
		{"depot-renouvellement", "02/03/2026", false, ""},
		{"depot-renouvellement-fin", "01/05/2026", false, ""},
	})
	// Without a document held, no window.
	j.d.Procedure.ExpiryDate = ""
	if d := j.deadline("depot-renouvellement", synDate(t, "2026-02-01")); d != nil {
		t.Errorf("window without a document held: %+v", d)
	}
}

// M9: every note cites the right article; none cites R.432-1 for the four
// months or R.421-5 CJA for the acknowledgment.
func TestLegalDeadlineNotesCiteRightArticles(t *testing.T) {
	for _, id := range Protocols(nil) {
		p, err := LoadProtocol(nil, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, dl := range p.Deadlines {
			for _, n := range []string{dl.Note, dl.ReplaceNote} {
				if strings.Contains(n, "Quatre mois (art. R.432-1") || strings.Contains(n, "R.421-5") {
					t.Errorf("%s/%s: wrong article in note: %s", id, dl.ID, n)
				}
			}
			if dl.ID == "rejet-implicite" && (dl.Source != "ceseda-r432-2" || !strings.Contains(dl.Note, "R.432-2 al. 1")) {
				t.Errorf("%s/%s: four months are R.432-2 al. 1: %s %s", id, dl.ID, dl.Source, dl.Note)
			}
			if dl.ID == "recours-rejet-implicite" && dl.ReplaceIf != "procedure.accuse_reception_sans_mentions" {
				t.Errorf("%s/%s: the long period must need the user's statement", id, dl.ID)
			}
		}
	}
}
