package render

import (
	"strings"
	"testing"
	"unicode/utf8"

	"anefdossier/protocol"
)

// The French of a lawyer's letter (issue 10, point 7; legal review 1, m3 and
// m4): elision and articles, no doubled title, user text as a sentence, the
// préfet addressed as dossier.yaml says, URLs cut at « / » or « . » only.
func TestLetterWording(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Exempleville", "d'Exempleville"}, {"Paris", "de Paris"}, {"Seine-Saint-Denis", "de la Seine-Saint-Denis"},
		{"Val-d'Oise", "du Val-d'Oise"}, {"du Val-d'Oise", "du Val-d'Oise"}, {"de la Seine-Saint-Denis", "de la Seine-Saint-Denis"},
		{"Hauts-de-Seine", "des Hauts-de-Seine"},
	} {
		if got := barOf(c.in); got != c.want {
			t.Errorf("barOf(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{{"Awa", "d'Awa"}, {"Karim", "de Karim"}, {"Hélène", "d'Hélène"}} {
		if got := de(c.in); got != c.want {
			t.Errorf("de(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"La Cimade", "l'association La Cimade"}, {"Association Exemple", "l'Association Exemple"},
		{"association des amis", "l'association des amis"}, {"Associations unies", "l'association Associations unies"},
	} {
		if got := association(c.in); got != c.want {
			t.Errorf("association(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, in := range []string{"Maître Claire AVOCATE", "Me Claire AVOCATE", "Claire AVOCATE"} {
		if got := withoutTitle(in); got != "Claire AVOCATE" {
			t.Errorf("withoutTitle(%q) = %q", in, got)
		}
	}
	for _, c := range []struct{ in, sent, frag string }{
		{"le téléservice refuse le visa..", "Le téléservice refuse le visa.", "le téléservice refuse le visa"},
		{"  aucun créneau  ", "Aucun créneau.", "aucun créneau"},
		{"voir la suite...", "Voir la suite...", "voir la suite..."},
	} {
		if got := sentence(c.in); got != c.sent {
			t.Errorf("sentence(%q) = %q, want %q", c.in, got, c.sent)
		}
		if got := fragment(c.in); got != c.frag {
			t.Errorf("fragment(%q) = %q, want %q", c.in, got, c.frag)
		}
	}
	for _, c := range []struct {
		p    protocol.Prefecture
		want string
	}{
		{protocol.Prefecture{Name: "Préfecture de la Seine-Saint-Denis"}, "Madame la Préfète, Monsieur le Préfet"},
		{protocol.Prefecture{Name: "Préfecture du Val-d'Oise", PrefectCivility: "Madame"}, "Madame la Préfète"},
		{protocol.Prefecture{Name: "Préfecture de police"}, "Madame la Préfète de police, Monsieur le Préfet de police"},
		{protocol.Prefecture{Name: "PREFECTURE DE POLICE", PrefectCivility: "Monsieur"}, "Monsieur le Préfet de police"},
		{protocol.Prefecture{Name: "Préfecture", Department: "75", PrefectCivility: "Monsieur"}, "Monsieur le Préfet de police"},
	} {
		if got := salutation(c.p); got != c.want {
			t.Errorf("salutation(%+v) = %q, want %q", c.p, got, c.want)
		}
	}
	// A URL wider than the line is cut only after « / » or « . ».
	const u = "https://administration-etrangers-en-france.interieur.gouv.fr/particuliers/#/espace-personnel/creation-compte/etape-visa"
	width := func(s string) float64 { return float64(utf8.RuneCountInString(s)) }
	chunks := urlChunks(u, 40, width)
	if strings.Join(chunks, "") != u || len(chunks) < 3 {
		t.Fatalf("chunks %q do not rebuild the URL", chunks)
	}
	for _, c := range chunks[:len(chunks)-1] {
		if !strings.HasSuffix(c, "/") && !strings.HasSuffix(c, ".") {
			t.Errorf("chunk %q cut inside a word", c)
		}
		if width(c) > 40 {
			t.Errorf("chunk %q wider than the line", c)
		}
	}
}
