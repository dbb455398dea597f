package protocol

import "time"

// CaptureMode says which browser took a capture.
type CaptureMode string

// Modes of a capture, as recorded in the evidence record and the journal.
const (
	// ModeHeadless is a fresh headless browser started for the capture.
	ModeHeadless CaptureMode = "headless"
	// ModeAttached is the tab shown in the user's own browser.
	ModeAttached CaptureMode = "attached"
)

// CaptureRecord is the evidence record of one capture, stored as the piece's
// ".preuve.json" file (role [RoleEvidence]) beside the screenshots: what a commissaire de
// justice's web constat (norm NF Z67-147) records by hand. Keys are French:
// a lawyer or an expert may read the file as it is.
type CaptureRecord struct {
	Tool         string            `json:"outil"`
	Mode         CaptureMode       `json:"mode"`
	URLRequested string            `json:"url_demandee"`
	FinalURL     string            `json:"url_finale"`
	Redirects    []Redirect        `json:"redirections,omitempty"`
	PageTitle    string            `json:"titre_page,omitempty"`
	Status       int               `json:"statut_http,omitempty"`
	StatusText   string            `json:"statut_texte,omitempty"`
	ServerIP     string            `json:"ip_serveur,omitempty"`
	ServerPort   int               `json:"port_serveur,omitempty"`
	Protocol     string            `json:"protocole,omitempty"`
	TLS          *TLSInfo          `json:"tls,omitempty"`
	Insecure     bool              `json:"certificat_non_verifie,omitempty"`
	Headers      map[string]string `json:"entetes,omitempty"`
	Started      time.Time         `json:"debut"`
	Loaded       time.Time         `json:"chargement"`
	Shot         time.Time         `json:"prise"`
	ClockSource  string            `json:"source_horloge"`
	Hashes       CaptureHashes     `json:"empreintes_sha256"`
	BodySize     int64             `json:"taille_document,omitempty"`
	Browser      BrowserInfo       `json:"navigateur"`
	Machine      MachineInfo       `json:"machine"`
	ExpectText   string            `json:"texte_attendu,omitempty"`
	ExpectFound  *bool             `json:"texte_present,omitempty"`
	// Unrecorded lists, in French, what could not be recorded (e.g. the
	// server's certificate of a page captured in the user's own browser).
	Unrecorded []string `json:"non_enregistre,omitempty"`
	// Notes are remarks of the capture tool, in French (e.g. a wait cut
	// short: the page was captured while requests were still running).
	Notes   []string `json:"remarques,omitempty"`
	Attempt int      `json:"tentative,omitempty"`
	// Consent is the consent banner found on the page and how it was
	// answered before the screenshot (nil: none known was shown).
	Consent *ConsentRecord `json:"consentement,omitempty"`
	// DocumentURL is the address of the document the server sent, kept
	// when the page changed its address afterwards (history.pushState):
	// FinalURL is the address shown at the moment of the screenshot.
	DocumentURL string `json:"url_document,omitempty"`
	// FinalURLUnicode is FinalURL (as the browser gives it, the host in
	// ASCII/punycode) with an internationalised domain in Unicode, when the
	// two forms differ; the banner shows both.
	FinalURLUnicode string `json:"url_finale_unicode,omitempty"`
	// MissingFonts are the font families the page asked for that neither
	// the page nor the machine provided (text drawn with a fallback font).
	MissingFonts []string `json:"polices_absentes,omitempty"`
	// Dialogs are the JavaScript dialogs the page opened (alert, confirm,
	// prompt, beforeunload) and its calls to print(), in order: their text is
	// itself evidence (« session expirée »). Each was dismissed so that the
	// capture could go on.
	Dialogs []DialogRecord `json:"dialogues,omitempty"`
}

// DialogRecord is one dialog a captured page opened.
type DialogRecord struct {
	Type    string    `json:"type"` // alert, confirm, prompt, beforeunload, print
	Message string    `json:"message,omitempty"`
	URL     string    `json:"url,omitempty"` // the page that opened it
	At      time.Time `json:"date"`
	Answer  string    `json:"reponse"` // what the capture answered, in French
}

// ConsentRecord is a consent banner answered (or left) before a capture.
type ConsentRecord struct {
	Manager string    `json:"gestionnaire"`
	Action  string    `json:"action"` // what was clicked or called, in French
	Result  string    `json:"resultat,omitempty"`
	At      time.Time `json:"date"`
}

// Redirect is one hop of a redirect chain.
type Redirect struct {
	URL    string `json:"url"`
	Status int    `json:"statut"`
}

// TLSInfo describes the server's TLS connection and certificate.
type TLSInfo struct {
	Protocol  string    `json:"protocole"`
	Cipher    string    `json:"chiffrement"`
	Subject   string    `json:"sujet"`
	Issuer    string    `json:"emetteur"`
	SAN       []string  `json:"noms,omitempty"`
	ValidFrom time.Time `json:"valide_du"`
	ValidTo   time.Time `json:"valide_au"`
	// Fingerprint is the SHA-256 of the server's certificate (DER), when
	// the browser could give the certificate itself.
	Fingerprint string `json:"empreinte_sha256_certificat,omitempty"`
}

// CaptureHashes are the SHA-256 (hex) of what a capture produced.
type CaptureHashes struct {
	Raw      string `json:"capture_brute"`
	Bannered string `json:"capture_bandeau"`
	MHTML    string `json:"mhtml,omitempty"`
	Body     string `json:"document_recu,omitempty"` // raw bytes of the main document as served
	WARC     string `json:"warc,omitempty"`          // the web archive of the capture (ISO 28500)
}

// BrowserInfo describes the browser used.
type BrowserInfo struct {
	Name         string  `json:"nom"`
	Version      string  `json:"version"`
	UserAgent    string  `json:"user_agent"`
	Width        int     `json:"largeur"`
	Height       int     `json:"hauteur"`
	Scale        float64 `json:"echelle"`
	FullPage     bool    `json:"page_entiere"`
	FreshProfile bool    `json:"profil_vierge"`
}

// MachineInfo describes the machine the capture was taken on.
type MachineInfo struct {
	OS       string `json:"systeme"`
	Hostname string `json:"nom_machine"`
	Proxy    string `json:"proxy"`
}

// CaptureSummary is what a capture's piece.added event carries (the full
// record is in the .json file).
type CaptureSummary struct {
	URL         string      `json:"url"`
	FinalURL    string      `json:"final_url,omitempty"`
	Status      int         `json:"status,omitempty"`
	ServerIP    string      `json:"server_ip,omitempty"`
	TLSIssuer   string      `json:"tls_issuer,omitempty"`
	Mode        CaptureMode `json:"mode"`
	Insecure    bool        `json:"insecure,omitempty"`
	ExpectText  string      `json:"expect_text,omitempty"`
	ExpectFound *bool       `json:"expect_found,omitempty"`
	PageTitle   string      `json:"page_title,omitempty"`
}
