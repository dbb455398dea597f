package protocol

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Neutralize makes text from outside (a page title, an e-mail subject, a
// field of a received dossier.yaml) safe to print in a PDF, a mail header or
// a terminal: control characters (NUL, ESC, DEL, C1) other than newline and
// tab, and the invisible characters that reorder text (bidi overrides and
// isolates, U+202E turning "gpj.exe" into "exe.jpg"), are replaced by their
// visible code, e.g. "[U+202E]". Invalid UTF-8 becomes U+FFFD. Nothing is
// silently dropped: a reader sees that something was there.
func Neutralize(s string) string {
	if !needsNeutralize(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				b.WriteRune(utf8.RuneError)
				continue
			}
			b.WriteRune(r)
		case hidden(r):
			fmt.Fprintf(&b, "[U+%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsNeutralize(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 {
			// Non-ASCII: check runes only when present.
			if c >= 0x80 {
				return hasHiddenRune(s[i:])
			}
			return true
		}
	}
	return false
}

func hasHiddenRune(s string) bool {
	for i, r := range s {
		if hidden(r) {
			return true
		}
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return true
			}
		}
	}
	return false
}

// hidden tells whether r is a control or reordering character.
func hidden(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\n' && r != '\t'
	case r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// HasHidden tells whether s holds a character [Neutralize] would replace.
func HasHidden(s string) bool { return Neutralize(s) != s }

// Clip shortens s to at most n runes, ending with "…" when cut.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n {
			return s[:i] + "…"
		}
		count++
	}
	return s
}
