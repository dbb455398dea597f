package protocol

import "encoding/json"

// Machine values stored in the journal are English ASCII tokens held in
// typed constants (docs/STYLE.md). Case folders written before this rule
// hold French values ("importée", "brut", "sans-tete", "vérifié"...): they
// are read as the constants below, and never rewritten (the journal is
// hash-chained). What a person reads comes from the Label methods, in French.

// legacy maps the values of earlier versions to the current ones.
var legacy = map[string]string{
	// provenances
	"capture-attachee": string(ProvenanceAttached),
	"importée":         string(ProvenanceImported),
	// file roles
	"brut":   string(RoleRaw),
	"preuve": string(RoleEvidence),
	// capture modes
	"sans-tete": string(ModeHeadless),
	"attachee":  string(ModeAttached),
	// timestamp statuses
	"vérifié":             string(TimestampVerified),
	"racine non vérifiée": string(TimestampRootUnverified),
	// outcomes of planned attempts
	"faite":   string(AttemptMade),
	"echouee": string(AttemptFailed),
	"manquee": string(AttemptMissed),
}

func current(s string) string {
	if v, ok := legacy[s]; ok {
		return v
	}
	return s
}

// UnmarshalText reads a provenance, old spellings included.
func (p *Provenance) UnmarshalText(b []byte) error {
	*p = Provenance(current(string(b)))
	return nil
}

// Label is the provenance in French, as shown in listings and documents.
func (p Provenance) Label() string {
	switch p {
	case ProvenanceCapture:
		return "capture"
	case ProvenanceAttached:
		return "capture dans le navigateur de l'utilisateur"
	case ProvenanceImported:
		return "importée"
	}
	return string(p)
}

// UnmarshalText reads a file role, old spellings included.
func (r *FileRole) UnmarshalText(b []byte) error {
	*r = FileRole(current(string(b)))
	return nil
}

// suffix is the part of a stored file's name that tells its role, in French
// since a lawyer reads the names: 001-capture.brut.png, 001-capture.preuve.json.
func (r FileRole) suffix() string {
	switch r {
	case RoleRaw:
		return "brut"
	case RoleEvidence:
		return "preuve"
	}
	return Slug(string(r))
}

// UnmarshalText reads a capture mode, old spellings included.
func (m *CaptureMode) UnmarshalText(b []byte) error {
	*m = CaptureMode(current(string(b)))
	return nil
}

// Label is the capture mode in French.
func (m CaptureMode) Label() string {
	switch m {
	case ModeHeadless:
		return "navigateur sans interface, profil vierge"
	case ModeAttached:
		return "navigateur de l'utilisateur"
	}
	return string(m)
}

// TimestampStatus is how far an RFC 3161 token was checked when it was
// received.
type TimestampStatus string

// Statuses of a timestamp.added event.
const (
	// TimestampVerified: signature, hash, nonce and chain up to a configured root.
	TimestampVerified TimestampStatus = "verified"
	// TimestampRootUnverified: signature, hash and nonce checked, but no
	// root was configured to check the chain.
	TimestampRootUnverified TimestampStatus = "root-unverified"
)

// UnmarshalText reads a timestamp status, old spellings included.
func (s *TimestampStatus) UnmarshalText(b []byte) error {
	*s = TimestampStatus(current(string(b)))
	return nil
}

// Label is the status in French.
func (s TimestampStatus) Label() string {
	switch s {
	case TimestampVerified:
		return "vérifié"
	case TimestampRootUnverified:
		return "racine non vérifiée"
	}
	return string(s)
}

// canonical brings a piece decoded by hand (without UnmarshalText) to the
// current values.
func (p *Piece) canonical() {
	p.Provenance = Provenance(current(string(p.Provenance)))
	for i := range p.Files {
		p.Files[i].Role = FileRole(current(string(p.Files[i].Role)))
	}
}

// recordToken is the mode as written in the evidence record, a document
// with French keys that a lawyer reads: "sans-tete" or "attachee".
func (m CaptureMode) recordToken() string {
	for old, cur := range legacy {
		if cur == string(m) && (old == "sans-tete" || old == "attachee") {
			return old
		}
	}
	return string(m)
}

// MarshalJSON writes the evidence record with its French keys, the capture
// mode included ("sans-tete", "attachee"): the record is a document for a
// lawyer, not a machine format.
func (r CaptureRecord) MarshalJSON() ([]byte, error) {
	type plain CaptureRecord
	return json.Marshal(struct {
		plain
		Mode string `json:"mode"`
	}{plain(r), r.Mode.recordToken()})
}
