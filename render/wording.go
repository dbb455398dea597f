package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// French wording helpers for the letters: elision, articles, civility and
// gender, user text inserted as a sentence.

// sentence makes user text a sentence: trimmed, first letter in capitals,
// one final full stop (none added after « ? », « ! », « … » or a closing
// quotation mark that follows one of them), no doubled full stop.
func sentence(s string) string {
	s = strings.TrimSpace(strings.Join(strings.Fields(s), " "))
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	for strings.HasSuffix(s, "..") && !strings.HasSuffix(s, "...") {
		s = strings.TrimSuffix(s, ".")
	}
	trimmed := strings.TrimRight(s, " »\"')")
	switch {
	case strings.HasSuffix(trimmed, "."), strings.HasSuffix(trimmed, "!"), strings.HasSuffix(trimmed, "?"), strings.HasSuffix(trimmed, "…"):
		return s
	}
	return s + "."
}

// fragment makes user text fit inside a sentence: trimmed, without a final
// full stop (the template adds its own punctuation).
func fragment(s string) string {
	s = strings.TrimSpace(strings.Join(strings.Fields(s), " "))
	for strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "...") {
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// withoutTitle removes a leading « Maître » or « Me » the user may have typed
// in the signer's name, so that the letter never writes « Maître Maître ».
func withoutTitle(name string) string {
	name = strings.TrimSpace(name)
	for _, t := range []string{"Maître ", "maître ", "Me ", "Me. ", "Mᵉ "} {
		if strings.HasPrefix(name, t) {
			return strings.TrimSpace(name[len(t):])
		}
	}
	return name
}

// barOf writes the bar after « barreau »: the user's own article kept
// (« de Paris », « du Val-d'Oise », « de la Seine-Saint-Denis »), else the
// preposition elided before a vowel (« d'Évry », « de Lyon »).
func barOf(bar string) string {
	bar = strings.TrimSpace(bar)
	low := strings.ToLower(bar)
	for _, p := range []string{"de ", "du ", "des ", "d'", "d’"} {
		if strings.HasPrefix(low, p) {
			return bar
		}
	}
	// Départements that take an article, written by the user without it.
	for _, pre := range []string{"Val-", "Val ", "Var", "Doubs", "Gard", "Gers", "Jura", "Lot", "Nord", "Rhône", "Cher", "Calvados", "Finistère", "Loiret", "Morbihan"} {
		if strings.HasPrefix(bar, pre) {
			return "du " + bar
		}
	}
	for _, pre := range []string{"Seine-Saint-Denis", "Seine-et-Marne", "Somme", "Sarthe", "Savoie", "Haute-", "Marne", "Manche", "Moselle", "Meuse", "Nièvre", "Vienne", "Gironde", "Loire", "Creuse", "Corrèze", "Charente", "Dordogne", "Drôme", "Mayenne", "Réunion", "Guadeloupe", "Martinique", "Guyane"} {
		if strings.HasPrefix(bar, pre) {
			if pre == "Réunion" {
				return "de La Réunion"
			}
			return "de la " + bar
		}
	}
	for _, pre := range []string{"Hauts-de-Seine", "Yvelines", "Bouches-du-Rhône", "Alpes-", "Pyrénées-", "Landes", "Vosges", "Ardennes"} {
		if strings.HasPrefix(bar, pre) {
			return "des " + bar
		}
	}
	return de(bar)
}

// urlChunks cuts a URL into pieces no wider than width, each ending at a
// « / » or « . » boundary, so that a line never ends in the middle of a word
// (fit measures a string). A piece with no boundary that fits is cut where
// it must.
func urlChunks(u string, width float64, fit func(string) float64) []string {
	var out []string
	for fit(u) > width {
		cut := -1
		for i := 1; i < len(u); i++ {
			if (u[i-1] == '/' || u[i-1] == '.') && fit(u[:i]) <= width {
				cut = i
			}
		}
		if cut <= 0 {
			break
		}
		out = append(out, u[:cut])
		u = u[cut:]
	}
	return append(out, u)
}
