package protocol

import "time"

// External anchoring of the journal (see docs/RELIABILITY.md, « ce que le
// journal protège, et ce qu'il ne protège pas »). The hash chain and
// journal.head are computed from the journal alone: whoever rewrites the
// journal can rewrite both. An anchor is an RFC 3161 token, from an authority
// outside the case, over the SHA-256 of line Line (which chains every line
// before it): lines 1..Line existed, as they are, at the token's time.
const (
	// AnchorsDir holds the anchor tokens (ancres/journal-L000013.1.tsr).
	AnchorsDir = "ancres"
	// EventAnchor records an anchor token.
	EventAnchor = "journal.anchored"
)

// AnchorRecord is the data of a journal.anchored event.
type AnchorRecord struct {
	Line        int       `json:"line"` // the token covers lines 1..Line
	Head        string    `json:"head"` // SHA-256 of line Line
	Token       string    `json:"token"`
	TokenSHA    string    `json:"token_sha256"`
	Authority   string    `json:"authority"`
	Signer      string    `json:"signer,omitempty"`
	GenTime     time.Time `json:"gen_time"`
	RequestedAt time.Time `json:"requested_at,omitempty"`
	Status      string    `json:"status"`
}
