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

	"github.com/goccy/go-yaml"

	"anefdossier/protocol"
)

// Config says which authorities to ask and which root to trust.
type Config struct {
	Authorities []string
	// Root is the path of a PEM file of trusted roots ("" = none).
	Root string
	// Source names where the configuration came from, in French.
	Source string
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
// dossier.yaml's horodatage section, else the user file. The root comes from
// flagRoot, else from the same source as the authorities. A root path read
// from a file is relative to that file's folder. An empty result is not an
// error: the caller decides (capture goes on without timestamps).
func ResolveConfig(c *protocol.Case, flagURLs []string, flagRoot string) (Config, error) {
	var cfg Config
	if len(flagURLs) > 0 {
		cfg = Config{Authorities: flagURLs, Source: "options --tsa"}
	}
	if len(cfg.Authorities) == 0 && c != nil {
		d, _, err := c.Dossier()
		if err != nil {
			return Config{}, err
		}
		if len(d.Timestamping.Authorities) > 0 {
			cfg = Config{Authorities: d.Timestamping.Authorities, Root: rel(c.Dir, d.Timestamping.Root), Source: "dossier.yaml (horodatage)"}
		} else if flagRoot == "" && d.Timestamping.Root != "" {
			cfg.Root = rel(c.Dir, d.Timestamping.Root)
		}
	}
	if len(cfg.Authorities) == 0 {
		if p := UserConfigPath(); p != "" {
			if data, err := os.ReadFile(p); err == nil {
				var t protocol.Timestamping
				if err := yaml.UnmarshalWithOptions(data, &t, yaml.DisallowUnknownField()); err != nil {
					return Config{}, fmt.Errorf("%s illisible : %w", p, err)
				}
				if len(t.Authorities) > 0 {
					cfg = Config{Authorities: t.Authorities, Root: rel(filepath.Dir(p), t.Root), Source: p}
				}
			}
		}
	}
	if flagRoot != "" {
		cfg.Root = flagRoot
	}
	for _, u := range cfg.Authorities {
		if err := CheckURL(u); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
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

// CaseRoots loads the root named by dossier.yaml (horodatage.racine), for
// offline verification; nil when none is configured or dossier.yaml is
// unreadable (verify reports that separately).
func CaseRoots(c *protocol.Case) (*x509.CertPool, string, error) {
	d, _, err := c.Dossier()
	if err != nil || d.Timestamping.Root == "" {
		return nil, "", nil
	}
	p := rel(c.Dir, d.Timestamping.Root)
	pool, err := LoadRoots(p)
	return pool, p, err
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
	sum, _, err := protocol.HashFile(abs)
	if err != nil {
		return nil, fmt.Errorf("pièce n°%d : %w", p.Number, err)
	}
	if sum != main.SHA256 {
		return nil, fmt.Errorf("pièce n°%d : %s a changé depuis son enregistrement (empreinte différente), horodatage refusé", p.Number, main.Path)
	}
	digest, err := hex.DecodeString(sum)
	if err != nil {
		return nil, err
	}
	var recs []protocol.TimestampRecord
	var errs []error
	for _, url := range authorities {
		token, info, err := Stamp(ctx, url, digest, roots)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rel, err := writeToken(tx, main.Path, token)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rec := protocol.TimestampRecord{Piece: p.Number, File: main.Path, Token: rel, TokenSHA: protocol.HashBytes(token),
			Authority: url, GenTime: info.GenTime, Status: info.Status}
		if _, err := tx.Append(protocol.EventTimestamp, rec); err != nil {
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
	for k := 1; k < 10000; k++ {
		rel := fmt.Sprintf("%s.%d.tsr", file, k)
		if used[rel] {
			continue
		}
		err := protocol.WriteFileOnce(tx.Case().Path(filepath.FromSlash(rel)), token)
		if errors.Is(err, protocol.ErrExists) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("écriture du jeton %s : %w", rel, err)
		}
		return rel, nil
	}
	return "", errors.New("trop de jetons pour une même pièce")
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
}

// CheckTokens verifies every token recorded in events, offline: the token
// file is present and has its recorded SHA-256, and it is a valid token for
// the SHA-256 the journal records for the piece's file (roots nil = chain
// not checked, reported in Status).
func CheckTokens(c *protocol.Case, events []protocol.Event, roots *x509.CertPool) []Check {
	files := map[string]string{} // path -> recorded sha256
	for _, e := range events {
		if e.Type == protocol.EventPiece {
			var p protocol.Piece
			if e.Decode(&p) == nil {
				for _, f := range p.Files {
					files[f.Path] = f.SHA256
				}
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
		ch := Check{Piece: t.Piece, Token: t.Token, File: t.File}
		out = append(out, checkOne(c, t, files, roots, ch))
	}
	return out
}

func checkOne(c *protocol.Case, t protocol.TimestampRecord, files map[string]string, roots *x509.CertPool, ch Check) Check {
	if strings.Contains(t.Token, "..") || filepath.IsAbs(t.Token) {
		ch.Status = "chemin de jeton refusé"
		return ch
	}
	data, err := os.ReadFile(c.Path(filepath.FromSlash(t.Token)))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			ch.Status = "jeton absent"
		} else {
			ch.Status = "jeton illisible : " + err.Error()
		}
		return ch
	}
	if protocol.HashBytes(data) != t.TokenSHA {
		ch.Status = "jeton modifié (empreinte SHA-256 différente de celle du journal)"
		return ch
	}
	want, ok := files[t.File]
	if !ok {
		ch.Status = "le fichier horodaté n'est pas une pièce du journal"
		return ch
	}
	digest, err := hex.DecodeString(want)
	if err != nil {
		ch.Status = "empreinte de la pièce illisible dans le journal"
		return ch
	}
	info, err := Verify(data, digest, roots)
	if err != nil {
		ch.Status = "jeton refusé : " + err.Error()
		return ch
	}
	info.Authority = t.Authority
	ch.OK, ch.Info = true, &info
	ch.Status = "valide, " + info.Status.Label()
	return ch
}
