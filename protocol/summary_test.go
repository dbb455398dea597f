package protocol

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"anefdossier/templates"
)

// sumCase creates a case with a dossier.yaml and the given step records.
func sumCase(t *testing.T, dir, protocolID, dossier string, steps ...StepRecord) *Case {
	t.Helper()
	c, err := Init(dir, protocolID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.Path(DossierFile), []byte(dossier), 0o600); err != nil {
		t.Fatal(err)
	}
	sumAppend(t, c, steps...)
	return c
}

func sumAppend(t *testing.T, c *Case, steps ...StepRecord) {
	t.Helper()
	tx, err := c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	for _, r := range steps {
		if _, err := tx.Append(EventStepDone, r); err != nil {
			t.Fatal(err)
		}
	}
}

type sumView struct {
	Who, Protocol, Next, Missing, Deadline string
	DaysLeft, Warnings, Events             int
	Finished, Err                          bool
}

func viewOf(s CaseSummary) sumView {
	v := sumView{Who: s.Who(), Protocol: s.Protocol, Finished: s.Finished, Err: s.Err != nil, Warnings: s.WarningCount, Events: s.Events}
	if s.Next != nil {
		v.Next, v.Missing = s.Next.Step.ID, s.Next.Missing
	}
	if s.Deadline != nil {
		v.Deadline, v.DaysLeft = s.Deadline.Deadline.ID+" "+FrDate(s.Deadline.Date), s.Deadline.DaysLeft
	}
	return v
}

// summaryCases makes the three cases the tests below list: a complement
// case with a deadline and a warning, an API case, a case without a name.
func summaryCases(t *testing.T, root string) (comp *Case, dirs []string) {
	t.Helper()
	d := func(s string) *time.Time { x := synDate(t, s); return &x }
	comp = sumCase(t, filepath.Join(root, "a", "dupont"), "complement",
		"personne:\n  nom: \"Dupont\"\n  prenoms: \"Marie\"\nprocedure:\n  nature: renouvellement\n  date_expiration_titre: \"2026-06-30\"\n",
		StepRecord{Step: "notification", Channel: "anef", Date: d("2026-03-10"), Fields: map[string]string{"documents_non_obligatoires": "true"}})
	sumCase(t, filepath.Join(root, "b", "martin"), "api", "personne:\n  nom: Martin\nprocedure:\n  date_depot: \"31/01/2026\"\n",
		StepRecord{Step: "constat", Date: d("2026-03-02")})
	sumCase(t, filepath.Join(root, "c"), "rdv-indisponible", "protocole: rdv-indisponible\n")
	// Not cases: inside pieces/, out/ and a hidden folder.
	for _, p := range []string{"a/dupont/out/copie", "a/dupont/pieces/x", ".corbeille/y"} {
		os.MkdirAll(filepath.Join(root, p), 0o700)
		os.WriteFile(filepath.Join(root, p, JournalFile), []byte("{}\n"), 0o600)
	}
	dirs, unreadable, err := FindCases(root)
	if err != nil || len(unreadable) != 0 {
		t.Fatal(err, unreadable)
	}
	if len(dirs) != 3 {
		t.Fatalf("cases = %v", dirs)
	}
	return comp, dirs
}

// listed lists dirs from their summaries and checks that each was read
// from its summary exactly when fromSummary says so.
func listed(t *testing.T, dirs []string, tmpl fs.FS, today time.Time, fromSummary ...bool) []CaseSummary {
	t.Helper()
	got := SummarizeCases(dirs, tmpl, today, ListOptions{Workers: 2})
	for i := range got {
		if got[i].Folded == fromSummary[i] {
			t.Errorf("%s: read from its summary = %v, want %v", dirs[i], !got[i].Folded, fromSummary[i])
		}
	}
	return got
}

// sameAsFold checks that list gives what a full fold gives.
func sameAsFold(t *testing.T, what string, got []CaseSummary, dirs []string, tmpl fs.FS, today time.Time) {
	t.Helper()
	want := SummarizeCases(dirs, tmpl, today, ListOptions{Workers: 1, IgnoreSummaries: true})
	for i := range dirs {
		if !want[i].Folded {
			t.Fatalf("IgnoreSummaries read %s from its summary", dirs[i])
		}
		if g, w := viewOf(got[i]), viewOf(want[i]); !reflect.DeepEqual(g, w) {
			t.Errorf("%s, %s:\n got %+v\nwant %+v", what, dirs[i], g, w)
		}
	}
}

func TestSummaryFile(t *testing.T) {
	root := t.TempDir()
	comp, dirs := summaryCases(t, root)
	today := synDate(t, "2026-03-25")
	for _, dir := range dirs {
		st, err := os.Stat(filepath.Join(dir, SummaryFile))
		if err != nil {
			t.Fatalf("no summary written by the last command: %v", err)
		}
		if st.Mode().Perm() != FileMode {
			t.Errorf("%s: mode %v", SummaryFile, st.Mode().Perm())
		}
	}
	got := listed(t, dirs, nil, today, true, true, true)
	sameAsFold(t, "from the summaries", got, dirs, nil, today)
	if v := viewOf(got[0]); v.Who != "DUPONT Marie" || v.Next != "reponse" || v.Deadline != "delai-complement 09/04/2026" || v.DaysLeft != 15 || v.Warnings != 1 || v.Events != 2 {
		t.Errorf("dupont = %+v", v)
	}
	if len(got[0].Warnings) != 1 || got[0].Deadline.Note == "" {
		t.Errorf("dupont: warnings %q, deadline note %q", got[0].Warnings, got[0].Deadline.Note)
	}
	// The summary holds absolute dates: a month later, the days left move.
	later := today.AddDate(0, 1, 0)
	sameAsFold(t, "a month later", listed(t, dirs, nil, later, true, true, true), dirs, nil, later)

	// A command changes the case: the summary follows.
	d := synDate(t, "2026-03-20")
	sumAppend(t, comp, StepRecord{Step: "reponse", Channel: "anef", Date: &d})
	got = listed(t, dirs, nil, today, true, true, true)
	sameAsFold(t, "after a command", got, dirs, nil, today)
	if v := viewOf(got[0]); !v.Finished || v.Deadline != "depot-renouvellement-fin 01/05/2026" {
		t.Errorf("after the answer: %+v", v)
	}

	// Urgency: the earliest deadline first, errors before everything.
	os.WriteFile(filepath.Join(dirs[2], JournalFile), []byte("pas du json\n"), 0o600)
	list := SummarizeCases(dirs, nil, today, ListOptions{Workers: 2})
	SortByUrgency(list)
	var order []string
	for _, s := range list {
		order = append(order, filepath.Base(s.Dir))
	}
	if !reflect.DeepEqual(order, []string{"c", "dupont", "martin"}) {
		t.Errorf("order = %v", order)
	}
}

// Each way a case can change behind the summary's back gives the case's
// true state, read from its files.
func TestSummaryStale(t *testing.T) {
	today := synDate(t, "2026-03-25")
	t.Run("hand edit of dossier.yaml", func(t *testing.T) {
		comp, dirs := summaryCases(t, t.TempDir())
		path := comp.Path(DossierFile)
		data, _ := os.ReadFile(path)
		// Same size, new name: only the modification time tells.
		st, _ := os.Stat(path)
		edited := bytes.Replace(data, []byte("Dupont"), []byte("Durand"), 1)
		if err := os.WriteFile(path, edited, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(path, st.ModTime().Add(time.Second), st.ModTime().Add(time.Second))
		got := listed(t, dirs, nil, today, false, true, true)
		sameAsFold(t, "same size", got, dirs, nil, today)
		if got[0].Surname != "Durand" {
			t.Errorf("surname = %q", got[0].Surname)
		}
		// A longer edit that changes the deadline: the permit's expiry.
		edited = bytes.Replace(edited, []byte("nature: renouvellement"), []byte("nature: premiere-demande"), 1)
		if err := os.WriteFile(path, edited, 0o600); err != nil {
			t.Fatal(err)
		}
		sameAsFold(t, "longer", listed(t, dirs, nil, today, false, true, true), dirs, nil, today)
		// Made invalid: the error shows, as for a case without summary.
		os.WriteFile(path, []byte("personne: [\n"), 0o600)
		got = listed(t, dirs, nil, today, false, true, true)
		if got[0].Err == nil || !strings.Contains(got[0].Err.Error(), "dossier.yaml") {
			t.Errorf("invalid dossier.yaml: err = %v", got[0].Err)
		}
		// The next command removes the summary that no longer fits
		// rather than leave it.
		sumAppend(t, comp, StepRecord{Step: "reponse", Channel: "anef"})
		if _, err := os.Stat(comp.Path(SummaryFile)); !os.IsNotExist(err) {
			t.Errorf("summary kept for a case whose dossier.yaml is invalid: %v", err)
		}
	})
	t.Run("append by an older binary", func(t *testing.T) {
		comp, dirs := summaryCases(t, t.TempDir())
		// An older version appends under the lock but knows nothing of
		// the summary: the journal grows, the summary stays.
		before, _ := os.ReadFile(comp.Path(SummaryFile))
		events, err := comp.Events()
		if err != nil {
			t.Fatal(err)
		}
		d := synDate(t, "2026-03-20")
		_, line, err := NewEvent(events[len(events)-1].Hash, Now(), EventStepDone, StepRecord{Step: "reponse", Channel: "anef", Date: &d})
		if err != nil {
			t.Fatal(err)
		}
		if err := appendLine(comp.Path(JournalFile), line); err != nil {
			t.Fatal(err)
		}
		got := listed(t, dirs, nil, today, false, true, true)
		sameAsFold(t, "older binary", got, dirs, nil, today)
		if !got[0].Finished || got[0].Events != 3 {
			t.Errorf("the appended step is not seen: %+v", viewOf(got[0]))
		}
		after, _ := os.ReadFile(comp.Path(SummaryFile))
		if !bytes.Equal(before, after) {
			t.Error("list wrote the summary without --refresh")
		}
	})
	t.Run("missing or corrupt summary", func(t *testing.T) {
		_, dirs := summaryCases(t, t.TempDir())
		want := SummarizeCases(dirs, nil, today, ListOptions{IgnoreSummaries: true})
		good, _ := os.ReadFile(filepath.Join(dirs[0], SummaryFile))
		for name, data := range map[string][]byte{
			"truncated":     good[:len(good)/2],
			"not JSON":      []byte("\x00\x01garbage"),
			"empty":         {},
			"unknown key":   bytes.Replace(good, []byte(`{"schema":1,`), []byte(`{"schema":1,"x":1,`), 1),
			"duplicate key": bytes.Replace(good, []byte(`{"schema":1,`), []byte(`{"schema":1,"schema":1,`), 1),
			"other schema":  bytes.Replace(good, []byte(`{"schema":1,`), []byte(`{"schema":999,`), 1),
			"unknown step":  regexp.MustCompile(`"next":\{"step":"[^"]*"`).ReplaceAll(good, []byte(`"next":{"step":"inconnue"`)),
			"invalid UTF-8": bytes.Replace(good, []byte("Marie"), []byte("Mar\xffe"), 1),
			"a folder":      nil,
		} {
			path := filepath.Join(dirs[0], SummaryFile)
			os.RemoveAll(path)
			if data == nil {
				os.Mkdir(path, 0o700)
			} else if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			got := listed(t, dirs, nil, today, false, true, true)
			if g, w := viewOf(got[0]), viewOf(want[0]); !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %+v, want %+v", name, g, w)
			}
		}
		os.RemoveAll(filepath.Join(dirs[0], SummaryFile))
		sameAsFold(t, "missing", listed(t, dirs, nil, today, false, true, true), dirs, nil, today)
	})
	t.Run("changed protocol file", func(t *testing.T) {
		_, dirs := summaryCases(t, t.TempDir())
		// The same protocols, but the complement deadline is now 45 days
		// (as a --templates folder or a new version of the tool would
		// give): the summaries of complement cases no longer apply.
		data, err := fs.ReadFile(templates.FS, "protocols/complement.yaml")
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`(?s)(- id: delai-complement\n.*?duree: )"30j"`)
		if !re.Match(data) {
			t.Fatal("complement.yaml: delai-complement has no duree of 30j any more; update this test")
		}
		changed := fstest.MapFS{"protocols/complement.yaml": {Data: re.ReplaceAll(data, []byte(`${1}"45j"`))}}
		tmpl := overlayFS{changed, templates.FS}
		got := listed(t, dirs, tmpl, today, false, true, true)
		sameAsFold(t, "changed protocol", got, dirs, tmpl, today)
		if got[0].Deadline == nil || got[0].Deadline.DaysLeft != 30 {
			t.Errorf("the 45-day period is not applied: %+v", viewOf(got[0]))
		}
	})
	t.Run("refresh", func(t *testing.T) {
		comp, dirs := summaryCases(t, t.TempDir())
		os.Remove(comp.Path(SummaryFile))
		// A case busy with another command is not waited for.
		other := &Case{Dir: dirs[1]}
		os.WriteFile(other.Path(DossierFile), []byte("personne:\n  nom: Martin\n"), 0o600)
		tx, err := other.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := SummarizeCases(dirs, nil, today, ListOptions{Refresh: true})
		tx.Close()
		sameAsFold(t, "refresh", got, dirs, nil, today)
		if _, err := os.Stat(comp.Path(SummaryFile)); err != nil {
			t.Errorf("--refresh did not write the missing summary: %v", err)
		}
		listed(t, dirs, nil, today, true, true, true) // the busy one got its summary at tx.Close
	})
}

// overlayFS is a template tree with some files replaced.
type overlayFS struct{ top, base fs.FS }

func (o overlayFS) Open(name string) (fs.File, error) {
	if f, err := o.top.Open(name); err == nil {
		return f, nil
	}
	return o.base.Open(name)
}

// The journal reader rejects what a second JSON reader could understand
// differently: a key given twice, invalid UTF-8, an unknown key.
func TestJournalStrict(t *testing.T) {
	ev, line, err := NewEvent(GenesisHash, synDate(t, "2026-03-10"), EventNote, NoteRecord{Text: "appel"})
	if err != nil {
		t.Fatal(err)
	}
	if events, err := ParseJournal("j", bytes.NewReader(append(line, '\n'))); err != nil || len(events) != 1 || events[0].Hash != ev.Hash {
		t.Fatalf("canonical line refused: %v", err)
	}
	for name, bad := range map[string]string{
		"duplicate key":          strings.Replace(string(line), `"type":`, `"type":"x","type":`, 1),
		"duplicate key in data":  strings.Replace(string(line), `{"text":`, `{"text":"a","text":`, 1),
		"invalid UTF-8":          strings.Replace(string(line), "appel", "app\xffel", 1),
		"invalid UTF-8 in a key": strings.Replace(string(line), `"prev"`, "\"pr\xffev\"", 1),
		"unknown key":            strings.Replace(string(line), `"type":`, `"kind":"x","type":`, 1),
		"key in another case":    strings.Replace(string(line), `"type":`, `"Type":`, 1),
		"trailing value":         string(line) + ` {}`,
		"not an object":          `["a"]`,
	} {
		_, err := ParseJournal("j", strings.NewReader(bad+"\n"))
		var je *JournalError
		if !errors.As(err, &je) || je.Line != 1 {
			t.Errorf("%s: accepted or wrong error: %v", name, err)
		}
	}
}
