package protocol

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/uuid"
)

// GenesisHash is the "previous hash" of the first event of a journal.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event types written to the journal.
const (
	EventCreated       = "dossier.created"
	EventPiece         = "piece.added"
	EventStepDone      = "step.done"
	EventStepUndo      = "step.undone"
	EventNote          = "note.added"
	EventTimestamp     = "timestamp.added"
	EventCaptureFailed = "capture.failed"
	// EventPieceTitled gives a piece its inventory title after its import
	// (art. R.412-2 al. 2 CJA); the piece's files and event are unchanged.
	EventPieceTitled = "piece.titled"
)

// Event is one line of journal.jsonl. Prev is the SHA-256 (hex) of the exact
// bytes of the previous line, without its newline, so that any edit, removal or
// reordering of an earlier line breaks the chain.
type Event struct {
	ID   string          `json:"id"`
	Time time.Time       `json:"time"`
	Type string          `json:"type"`
	Prev string          `json:"prev"`
	Data json.RawMessage `json:"data,omitempty"`

	// Line is the 1-based line number the event was read from (not serialised).
	Line int `json:"-"`
	// Hash is the SHA-256 of this event's line (not serialised).
	Hash string `json:"-"`
}

// Decode unmarshals the event's data into v, with the journal's decoder
// (keys matched exactly; keys v does not have are ignored, so that a newer
// field does not make an event unreadable).
func (e Event) Decode(v any) error {
	if len(e.Data) == 0 {
		return nil
	}
	return jsonv2.Unmarshal(e.Data, v)
}

// JournalError describes a journal that cannot be trusted, with the line where
// the problem starts.
type JournalError struct {
	Path   string
	Line   int
	Reason string
	// Truncated is true when the problem is an incomplete last line, the
	// signature of a crash during a write; `verify --repair` can quarantine it.
	Truncated bool
	// Offset is the byte offset where the faulty line starts.
	Offset int64
}

func (e *JournalError) Error() string {
	return fmt.Sprintf("journal %s, ligne %d : %s", filepath.Base(e.Path), e.Line, e.Reason)
}

// ErrJournalBroken is matched by errors.Is for every *JournalError.
var ErrJournalBroken = errors.New("journal invalide")

func (e *JournalError) Is(target error) bool { return target == ErrJournalBroken }

// HashLine returns the hex SHA-256 of one journal line (without newline).
func HashLine(line []byte) string {
	s := sha256.Sum256(line)
	return hex.EncodeToString(s[:])
}

// ParseJournal reads a whole journal and checks its hash chain. It returns the
// events read up to the first problem, and a *JournalError describing it.
//
// Each line is decoded by one strict decoder ([github.com/go-json-experiment/json],
// the future encoding/json/v2): an unknown key, a key given twice, invalid
// UTF-8 or anything after the object makes the line unreadable. The hash
// chain covers the exact bytes, so a line two readers could understand
// differently must not be accepted at all.
func ParseJournal(path string, r io.Reader) ([]Event, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	var events []Event // nil when no line is good, as callers may test
	prev := GenesisHash
	var offset int64
	for lineNo := 1; ; lineNo++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) == 0 && err == io.EOF {
			return events, nil
		}
		if err != nil && err != io.EOF {
			return events, fmt.Errorf("lecture du journal %s : %w", path, err)
		}
		line := bytes.TrimSuffix(raw, []byte("\n"))
		start := offset
		offset += int64(len(raw))
		if err == io.EOF {
			// No final newline: a write was cut short.
			return events, &JournalError{Path: path, Line: lineNo, Offset: start, Truncated: true,
				Reason: "dernière ligne incomplète (écriture interrompue, sans fin de ligne)"}
		}
		var ev Event
		if err := decodeLine(line, &ev); err != nil {
			_, peek := br.Peek(1)
			atEnd := peek == io.EOF
			return events, &JournalError{Path: path, Line: lineNo, Offset: start,
				Truncated: atEnd && !jsontext.Value(line).IsValid(), Reason: "ligne illisible (JSON invalide)"}
		}
		if ev.ID == "" || ev.Type == "" || ev.Time.IsZero() {
			return events, &JournalError{Path: path, Line: lineNo, Offset: start, Reason: "événement incomplet (id, date ou type manquant)"}
		}
		if ev.Prev != prev {
			return events, &JournalError{Path: path, Line: lineNo, Offset: start,
				Reason: "chaîne de hachage rompue : l'empreinte de la ligne précédente ne correspond pas (ligne modifiée, supprimée ou déplacée)"}
		}
		ev.Line = lineNo
		ev.Hash = HashLine(line)
		prev = ev.Hash
		events = append(events, ev)
	}
}

// strictLine are the options a journal line is decoded with: on top of
// json/v2's defaults (duplicate keys and invalid UTF-8 rejected, names
// matched exactly), no key the [Event] does not have.
var strictLine = jsonv2.RejectUnknownMembers(true)

// decodeLine decodes one journal line (without its newline) into ev.
func decodeLine(line []byte, ev *Event) error {
	return jsonv2.Unmarshal(line, ev, strictLine)
}

// ReadJournal opens and parses the journal at path. A missing file is an error.
func ReadJournal(path string) ([]Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ouverture du journal : %w", err)
	}
	defer f.Close()
	return ParseJournal(path, f)
}

// NewEvent builds an event chained after prev.
func NewEvent(prev string, now time.Time, typ string, data any) (Event, []byte, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return Event{}, nil, err
	}
	var raw json.RawMessage
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return Event{}, nil, fmt.Errorf("encodage de l'événement : %w", err)
		}
		raw = b
	}
	ev := Event{ID: id.String(), Time: now.UTC().Truncate(time.Millisecond), Type: typ, Prev: prev, Data: raw}
	line, err := json.Marshal(ev)
	if err != nil {
		return Event{}, nil, err
	}
	if bytes.ContainsAny(line, "\n\r") {
		return Event{}, nil, errors.New("événement contenant un saut de ligne brut")
	}
	ev.Hash = HashLine(line)
	return ev, line, nil
}

// appendLine writes line+"\n" to the journal with a single write, then fsyncs.
func appendLine(path string, line []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("ouverture du journal : %w", err)
	}
	buf := make([]byte, 0, len(line)+1)
	buf = append(buf, line...)
	buf = append(buf, '\n')
	crashPoint("journal.avant-ecriture")
	if crashWanted("journal.ecriture-partielle") {
		// A write cut in the middle of the line (power cut, full disk).
		f.Write(buf[:len(buf)/2])
		f.Sync()
		crashNow()
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return fmt.Errorf("écriture du journal : %w", err)
	}
	crashPoint("journal.ecrit")
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("synchronisation du journal : %w", err)
	}
	crashPoint("journal.synchronise")
	return f.Close()
}

// QuarantineTail moves the bytes of the journal from offset to the end into a
// quarantine file beside it, then truncates the journal at offset. The bytes are
// never dropped: the quarantine file is written and synced before truncation.
func QuarantineTail(path string, offset int64, now time.Time) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if offset < 0 || offset > int64(len(data)) {
		return "", fmt.Errorf("position %d hors du journal", offset)
	}
	tail := data[offset:]
	name := filepath.Join(filepath.Dir(path), "journal.quarantaine-"+now.UTC().Format("20060102T150405.000Z")+".txt")
	if err := WriteFileOnce(name, tail); err != nil {
		return "", err
	}
	crashPoint("quarantaine.copiee")
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return "", err
	}
	if err := f.Truncate(offset); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	return name, f.Close()
}
