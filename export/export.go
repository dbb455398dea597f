// Package export writes one archive of a case folder that a lawyer can hand
// over: every file of the case (dossier.yaml, journal, pieces, timestamp
// tokens, quarantine files, optionally out/) plus MANIFEST.sha256, the
// SHA-256 of every file in sha256sum format, so that
//
//	tar xzf dupont.tar.gz && cd dupont && sha256sum -c MANIFEST.sha256
//	anef-dossier -C dupont verify
//
// both pass on the unpacked copy. The browser profile (.navigateur/) and the
// lock file are never included. The archive is written to a temporary file,
// synced, re-read and checked against the manifest, then linked to its final
// name (never replacing an existing file), mode 0600.
package export

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"anefdossier/internal/durable"
	"anefdossier/internal/portable"
	"anefdossier/protocol"
)

// ManifestName is the manifest's name at the root of the archived folder.
const ManifestName = "MANIFEST.sha256"

// Formats.
const (
	TarGz = "tar.gz"
	Zip   = "zip"
)

var (
	// ErrFormat: the archive name has no known extension.
	ErrFormat = errors.New("format d'archive inconnu (extensions acceptées : .tar.gz, .tgz, .zip)")
	// ErrInsideCase: the archive would be written inside the case itself.
	ErrInsideCase = errors.New("l'archive ne peut pas être écrite dans le dossier de l'affaire lui-même")
	// ErrMismatch: the archive re-read does not match the manifest.
	ErrMismatch = errors.New("l'archive relue ne correspond pas au manifeste")
	// ErrIncomplete: a file the journal records would be missing from the
	// archive (absent, a link or a special file): no archive is written.
	ErrIncomplete = errors.New("archive refusée : il y manquerait des fichiers inscrits au journal")
	// ErrNotPortable: a name in the case could not be made again where the
	// archive is opened (Windows, macOS): no archive is written.
	ErrNotPortable = errors.New("archive refusée : des noms du dossier ne pourraient pas être recréés sous Windows ou macOS")
)

// MaxEntry bounds the length, in characters, of a path inside the archive
// (root folder included). Windows Explorer unpacks into a folder of the
// user's profile (C:\Users\NAME\Downloads\ARCHIVE\, about 60 characters)
// and most programs there stop at 260.
const MaxEntry = 200

// MaxRoot bounds the length, in bytes, of the archive's root folder.
const MaxRoot = 60

// Options tune an export.
type Options struct {
	// WithoutOut leaves out/ (regenerable renders) out of the archive.
	WithoutOut bool
}

// Entry is one archived file.
type Entry struct {
	Path   string `json:"path"` // relative to the case folder, slash-separated
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Result describes a written archive.
type Result struct {
	Path           string   `json:"archive"`
	Format         string   `json:"format"`
	Root           string   `json:"root"` // top folder inside the archive
	Files          []Entry  `json:"files"`
	Skipped        []string `json:"skipped,omitempty"` // symlinks and special files, never followed
	ManifestSHA256 string   `json:"manifest_sha256"`
	ArchiveSHA256  string   `json:"archive_sha256"`
	ArchiveSize    int64    `json:"archive_size"`
}

// FormatOf returns the format for an archive name.
func FormatOf(name string) (string, error) {
	l := strings.ToLower(name)
	switch {
	case strings.HasSuffix(l, ".tar.gz"), strings.HasSuffix(l, ".tgz"):
		return TarGz, nil
	case strings.HasSuffix(l, ".zip"):
		return Zip, nil
	}
	return "", fmt.Errorf("%s : %w", name, ErrFormat)
}

// excluded tells whether a path (relative, slash-separated) stays out.
func excluded(rel string, o Options) bool {
	first := strings.SplitN(rel, "/", 2)[0]
	switch {
	case first == ".navigateur":
		return true
	case rel == protocol.LockFile, rel == protocol.PendingFile:
		return true
	case o.WithoutOut && first == protocol.OutDir:
		return true
	}
	return false
}

// Write archives the case held by tx (which keeps other commands out while
// the files are read) into dst.
func Write(tx *protocol.Tx, dst string, o Options) (*Result, error) {
	format, err := FormatOf(dst)
	if err != nil {
		return nil, err
	}
	// The case folder is resolved (a link to it, -C link/, or a working
	// directory reached through a link): walking a link itself archives
	// nothing (review 1, H1).
	caseDir, err := resolve(tx.Case().Dir)
	if err != nil {
		return nil, err
	}
	absDst, err := filepath.Abs(dst)
	if err != nil {
		return nil, err
	}
	// The destination's folder is resolved too: a link into the case must
	// not put the archive inside it (review 1, low 14).
	if d, err := resolve(filepath.Dir(absDst)); err == nil {
		absDst = filepath.Join(d, filepath.Base(absDst))
	}
	if absDst == caseDir || strings.HasPrefix(absDst, caseDir+string(filepath.Separator)) {
		return nil, ErrInsideCase
	}
	if _, err := os.Lstat(absDst); err == nil {
		return nil, fmt.Errorf("%s : %w", dst, protocol.ErrExists)
	}
	// The root folder is named after the case folder, made valid on every
	// system: a case folder named "aux" or "con." on Linux gives "_aux",
	// "_con" (device names on Windows), "Dupont: A?" gives "Dupont_ A_".
	root := portable.Name(filepath.Base(caseDir), MaxRoot, "dossier")
	res := &Result{Path: dst, Format: format, Root: root}

	var files, dirs []string
	err = filepath.WalkDir(caseDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == caseDir {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, caseDir+string(filepath.Separator)))
		if excluded(rel, o) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, rel)
		case d.Type().IsRegular():
			if portable.Fold(rel) == portable.Fold(ManifestName) { // any case: one file on Windows
				res.Skipped = append(res.Skipped, rel+" (nom réservé au manifeste)")
				return nil
			}
			files = append(files, rel)
		default:
			res.Skipped = append(res.Skipped, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lecture du dossier : %w", err)
	}
	sort.Strings(files)
	if err := complete(tx, files); err != nil {
		return nil, err
	}
	if err := portableNames(root, dirs, files); err != nil {
		return nil, err
	}

	dir := filepath.Dir(absDst)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("le dossier de destination %s n'existe pas", filepath.Dir(dst))
	}
	out, err := durable.Create(absDst, durable.Once)
	if err != nil {
		if errors.Is(err, durable.ErrExists) {
			return nil, fmt.Errorf("%s : %w", dst, protocol.ErrExists)
		}
		return nil, err
	}
	// The temporary archive holds personal data under a hidden name outside
	// the case: the case remembers it until it is named or removed, so that
	// the next command removes it after a kill (review 1, low 3).
	if err := tx.MarkPending(out.TempName()); err != nil {
		out.Cleanup()
		return nil, err
	}
	defer tx.ClearPending()
	defer out.Cleanup()
	ah := sha256.New()
	cw := &protocol.CountingWriter{W: io.MultiWriter(out, ah)}
	var aw archiveWriter
	if format == Zip {
		aw = newZip(cw)
	} else {
		aw, err = newTarGz(cw)
		if err != nil {
			return nil, err
		}
	}
	for _, rel := range append([]string{""}, dirs...) {
		if err := aw.dir(strings.TrimSuffix(root+"/"+rel, "/") + "/"); err != nil {
			return nil, err
		}
	}
	var manifest bytes.Buffer
	for _, rel := range files {
		e, err := addFile(aw, root, caseDir, rel)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, e)
		manifest.WriteString(ManifestLine(e.SHA256, rel))
	}
	if err := aw.add(root+"/"+ManifestName, int64(manifest.Len()), time.Now(), bytes.NewReader(manifest.Bytes())); err != nil {
		return nil, err
	}
	res.ManifestSHA256 = protocol.HashBytes(manifest.Bytes())
	if err := aw.close(); err != nil {
		return nil, err
	}
	if err := out.Finish(); err != nil {
		return nil, err
	}
	protocol.CrashPoint("export.archive-ecrite")
	// Re-read what was written before giving it its name.
	if err := Check(out.TempName(), format, root, manifest.Bytes()); err != nil {
		return nil, err
	}
	if err := out.Commit(); err != nil {
		if errors.Is(err, durable.ErrExists) {
			return nil, fmt.Errorf("%s : %w", dst, protocol.ErrExists)
		}
		return nil, err
	}
	res.ArchiveSHA256 = hex.EncodeToString(ah.Sum(nil))
	res.ArchiveSize = cw.N
	return res, nil
}

// resolve returns the absolute path of dir with every link resolved.
func resolve(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// portableNames refuses an archive that Windows or macOS could not unpack
// whole: a name they refuse or change (CON, a colon, a trailing dot), two
// names that differ only by case (one would overwrite the other), a path too
// long for Windows. The tool names its own files safely (NNN-kind.ext, a
// document's id): what this finds is a file put in the case by hand, which
// the user can rename.
func portableNames(root string, dirs, files []string) error {
	var msgs []string
	all := append(append([]string{}, dirs...), files...)
	for _, rel := range all {
		last := rel[strings.LastIndexByte(rel, '/')+1:]
		if p := portable.Problem(last); p != "" {
			msgs = append(msgs, fmt.Sprintf("%s : %s", rel, p))
		}
		if n := len([]rune(root + "/" + rel)); n > MaxEntry {
			msgs = append(msgs, fmt.Sprintf("%s : chemin de %d caractères dans l'archive, %d au plus pour Windows", rel, n, MaxEntry))
		}
	}
	for _, g := range portable.Collisions(all) {
		msgs = append(msgs, fmt.Sprintf("%s : ne diffèrent que par les majuscules ou les accents, un seul fichier sous Windows et macOS", strings.Join(g, ", ")))
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%w : %s", ErrNotPortable, strings.Join(msgs, " ; "))
	}
	return nil
}

// complete refuses an archive that would lack the journal, its head, or any
// file the journal records (piece files, timestamp and anchor tokens): a
// link or a special file in their place is never followed, so it would be
// missing from the copy handed over (review 1, M1).
func complete(tx *protocol.Tx, files []string) error {
	have := map[string]bool{}
	for _, f := range files {
		have[f] = true
	}
	need := []string{protocol.JournalFile}
	for _, e := range tx.Events() {
		switch e.Type {
		case protocol.EventPiece:
			var p protocol.Piece
			if e.Decode(&p) == nil {
				for _, f := range p.Files {
					need = append(need, f.Path)
				}
			}
		case protocol.EventTimestamp:
			var t protocol.TimestampRecord
			if e.Decode(&t) == nil {
				need = append(need, t.Token)
			}
		case protocol.EventAnchor:
			var a protocol.AnchorRecord
			if e.Decode(&a) == nil {
				need = append(need, a.Token)
			}
		}
	}
	var missing []string
	for _, n := range need {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	more := ""
	if len(missing) > 5 {
		more = fmt.Sprintf(" et %d autres", len(missing)-5)
		missing = missing[:5]
	}
	return fmt.Errorf("%w : %s%s (absent, lien symbolique ou fichier spécial ; anef-dossier verify dit lequel)", ErrIncomplete, strings.Join(missing, ", "), more)
}

func addFile(aw archiveWriter, root, caseDir, rel string) (Entry, error) {
	f, st, err := protocol.OpenCaseFile(filepath.Join(caseDir, filepath.FromSlash(rel)), rel)
	if err != nil {
		return Entry{}, err
	}
	defer f.Close()
	h := sha256.New()
	cr := &protocol.CountingWriter{W: h}
	if err := aw.add(root+"/"+rel, st.Size(), st.ModTime(), io.TeeReader(f, cr)); err != nil {
		return Entry{}, fmt.Errorf("archivage de %s : %w", rel, err)
	}
	if cr.N != st.Size() {
		return Entry{}, fmt.Errorf("%s a changé pendant l'archivage", rel)
	}
	return Entry{Path: rel, SHA256: hex.EncodeToString(h.Sum(nil)), Size: cr.N}, nil
}

// ManifestLine formats one sha256sum line; a name with a backslash or a
// newline is escaped as GNU sha256sum does (line starting with "\").
func ManifestLine(sum, name string) string {
	if strings.ContainsAny(name, "\\\n\r") {
		esc := strings.NewReplacer("\\", "\\\\", "\n", "\\n", "\r", "\\r").Replace(name)
		return "\\" + sum + "  " + esc + "\n"
	}
	return sum + "  " + name + "\n"
}

type archiveWriter interface {
	add(name string, size int64, mod time.Time, r io.Reader) error
	dir(name string) error
	close() error
}

type tarGz struct {
	gz *gzip.Writer
	tw *tar.Writer
}

func newTarGz(w io.Writer) (*tarGz, error) {
	gz := gzip.NewWriter(w)
	return &tarGz{gz: gz, tw: tar.NewWriter(gz)}, nil
}

func (t *tarGz) add(name string, size int64, mod time.Time, r io.Reader) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: int64(protocol.FileMode),
		ModTime: mod.UTC().Truncate(time.Second), Format: tar.FormatPAX}
	if err := t.tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(t.tw, r)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("taille lue %d au lieu de %d", n, size)
	}
	return nil
}

func (t *tarGz) dir(name string) error {
	return t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: int64(protocol.DirMode),
		ModTime: time.Now().UTC().Truncate(time.Second), Format: tar.FormatPAX})
}

func (t *tarGz) close() error {
	if err := t.tw.Close(); err != nil {
		return err
	}
	return t.gz.Close()
}

type zipW struct{ zw *zip.Writer }

func newZip(w io.Writer) *zipW { return &zipW{zw: zip.NewWriter(w)} }

func (z *zipW) add(name string, size int64, mod time.Time, r io.Reader) error {
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod.UTC()}
	fh.SetMode(protocol.FileMode)
	w, err := z.zw.CreateHeader(fh)
	if err != nil {
		return err
	}
	n, err := io.Copy(w, r)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("taille lue %d au lieu de %d", n, size)
	}
	return nil
}

func (z *zipW) dir(name string) error {
	fh := &zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Now().UTC()}
	fh.SetMode(os.ModeDir | protocol.DirMode)
	_, err := z.zw.CreateHeader(fh)
	return err
}

func (z *zipW) close() error { return z.zw.Close() }

// Check re-reads an archive and checks that every file listed in manifest is
// in it, once, with that SHA-256, and that it holds nothing else.
func Check(path, format, root string, manifest []byte) error {
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(manifest), "\n"), "\n") {
		if line == "" {
			continue
		}
		esc := strings.HasPrefix(line, "\\")
		line = strings.TrimPrefix(line, "\\")
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			return fmt.Errorf("%w : ligne de manifeste illisible", ErrMismatch)
		}
		if esc {
			name = strings.NewReplacer("\\\\", "\\", "\\n", "\n", "\\r", "\r").Replace(name)
		}
		want[root+"/"+name] = sum
	}
	want[root+"/"+ManifestName] = protocol.HashBytes(manifest)
	seen := map[string]bool{}
	visit := func(name string, r io.Reader) error {
		sum, ok := want[name]
		if !ok || seen[name] {
			return fmt.Errorf("%w : entrée inattendue ou en double %s", ErrMismatch, name)
		}
		seen[name] = true
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			return err
		}
		if hex.EncodeToString(h.Sum(nil)) != sum {
			return fmt.Errorf("%w : %s", ErrMismatch, name)
		}
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if format == Zip {
		st, err := f.Stat()
		if err != nil {
			return err
		}
		zr, err := zip.NewReader(f, st.Size())
		if err != nil {
			return err
		}
		for _, zf := range zr.File {
			if strings.HasSuffix(zf.Name, "/") {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				return err
			}
			err = visit(zf.Name, rc)
			rc.Close()
			if err != nil {
				return err
			}
		}
	} else {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		tr := tar.NewReader(gz)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if hdr.Typeflag == tar.TypeDir {
				continue
			}
			if err := visit(hdr.Name, tr); err != nil {
				return err
			}
		}
	}
	if len(seen) != len(want) {
		return fmt.Errorf("%w : %d fichiers relus sur %d", ErrMismatch, len(seen), len(want))
	}
	return nil
}
