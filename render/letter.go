package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"text/template"

	"anefdossier/protocol"
)

// Letter is a rendered document of the protocol, before layout: the template
// has been run, the blocks are plain text (body in the light markup described
// in templates/letters/README.md).
type Letter struct {
	ID        string
	Title     string
	Email     bool     // an e-mail (no postal blocks) rather than a letter
	Sender    []string // expediteur
	Recipient []string // destinataire
	To        []string // e-mail addresses, for e-mails
	PlaceDate string
	Sending   string // envoi: "Lettre recommandée avec accusé de réception n° ..."
	Subject   string
	Body      string
	Signature []string
	// Attach lists what an e-mail carries: lettre, pieces, captures.
	Attach string
	// Annexes come after the signature (the numbered enclosures), same markup as Body.
	Annexes string
	// Draft: a letter the protocol sends, not yet sent: marked as a draft in
	// its file name and its footer.
	Draft bool
}

// subjectOf runs the « objet » block of another document on the same facts:
// an e-mail that carries the main letter quotes its subject, never the
// document's internal title.
func (in *Input) subjectOf(docID string, f *Facts) (string, error) {
	doc := in.State.Protocol.Document(docID)
	if doc == nil {
		return "", ErrNoDocument
	}
	raw, err := fs.ReadFile(in.Templates, "letters/"+templateName(doc))
	if err != nil {
		return "", err
	}
	t, err := template.New(templateName(doc)).Funcs(funcs).Parse(string(raw))
	if err != nil || t.Lookup("objet") == nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "objet", f); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

// DraftMark is the footer of a letter that has not been sent yet.
const DraftMark = "Projet — lettre non encore envoyée"

// ownProofs lists the pieces a document must never enclose: the proofs of
// its own sending (postage proof, acknowledgment slip, e-mail copy) and the
// copies of itself as sent.
func (in *Input) ownProofs(docID string) map[int]bool {
	step, ch := in.State.Protocol.SentBy(docID)
	if step == nil {
		return nil
	}
	out := map[int]bool{}
	add := func(r protocol.StepRecord) {
		for _, n := range r.Pieces {
			out[n] = true
		}
		if r.Letter > 0 {
			out[r.Letter] = true
		}
	}
	if st := in.State.StepState(step.ID); st != nil {
		for _, r := range st.Records {
			if r.Channel == ch.ID || r.Channel == "accuse-reception" || r.Channel == "courriel" {
				add(r)
			}
		}
	}
	if in.sending != nil {
		add(*in.sending)
	}
	for i := range in.State.Pieces {
		if k := in.State.Pieces[i].Kind; k == "preuve-depot" || k == "accuse-reception" {
			out[in.State.Pieces[i].Number] = true
		}
	}
	return out
}

// exclusions are the pieces a document never encloses (nor attaches).
func (in *Input) exclusions(doc *protocol.Document) map[int]bool {
	if main := in.carries(doc); main != "" {
		return in.carriedEnclosures(main)
	}
	return in.ownProofs(doc.ID)
}

// carries returns the letter an e-mail document sends a copy of: the main
// letter, when the e-mail is a document of the step that sends it
// (courriel-prefecture beside the LRAR); "" otherwise.
func (in *Input) carries(doc *protocol.Document) string {
	main := in.MainLetterID()
	if main == "" || main == doc.ID || !strings.HasPrefix(doc.ID, "courriel") {
		return ""
	}
	step, _ := in.State.Protocol.SentBy(main)
	if step == nil {
		return ""
	}
	for _, d := range step.Documents {
		if d == doc.ID {
			return main
		}
	}
	return ""
}

// carriedEnclosures is what an e-mail carrying letter main must not list:
// what the letter itself does not enclose (the proofs of its sending, its
// own copies, the e-mail copy), and, once the letter is sent, every piece
// added after it: the e-mail lists the letter's enclosures, numbered as in
// the letter.
func (in *Input) carriedEnclosures(main string) map[int]bool {
	out := in.ownProofs(main)
	if out == nil {
		out = map[int]bool{}
	}
	if sent := in.SentLetter(main); sent != nil {
		for i := range in.State.Pieces {
			if n := in.State.Pieces[i].Number; n >= sent.Number {
				out[n] = true
			}
		}
	}
	return out
}

// DiligenceError lists the steps a letter recounts that are not done yet.
type DiligenceError struct {
	Document string
	Steps    []*protocol.StepState
}

func (e *DiligenceError) Error() string {
	return e.Summary() + "\n  " + strings.Join(e.Lines(), "\n  ")
}

// Summary is the first sentence of the error, without the list.
func (e *DiligenceError) Summary() string {
	return fmt.Sprintf("%s : diligences obligatoires pas encore faites, la lettre affirmerait des démarches qui n'ont pas eu lieu ; rien n'a été écrit :", e.Document)
}

// Lines are the missing steps, one a line: what the step is, what it
// lacks, and the command that records it.
func (e *DiligenceError) Lines() []string {
	var out []string
	for _, st := range e.Steps {
		l := fmt.Sprintf("- %s (étape %s)", st.Step.Title, st.Step.ID)
		if st.Missing != "" {
			l += " : manque " + st.Missing
		}
		if st.Step.Command != "" {
			l += " ; à enregistrer avec : " + st.Step.Command
		}
		out = append(out, l)
	}
	return out
}

// CheckDiligences returns a [*DiligenceError] when a step the document
// requires (exige_etapes) is not done.
func (in *Input) CheckDiligences(docID string) error {
	doc := in.State.Protocol.Document(docID)
	if doc == nil {
		return nil
	}
	var missing []*protocol.StepState
	for _, id := range doc.RequiredSteps {
		if st := in.State.StepState(id); st != nil && !st.Done {
			missing = append(missing, st)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &DiligenceError{Document: doc.Title, Steps: missing}
}

// ErrNoDocument is returned for a document id the protocol does not declare.
var ErrNoDocument = errors.New("document inconnu de ce protocole")

// Documents lists the ids of the documents of the case's protocol.
func (in *Input) Documents() []string {
	var ids []string
	for _, d := range in.State.Protocol.Documents {
		ids = append(ids, d.ID)
	}
	return ids
}

// templateName is the template of a document: its "modele", or ID.tmpl.
func templateName(doc *protocol.Document) string {
	if doc.Template != "" {
		return doc.Template
	}
	return doc.ID + ".tmpl"
}

var funcs = template.FuncMap{
	"upper":  strings.ToUpper,
	"join":   strings.Join,
	"lines":  protocol.SplitLines,
	"date":   longDate,
	"pieces": piecesText,
	"add":    func(a, b int) int { return a + b },
	"de":     de,
	// association: "l'association La Cimade", but "l'Association Exemple"
	// when the name already says it; capital: its first letter upper case.
	"association": association,
	"capital":     capital,
	// sentence: user text as a sentence (capital, one final full stop);
	// fragment: user text inside a sentence (no final full stop).
	"sentence": sentence,
	"fragment": fragment,
}

// Compose runs the template of a document on the case. Missing dossier.yaml
// fields (the document's "champs", plus those the signer's capacity needs)
// stop it with a [*MissingError].
func (in *Input) Compose(docID string) (*Letter, error) {
	p := in.State.Protocol
	doc := p.Document(docID)
	if doc == nil {
		return nil, fmt.Errorf("%s : %w (documents : %s)", docID, ErrNoDocument, strings.Join(in.Documents(), ", "))
	}
	email := strings.HasPrefix(doc.ID, "courriel")
	missing := doc.Missing(in.Dossier)
	missing = append(missing, in.signerMissing(email)...)
	if len(missing) > 0 {
		return nil, &MissingError{Document: doc.Title, Fields: dedupe(missing)}
	}
	raw, err := fs.ReadFile(in.Templates, "letters/"+templateName(doc))
	if err != nil {
		return nil, fmt.Errorf("modèle letters/%s introuvable : %w", templateName(doc), err)
	}
	t, err := template.New(templateName(doc)).Funcs(funcs).Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("modèle %s : %w", templateName(doc), err)
	}
	in.excluded, in.composing = in.exclusions(doc), doc.ID
	defer func() { in.excluded, in.composing = nil, "" }()
	f := in.facts()
	if id := in.MainLetterID(); id != "" && id != doc.ID {
		if subj, err := in.subjectOf(id, f); err == nil && subj != "" {
			f.MainLetter = subj
		}
	}
	l := &Letter{ID: doc.ID, Title: doc.Title}
	if _, ch := p.SentBy(doc.ID); ch != nil && f.Draft {
		l.Draft = true
	}
	block := func(name string) (string, bool, error) {
		if t.Lookup(name) == nil {
			return "", false, nil
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, f); err != nil {
			return "", true, fmt.Errorf("modèle %s, bloc %s : %w", templateName(doc), name, err)
		}
		return strings.TrimSpace(buf.String()), true, nil
	}
	get := func(name string, dst *string) error {
		v, _, err := block(name)
		*dst = v
		return err
	}
	var format, sender, recipient, to, signature string
	for name, dst := range map[string]*string{"format": &format, "expediteur": &sender, "destinataire": &recipient,
		"a": &to, "envoi": &l.Sending, "annexes": &l.Annexes, "joindre": &l.Attach, "objet": &l.Subject, "corps": &l.Body, "signature": &signature} {
		if err := get(name, dst); err != nil {
			return nil, err
		}
	}
	if l.Subject == "" || l.Body == "" {
		return nil, fmt.Errorf("modèle %s : les blocs « objet » et « corps » sont obligatoires", templateName(doc))
	}
	l.Email = format == "courriel" || (format == "" && email)
	l.Sender = splitBlock(sender)
	if len(l.Sender) == 0 {
		l.Sender = f.defaultSender()
	}
	l.Recipient = splitBlock(recipient)
	if len(l.Recipient) == 0 && !l.Email {
		l.Recipient = f.defaultRecipient()
	}
	for _, a := range strings.FieldsFunc(to, func(r rune) bool { return r == ',' || r == ';' }) {
		if a = strings.TrimSpace(a); a != "" {
			l.To = append(l.To, a)
		}
	}
	l.Signature = splitBlock(signature)
	if len(l.Signature) == 0 {
		l.Signature = f.defaultSignature()
	}
	switch {
	case l.Email:
		l.PlaceDate = f.Today
		if len(splitBlock(sender)) == 0 {
			l.Sender = []string{f.Signer}
			if m := in.senderEmail(); m != "" {
				l.Sender = []string{f.Signer + " <" + m + ">"}
			}
		}
	case f.Place != "":
		l.PlaceDate = "À " + f.Place + ", le " + f.Today
	default:
		l.PlaceDate = "Le " + f.Today
	}
	return l, nil
}

// senderEmail is the address an e-mail is sent from: the lawyer's or the
// association's when they act, else the person's.
func (in *Input) senderEmail() string {
	if in.Dossier.Actor.Capacity == "avocat" || in.Dossier.Actor.Capacity == "association" {
		return firstNonEmpty(in.Dossier.Actor.Email, in.Dossier.Person.Email)
	}
	return firstNonEmpty(in.Dossier.Person.Email, in.Dossier.Actor.Email)
}

// signerMissing lists what the signer's capacity needs: a lawyer signs with
// their bar, an association with its name; a letter is signed somewhere.
func (in *Input) signerMissing(email bool) []string {
	a := in.Dossier.Actor
	var miss []string
	need := func(path, v string) {
		if strings.TrimSpace(v) == "" {
			miss = append(miss, path)
		}
	}
	switch a.Capacity {
	case "avocat":
		need("representant.nom", a.Name)
		need("representant.barreau", a.Bar)
		need("representant.adresse", a.Address)
	case "association":
		need("representant.nom", a.Name)
		need("representant.structure", a.Organisation)
		need("representant.adresse", a.Address)
	}
	if !email {
		need("representant.ville", a.City)
	}
	return miss
}

func (f *Facts) defaultSender() []string {
	a := f.D.Actor
	var out []string
	switch {
	case f.Lawyer:
		out = append(out, "Maître "+f.Signer)
		if a.Organisation != "" {
			out = append(out, a.Organisation)
		}
		out = append(out, f.SignerTitle)
		out = append(out, protocol.SplitLines(a.Address)...)
	case f.Association:
		out = append(out, a.Organisation, a.Name)
		out = append(out, protocol.SplitLines(a.Address)...)
	default:
		out = append(out, f.PersonName)
		out = append(out, f.Address...)
	}
	phone, mail := a.Phone, a.Email
	if f.Self {
		phone, mail = firstNonEmpty(a.Phone, f.D.Person.Phone), firstNonEmpty(a.Email, f.D.Person.Email)
	}
	if phone != "" {
		out = append(out, "Tél. : "+phone)
	}
	if mail != "" {
		out = append(out, "Courriel : "+mail)
	}
	return out
}

func (f *Facts) defaultRecipient() []string {
	p := f.D.Prefecture
	out := []string{p.Name}
	if p.Service != "" {
		out = append(out, p.Service)
	}
	return append(out, protocol.SplitLines(p.Address)...)
}

func (f *Facts) defaultSignature() []string {
	a := f.D.Actor
	switch {
	case f.Lawyer:
		return []string{"Maître " + f.Signer, f.SignerTitle, "pour " + f.Person}
	case f.Association:
		// The association holds no mandate the tool knows of: the person
		// co-signs the letter (templates/SOURCES.md, mandat-association).
		return []string{a.Name, "pour " + association(a.Organisation), "", f.Person, "qui s'associe à la présente lettre"}
	}
	return []string{f.PersonName}
}

func splitBlock(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// PlainText is the letter as the body of an e-mail: the markup reduced to
// plain text, then the signature.
func (l *Letter) PlainText() string {
	var b strings.Builder
	b.WriteString(plainMarkup(l.Body))
	b.WriteString(strings.Join(l.Signature, "\n"))
	b.WriteString("\n")
	if l.Annexes != "" {
		b.WriteString("\n" + plainMarkup(l.Annexes))
	}
	return b.String()
}

func plainMarkup(body string) string {
	var b strings.Builder
	for _, blk := range parseBody(body) {
		switch blk.kind {
		case blkHeading:
			b.WriteString(blk.text + "\n\n")
		case blkItem:
			b.WriteString("- " + blk.text + "\n")
		case blkItemEnd:
			b.WriteString("\n")
		case blkQuote:
			b.WriteString("« " + blk.text + " »\n\n")
		default:
			b.WriteString(blk.text + "\n\n")
		}
	}
	return b.String()
}

// Body markup: paragraphs separated by blank lines; "## " a heading; "- " an
// item (a list ends at a blank line); "> " a quotation.
type blkKind int

const (
	blkPara blkKind = iota
	blkHeading
	blkItem
	blkItemEnd
	blkQuote
)

type block struct {
	kind blkKind
	text string
}

func parseBody(s string) []block {
	var out []block
	var cur []string
	inList := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, block{blkPara, strings.Join(cur, " ")})
			cur = nil
		}
	}
	for _, raw := range strings.Split(s, "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case line == "":
			flush()
			if inList {
				out = append(out, block{kind: blkItemEnd})
				inList = false
			}
		case strings.HasPrefix(line, "## "):
			flush()
			out = append(out, block{blkHeading, strings.TrimSpace(line[3:])})
		case strings.HasPrefix(line, "- "):
			flush()
			out = append(out, block{blkItem, strings.TrimSpace(line[2:])})
			inList = true
		case strings.HasPrefix(line, "> "):
			flush()
			out = append(out, block{blkQuote, strings.TrimSpace(line[2:])})
		case inList && len(out) > 0 && out[len(out)-1].kind == blkItem:
			out[len(out)-1].text += " " + line
		default:
			cur = append(cur, line)
		}
	}
	flush()
	if inList {
		out = append(out, block{kind: blkItemEnd})
	}
	return out
}

// drawLetter lays the letter out on the current document, from the top of
// the current (new) page.
func (d *doc) drawLetter(l *Letter) {
	top := d.GetY()
	if l.Email {
		d.SetFont(sans, "B", 13)
		d.MultiCell(bodyW, 6, l.Title, "", "L", false)
		d.Ln(2)
		d.kv("De", strings.Join(l.Sender, ", "))
		if len(l.To) > 0 {
			d.kv("À", strings.Join(l.To, ", "))
		}
		d.kv("Date", l.PlaceDate)
		d.kv("Objet", l.Subject)
		d.Ln(4)
	} else {
		d.linesAt(marginL, 90, 10, "", l.Sender)
		senderEnd := d.GetY()
		d.SetY(top + 32)
		d.linesAt(110, bodyW-90, 10.5, "B", l.Recipient[:1])
		d.linesAt(110, bodyW-90, 10.5, "", l.Recipient[1:])
		y := d.GetY()
		if senderEnd > y {
			y = senderEnd
		}
		d.SetY(y + 8)
		d.SetFont(sans, "", 10.5)
		d.SetX(110)
		d.MultiCell(bodyW-90, 5, l.PlaceDate, "", "L", false)
		d.Ln(6)
		if l.Sending != "" {
			d.SetFont(sans, "B", 10.5)
			d.MultiCell(bodyW, 5, l.Sending, "", "L", false)
			d.Ln(2)
		}
		d.SetFont(sans, "B", 10.5)
		d.MultiCell(bodyW, 5, nb("Objet : "+l.Subject), "", "L", false)
		d.Ln(5)
	}
	d.drawBody(l.Body, 10.5)
	d.Ln(6)
	if d.GetY() > bodyBottom-30 {
		d.AddPage()
	}
	d.linesAt(110, bodyW-90, 10.5, "", l.Signature)
	if l.Annexes != "" {
		d.Ln(8)
		d.drawBody(l.Annexes, 10)
	}
}

// breakURLs cuts every URL of text wider than w at « / » or « . »
// boundaries (urlChunks), with line breaks, in the current font.
func (d *doc) breakURLs(text string, w float64) string {
	if !strings.Contains(text, "://") {
		return text
	}
	words := strings.Split(text, " ")
	for i, word := range words {
		if strings.Contains(word, "://") && d.GetStringWidth(word) > w {
			words[i] = strings.Join(urlChunks(word, w, d.GetStringWidth), "\n")
		}
	}
	return strings.Join(words, " ")
}

func (d *doc) kv(k, v string) {
	d.SetFont(sans, "B", 10)
	d.CellFormat(18, 5, k+" :", "", 0, "L", false, 0, "")
	d.SetFont(sans, "", 10)
	d.MultiCell(bodyW-18, 5, v, "", "L", false)
}

func (d *doc) drawBody(body string, size float64) {
	lh := size * 0.48
	for _, b := range parseBody(body) {
		switch b.kind {
		case blkHeading:
			if d.GetY() > bodyBottom-25 {
				d.AddPage()
			}
			d.Ln(1)
			d.SetFont(sans, "B", size)
			d.MultiCell(bodyW, lh, b.text, "", "L", false)
			d.Ln(1.5)
		case blkItem:
			d.SetFont(sans, "", size)
			d.SetX(marginL + 3)
			d.CellFormat(4, lh, "–", "", 0, "L", false, 0, "")
			d.MultiCell(bodyW-7, lh, d.breakURLs(nb(b.text), bodyW-9), "", "L", false)
			d.Ln(0.8)
		case blkItemEnd:
			d.Ln(2)
		case blkQuote:
			d.SetFont(sans, "I", size)
			d.SetX(marginL + 8)
			d.MultiCell(bodyW-16, lh, nb("« "+b.text+" »"), "", "L", false)
			d.Ln(2.5)
		default:
			d.SetFont(sans, "", size)
			align := "J"
			text := nb(b.text)
			if strings.Contains(b.text, "://") {
				align = "L" // a long URL would stretch the spaces of the line before it
				text = d.breakURLs(text, bodyW-2)
			}
			d.MultiCell(bodyW, lh, text, "", align, false)
			d.Ln(2.5)
		}
	}
}

// LetterPDF renders one document of the protocol as a PDF.
func (in *Input) LetterPDF(docID string) ([]byte, error) {
	l, err := in.Compose(docID)
	if err != nil {
		return nil, err
	}
	return in.letterPDF(l)
}

func (in *Input) letterPDF(l *Letter) ([]byte, error) {
	var out []byte
	var err error
	total := 0
	for pass := 0; pass < 2; pass++ {
		d := newDoc(in.Now, l.Title)
		d.total = total
		if l.Draft {
			d.mark = DraftMark
		}
		d.AddPage()
		d.drawLetter(l)
		total = d.PageNo()
		if pass == 1 {
			out, err = d.output()
		}
	}
	return out, err
}

// SentLetter returns the piece holding the document as it was sent (the
// latest sending recorded on the channel that sends it), or nil.
func (in *Input) SentLetter(docID string) *protocol.Piece {
	step, ch := in.State.Protocol.SentBy(docID)
	if step == nil {
		return nil
	}
	st := in.State.StepState(step.ID)
	if st == nil {
		return nil
	}
	for i := len(st.Records) - 1; i >= 0; i-- {
		if r := st.Records[i]; r.Channel == ch.ID && r.Letter > 0 {
			return in.State.Piece(r.Letter)
		}
	}
	return nil
}

// LetterFile is what `render letter` writes for a document: the exact copy of
// the letter as sent when its sending is recorded (ID.pdf), else a fresh
// render, a draft (ID-projet.pdf) when the protocol sends it.
func (in *Input) LetterFile(docID string) (string, []byte, error) {
	if p := in.SentLetter(docID); p != nil {
		data, err := in.readPiece(p)
		return docID + ".pdf", data, err
	}
	l, err := in.Compose(docID)
	if err != nil {
		return "", nil, err
	}
	pdf, err := in.letterPDF(l)
	name := docID + ".pdf"
	if l.Draft {
		name = docID + "-projet.pdf"
	}
	return name, pdf, err
}

// SentLetterPDF renders a document as it is sent with rec (the record of its
// sending, not yet in the journal): dated in.Now, with rec's LRAR number,
// enclosing the pieces of in.State but never the proofs of its own sending.
func (in *Input) SentLetterPDF(docID string, rec protocol.StepRecord) (*Letter, []byte, error) {
	in.sending = &rec
	defer func() { in.sending = nil }()
	l, err := in.Compose(docID)
	if err != nil {
		return nil, nil, err
	}
	pdf, err := in.letterPDF(l)
	return l, pdf, err
}
