package protocol

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// HeadFile holds the number of events of the journal and the SHA-256 of its
// last line, rewritten (atomically) after each append. The hash chain
// protects every line but the last: without this anchor, editing or
// removing the last line would go unnoticed.
const HeadFile = "journal.head"

// writeHead records n events ending with a line of hash h. An event is
// confirmed only once its head is written: verify reports a head one event
// behind as an interrupted write, and --repair sets that last line aside.
func (c *Case) writeHead(n int, h string) error {
	return ReplaceFile(c.Path(HeadFile), []byte(fmt.Sprintf("%d %s\n", n, h)))
}

// readHead returns the recorded count and hash; ok is false when the file is
// missing.
func (c *Case) readHead() (n int, h string, ok bool, err error) {
	b, err := os.ReadFile(c.Path(HeadFile))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, err
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, "", true, fmt.Errorf("%s illisible", HeadFile)
	}
	n, err = strconv.Atoi(f[0])
	if err != nil || string(b) != fmt.Sprintf("%d %s\n", n, f[1]) {
		return 0, "", true, fmt.Errorf("%s illisible", HeadFile)
	}
	return n, f[1], true, nil
}

// checkHead compares the head file with the valid events read. It returns a
// French problem ("" when consistent) and whether it is the mark of an
// interrupted write (head exactly one event behind, or missing after a crash
// during the very first append) that Repair may fix.
func (c *Case) checkHead(events []Event) (problem string, repairable bool) {
	n, h, ok, err := c.readHead()
	last := GenesisHash
	if len(events) > 0 {
		last = events[len(events)-1].Hash
	}
	switch {
	case err != nil:
		return err.Error() + " (tête du journal)", false
	case !ok && len(events) <= 1:
		return fmt.Sprintf("%s absent (arrêt pendant la création du dossier ?)", HeadFile), true
	case !ok:
		return fmt.Sprintf("%s absent : la dernière ligne du journal ne peut pas être contrôlée (fichier supprimé ?)", HeadFile), false
	case n == len(events) && h == last:
		return "", false
	case n == len(events)-1 && (n == 0 && h == GenesisHash || n > 0 && h == events[n-1].Hash):
		return fmt.Sprintf("%s a un événement de retard (arrêt entre l'écriture du journal et celle de sa tête)", HeadFile), true
	}
	return fmt.Sprintf("la tête du journal (%s : %d événements, empreinte %.16s…) ne correspond pas au journal (%d événements, empreinte %.16s…) : dernière ligne modifiée, supprimée ou ajoutée à la main",
		HeadFile, n, h, len(events), last), false
}
