package render

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"

	"anefdossier/internal/textenc"
	"anefdossier/protocol"
)

// readableMail is an imported e-mail made readable: decoded headers, the
// text of its body, and the list of its attachments.
type readableMail struct {
	From, To, Cc, Date, Subject string
	Body                        string
	Attachments                 []string
}

func (in *Input) readMail(p *protocol.Piece) (*readableMail, error) {
	data, err := in.readPiece(p)
	if err != nil {
		return nil, err
	}
	return parseMail(data)
}

// decodeHeader decodes a header for display (see textenc.Header: RFC 2047
// words in any common charset, raw 8-bit bytes of a Windows client).
func decodeHeader(v string) string {
	v = textenc.Header(v)
	return strings.Join(strings.Fields(v), " ")
}

// parseMail decodes an RFC 5322 message: headers (RFC 2047 words), the first
// text part (quoted-printable or base64, any common charset; HTML reduced to
// text when there is no plain part) and the names of the attachments.
func parseMail(data []byte) (*readableMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("courriel illisible : %w", err)
	}
	h := msg.Header
	m := &readableMail{From: header(h, "From"), To: header(h, "To"), Cc: header(h, "Cc"), Subject: header(h, "Subject")}
	if t, err := h.Date(); err == nil {
		m.Date = protocol.FrDateTime(t)
	} else {
		m.Date = h.Get("Date")
	}
	var plain, html string
	walkPart(mailHeader(h), msg.Body, 0, &plain, &html, &m.Attachments)
	switch {
	case plain != "":
		m.Body = plain
	case html != "":
		m.Body = htmlToText(html)
	}
	m.Body = strings.ReplaceAll(m.Body, "\r\n", "\n")
	return m, nil
}

// header decodes a header for display, bounded (an imported e-mail's 60 KB
// Subject must not weigh on every render).
func header(h mail.Header, k string) string {
	return protocol.Clip(decodeHeader(protocol.Clip(h.Get(k), 4*maxHeader)), maxHeader)
}

type headerGetter interface{ Get(string) string }

func mailHeader(h mail.Header) headerGetter { return h }

func walkPart(h headerGetter, body io.Reader, depth int, plain, html *string, atts *[]string) {
	if depth > 10 {
		return
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, params = "text/plain", map[string]string{}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walkPart(part.Header, part, depth+1, plain, html, atts)
		}
	}
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if disp == "attachment" || (name != "" && !strings.HasPrefix(mt, "text/")) {
		raw, _ := io.ReadAll(decodeTransfer(h.Get("Content-Transfer-Encoding"), body))
		*atts = append(*atts, fmt.Sprintf("%s (%s, %s)", decodeHeader(name), mt, protocol.HumanSize(int64(len(raw)))))
		return
	}
	if mt != "text/plain" && mt != "text/html" {
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(decodeTransfer(h.Get("Content-Transfer-Encoding"), body), 4<<20))
	// The charset as mail clients read it (Outlook's "iso-8859-1" is
	// Windows-1252, an unlabelled or mislabelled 8-bit part too).
	text := textenc.Decode(raw, params["charset"]).Text
	if mt == "text/plain" && *plain == "" {
		*plain = text
	} else if mt == "text/html" && *html == "" {
		*html = text
	}
}

func decodeTransfer(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &newlineStripper{r: r})
	}
	return r
}

// newlineStripper drops CR and LF so that base64 lines decode as one stream.
type newlineStripper struct{ r io.Reader }

func (s *newlineStripper) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}

var (
	reTags  = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]+>`)
	reBreak = regexp.MustCompile(`(?i)<(br|/p|/div|/tr|/li|/h[1-6])[^>]*>`)
	reBlank = regexp.MustCompile(`\n[ \t]*\n[\s]*\n`)
)

func htmlToText(s string) string {
	s = reBreak.ReplaceAllString(s, "\n$0")
	s = reTags.ReplaceAllString(s, "")
	r := strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", "\"", "&#39;", "'", "&eacute;", "é", "&egrave;", "è", "&agrave;", "à", "&ccedil;", "ç")
	s = r.Replace(s)
	return strings.TrimSpace(reBlank.ReplaceAllString(s, "\n\n"))
}
