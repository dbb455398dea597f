// Package portable tells whether a file name can be written on Windows, macOS
// and Linux alike, and makes one that can. A case folder made on Linux is
// copied to a lawyer's Windows machine or a Mac, and its archive is opened
// there: a name Linux accepts may be refused (CON, a colon), changed (a
// trailing dot) or merged with another (Note.txt and note.txt) elsewhere.
package portable

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxName is the longest name, in bytes, this package lets through: every
// file system of the three systems takes 255.
const MaxName = 255

// reserved are the device names of Windows: a file called so, with or
// without an extension, in any case, cannot be created there.
var reserved = map[string]bool{
	"con": true, "prn": true, "aux": true, "nul": true, "conin$": true, "conout$": true,
}

func init() {
	for _, d := range "0123456789¹²³" {
		reserved["com"+string(d)] = true
		reserved["lpt"+string(d)] = true
	}
}

// forbidden are the characters Windows refuses in a name (besides control
// characters); "/" is refused everywhere.
const forbidden = `<>:"/\|?*`

// Reserved tells whether name is a Windows device name: CON, PRN, AUX, NUL,
// COM0-9, LPT0-9 (and their superscript forms), CONIN$, CONOUT$, in any
// case, alone or before an extension ("con.txt", "Aux.tar.gz", "NUL ").
func Reserved(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	return reserved[strings.ToLower(strings.TrimRight(base, " "))]
}

// Problem says in French why name cannot be used as a file or folder name on
// every system, or returns "".
func Problem(name string) string {
	switch {
	case name == "":
		return "nom vide"
	case name == "." || name == "..":
		return "nom réservé « " + name + " »"
	case len(name) > MaxName:
		return fmt.Sprintf("nom trop long (%d octets, %d au plus)", len(name), MaxName)
	case !utf8.ValidString(name):
		return "nom qui n'est pas en UTF-8"
	case Reserved(name):
		return "nom de périphérique réservé par Windows (CON, PRN, AUX, NUL, COM1…, LPT1…)"
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Sprintf("caractère de contrôle U+%04X, refusé par Windows", r)
		}
		if strings.ContainsRune(forbidden, r) {
			return fmt.Sprintf("caractère « %c », refusé par Windows", r)
		}
	}
	if last := name[len(name)-1]; last == '.' || last == ' ' {
		return "point ou espace final, retiré par Windows"
	}
	return ""
}

// Name returns name made valid on every system: forbidden and control
// characters become "_", trailing dots and spaces are removed, a device name
// gets "_" in front ("aux" → "_aux", "con.txt" → "_con.txt"),
// and it is cut to max bytes (on a character boundary). An empty result is
// fallback.
func Name(name string, max int, fallback string) string {
	if max <= 0 || max > MaxName {
		max = MaxName
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(name, "_") {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(forbidden, r) {
			r = '_'
		}
		b.WriteRune(r)
	}
	s := b.String()
	for {
		if len(s) > max {
			cut := max
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			s = s[:cut]
		}
		s = strings.TrimRight(s, ". ")
		if Reserved(s) {
			s = "_" + s // never a device name again; may be over max
			continue
		}
		if s == "" {
			return fallback
		}
		return s
	}
}

// Fold is the form under which two names are the same file on a system that
// ignores case (Windows, macOS): lower case, Unicode composed (macOS also
// takes "é" written as e + accent for "é").
func Fold(name string) string {
	return strings.ToLower(norm.NFC.String(name))
}

// Collisions returns the groups of paths (slash-separated) that are
// different here but one file where case is ignored, each group sorted as
// given.
func Collisions(paths []string) [][]string {
	by := map[string][]string{}
	var order []string
	for _, p := range paths {
		k := Fold(p)
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = append(by[k], p)
	}
	var out [][]string
	for _, k := range order {
		if len(by[k]) > 1 {
			out = append(out, by[k])
		}
	}
	return out
}
