package render

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"anefdossier/protocol"
)

// Facts is the data a letter template sees (documented for template authors
// in templates/letters/README.md). Every value comes from dossier.yaml or the
// journal; nothing is made up.
type Facts struct {
	D *protocol.Dossier // dossier.yaml as it is

	PersonName string // "Amina KOUASSI-EXEMPLE": first names then surname in capitals
	// Person is the full designation: "Madame Amina KOUASSI-EXEMPLE" when
	// the civility is known, else PersonName.
	Person string
	// Them names the person after the first mention: "ma cliente" or "mon
	// client" in a lawyer's letter, "Madame KOUASSI-EXEMPLE" otherwise,
	// PersonName without a civility. DeThem is the same after « de ».
	Them, DeThem string
	// Fem: the person is a woman (civility Madame), for agreements: .E is "e".
	Fem bool
	E   string
	// SignerTitle is "Avocate au barreau de la Seine-Saint-Denis" for a lawyer.
	SignerTitle string
	// Messages are the error messages shown by the téléservice (blocage.message_erreur,
	// separated by « | »), URLs the pages (blocage.url).
	Messages, URLs []string
	// AllTool: every attempt is a capture made by the tool (banner with the
	// address, date and time); AnyImported: at least one attempt was imported.
	AllTool, AnyImported bool
	// Others are the pieces cited by no recorded step and not counted as
	// attempts: the "Autres éléments" paragraph cites them with their date.
	Others []Other
	// CCCWritten: a CCC record says the démarche cannot be done online
	// (impossibilite=oui) and carries a written piece (the CCC's answer).
	CCCWritten bool
	// WindowMissed: the R.431-5 filing window (120 to 60 days before expiry,
	// titles of the ANEF list) ended before the letter's date with no filing.
	WindowMissed bool
	// Sent is the record of the sending of this letter (its LRAR number and
	// date) when the letter is frozen as sent; nil for a draft.
	Sent *Rec
	// Draft: the letter is not (yet) the one sent.
	Draft      bool
	BirthDate  string // "14 mai 1990"
	BirthPlace string // "Abidjan (Côte d'Ivoire)"
	Address    []string
	Renewal    bool
	Expiry     string // "30 avril 2026", or ""
	Expired    bool   // the current document expired before today
	Since      string // first recorded blockage, "10 mars 2026", or ""

	Lawyer, Association, Self bool   // who signs
	Signer                    string // the name that signs

	Today      string // "25 novembre 2026"
	Place      string // signing town
	Attempts   []Attempt
	Steps      map[string]*StepFacts
	Enclosures []Entry
	CCCAddress string // the ANEF support address (SOURCES.md, ccc-courriel)
	// Salutation is how the letter addresses the préfet: "Madame la
	// Préfète, Monsieur le Préfet" when the holder is not stated
	// (prefecture.civilite_prefet), "Monsieur le Préfet de police" in Paris
	// (art. R.431-3 CESEDA: the préfecture de police) when stated.
	Salutation string
	// OnBehalf says for whom the signer asks, after "je vous demande, ":
	// "au nom de ma cliente" for a lawyer; for an association, which holds
	// no mandate the tool knows of, "avec Madame X, qui signe également la
	// présente lettre" (the person co-signs, see defaultSignature); "" when
	// the person writes.
	OnBehalf string
	// ProtocolTitle is the title of the case's protocol.
	ProtocolTitle string
	// MainLetter is the title of the protocol's main letter ("" if none).
	MainLetter string
}

// Attempt is one dated capture of the blockage.
type Attempt struct {
	Number int
	Date   string
	URL    string
	Site   string // host and path of the page
	Title  string // the inventory title
	// Message is the expected text the capture found on the page, if any.
	Message string
	// Tool: a capture made by anef-dossier, its banner showing the address,
	// date and time; otherwise an imported image.
	Tool bool
	// Cited: a recorded step also cites this piece (its paragraph names it).
	Cited bool
}

// Other is a piece attached to no step.
type Other struct {
	Number int
	Date   string
	Title  string
}

// StepFacts is what the journal holds for one step.
type StepFacts struct {
	Title   string
	Done    bool
	Records []*Rec
}

// Rec is one recorded channel of a step.
type Rec struct {
	Channel      string
	ChannelTitle string
	Date         string // "11/03/2026"
	LongDate     string // "11 mars 2026"
	Ref          string
	Pieces       []int
	PiecesText   string            // "pièce n°3", "pièces n°3 et 4"
	Fields       map[string]string // extra fields; booleans are "oui"/"non"
	Note         string
	// Written: the record carries a written piece (CCC answer, attestation).
	Written bool
	// Letter: the piece holding the letter sent with this record, if any.
	Letter int
}

// CCCSupportAddress is the ANEF support address of the Centre de contact
// citoyen (templates/SOURCES.md, id ccc-courriel).
const CCCSupportAddress = "dgef-support@interieur.gouv.fr"

func (in *Input) facts() *Facts {
	d := in.Dossier
	f := &Facts{D: d, CCCAddress: CCCSupportAddress, Steps: map[string]*StepFacts{}}
	f.PersonName = strings.TrimSpace(d.Person.FirstNames + " " + strings.ToUpper(d.Person.Surname))
	f.Person, f.Them = f.PersonName, f.PersonName
	switch d.Person.Civility {
	case "Madame", "Monsieur":
		f.Fem = d.Person.Civility == "Madame"
		f.Person = d.Person.Civility + " " + f.PersonName
		f.Them = d.Person.Civility + " " + strings.ToUpper(d.Person.Surname)
		if d.Actor.Capacity == "avocat" {
			f.Them = map[bool]string{true: "ma cliente", false: "mon client"}[f.Fem]
		}
	}
	if f.Fem {
		f.E = "e"
	}
	f.DeThem = de(f.Them)
	f.Salutation = salutation(d.Prefecture)
	f.Messages = protocol.SplitLines(d.Blockage.ErrorMessage)
	f.URLs = protocol.SplitLines(d.Blockage.URL)
	f.BirthDate = longDate(d.Person.BirthDate)
	f.BirthPlace = d.Person.BirthPlace.City
	if c := d.Person.BirthPlace.Country; c != "" {
		f.BirthPlace += " (" + c + ")"
	}
	f.Address = protocol.SplitLines(d.Person.Address)
	f.Renewal = d.Procedure.Nature == "renouvellement"
	f.Expiry = longDate(d.Procedure.ExpiryDate)
	f.Since = longDate(d.Blockage.Since)
	if t, _, err := protocol.ParseDate(d.Procedure.ExpiryDate); err == nil {
		f.Expired = t.Before(protocol.Midnight(in.Now))
	}
	switch d.Actor.Capacity {
	case "avocat":
		f.Lawyer, f.Signer = true, withoutTitle(d.Actor.Name)
		f.SignerTitle = map[bool]string{true: "Avocate", false: "Avocat"}[d.Actor.Civility == "Madame"] + " au barreau " + barOf(d.Actor.Bar)
	case "association":
		f.Association, f.Signer = true, d.Actor.Name
	default:
		f.Self, f.Signer = true, f.PersonName
	}
	switch {
	case f.Lawyer:
		f.OnBehalf = "au nom " + f.DeThem
	case f.Association:
		f.OnBehalf = "avec " + f.Them + ", qui signe également la présente lettre"
	}
	f.Today = protocol.FrLongDate(in.Now)
	f.Place = d.Actor.City
	f.ProtocolTitle = in.State.Protocol.Title
	if id := in.MainLetterID(); id != "" {
		f.MainLetter = in.State.Protocol.Document(id).Title
	}
	// The attempts are the pieces the protocol's "captures" step counts
	// (minus those of the steps it excludes), nothing else.
	counted := map[int]bool{}
	if st := in.State.StepState("captures"); st != nil {
		for _, n := range st.Pieces {
			counted[n] = true
		}
	}
	cited := map[int]bool{}
	for _, st := range in.State.Steps {
		for _, r := range st.Records {
			for _, n := range r.Pieces {
				cited[n] = true
			}
			if r.Letter > 0 {
				cited[r.Letter] = true
			}
		}
	}
	f.AllTool = true
	for i := range in.State.Pieces {
		p := &in.State.Pieces[i]
		if in.excluded[p.Number] {
			continue
		}
		if !counted[p.Number] {
			if !cited[p.Number] {
				f.Others = append(f.Others, Other{Number: p.Number, Date: protocol.FrDate(p.Date), Title: in.PieceTitle(p)})
			}
			continue
		}
		{
			a := Attempt{Number: p.Number, Date: in.pieceDate(p), Title: in.PieceTitle(p), Tool: isCapture(p), Cited: cited[p.Number]}
			f.AllTool = f.AllTool && a.Tool
			f.AnyImported = f.AnyImported || !a.Tool
			if s := captureSummary(p); s != nil {
				a.URL = firstNonEmpty(s.FinalURL, s.URL)
				if s.ExpectFound != nil && *s.ExpectFound {
					a.Message = s.ExpectText
				}
			}
			a.Site = siteOf(a.URL)
			f.Attempts = append(f.Attempts, a)
		}
	}
	if len(f.Attempts) == 0 {
		f.AllTool = false
	}
	// The records of the sending of the letter being composed (its LRAR, its
	// e-mail copy, its acknowledgment slip) are not steps it recounts.
	ownStep, ownCh := in.State.Protocol.SentBy(in.composing)
	for _, st := range in.State.Steps {
		sf := &StepFacts{Title: st.Step.Title, Done: st.Done}
		for _, r := range st.Records {
			rec := &Rec{Channel: r.Channel, Ref: r.Ref, Pieces: r.Pieces, PiecesText: piecesText(r.Pieces), Note: r.Note,
				Fields: map[string]string{}, Written: in.State.HasWritten(r), Letter: r.Letter}
			if ch := st.Step.Channel(r.Channel); ch != nil {
				rec.ChannelTitle = ch.Title
			}
			if r.Date != nil {
				rec.Date, rec.LongDate = protocol.FrDate(*r.Date), protocol.FrLongDate(*r.Date)
			}
			for k, v := range r.Fields {
				if fd := st.Step.Field(k); fd != nil {
					switch fd.Type {
					case "booleen":
						if b, err := protocol.ParseBool(v); err == nil {
							v = map[bool]string{true: "oui", false: "non"}[b]
						}
					case "date":
						if t, err := time.Parse(time.RFC3339, v); err == nil {
							v = protocol.FrDate(t)
						}
					}
				}
				rec.Fields[k] = v
			}
			if ownStep != nil && st.Step.ID == ownStep.ID && (r.Channel == ownCh.ID || r.Channel == "courriel" || r.Channel == "accuse-reception") {
				continue
			}
			if st.Step.ID == "ccc" && rec.Fields["impossibilite"] == "oui" && rec.Written {
				f.CCCWritten = true
			}
			sf.Records = append(sf.Records, rec)
		}
		f.Steps[st.Step.ID] = sf
	}
	if r := in.sending; r != nil {
		// The record of this very sending (not yet in the journal): its
		// number goes in the letter's heading.
		f.Sent = &Rec{Channel: r.Channel, Ref: r.Ref, Pieces: r.Pieces, PiecesText: piecesText(r.Pieces)}
		if r.Date != nil {
			f.Sent.Date, f.Sent.LongDate = protocol.FrDate(*r.Date), protocol.FrLongDate(*r.Date)
		}
	}
	f.Draft = in.sending == nil
	if t, _, err := protocol.ParseDate(d.Procedure.ExpiryDate); err == nil && d.Procedure.FilingDate == "" && in.State.Protocol.ID != "rdv-indisponible" {
		f.WindowMissed = protocol.Midnight(in.Now).After(protocol.AddPeriod(t, protocol.Period{Days: -60}))
	}
	for _, e := range in.Inventory() {
		if !in.excluded[e.Number] {
			f.Enclosures = append(f.Enclosures, e)
		}
	}
	return f
}

// PrefectureOfPolice tells whether the préfecture is the préfecture de
// police (Paris, art. R.431-3 CESEDA), from its name or its département.
func PrefectureOfPolice(p protocol.Prefecture) bool {
	name := strings.ToLower(strings.Join(strings.Fields(p.Name), " "))
	name = strings.NewReplacer("é", "e", "É", "e").Replace(name)
	return strings.Contains(name, "prefecture de police") || strings.TrimSpace(p.Department) == "75"
}

// salutation addresses the préfet as stated in dossier.yaml
// (prefecture.civilite_prefet), both forms when the holder is not stated:
// the tool does not guess who holds the office.
func salutation(p protocol.Prefecture) string {
	of := ""
	if PrefectureOfPolice(p) {
		of = " de police"
	}
	switch p.PrefectCivility {
	case "Madame":
		return "Madame la Préfète" + of
	case "Monsieur":
		return "Monsieur le Préfet" + of
	}
	return "Madame la Préfète" + of + ", Monsieur le Préfet" + of
}

// Agree returns the feminine form when the person is a woman: {{$.Agree "né" "née"}}.
func (f *Facts) Agree(masc, fem string) string {
	if f.Fem {
		return fem
	}
	return masc
}

// Record returns the latest record of a step on a channel ("" = any), or
// nil: {{with .Record "prefecture" "lrar"}}n°{{.Ref}}{{end}}.
func (f *Facts) Record(step, channel string) *Rec {
	sf := f.Steps[step]
	if sf == nil {
		return nil
	}
	for i := len(sf.Records) - 1; i >= 0; i-- {
		if channel == "" || sf.Records[i].Channel == channel {
			return sf.Records[i]
		}
	}
	return nil
}

// Records returns every record of a step, oldest first.
func (f *Facts) Records(step string) []*Rec {
	if sf := f.Steps[step]; sf != nil {
		return sf.Records
	}
	return nil
}

// Field returns a dossier.yaml field by its dotted path.
func (f *Facts) Field(path string) string { return f.D.Field(path) }

func piecesText(ns []int) string {
	if len(ns) == 0 {
		return ""
	}
	ns = append([]int(nil), ns...)
	sort.Ints(ns)
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	if len(parts) == 1 {
		return "pièce n°" + parts[0]
	}
	return "pièces n°" + strings.Join(parts[:len(parts)-1], ", ") + " et " + parts[len(parts)-1]
}

// de elides the French preposition before a vowel: "d'Awa", "de Karim".
func de(name string) string {
	first, _ := utf8.DecodeRuneInString(strings.ToLower(name))
	if strings.ContainsRune("aeiouyhàâéèêëîïôöùûü", first) {
		return "d'" + name
	}
	return "de " + name
}

// association names an association in a sentence: "l'association La
// Cimade", or "l'Association Exemple" when the name begins with the word.
func association(name string) string {
	if f := strings.Fields(name); len(f) > 0 && strings.EqualFold(f[0], "association") {
		return "l'" + name
	}
	return "l'association " + name
}

// capital gives s an upper-case first letter.
func capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func longDate(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	t, _, err := protocol.ParseDate(s)
	if err != nil {
		return s
	}
	return protocol.FrLongDate(t)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
