package protocol

import (
	"errors"
	"fmt"
	"net/mail"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Dossier is the content of dossier.yaml: who the person is, what they ask
// for, which préfecture, who acts, and the blockage. Keys are French because
// the file is edited by hand by lawyers and volunteers.
type Dossier struct {
	Protocol     string       `yaml:"protocole"`
	Person       Person       `yaml:"personne"`
	Procedure    Procedure    `yaml:"procedure"`
	Prefecture   Prefecture   `yaml:"prefecture"`
	Actor        Actor        `yaml:"representant"`
	Blockage     Blockage     `yaml:"blocage"`
	Timestamping Timestamping `yaml:"horodatage"`
}

// Person is the foreigner concerned.
type Person struct {
	// Civility is "Madame" or "Monsieur" (empty: the letters use the name alone).
	Civility      string     `yaml:"civilite"`
	Surname       string     `yaml:"nom"`
	FirstNames    string     `yaml:"prenoms"`
	BirthDate     string     `yaml:"date_naissance"`
	BirthPlace    BirthPlace `yaml:"lieu_naissance"`
	Nationality   string     `yaml:"nationalite"`
	ForeignerNo   string     `yaml:"numero_etranger"`
	ANEFRequestNo string     `yaml:"numero_demande_anef"`
	VisaNo        string     `yaml:"numero_visa"`
	Address       string     `yaml:"adresse"`
	Phone         string     `yaml:"telephone"`
	Email         string     `yaml:"courriel"`
}

// BirthPlace is a city and a country.
type BirthPlace struct {
	City    string `yaml:"ville"`
	Country string `yaml:"pays"`
}

// Procedure is the filing ANEF prevents.
type Procedure struct {
	Title       string `yaml:"titre"`
	Ground      string `yaml:"motif"`
	Nature      string `yaml:"nature"`
	ExpiryDate  string `yaml:"date_expiration_titre"`
	FilingDate  string `yaml:"date_depot"`
	SilenceDays int    `yaml:"delai_silence_jours"`
	// AckLacksMentions: the user states that the acknowledgment of the
	// application was not given or lacked the mentions of art. R.112-5 CRPA
	// (appeal routes and deadlines); only then does the appeal period become
	// the reasonable delay (art. L.112-6 CRPA). Unknown = the safe 2 months.
	AckLacksMentions bool `yaml:"accuse_reception_sans_mentions"`
	// InternationalProtection: refugee or subsidiary protection (API of six
	// months, art. R.431-15-3 and R.431-15-4 CESEDA).
	InternationalProtection bool `yaml:"protection_internationale"`
	// AppealRoutesShown is the field of the first version, read so that old
	// case files still open, and ignored: its default (false) gave the
	// longest appeal period. See AckLacksMentions.
	AppealRoutesShown bool `yaml:"voies_recours_mentionnees,omitempty"`
}

// Prefecture is the competent préfecture, as published by itself.
type Prefecture struct {
	Department     string   `yaml:"departement"`
	Name           string   `yaml:"nom"`
	Service        string   `yaml:"service"`
	Arrondissement string   `yaml:"arrondissement"`
	Address        string   `yaml:"adresse"`
	City           string   `yaml:"ville"`
	Emails         []string `yaml:"courriels"`
	OwnChannel     string   `yaml:"canal_propre"`
	// PrefectCivility is "Madame" or "Monsieur" when the holder of the
	// office is known; empty, the letters address both.
	PrefectCivility string `yaml:"civilite_prefet"`
}

// Actor is who acts and signs: the person, a lawyer or an association.
type Actor struct {
	Capacity string `yaml:"qualite"`
	// Civility of the signer, "Madame" or "Monsieur": "avocate" or "avocat".
	Civility     string `yaml:"civilite"`
	Name         string `yaml:"nom"`
	Organisation string `yaml:"structure"`
	Bar          string `yaml:"barreau"`
	Address      string `yaml:"adresse"`
	Phone        string `yaml:"telephone"`
	Email        string `yaml:"courriel"`
	City         string `yaml:"ville"`
}

// Blockage describes what fails on ANEF.
type Blockage struct {
	Description  string `yaml:"description"`
	ErrorMessage string `yaml:"message_erreur"`
	URL          string `yaml:"url"`
	Since        string `yaml:"depuis"`
}

// Timestamping lists the RFC 3161 authorities the user chose.
type Timestamping struct {
	Authorities []string `yaml:"autorites"`
	Root        string   `yaml:"racine"`
}

// Problem is one thing wrong in dossier.yaml, with its position when known.
type Problem struct {
	Field   string `json:"field,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	pos := ""
	if p.Line > 0 {
		pos = fmt.Sprintf("ligne %d, colonne %d : ", p.Line, p.Column)
	}
	if p.Field != "" {
		return fmt.Sprintf("%s%s : %s", pos, p.Field, p.Message)
	}
	return pos + p.Message
}

// DossierError is returned when dossier.yaml cannot be read at all.
type DossierError struct {
	Path    string
	Problem Problem
}

func (e *DossierError) Error() string {
	return fmt.Sprintf("%s invalide, %s", e.Path, e.Problem.String())
}

// LoadDossier reads and decodes dossier.yaml strictly (unknown keys refused).
// Format problems of individual fields are not errors here: see [Dossier.Validate].
func LoadDossier(path string) (*Dossier, *ast.File, error) {
	data, err := readDossierFile(path)
	if err != nil {
		return nil, nil, err
	}
	return ParseDossier(path, data)
}

// ParseDossier decodes the bytes of a dossier.yaml.
func ParseDossier(path string, data []byte) (*Dossier, *ast.File, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, nil, &DossierError{Path: path, Problem: yamlProblem(err)}
	}
	if p := checkNoAliases(file); p != nil {
		return nil, nil, &DossierError{Path: path, Problem: *p}
	}
	var d Dossier
	if err := yaml.UnmarshalWithOptions(data, &d, yaml.DisallowUnknownField()); err != nil {
		return nil, nil, &DossierError{Path: path, Problem: yamlProblem(err)}
	}
	return &d, file, nil
}

var reField = regexp.MustCompile(`unknown field "([^"]+)"`)

func yamlProblem(err error) Problem {
	p := Problem{Message: firstLine(err.Error())}
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Column = tk.Position.Line, tk.Position.Column
		}
		msg := ye.GetMessage()
		var uf *yaml.UnknownFieldError
		var dk *yaml.DuplicateKeyError
		var te *yaml.TypeError
		switch {
		case errors.As(err, &uf):
			name := msg
			if m := reField.FindStringSubmatch(msg); m != nil {
				name = m[1]
			}
			p.Message = fmt.Sprintf("clé inconnue « %s » (faute de frappe ? comparez avec le modèle écrit par init)", name)
		case errors.As(err, &dk):
			p.Message = "clé en double : " + msg
		case errors.As(err, &te):
			p.Message = "type de valeur inattendu : " + msg
		default:
			p.Message = "syntaxe YAML invalide : " + msg
		}
	}
	return p
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Field returns the value of a field by its dotted YAML path, e.g.
// "personne.lieu_naissance.ville", as a string ("" when empty or unknown).
// Lists are joined with ", ".
func (d *Dossier) Field(path string) string {
	v := reflect.ValueOf(d).Elem()
	for _, part := range strings.Split(path, ".") {
		if v.Kind() != reflect.Struct {
			return ""
		}
		found := false
		for i := 0; i < v.NumField(); i++ {
			tag := strings.Split(v.Type().Field(i).Tag.Get("yaml"), ",")[0]
			if tag == part {
				v = v.Field(i)
				found = true
				break
			}
		}
		if !found {
			return ""
		}
	}
	switch v.Kind() {
	case reflect.String:
		return strings.TrimSpace(v.String())
	case reflect.Slice:
		var parts []string
		for i := 0; i < v.Len(); i++ {
			if s := strings.TrimSpace(fmt.Sprint(v.Index(i).Interface())); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case reflect.Int:
		if v.Int() == 0 {
			return ""
		}
		return fmt.Sprint(v.Int())
	case reflect.Bool:
		if v.Bool() {
			return "oui"
		}
		return ""
	}
	return ""
}

// HasField tells whether path names a field of dossier.yaml.
func HasField(path string) bool {
	t := reflect.TypeOf(Dossier{})
	for _, part := range strings.Split(path, ".") {
		if t.Kind() != reflect.Struct {
			return false
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			if strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0] == part {
				t = t.Field(i).Type
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// FieldLabels gives the French name of each field, for messages.
var FieldLabels = map[string]string{
	"personne.civilite":                        "civilité de la personne (Madame ou Monsieur)",
	"personne.nom":                             "nom de la personne",
	"personne.prenoms":                         "prénoms",
	"personne.date_naissance":                  "date de naissance",
	"personne.lieu_naissance.ville":            "ville de naissance",
	"personne.lieu_naissance.pays":             "pays de naissance",
	"personne.nationalite":                     "nationalité",
	"personne.numero_etranger":                 "numéro d'étranger (10 chiffres)",
	"personne.numero_demande_anef":             "numéro de la demande ANEF",
	"personne.numero_visa":                     "numéro de visa",
	"personne.adresse":                         "adresse postale de la personne",
	"personne.telephone":                       "téléphone de la personne",
	"personne.courriel":                        "courriel de la personne",
	"procedure.titre":                          "titre de séjour demandé",
	"procedure.motif":                          "motif de la demande",
	"procedure.nature":                         "nature de la demande (première demande ou renouvellement)",
	"procedure.date_expiration_titre":          "date d'expiration du titre actuel",
	"procedure.date_depot":                     "date du dépôt complet",
	"procedure.accuse_reception_sans_mentions": "accusé de réception sans les mentions des voies et délais de recours",
	"procedure.protection_internationale":      "réfugié ou bénéficiaire de la protection subsidiaire",
	"prefecture.departement":                   "département de la préfecture",
	"prefecture.nom":                           "nom de la préfecture",
	"prefecture.service":                       "service de la préfecture",
	"prefecture.arrondissement":                "arrondissement",
	"prefecture.adresse":                       "adresse postale de la préfecture",
	"prefecture.ville":                         "ville de la préfecture",
	"prefecture.courriels":                     "courriel(s) de la préfecture",
	"prefecture.canal_propre":                  "canal propre de la préfecture",
	"prefecture.civilite_prefet":               "civilité du préfet ou de la préfète (Madame ou Monsieur), si elle est connue",
	"representant.qualite":                     "qualité de qui agit",
	"representant.civilite":                    "civilité du signataire (Madame ou Monsieur)",
	"representant.nom":                         "nom du signataire",
	"representant.structure":                   "cabinet ou association",
	"representant.barreau":                     "barreau de l'avocat",
	"representant.adresse":                     "adresse du signataire",
	"representant.telephone":                   "téléphone du signataire",
	"representant.courriel":                    "courriel du signataire",
	"representant.ville":                       "ville de signature",
	"blocage.description":                      "description du blocage",
	"blocage.message_erreur":                   "message d'erreur exact de l'ANEF",
	"blocage.url":                              "adresse (URL) de la page bloquée",
	"blocage.depuis":                           "date du premier constat",
}

// Label returns the French label of a field path.
func Label(path string) string {
	if strings.Contains(path, " ou ") {
		var ls []string
		for _, p := range strings.Split(path, " ou ") {
			ls = append(ls, Label(p))
		}
		return strings.Join(ls, " ou ")
	}
	if l, ok := FieldLabels[path]; ok {
		return l
	}
	return path
}

var (
	reForeignerNo = regexp.MustCompile(`^[0-9]{10}$`)
	rePhone       = regexp.MustCompile(`^(\+33 ?[1-9]|0[1-9])([ .-]?[0-9]{2}){4}$|^\+[1-9][0-9 .-]{6,18}$|^0 ?8[0-9]{2}( ?[0-9]{3}){2}$`)
)

// Validate checks the format of every filled field (dates, the 10-digit
// foreigner number, e-mails, phones, enumerations) and returns the problems
// with their line and column in file when known. Empty fields are not
// problems here: see [Protocol.MissingFields].
func (d *Dossier) Validate(file *ast.File) []Problem {
	var ps []Problem
	add := func(field, msg string) {
		p := Problem{Field: field, Message: msg}
		p.Line, p.Column = position(file, field)
		ps = append(ps, p)
	}
	dates := []string{"personne.date_naissance", "procedure.date_expiration_titre", "procedure.date_depot", "blocage.depuis"}
	for _, f := range dates {
		if v := d.Field(f); v != "" {
			if _, _, err := ParseDate(v); err != nil {
				add(f, err.Error())
			}
		}
	}
	if v := strings.ReplaceAll(d.Person.ForeignerNo, " ", ""); v != "" && !reForeignerNo.MatchString(v) {
		add("personne.numero_etranger", fmt.Sprintf("« %s » n'est pas un numéro d'étranger : 10 chiffres attendus", d.Person.ForeignerNo))
	}
	for _, f := range []string{"personne.courriel", "representant.courriel"} {
		if v := d.Field(f); v != "" {
			if err := checkEmail(v); err != nil {
				add(f, err.Error())
			}
		}
	}
	for i, e := range d.Prefecture.Emails {
		if err := checkEmail(e); err != nil {
			p := Problem{Field: fmt.Sprintf("prefecture.courriels[%d]", i), Message: err.Error()}
			p.Line, p.Column = position(file, fmt.Sprintf("prefecture.courriels[%d]", i))
			ps = append(ps, p)
		}
	}
	for _, f := range []string{"personne.telephone", "representant.telephone"} {
		if v := d.Field(f); v != "" && !rePhone.MatchString(strings.TrimSpace(v)) {
			add(f, fmt.Sprintf("« %s » n'est pas un numéro de téléphone (ex. 06 12 34 56 78 ou +33 6 12 34 56 78)", v))
		}
	}
	if v := d.Procedure.Nature; v != "" && v != "premiere-demande" && v != "renouvellement" {
		add("procedure.nature", fmt.Sprintf("« %s » inconnu : premiere-demande ou renouvellement", v))
	}
	if v := d.Actor.Capacity; v != "" && v != "personne" && v != "avocat" && v != "association" {
		add("representant.qualite", fmt.Sprintf("« %s » inconnu : personne, avocat ou association", v))
	}
	for _, f := range []string{"personne.civilite", "representant.civilite", "prefecture.civilite_prefet"} {
		if v := d.Field(f); v != "" && v != "Madame" && v != "Monsieur" {
			add(f, fmt.Sprintf("« %s » inconnu : Madame ou Monsieur", v))
		}
	}
	if d.Procedure.SilenceDays < 0 {
		add("procedure.delai_silence_jours", "délai négatif")
	}
	for _, v := range SplitLines(d.Blockage.URL) {
		if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			add("blocage.url", fmt.Sprintf("« %s » n'est pas une adresse web (http:// ou https://)", v))
		}
	}
	// Control characters (NUL, ESC, bidi overrides) have no place in a
	// letter: they would reach the PDFs neutralised as [U+001B] and could
	// hide or reorder text (review 1, low 13).
	hiddenFields(reflect.ValueOf(d).Elem(), "", func(field, v string) {
		add(field, fmt.Sprintf("caractère de contrôle invisible dans « %s » : supprimez-le (il apparaîtrait ainsi dans les courriers)", Clip(Neutralize(v), 200)))
	})
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	return ps
}

// hiddenFields calls found for each string of v (a struct of dossier.yaml,
// fields named by their yaml path) that holds a character [Neutralize]
// would replace.
func hiddenFields(v reflect.Value, prefix string, found func(field, v string)) {
	switch v.Kind() {
	case reflect.String:
		if HasHidden(v.String()) {
			found(prefix, v.String())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			hiddenFields(v.Index(i), fmt.Sprintf("%s[%d]", prefix, i), found)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			tag := strings.Split(v.Type().Field(i).Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" || !v.Type().Field(i).IsExported() {
				continue
			}
			name := tag
			if prefix != "" {
				name = prefix + "." + tag
			}
			hiddenFields(v.Field(i), name, found)
		}
	}
}

func checkEmail(v string) error {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != strings.TrimSpace(v) || strings.ContainsAny(v, "\r\n") || !strings.Contains(a.Address[strings.LastIndexByte(a.Address, '@'):], ".") {
		return fmt.Errorf("« %s » n'est pas une adresse de courriel valide", v)
	}
	return nil
}

// position finds the line and column of a dotted field in the YAML file.
func position(file *ast.File, field string) (int, int) {
	if file == nil {
		return 0, 0
	}
	p, err := yaml.PathString("$." + field)
	if err != nil {
		return 0, 0
	}
	n, err := p.FilterFile(file)
	if err != nil || n == nil {
		return 0, 0
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// SplitLines splits a multi-line field written with "|" or newlines.
func SplitLines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '\n' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
