package protocol

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
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

func TestSummariesWithAndWithoutCache(t *testing.T) {
	root := t.TempDir()
	d := func(s string) *time.Time { x := synDate(t, s); return &x }
	comp := sumCase(t, filepath.Join(root, "a", "dupont"), "complement",
		"personne:\n  nom: \"Dupont\"\n  prenoms: \"Marie\"\nprocedure:\n  nature: renouvellement\n  date_expiration_titre: \"2026-06-30\"\n",
		StepRecord{Step: "notification", Channel: "anef", Date: d("2026-03-10"), Fields: map[string]string{"documents_non_obligatoires": "true"}})
	sumCase(t, filepath.Join(root, "b", "martin"), "api", "personne:\n  nom: Martin\nprocedure:\n  date_depot: \"31/01/2026\"\n")
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
	today := synDate(t, "2026-03-25")
	plain := SummarizeCases(dirs, nil, today, 2, nil)
	cache := OpenListCache(filepath.Join(t.TempDir(), "liste.json"), nil)
	first := SummarizeCases(dirs, nil, today, 2, cache)
	if err := cache.Save(today); err != nil {
		t.Fatal(err)
	}
	cache = OpenListCache(cache.path, nil)
	second := SummarizeCases(dirs, nil, today.AddDate(0, 0, 1), 2, cache)
	if len(cache.used) != 3 || cache.dirty {
		t.Fatalf("second list: %d hits, dirty=%v", len(cache.used), cache.dirty)
	}
	for i := range dirs {
		want := viewOf(plain[i])
		if got := viewOf(first[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: filling the cache %+v, want %+v", dirs[i], got, want)
		}
		// A day later, from the cache: the same but one day less.
		got := viewOf(second[i])
		if want.Deadline != "" {
			want.DaysLeft--
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: from the cache %+v, want %+v", dirs[i], got, want)
		}
	}
	if v := viewOf(plain[0]); v.Who != "DUPONT Marie" || v.Next != "reponse" || v.Deadline != "delai-complement 09/04/2026" || v.DaysLeft != 15 || v.Warnings != 1 {
		t.Errorf("dupont = %+v", v)
	}

	// A changed journal is a miss, and the new state shows.
	sumAppend(t, comp, StepRecord{Step: "reponse", Channel: "anef", Date: d("2026-03-20"), Pieces: nil})
	cache = OpenListCache(cache.path, nil)
	third := SummarizeCases(dirs, nil, today, 1, cache)
	if v := viewOf(third[0]); v.Next != "" || !v.Finished || v.Deadline != "depot-renouvellement-fin 01/05/2026" {
		t.Errorf("after the answer: %+v", v)
	}

	// Urgency: the earliest deadline first, errors before everything.
	os.WriteFile(filepath.Join(dirs[2], JournalFile), []byte("pas du json\n"), 0o600)
	list := SummarizeCases(dirs, nil, today, 2, nil)
	SortByUrgency(list)
	var order []string
	for _, s := range list {
		order = append(order, filepath.Base(s.Dir))
	}
	if !reflect.DeepEqual(order, []string{"c", "dupont", "martin"}) {
		t.Errorf("order = %v", order)
	}
}
