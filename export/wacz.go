package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"anefdossier/protocol"
)

// WACZ (Web Archive Collection Zipped, specification 1.1.1): the case's
// captures as one package that ReplayWeb.page and other archive tools open.
//
//	archive/NNN-capture.warc.gz   each capture's WARC, byte for byte as stored
//	indexes/index.cdx             CDXJ index of the responses and resources
//	pages/pages.jsonl             one line per capture: address, time, title
//	datapackage.json              the list of files with their SHA-256
//	datapackage-digest.json       the SHA-256 of datapackage.json
//
// The WARC files are stored without compression (they are gzip already),
// as the specification requires for random access.

// WACZVersion is the version of the WACZ specification written.
const WACZVersion = "1.1.1"

// ErrNoWARC: the case has no capture with a web archive.
var ErrNoWARC = errors.New("aucune capture du dossier n'a d'archive WARC (les captures prises avant cette version ou dans votre navigateur n'en ont pas)")

// WACZPage is one capture in the package.
type WACZPage struct {
	Piece int
	URL   string
	Title string
	TS    time.Time
	WARC  string // path of the WARC file, relative to the case folder
	Hash  string // its SHA-256 as journaled
}

// WACZResult describes a written package.
type WACZResult struct {
	Path   string `json:"archive"`
	Pages  int    `json:"pages"`
	WARCs  int    `json:"warc"`
	Index  int    `json:"lignes_index"`
	SHA256 string `json:"archive_sha256"`
	Size   int64  `json:"archive_taille"`
}

type cdxEntry struct {
	key  string
	line string
}

// warcIndex reads a WARC file of gzip members and returns its CDXJ lines:
// one per response and resource record, with the member's offset and
// length. Each record's block digest is checked.
func warcIndex(name string, data []byte) ([]cdxEntry, error) {
	var out []cdxEntry
	br := bytes.NewReader(data)
	for br.Len() > 0 {
		offset := int64(len(data)) - int64(br.Len())
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s : enregistrement à l'octet %d illisible : %w", name, offset, err)
		}
		z.Multistream(false)
		rec, err := io.ReadAll(z)
		if err != nil {
			return nil, fmt.Errorf("%s : enregistrement à l'octet %d illisible : %w", name, offset, err)
		}
		length := int64(len(data)) - int64(br.Len()) - offset
		e, err := cdxLine(name, rec, offset, length)
		if err != nil {
			return nil, err
		}
		if e != nil {
			out = append(out, *e)
		}
	}
	return out, nil
}

// cdxLine indexes one WARC record (nil: a record that is not indexed).
func cdxLine(name string, rec []byte, offset, length int64) (*cdxEntry, error) {
	head, rest, ok := bytes.Cut(rec, []byte("\r\n\r\n"))
	if !ok || !bytes.HasPrefix(head, []byte("WARC/1.")) {
		return nil, fmt.Errorf("%s : l'enregistrement à l'octet %d n'est pas un enregistrement WARC", name, offset)
	}
	h := map[string]string{}
	for _, l := range strings.Split(string(head), "\r\n")[1:] {
		k, v, _ := strings.Cut(l, ":")
		h[strings.ToLower(k)] = strings.TrimSpace(v)
	}
	n, err := strconv.Atoi(h["content-length"])
	if err != nil || n > len(rest) {
		return nil, fmt.Errorf("%s : longueur invalide à l'octet %d", name, offset)
	}
	block := rest[:n]
	if d := h["warc-block-digest"]; d != "" {
		sum := sha256.Sum256(block)
		if d != "sha256:"+hex.EncodeToString(sum[:]) {
			return nil, fmt.Errorf("%s : l'empreinte de l'enregistrement à l'octet %d ne correspond pas à son contenu", name, offset)
		}
	}
	typ, target := h["warc-type"], h["warc-target-uri"]
	if typ != "response" && typ != "resource" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, h["warc-date"])
	if err != nil {
		return nil, fmt.Errorf("%s : date WARC invalide à l'octet %d", name, offset)
	}
	fields := map[string]any{"url": target, "digest": h["warc-payload-digest"], "length": strconv.FormatInt(length, 10),
		"offset": strconv.FormatInt(offset, 10), "filename": name}
	if typ == "resource" {
		fields["mime"] = h["content-type"]
		fields["status"] = "200"
		sum := sha256.Sum256(block)
		fields["digest"] = "sha256:" + hex.EncodeToString(sum[:])
	} else {
		status, mime := httpHead(block)
		fields["status"], fields["mime"] = status, mime
	}
	if fields["digest"] == "" {
		delete(fields, "digest")
	}
	js, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	key := surt(target)
	ts := t.UTC().Format("20060102150405")
	return &cdxEntry{key: key + " " + ts, line: key + " " + ts + " " + string(js)}, nil
}

// httpHead returns the status code and the media type of an HTTP response
// block.
func httpHead(block []byte) (status, mime string) {
	sc := bufio.NewScanner(bytes.NewReader(block))
	sc.Buffer(nil, 1<<20)
	if sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 {
			status = f[1]
		}
	}
	for sc.Scan() {
		l := sc.Text()
		if l == "" {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		if strings.EqualFold(strings.TrimSpace(k), "content-type") {
			mime, _, _ = strings.Cut(strings.TrimSpace(v), ";")
			mime = strings.TrimSpace(mime)
		}
	}
	return status, mime
}

// surt is the Sort-friendly URI Reordering Transform of an address, as
// archive indexes key it: host labels reversed and comma-joined, "www"
// dropped, lower case, query arguments sorted.
func surt(raw string) string {
	if !strings.HasPrefix(raw, "http:") && !strings.HasPrefix(raw, "https:") {
		return raw
	}
	low := strings.ToLower(raw)
	if i := strings.Index(low, "://www"); i >= 0 {
		rest := low[i+6:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j < len(rest) && rest[j] == '.' {
			low = low[:i+3] + rest[j+1:]
		}
	}
	u, err := url.Parse(low)
	if err != nil {
		return raw
	}
	host := u.Hostname()
	parts := strings.Split(host, ".")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	s := strings.Join(parts, ",")
	if p := u.Port(); p != "" {
		s += ":" + p
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	s += ")" + p
	if u.RawQuery != "" {
		args := strings.Split(u.RawQuery, "&")
		sort.Strings(args)
		s += "?" + strings.Join(args, "&")
	}
	return s
}

// WriteWACZ writes the pages' WARC files, read from the case folder and
// checked against their journaled hashes, as one WACZ package at dst
// (write-once, atomic, 0600). title names the collection.
func WriteWACZ(caseDir, dst, title string, pages []WACZPage, now time.Time) (*WACZResult, error) {
	if len(pages) == 0 {
		return nil, ErrNoWARC
	}
	absCase, err := filepath.Abs(caseDir)
	if err != nil {
		return nil, err
	}
	absDst, err := filepath.Abs(dst)
	if err != nil {
		return nil, err
	}
	if absDst == absCase || strings.HasPrefix(absDst, absCase+string(filepath.Separator)) {
		return nil, ErrInsideCase
	}
	if _, err := os.Lstat(absDst); err == nil {
		return nil, fmt.Errorf("%s : %w", dst, protocol.ErrExists)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	type resource struct {
		Name  string `json:"name"`
		Path  string `json:"path"`
		Hash  string `json:"hash"`
		Bytes int64  `json:"bytes"`
	}
	var resources []resource
	add := func(name string, data []byte, method uint16) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: now.UTC()})
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		resources = append(resources, resource{Name: path.Base(name), Path: name, Hash: "sha256:" + hex.EncodeToString(sum[:]), Bytes: int64(len(data))})
		return nil
	}
	var index []cdxEntry
	pageLines := []string{`{"format":"json-pages-1.0","id":"pages","title":"Captures"}`}
	seen := map[string]bool{}
	sort.Slice(pages, func(i, j int) bool { return pages[i].Piece < pages[j].Piece })
	for _, p := range pages {
		data, err := os.ReadFile(filepath.Join(caseDir, filepath.FromSlash(p.WARC)))
		if err != nil {
			return nil, fmt.Errorf("pièce n°%d : %w", p.Piece, err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != p.Hash {
			return nil, fmt.Errorf("pièce n°%d : %s ne correspond plus à l'empreinte inscrite au journal (lancez « anef-dossier verify »)", p.Piece, p.WARC)
		}
		name := path.Base(p.WARC)
		if seen[name] {
			return nil, fmt.Errorf("deux archives WARC portent le nom %s", name)
		}
		seen[name] = true
		lines, err := warcIndex(name, data)
		if err != nil {
			return nil, err
		}
		index = append(index, lines...)
		if err := add("archive/"+name, data, zip.Store); err != nil {
			return nil, err
		}
		pl, err := json.Marshal(map[string]string{"id": fmt.Sprintf("piece-%03d", p.Piece), "url": p.URL,
			"ts": p.TS.UTC().Format("2006-01-02T15:04:05.000Z"), "title": fmt.Sprintf("Pièce n°%d — %s", p.Piece, p.Title)})
		if err != nil {
			return nil, err
		}
		pageLines = append(pageLines, string(pl))
	}
	sort.SliceStable(index, func(i, j int) bool { return index[i].key < index[j].key })
	var cdx bytes.Buffer
	for _, e := range index {
		cdx.WriteString(e.line + "\n")
	}
	if err := add("indexes/index.cdx", cdx.Bytes(), zip.Deflate); err != nil {
		return nil, err
	}
	if err := add("pages/pages.jsonl", []byte(strings.Join(pageLines, "\n")+"\n"), zip.Deflate); err != nil {
		return nil, err
	}
	first := pages[0]
	pkg := map[string]any{
		"profile":      "data-package",
		"wacz_version": WACZVersion,
		"title":        title,
		"description":  "Captures du dossier, avec pour chacune les requêtes et réponses reçues (WARC 1.1).",
		"created":      now.UTC().Format(time.RFC3339),
		"modified":     now.UTC().Format(time.RFC3339),
		"software":     protocol.ToolVersion,
		"mainPageURL":  first.URL,
		"mainPageDate": first.TS.UTC().Format(time.RFC3339),
		"resources":    resources,
	}
	dp, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return nil, err
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "datapackage.json", Method: zip.Deflate, Modified: now.UTC()})
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(dp); err != nil {
		return nil, err
	}
	dsum := sha256.Sum256(dp)
	digest, _ := json.MarshalIndent(map[string]string{"path": "datapackage.json", "hash": "sha256:" + hex.EncodeToString(dsum[:])}, "", "  ")
	if w, err = zw.CreateHeader(&zip.FileHeader{Name: "datapackage-digest.json", Method: zip.Deflate, Modified: now.UTC()}); err != nil {
		return nil, err
	}
	if _, err := w.Write(digest); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := protocol.WriteFileOnce(absDst, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("écriture de %s : %w", dst, err)
	}
	asum := sha256.Sum256(buf.Bytes())
	return &WACZResult{Path: dst, Pages: len(pages), WARCs: len(pages), Index: len(index),
		SHA256: hex.EncodeToString(asum[:]), Size: int64(buf.Len())}, nil
}
