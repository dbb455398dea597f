package app

import (
	"errors"
	"time"

	"anefdossier/protocol"
)

// events reads a case's journal for display without waiting for its lock:
// the journal is only ever appended to, whole lines at a time, so a reader
// sees a valid prefix. A torn last line is a write in progress: it is read
// again a few times, then under the shared lock.
func events(cs *protocol.Case) ([]protocol.Event, error) {
	var je *protocol.JournalError
	for i := 0; i < 5; i++ {
		evs, err := protocol.ReadJournal(cs.Path(protocol.JournalFile))
		if !errors.As(err, &je) || !je.Truncated {
			return evs, err
		}
		time.Sleep(40 * time.Millisecond)
	}
	return cs.Events()
}

// loadState is protocol.Case.State without waiting for a writer.
func loadState(cs *protocol.Case) (*protocol.State, error, error) {
	evs, err := events(cs)
	if err != nil {
		return nil, nil, err
	}
	p, err := protocol.LoadProtocol(cs.Templates, cs.ProtocolID(evs))
	if err != nil {
		return nil, nil, err
	}
	d, _, derr := cs.Dossier()
	if derr != nil {
		d = nil
	}
	return protocol.Fold(p, evs, d), derr, nil
}
