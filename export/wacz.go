package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
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
	"unicode/utf8"

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
	key    string
	line   string
	url    string
	ts     string
	fields map[string]any
}

func makeEntry(key, ts string, fields map[string]any) cdxEntry {
	js, _ := json.Marshal(fields)
	return cdxEntry{key: key + " " + ts, line: key + " " + ts + " " + string(js), url: fmt.Sprint(fields["url"]), ts: ts, fields: fields}
}

// warcIndex reads a WARC file of gzip members and returns its CDXJ lines:
// one per response and resource record, with the member's offset and
// length. Each record's block digest is checked.
func warcIndex(name string, data []byte) ([]cdxEntry, error) {
	var out []cdxEntry
	// A response is keyed by its address; one answering a POST (or any
	// method but GET) by its address, method and body, as replay tools
	// look it up: the request record that follows it gives them.
	var last *cdxEntry
	var lastURI string
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
		if last != nil {
			if method, uri, ctype, body, ok := requestOf(rec); ok && uri == lastURI && method != "GET" {
				*last = postEntry(*last, method, ctype, body)
			}
			out = append(out, *last)
			last = nil
		}
		e, err := cdxLine(name, rec, offset, length)
		if err != nil {
			return nil, err
		}
		if e != nil {
			last, lastURI = e, e.url
		}
	}
	if last != nil {
		out = append(out, *last)
	}
	return out, nil
}

// requestOf reads a WARC request record: method, target, content type and
// body of the HTTP request.
func requestOf(rec []byte) (method, uri, ctype string, body []byte, ok bool) {
	head, rest, found := bytes.Cut(rec, []byte("\r\n\r\n"))
	if !found {
		return
	}
	isReq := false
	for _, l := range strings.Split(string(head), "\r\n")[1:] {
		k, v, _ := strings.Cut(l, ":")
		switch strings.ToLower(k) {
		case "warc-type":
			isReq = strings.TrimSpace(v) == "request"
		case "warc-target-uri":
			uri = strings.TrimSpace(v)
		}
	}
	if !isReq {
		return
	}
	httpHead, httpBody, found := bytes.Cut(rest, []byte("\r\n\r\n"))
	if !found {
		return
	}
	lines := strings.Split(string(httpHead), "\r\n")
	method, _, _ = strings.Cut(lines[0], " ")
	for _, l := range lines[1:] {
		if k, v, _ := strings.Cut(l, ":"); strings.EqualFold(strings.TrimSpace(k), "content-type") {
			ctype = strings.TrimSpace(v)
		}
	}
	// The record ends with the block; the block's trailing CRLF CRLF is the
	// record's, not the body's.
	body = bytes.TrimSuffix(httpBody, []byte("\r\n\r\n"))
	return method, uri, ctype, body, true
}

// postEntry keys a response to a request with a body the way pywb, warcio
// and ReplayWeb.page look it up (warcio's postToGetUrl): the body turned
// into query arguments appended to the address with __wb_method, so a page
// that depends on its POST answers replays.
func postEntry(e cdxEntry, method, ctype string, body []byte) cdxEntry {
	q := postQuery(ctype, body)
	if len(q) > maxPostQuery {
		q = q[:maxPostQuery]
	}
	requestBody := q
	if d, ok := decodeURI(q); ok {
		q = d
	} else {
		q = ""
	}
	sep := "?"
	if strings.Contains(e.url, "?") {
		sep = "&"
	}
	key := surt(e.url + sep + "__wb_method=" + method + "&" + q)
	e.fields["method"] = method
	e.fields["requestBody"] = requestBody
	return makeEntry(key, e.ts, e.fields)
}

// maxPostQuery is warcio's DEFAULT_MAX_QUERY_SIZE.
const maxPostQuery = 50000

// postQuery turns a request body into query arguments by its media type.
func postQuery(ctype string, body []byte) string {
	mt, _, _ := strings.Cut(ctype, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "application/x-www-form-urlencoded":
		return string(body)
	case "application/json", "text/plain":
		return jsonQuery(body)
	}
	return "__wb_post_data=" + base64.StdEncoding.EncodeToString(body)
}

// jsonQuery flattens a JSON body into query arguments as warcio does: each
// scalar under its nearest key, in the document's order, a key seen again
// suffixed ".2_", ".3_"…; a body that is not JSON gives none.
func jsonQuery(body []byte) string {
	if !json.Valid(body) {
		return ""
	}
	var parts []string
	seen := map[string]int{}
	set := func(k, val string) {
		if n, ok := seen[k]; ok {
			if n == 0 {
				n = 1
			}
			seen[k] = n + 1
			k = fmt.Sprintf("%s.%d_", k, n+1)
		} else {
			seen[k] = 0
		}
		parts = append(parts, formEscape(k)+"="+formEscape(val))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	// keys[i] is the key of the value being read at depth i (arrays
	// keep their parent's).
	type level struct {
		object bool
		key    string
		want   bool // an object waiting for its next key
	}
	stack := []level{{}}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		top := &stack[len(stack)-1]
		if top.object && top.want {
			top.key, top.want = fmt.Sprint(tok), false
			continue
		}
		key := top.key
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, level{object: true, want: true})
				continue
			case '[':
				stack = append(stack, level{key: key})
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			set(key, v)
		case json.Number:
			set(key, v.String())
		case bool:
			set(key, strconv.FormatBool(v))
		case nil:
			set(key, "null")
		}
		if t := &stack[len(stack)-1]; t.object {
			t.want = true
		}
	}
	return strings.Join(parts, "&")
}

// formEscape escapes as URLSearchParams does (space as +, * kept, ~ escaped).
func formEscape(s string) string {
	e := url.QueryEscape(s)
	return strings.NewReplacer("~", "%7E", "%2A", "*").Replace(e)
}

// decodeURI decodes as JavaScript's decodeURI: escapes of reserved
// characters stay; an escape that is not UTF-8 fails.
func decodeURI(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		if strings.IndexByte(";/?:@&=+$,#", byte(v)) >= 0 {
			b.WriteString(s[i : i+3])
		} else {
			b.WriteByte(byte(v))
		}
		i += 2
	}
	out := b.String()
	return out, utf8.ValidString(out)
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
	e := makeEntry(surt(target), t.UTC().Format("20060102150405"), fields)
	return &e, nil
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
		args := strings.Split(queryEscape(u.RawQuery), "&")
		sort.Strings(args)
		s += "?" + strings.Join(args, "&")
	}
	return s
}

// queryEscape percent-encodes a query as a browser's address parser does
// (WHATWG URL, special-query set): controls, space, ", #, <, >, ' and
// every byte past ASCII.
func queryEscape(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"#<>'", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// packError is a problem of the case's files (not of the writing): returned
// as it is.
type packError struct{ err error }

func (e *packError) Error() string { return e.err.Error() }

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
	indexed := 0
	// The package is written to its file as it is made: only one WARC is
	// in memory at a time (its index is read from it).
	asum, size, err := protocol.WriteFileOnceWith(absDst, func(out io.Writer) error {
		zw := zip.NewWriter(out)
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
				return &packError{fmt.Errorf("pièce n°%d : %w", p.Piece, err)}
			}
			sum := sha256.Sum256(data)
			if hex.EncodeToString(sum[:]) != p.Hash {
				return &packError{fmt.Errorf("pièce n°%d : %s ne correspond plus à l'empreinte inscrite au journal (lancez « anef-dossier verify »)", p.Piece, p.WARC)}
			}
			name := path.Base(p.WARC)
			if seen[name] {
				return &packError{fmt.Errorf("deux archives WARC portent le nom %s", name)}
			}
			seen[name] = true
			lines, err := warcIndex(name, data)
			if err != nil {
				return &packError{err}
			}
			index = append(index, lines...)
			if err := add("archive/"+name, data, zip.Store); err != nil {
				return err
			}
			pl, err := json.Marshal(map[string]string{"id": fmt.Sprintf("piece-%03d", p.Piece), "url": p.URL,
				"ts": p.TS.UTC().Format("2006-01-02T15:04:05.000Z"), "title": fmt.Sprintf("Pièce n°%d — %s", p.Piece, p.Title)})
			if err != nil {
				return err
			}
			pageLines = append(pageLines, string(pl))
		}
		indexed = len(index)
		sort.SliceStable(index, func(i, j int) bool { return index[i].key < index[j].key })
		var cdx bytes.Buffer
		for _, e := range index {
			cdx.WriteString(e.line + "\n")
		}
		if err := add("indexes/index.cdx", cdx.Bytes(), zip.Deflate); err != nil {
			return err
		}
		if err := add("pages/pages.jsonl", []byte(strings.Join(pageLines, "\n")+"\n"), zip.Deflate); err != nil {
			return err
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
			return err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "datapackage.json", Method: zip.Deflate, Modified: now.UTC()})
		if err != nil {
			return err
		}
		if _, err := w.Write(dp); err != nil {
			return err
		}
		dsum := sha256.Sum256(dp)
		digest, _ := json.MarshalIndent(map[string]string{"path": "datapackage.json", "hash": "sha256:" + hex.EncodeToString(dsum[:])}, "", "  ")
		if w, err = zw.CreateHeader(&zip.FileHeader{Name: "datapackage-digest.json", Method: zip.Deflate, Modified: now.UTC()}); err != nil {
			return err
		}
		if _, err := w.Write(digest); err != nil {
			return err
		}
		return zw.Close()
	})
	if err != nil {
		var pe *packError
		if errors.As(err, &pe) {
			return nil, pe.err
		}
		return nil, fmt.Errorf("écriture de %s : %w", dst, err)
	}
	return &WACZResult{Path: dst, Pages: len(pages), WARCs: len(pages), Index: indexed,
		SHA256: asum, Size: size}, nil
}
