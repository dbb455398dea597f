package protocol

import "strconv"

// Count writes a count the French way, "1 pièce", "3 pièces": the singular
// for 0 and 1, as French does ("0 pièce"). It is the one plural helper of
// the tool.
func Count(n int, one, many string) string {
	if n <= 1 && n >= -1 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}
