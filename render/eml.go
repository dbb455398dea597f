package render

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
	"unicode/utf8"

	"anefdossier/protocol"
)

// Draft is an .eml draft ready to open in a mail client.
type Draft struct {
	Name    string // file name under out/
	Data    []byte
	Warning string // e.g. attachments too heavy for most mail servers
}

// ErrHeaderInjection is returned when a value meant for a mail header holds
// a line break: it could add headers (recipients) nobody wrote.
var ErrHeaderInjection = errors.New("saut de ligne refusé dans un en-tête de courriel")

// attachWarn is the size above which many mail servers refuse a message.
const attachWarn = 10 << 20

// Drafts composes every e-mail document of the protocol (ids starting with
// "courriel") as an .eml draft.
func (in *Input) Drafts() ([]Draft, error) {
	var out []Draft
	for _, doc := range in.State.Protocol.Documents {
		if !strings.HasPrefix(doc.ID, "courriel") {
			continue
		}
		d, err := in.Draft(doc.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

type attachment struct {
	name, ctype string
	data        []byte
}

// Draft composes one e-mail document. Its template's "a" block gives the
// recipients (from dossier.yaml, or the sourced CCC address); its "joindre"
// block lists what to attach: "lettre" (the protocol's main letter as PDF),
// "pieces" (every piece the document lists, never the proofs of the
// letter's own sending), "captures" (the screenshots only).
func (in *Input) Draft(docID string) (*Draft, error) {
	l, err := in.Compose(docID)
	if err != nil {
		return nil, err
	}
	if len(l.To) == 0 {
		return nil, fmt.Errorf("%s : aucun destinataire (bloc « a » du modèle vide)", l.Title)
	}
	var to []string
	for _, a := range l.To {
		if err := headerSafe(a); err != nil {
			return nil, err
		}
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return nil, fmt.Errorf("%s : adresse « %s » invalide", l.Title, a)
		}
		to = append(to, addr.String())
	}
	from := in.senderEmail()
	if err := headerSafe(from); err != nil {
		return nil, err
	}
	if err := headerSafe(l.Subject); err != nil {
		return nil, err
	}
	var atts []attachment
	width := 2
	if len(in.State.Pieces) >= 100 {
		width = 3
	}
	for _, what := range strings.Fields(l.Attach) {
		switch what {
		case "lettre":
			id := in.MainLetterID()
			if id == "" {
				continue
			}
			name, pdf, err := in.LetterFile(id)
			if err != nil {
				return nil, err
			}
			atts = append(atts, attachment{name, "application/pdf", pdf})
		case "pieces", "captures":
			skip := in.exclusions(in.State.Protocol.Document(docID))
			for i := range in.State.Pieces {
				p := &in.State.Pieces[i]
				if skip[p.Number] {
					continue
				}
				if what == "captures" && !isCapture(p) && p.Kind != "capture" {
					continue
				}
				data, err := in.readPiece(p)
				if err != nil {
					return nil, err
				}
				ext := path.Ext(p.Main().Path)
				name := strings.TrimSuffix(TelerecoursName(p.Number, width, "Piece "+in.shortTitle(p), ""), ".pdf") + ext
				ct := mime.TypeByExtension(ext)
				if ct == "" || ext == ".eml" {
					ct = "application/octet-stream"
				}
				atts = append(atts, attachment{name, ct, data})
			}
		default:
			return nil, fmt.Errorf("%s : « %s » inconnu dans le bloc « joindre » (lettre, pieces, captures)", l.Title, what)
		}
	}
	data, total, err := buildEml(from, to, l.Subject, in.Now.In(protocol.Paris).Format("Mon, 02 Jan 2006 15:04:05 -0700"), l.PlainText(), atts)
	if err != nil {
		return nil, err
	}
	d := &Draft{Name: docID + ".eml", Data: data}
	if total > attachWarn {
		d.Warning = fmt.Sprintf("%s : %s de pièces jointes ; beaucoup de messageries refusent plus de 10 à 25 Mo : envoyez-les en plusieurs courriels", d.Name, protocol.HumanSize(int64(total)))
	}
	return d, nil
}

func headerSafe(v string) error {
	if strings.ContainsAny(v, "\r\n") {
		return fmt.Errorf("%w : « %s »", ErrHeaderInjection, strings.NewReplacer("\r", "\\r", "\n", "\\n").Replace(v))
	}
	return nil
}

// boundary never occurs in quoted-printable or base64 text ("=_" is encoded
// as "=3D_" by quoted-printable; base64 has no "_").
const boundary = "=_anef-dossier_limite"

func buildEml(from string, to []string, subject, date, body string, atts []attachment) ([]byte, int, error) {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	if from != "" {
		addr, err := mail.ParseAddress(from)
		if err != nil {
			return nil, 0, fmt.Errorf("adresse d'expéditeur « %s » invalide", from)
		}
		h("From", addr.String())
	}
	h("To", strings.Join(to, ", "))
	h("Subject", foldSubject(protocol.Neutralize(subject)))
	h("Date", date)
	h("MIME-Version", "1.0")
	h("X-Unsent", "1")
	total := 0
	if len(atts) == 0 {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, body); err != nil {
			return nil, 0, err
		}
		return b.Bytes(), 0, nil
	}
	h("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": boundary}))
	b.WriteString("\r\n")
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, 0, err
	}
	th := textproto.MIMEHeader{}
	th.Set("Content-Type", "text/plain; charset=utf-8")
	th.Set("Content-Transfer-Encoding", "quoted-printable")
	pw, err := mw.CreatePart(th)
	if err != nil {
		return nil, 0, err
	}
	if err := writeQP(pw, body); err != nil {
		return nil, 0, err
	}
	for _, a := range atts {
		total += len(a.data)
		ah := textproto.MIMEHeader{}
		ah.Set("Content-Type", mime.FormatMediaType(a.ctype, map[string]string{"name": a.name}))
		ah.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.name}))
		ah.Set("Content-Transfer-Encoding", "base64")
		w, err := mw.CreatePart(ah)
		if err != nil {
			return nil, 0, err
		}
		enc := base64.StdEncoding.EncodeToString(a.data)
		for len(enc) > 76 {
			if _, err := w.Write([]byte(enc[:76] + "\r\n")); err != nil {
				return nil, 0, err
			}
			enc = enc[76:]
		}
		if _, err := w.Write([]byte(enc + "\r\n")); err != nil {
			return nil, 0, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, 0, err
	}
	return b.Bytes(), total, nil
}

func writeQP(w interface{ Write([]byte) (int, error) }, body string) error {
	qp := quotedprintable.NewWriter(w)
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return err
	}
	return qp.Close()
}

// foldSubject encodes a Subject header (RFC 2047). Beyond RFC 5322's 998
// characters per line, the subject becomes a series of
// base64 encoded-words, one per line, which readers join back without the
// folding whitespace (review 1, low 12).
func foldSubject(subject string) string {
	if enc := mime.QEncoding.Encode("utf-8", subject); len("Subject: ")+len(enc) <= 998 {
		return enc
	}
	var words []string
	for len(subject) > 0 {
		n := 0
		for _, r := range subject {
			l := utf8.RuneLen(r)
			if l < 0 {
				l = 1
			}
			if n+l > 40 {
				break
			}
			n += l
		}
		if n == 0 {
			n = len(subject)
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(subject[:n]))+"?=")
		subject = subject[n:]
	}
	return strings.Join(words, "\r\n ")
}
