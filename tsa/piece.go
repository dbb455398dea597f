package tsa

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"anefdossier/protocol"
)

// Config says which authorities to ask and which root to trust.
type Config struct {
	Authorities []string
	// Root is the path of a PEM file of trusted roots ("" = none).
	Root string
	// Source names where the configuration came from, in French.
	Source string
	// Notes are remarks for the user (a racine of dossier.yaml ignored).
	Notes []string
}

// UserConfigPath is the per-user configuration file
// (~/.config/anef-dossier/horodatage.yaml), same keys as the horodatage
// section of dossier.yaml.
func UserConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "anef-dossier", "horodatage.yaml")
}

// ResolveConfig chooses the authorities: flagURLs when given, else
// dossier.yaml's horodatage section, else the user file. The root (the trust
// anchor) never comes from the case: flagRoot, else the user file's racine
// (relative to that file's folder). A racine written in dossier.yaml is
// ignored and reported in cfg.Notes; a root file stored inside the case
// folder is refused (the case cannot vouch for itself). An empty result is
// not an error: the caller decides (capture goes on without timestamps).
func ResolveConfig(c *protocol.Case, flagURLs []string, flagRoot string) (Config, error) {
	var cfg Config
	if len(flagURLs) > 0 {
		cfg = Config{Authorities: flagURLs, Source: "options --tsa"}
	}
	if c != nil {
		d, _, err := c.Dossier()
		if err != nil && len(cfg.Authorities) == 0 {
			return Config{}, err
		}
		if err == nil {
			if len(cfg.Authorities) == 0 && len(d.Timestamping.Authorities) > 0 {
				cfg = Config{Authorities: d.Timestamping.Authorities, Source: "dossier.yaml (horodatage)"}
			}
			if d.Timestamping.Root != "" {
				cfg.Notes = append(cfg.Notes, fmt.Sprintf("horodatage.racine de dossier.yaml (%s) ignorée : la racine de confiance doit venir de --root ou de %s, pas du dossier lui-même", d.Timestamping.Root, UserConfigPath()))
			}
		}
	}
	user, err := readUserConfig()
	if err != nil {
		return Config{}, err
	}
	if len(cfg.Authorities) == 0 && len(user.Authorities) > 0 {
		cfg.Authorities, cfg.Source = user.Authorities, UserConfigPath()
	}
	cfg.Root = user.Root
	if flagRoot != "" {
		cfg.Root = flagRoot
	}
	if c != nil && cfg.Root != "" && InsideCase(c.Dir, cfg.Root) {
		return Config{}, fmt.Errorf("%w : %s est dans le dossier de l'affaire ; une racine de confiance doit venir d'ailleurs (site de l'autorité, configuration de l'avocat)", ErrRootInCase, cfg.Root)
	}
	for _, u := range cfg.Authorities {
		if err := CheckURL(u); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

// ErrRootInCase: the root offered is stored inside the case folder.
var ErrRootInCase = errors.New("racine de confiance refusée")

// readUserConfig reads ~/.config/anef-dossier/horodatage.yaml (absent: empty),
// its racine made absolute.
func readUserConfig() (protocol.Timestamping, error) {
	var t protocol.Timestamping
	p := UserConfigPath()
	if p == "" {
		return t, nil
	}
	data, err := protocol.ReadUserFile(p, MaxRootFile)
	if errors.Is(err, os.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("%s illisible : %w", p, err)
	}
	if err := protocol.ParseSmallYAML(p, data, &t); err != nil {
		return t, err
	}
	t.Root = rel(filepath.Dir(p), t.Root)
	return t, nil
}

// InsideCase tells whether path (links resolved) is inside the case folder.
func InsideCase(caseDir, path string) bool {
	cd, err := filepath.EvalSymlinks(caseDir)
	if err != nil {
		cd = caseDir
	}
	cd, _ = filepath.Abs(cd)
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		p = path
	}
	p, _ = filepath.Abs(p)
	return p == cd || strings.HasPrefix(p, cd+string(filepath.Separator))
}

func rel(base, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// Roots loads the configured root, or returns nil when none is configured.
func (c Config) Roots() (*x509.CertPool, error) {
	if c.Root == "" {
		return nil, nil
	}
	return LoadRoots(c.Root)
}

// StampPiece timestamps the main file of piece p with each authority inside
// tx: it rechecks the file on disk against the journal (a modified file is
// never stamped), asks each authority, keeps each verified reply write-once
// beside the piece (pieces/NNN-x.ext.K.tsr) and appends a timestamp.added
// event per token. It returns the records written and the errors of the
// authorities that failed (joined); a failed authority leaves nothing behind.
func StampPiece(ctx context.Context, tx *protocol.Tx, p protocol.Piece, authorities []string, roots *x509.CertPool) ([]protocol.TimestampRecord, error) {
	main := p.Main()
	if main.Path == "" {
		return nil, fmt.Errorf("pièce n°%d sans fichier", p.Number)
	}
	if strings.Contains(main.Path, "..") || filepath.IsAbs(main.Path) {
		return nil, fmt.Errorf("pièce n°%d : chemin refusé %s", p.Number, main.Path)
	}
	abs := tx.Case().Path(filepath.FromSlash(main.Path))
	sum, _, err := protocol.HashCaseFile(abs, main.Path)
	if err != nil {
		return nil, err
	}
	if sum != main.SHA256 {
		return nil, fmt.Errorf("pièce n°%d : %s a changé depuis son enregistrement (empreinte différente), horodatage refusé", p.Number, main.Path)
	}
	digest, err := hex.DecodeString(sum)
	if err != nil {
		return nil, err
	}
	return stampEach(ctx, tx, authorities, digest, roots, protocol.EventTimestamp,
		func(token []byte) (string, error) { return writeToken(tx, main.Path, token) },
		func(url, rel string, token []byte, info Info) protocol.TimestampRecord {
			return protocol.TimestampRecord{Piece: p.Number, File: main.Path, Token: rel, TokenSHA: protocol.HashBytes(token),
				Authority: url, GenTime: info.GenTime, Status: info.Status, Signer: info.Signer, RequestedAt: info.RequestedAt}
		})
}

// stampEach asks each authority for a token over digest, stores it with
// write and appends the event record makes of it. An authority that fails
// is reported in the joined error; the others are still asked.
func stampEach[R any](ctx context.Context, tx *protocol.Tx, authorities []string, digest []byte, roots *x509.CertPool, event string,
	write func(token []byte) (string, error), record func(url, rel string, token []byte, info Info) R) ([]R, error) {
	var recs []R
	var errs []error
	for _, url := range authorities {
		token, info, err := Stamp(ctx, url, digest, roots)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rel, err := write(token)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rec := record(url, rel, token, info)
		if _, err := tx.Append(event, rec); err != nil {
			return recs, errors.Join(append(errs, err)...)
		}
		recs = append(recs, rec)
	}
	return recs, errors.Join(errs...)
}

// writeToken stores a token write-once beside the file, with the first free
// index: never overwrites a token, even an orphan one left by a crash.
func writeToken(tx *protocol.Tx, file string, token []byte) (string, error) {
	used := map[string]bool{}
	for _, e := range tx.Events() {
		if e.Type == protocol.EventTimestamp {
			var t protocol.TimestampRecord
			if e.Decode(&t) == nil {
				used[t.Token] = true
			}
		}
	}
	rel, err := writeFirstFree(tx, func(k int) string { return fmt.Sprintf("%s.%d.tsr", file, k) }, used, token)
	if err != nil {
		return "", fmt.Errorf("jeton de %s : %w", file, err)
	}
	return rel, nil
}

// writeFirstFree stores data write-once under the first name(k), k = 1, 2…,
// that is neither used nor taken on disk (an orphan left by a crash is never
// overwritten).
func writeFirstFree(tx *protocol.Tx, name func(k int) string, used map[string]bool, data []byte) (string, error) {
	for k := 1; k < 10000; k++ {
		rel := name(k)
		if used[rel] {
			continue
		}
		err := protocol.WriteFileOnce(tx.Case().Path(filepath.FromSlash(rel)), data)
		if errors.Is(err, protocol.ErrExists) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("écriture de %s : %w", rel, err)
		}
		return rel, nil
	}
	return "", errors.New("trop de jetons pour un même fichier")
}

// Stamped returns, for each piece number, how many tokens the journal holds.
func Stamped(events []protocol.Event) map[int]int {
	out := map[int]int{}
	for _, e := range events {
		if e.Type == protocol.EventTimestamp {
			var t protocol.TimestampRecord
			if e.Decode(&t) == nil {
				out[t.Piece]++
			}
		}
	}
	return out
}

// Check is the offline verification of one token.
type Check struct {
	Piece  int    `json:"piece"`
	Token  string `json:"token"`
	File   string `json:"file"`
	OK     bool   `json:"ok"`
	Status string `json:"status"`
	Info   *Info  `json:"timestamp,omitempty"`
	// RequestedBy is the authority address the journal records (what was
	// asked); who vouched is Info.Signer and Info.RootSHA256.
	RequestedBy string `json:"requested_by,omitempty"`
}

// CheckTokens verifies every token recorded in events, offline: the token
// file is present and has its recorded SHA-256, it is a valid token for the
// SHA-256 the journal records for the piece's file (roots nil = chain not
// checked, reported in Status), and its time is consistent: not before the
// piece was recorded (or captured), not far from the time it was requested.
func CheckTokens(c *protocol.Case, events []protocol.Event, roots *x509.CertPool) []Check {
	files := map[string]string{} // path -> recorded sha256
	added := map[int]time.Time{} // piece -> earliest time the token may bear
	for _, e := range events {
		if e.Type == protocol.EventPiece {
			var p protocol.Piece
			if e.Decode(&p) == nil {
				for _, f := range p.Files {
					files[f.Path] = f.SHA256
				}
				t := e.Time
				if p.Provenance != protocol.ProvenanceImported && p.DateHasTime && p.Date.After(t) {
					t = p.Date
				}
				added[p.Number] = t
			}
		}
	}
	var out []Check
	for _, e := range events {
		if e.Type != protocol.EventTimestamp {
			continue
		}
		var t protocol.TimestampRecord
		if err := e.Decode(&t); err != nil {
			out = append(out, Check{Status: fmt.Sprintf("ligne %d : horodatage illisible", e.Line)})
			continue
		}
		ch := Check{Piece: t.Piece, Token: t.Token, File: t.File, RequestedBy: t.Authority}
		ch = checkOne(c, t.Token, t.TokenSHA, files[t.File], files[t.File] != "", roots, ch)
		if ch.OK {
			req := t.RequestedAt
			if req.IsZero() {
				req = e.Time
			}
			if err := CheckSkew(ch.Info.GenTime, req); err != nil {
				ch.OK, ch.Status = false, err.Error()+" (jeton antidaté ou postdaté ?)"
			} else if a, ok := added[t.Piece]; ok && ch.Info.GenTime.Before(a.Add(-MaxSkew)) {
				ch.OK, ch.Status = false, fmt.Sprintf("%s : le jeton est daté du %s, avant l'enregistrement de la pièce n°%d (%s) : impossible pour un jeton authentique",
					ErrTimeInconsistent, protocol.FrDateTime(ch.Info.GenTime), t.Piece, protocol.FrDateTime(a))
			}
		}
		out = append(out, ch)
	}
	return out
}

func checkOne(c *protocol.Case, token, tokenSHA, want string, known bool, roots *x509.CertPool, ch Check) Check {
	if strings.Contains(token, "..") || filepath.IsAbs(token) {
		ch.Status = "chemin de jeton refusé"
		return ch
	}
	data, err := protocol.ReadCaseFile(c.Path(filepath.FromSlash(token)), token, MaxResponse)
	if err != nil {
		var pe *protocol.PathError
		switch {
		case errors.Is(err, os.ErrNotExist):
			ch.Status = "jeton absent"
		case errors.As(err, &pe):
			ch.Status = "jeton refusé : " + pe.Err.Error()
		default:
			ch.Status = "jeton illisible : " + err.Error()
		}
		return ch
	}
	if protocol.HashBytes(data) != tokenSHA {
		ch.Status = "jeton modifié (empreinte SHA-256 différente de celle du journal)"
		return ch
	}
	if !known {
		ch.Status = "le fichier horodaté n'est pas une pièce du journal"
		return ch
	}
	digest, err := hex.DecodeString(want)
	if err != nil || len(digest) != 32 {
		ch.Status = "empreinte illisible dans le journal"
		return ch
	}
	info, err := Verify(data, digest, roots)
	if err != nil {
		ch.Status = "jeton refusé : " + err.Error()
		return ch
	}
	ch.OK, ch.Info = true, &info
	ch.Status = "valide, " + info.Status.Label()
	return ch
}

// VerifyRoots chooses the roots verify trusts: flagRoot, else the user
// file's racine; never one named by dossier.yaml or stored in the case. It
// returns the path used ("" = none) and remarks for the user.
func VerifyRoots(c *protocol.Case, flagRoot string) (*x509.CertPool, string, []string, error) {
	var notes []string
	if d, _, err := c.Dossier(); err == nil && d.Timestamping.Root != "" {
		notes = append(notes, fmt.Sprintf("horodatage.racine de dossier.yaml (%s) ignorée : un dossier ne choisit pas la racine qui le vérifie", d.Timestamping.Root))
	}
	path := flagRoot
	if path == "" {
		u, err := readUserConfig()
		if err != nil {
			return nil, "", notes, err
		}
		path = u.Root
	}
	if path == "" {
		notes = append(notes, "aucune racine de confiance indépendante (--root ou racine de "+UserConfigPath()+") : la chaîne des jetons n'est pas vérifiée")
		return nil, "", notes, nil
	}
	if InsideCase(c.Dir, path) {
		return nil, path, notes, fmt.Errorf("%w : %s est dans le dossier de l'affaire ; une racine de confiance doit venir d'ailleurs (site de l'autorité, configuration de l'avocat)", ErrRootInCase, path)
	}
	pool, err := LoadRoots(path)
	return pool, path, notes, err
}

// Voucher says, in French, who vouches for a verified token: the signer's
// certificate subject and, when the chain was checked, the root's SHA-256
// fingerprint; else that nobody independent vouched.
func Voucher(info *Info) string {
	if info.RootSHA256 != "" {
		return fmt.Sprintf("signé par « %s », racine « %s » d'empreinte SHA-256 %s : valide, %s", info.Signer, info.RootSubject, Fingerprint(info.RootSHA256), info.Status.Label())
	}
	return fmt.Sprintf("signé par « %s » (certificat non rattaché à une racine indépendante) : valide, %s", info.Signer, info.Status.Label())
}
