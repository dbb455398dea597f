// Command gen writes the fictitious example case examples/cas-exemple: a
// filled dossier.yaml (no real person, no real préfecture address), pieces
// (bannered screenshots with their evidence records, imported captures, a PDF,
// two e-mails) and a journal with a valid hash chain walking the whole
// bug-technique protocol, all on a fixed clock.
//
//	go run ./examples/gen examples/cas-exemple
//
// The output is committed; tests copy it to a temporary folder.
package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-fonts/liberation/liberationsansbold"
	"github.com/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"anefdossier/capture"
	"anefdossier/protocol"
)

const dossierYAML = `# Dossier FICTIF d'exemple : personne, préfecture, avocat et adresses sont inventés.
# Ne pas utiliser tel quel. Les adresses de courriel sont en .example (RFC 2606),
# le téléphone dans la plage réservée à la fiction (01 99 00 xx xx).
protocole: bug-technique

personne:
  nom: "EXEMPLE"
  prenoms: "Awa Fictive"
  date_naissance: "1994-05-14"
  lieu_naissance:
    ville: "Villefictive"
    pays: "Pays imaginaire"
  nationalite: "imaginaire (exemple)"
  numero_etranger: "9900000001"
  numero_demande_anef: ""
  numero_visa: ""
  adresse: "12 rue des Exemples | 99000 Exempleville (adresse fictive)"
  telephone: "01 99 00 12 34"
  courriel: "awa.exemple@courriel.example"

procedure:
  titre: "carte de séjour pluriannuelle « passeport talent » (exemple)"
  motif: "chercheur"
  nature: "renouvellement"
  date_expiration_titre: "2026-05-31"
  date_depot: ""
  delai_silence_jours: 0
  voies_recours_mentionnees: false

prefecture:
  departement: "99"
  nom: "Préfecture de l'Exemple (fictive)"
  service: "Service des titres de séjour — adresse d'exemple"
  arrondissement: ""
  adresse: "1 place de l'Exemple | 99000 Exempleville (adresse fictive, exemple)"
  ville: "Exempleville"
  courriels: ["titres-sejour@prefecture-fictive.example"]
  canal_propre: ""

representant:
  qualite: avocat
  nom: "Camille FICTIF"
  structure: "Cabinet d'exemple (fictif)"
  barreau: "Exempleville"
  adresse: "3 avenue de la Fiction | 99000 Exempleville (adresse fictive)"
  telephone: "01 99 00 56 78"
  courriel: "cabinet@avocat-fictif.example"
  ville: "Exempleville"

blocage:
  description: "Le dépôt de la demande de renouvellement est refusé à la dernière étape : l'ANEF indique que le titre précédent n'a pas été retiré, alors qu'il l'a été."
  message_erreur: "Votre demande ne peut aboutir : le titre précédent n'a pas été retiré."
  url: "https://administration-etrangers-en-france.interieur.gouv.fr/particuliers/#/espace-personnel/mon-compte"
  depuis: "2026-03-10"

horodatage:
  autorites: []
  racine: ""
`

const anefURL = "https://administration-etrangers-en-france.interieur.gouv.fr/particuliers/#/espace-personnel/mon-compte"

func paris(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, protocol.Paris)
	if err != nil {
		panic(err)
	}
	return t
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage : go run ./examples/gen DOSSIER")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gen :", err)
		os.Exit(1)
	}
	// The lock file is runtime state, not part of the example.
	os.Remove(filepath.Join(os.Args[1], protocol.LockFile))
}

var clock time.Time

func at(s string) { clock = paris(s) }

func run(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	protocol.Now = func() time.Time { return clock }
	protocol.ToolVersion = "anef-dossier (exemple)"
	at("2026-03-09 18:00")
	cs, err := protocol.Init(dir, "bug-technique", nil)
	if err != nil {
		return err
	}
	if err := os.WriteFile(cs.Path(protocol.DossierFile), []byte(dossierYAML), protocol.FileMode); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	tx, err := cs.Begin(context.Background())
	if err != nil {
		return err
	}
	defer tx.Close()

	// Three captures of the blockage, one week apart (CE 10 June 2020, n°435594).
	for i, when := range []string{"2026-03-10 10:15", "2026-03-17 09:40", "2026-03-24 14:05"} {
		at(when)
		if err := addCapture(tx, i+1, when, 1366, 2300+400*i); err != nil {
			return err
		}
	}
	// The CCC contact form and its automatic reply, captured on a phone.
	at("2026-03-11 09:30")
	formPNG := screen(900, 1500, "Nous contacter — message envoyé", []string{
		"Votre message a bien été transmis.",
		"Objet : dépôt impossible, titre précédent indiqué comme non retiré",
		"Réponse automatique : votre demande sera traitée dans les meilleurs délais.",
	})
	if _, err := imported(tx, tmp, "formulaire-ccc", "formulaire.png", formPNG, paris("2026-03-11 09:25"), ""); err != nil {
		return err
	}
	// The e-mail to the ANEF support, as sent (UTF-8, quoted-printable).
	at("2026-03-11 09:45")
	if _, err := imported(tx, tmp, "courriel", "courriel-support.eml", []byte(mailToSupport), paris("2026-03-11 09:42"), ""); err != nil {
		return err
	}
	// The support's answer (ISO-8859-1, base64) with the reference.
	at("2026-03-12 16:10")
	if _, err := imported(tx, tmp, "reponse-ccc", "reponse-support.eml", []byte(mailFromSupport()), paris("2026-03-12 16:02"), ""); err != nil {
		return err
	}
	// The call log.
	at("2026-03-13 11:20")
	callPNG := screen(720, 1280, "Journal d'appels", []string{
		"0 806 001 620 — 13/03/2026 10:52 — durée 18 min 40 s",
	})
	if _, err := imported(tx, tmp, "journal-appels", "appels.png", callPNG, paris("2026-03-13 11:15"), ""); err != nil {
		return err
	}
	// The LRAR deposit receipt, as a PDF.
	at("2026-03-26 17:30")
	if _, err := imported(tx, tmp, "preuve-depot", "preuve-depot-lrar.pdf", minimalPDF([]string{
		"Preuve de depot - lettre recommandee avec avis de reception (EXEMPLE FICTIF)",
		"Numero : 1A 999 999 9999 9",
		"Date de depot : 26/03/2026",
		"Destinataire : Prefecture de l'Exemple (fictive)",
	}), paris("2026-03-26 11:05"), ""); err != nil {
		return err
	}

	steps := []struct {
		when string
		rec  protocol.StepRecord
	}{
		{"2026-03-11 10:00", protocol.StepRecord{Step: "ccc", Channel: "formulaire", Date: day("2026-03-11"), Pieces: []int{4}}},
		{"2026-03-11 10:01", protocol.StepRecord{Step: "ccc", Channel: "courriel", Ref: "DGEF-2026-031100427", Date: day("2026-03-11"), Pieces: []int{5, 6}}},
		{"2026-03-13 11:30", protocol.StepRecord{Step: "ccc", Channel: "telephone", Ref: "DGEF-2026-031100427", Date: day("2026-03-13"), Pieces: []int{7},
			Fields: map[string]string{"reponse": "l'anomalie est connue ; le dépôt en ligne est impossible pour le moment, il faut s'adresser à la préfecture", "impossibilite": "oui"}}},
		{"2026-03-19 15:00", protocol.StepRecord{Step: "pan", Date: day("2026-03-19"),
			Fields: map[string]string{"lieu": "point d'accueil numérique de la sous-préfecture d'exemple (fictif)", "resultat": "même message d'erreur constaté avec l'agent"}}},
		{"2026-03-26 17:35", protocol.StepRecord{Step: "prefecture", Channel: "lrar", Ref: "1A 999 999 9999 9", Date: day("2026-03-26"), Pieces: []int{8}}},
		{"2026-03-26 17:40", protocol.StepRecord{Step: "prefecture", Channel: "courriel", Date: day("2026-03-26")}},
		{"2026-03-30 09:00", protocol.StepRecord{Step: "prefecture", Channel: "accuse-reception", Date: day("2026-03-28")}},
		{"2026-05-04 09:00", protocol.StepRecord{Step: "issue", Channel: "sans-reponse"}},
	}
	for _, s := range steps {
		at(s.when)
		r := s.rec
		if _, _, err := tx.RecordStep(&r); err != nil {
			return fmt.Errorf("%s/%s : %w", r.Step, r.Channel, err)
		}
	}
	return nil
}

func day(s string) *time.Time {
	t, _, err := protocol.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &t
}

func imported(tx *protocol.Tx, tmp, kind, name string, data []byte, date time.Time, title string) (protocol.Piece, error) {
	src := filepath.Join(tmp, name)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		return protocol.Piece{}, err
	}
	ext, err := protocol.CheckImport(src)
	if err != nil {
		return protocol.Piece{}, err
	}
	p, _, err := tx.AddPiece(protocol.NewPiece{Kind: kind, Title: title, Date: date, DateHasTime: true,
		Provenance: protocol.ProvenanceImported, OriginalName: name,
		Files: []protocol.NewFile{{Role: protocol.RolePiece, Ext: ext, Src: src}}})
	return p, err
}

func addCapture(tx *protocol.Tx, n int, when string, w, h int) error {
	shot := paris(when)
	lines := []string{
		"Mon espace personnel — Demande de renouvellement",
		"Étape 6 / 6 : validation",
		"",
		"Votre demande ne peut aboutir : le titre précédent n'a pas été retiré.",
		"",
		fmt.Sprintf("Tentative n°%d (page d'exemple générée pour le cas fictif)", n),
	}
	raw := screen(w, h, "ANEF — Administration numérique pour les étrangers en France", lines)
	// The strip is the one real captures get, drawn by the capture package.
	b, err := capture.ComposeBanner(raw, capture.BannerInfo{URL: anefURL, Shot: shot, Piece: tx.NextPieceNumber()})
	if err != nil {
		return err
	}
	bannered := b.PNG
	found := true
	rec := protocol.CaptureRecord{
		Tool: "anef-dossier (exemple)", Mode: protocol.ModeHeadless, URLRequested: anefURL, FinalURL: anefURL,
		PageTitle: "Mon espace personnel - ANEF", Status: 200, StatusText: "OK", ServerIP: "192.0.2.10", ServerPort: 443,
		Protocol: "h2", TLS: &protocol.TLSInfo{Protocol: "TLS 1.3", Cipher: "AES_128_GCM", Subject: "CN=administration-etrangers-en-france.interieur.gouv.fr",
			Issuer: "CN=Autorité de certification d'exemple, O=Exemple (fictif), C=FR", SAN: []string{"administration-etrangers-en-france.interieur.gouv.fr"},
			ValidFrom: paris("2026-01-01 00:00").UTC(), ValidTo: paris("2027-01-01 00:00").UTC()},
		Started: shot.Add(-3 * time.Second).UTC(), Loaded: shot.Add(-time.Second).UTC(), Shot: shot.UTC(), ClockSource: "horloge système (exemple)",
		Hashes:     protocol.CaptureHashes{Raw: protocol.HashBytes(raw), Bannered: protocol.HashBytes(bannered)},
		Browser:    protocol.BrowserInfo{Name: "Chromium", Version: "156.0 (exemple)", UserAgent: "Mozilla/5.0 (exemple)", Width: w, Height: h, Scale: 1, FullPage: true, FreshProfile: true},
		Machine:    protocol.MachineInfo{OS: "linux/amd64", Hostname: "poste-exemple", Proxy: "aucun"},
		ExpectText: "titre précédent n'a pas été retiré", ExpectFound: &found,
	}
	// Stored as the capture command stores a capture (no MHTML, no served
	// document: the page is drawn).
	_, err = tx.AddCapture(protocol.NewCapture{Record: &rec, Bannered: bannered, Raw: raw})
	return err
}

var (
	faceReg  = mustFace(liberationsansregular.TTF, 22)
	faceBold = mustFace(liberationsansbold.TTF, 26)
)

func mustFace(ttf []byte, size float64) font.Face {
	f, err := opentype.Parse(ttf)
	if err != nil {
		panic(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err)
	}
	return face
}

// screen draws an opaque RGB page imitation: a title bar, some lines and an
// error box, as Chromium would have shot it (no banner).
func screen(w, h int, title string, lines []string) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{246, 246, 246, 255}), image.Point{}, draw.Src)
	y := 0
	draw.Draw(img, image.Rect(0, y, w, y+90), image.NewUniform(color.RGBA{0, 0, 145, 255}), image.Point{}, draw.Src)
	text(img, faceBold, 30, y+56, title, color.White)
	y += 150
	for _, l := range lines {
		if strings.Contains(l, "ne peut aboutir") {
			draw.Draw(img, image.Rect(24, y-34, w-24, y+20), image.NewUniform(color.RGBA{255, 233, 233, 255}), image.Point{}, draw.Src)
			text(img, faceBold, 40, y, l, color.RGBA{206, 5, 0, 255})
		} else {
			text(img, faceReg, 40, y, l, color.RGBA{30, 30, 30, 255})
		}
		y += 60
	}
	// Grey placeholder blocks down the page, as on a long form.
	for yy := y + 40; yy < h-80; yy += 140 {
		draw.Draw(img, image.Rect(40, yy, w-40, yy+90), image.NewUniform(color.RGBA{225, 228, 235, 255}), image.Point{}, draw.Src)
		text(img, faceReg, 60, yy+55, fmt.Sprintf("Rubrique du formulaire (exemple) — ligne %d", (yy-y)/140+1), color.RGBA{90, 90, 90, 255})
	}
	// Drop the alpha channel: an opaque RGB PNG, embedded as is in PDFs.
	rgb := image.NewNRGBA(img.Bounds())
	draw.Draw(rgb, rgb.Bounds(), img, image.Point{}, draw.Src)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, opaque{rgb}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// opaque hides the image's alpha so that image/png writes an RGB PNG.
type opaque struct{ *image.NRGBA }

func (o opaque) Opaque() bool { return true }

func text(img draw.Image, face font.Face, x, y int, s string, c color.Color) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

const mailToSupport = "From: =?utf-8?q?Awa_Fictive_EXEMPLE?= <awa.exemple@courriel.example>\r\n" +
	"To: dgef-support@interieur.gouv.fr\r\n" +
	"Subject: =?utf-8?q?D=C3=A9p=C3=B4t_impossible_sur_l=27ANEF_=E2=80=94_titre_pr=C3=A9c=C3=A9dent_indiqu=C3=A9_comme_non_retir=C3=A9?=\r\n" +
	"Date: Wed, 11 Mar 2026 09:42:00 +0100\r\n" +
	"Message-ID: <exemple-1@courriel.example>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Bonjour,\r\n\r\n" +
	"Je ne peux pas d=C3=A9poser ma demande de renouvellement : =C3=A0 la derni=C3=\r\n" +
	"=A8re =C3=A9tape, l'ANEF affiche =C2=AB Votre demande ne peut aboutir : le ti=\r\n" +
	"tre pr=C3=A9c=C3=A9dent n'a pas =C3=A9t=C3=A9 retir=C3=A9. =C2=BB, alors que=\r\n" +
	" je l'ai retir=C3=A9.\r\n\r\n" +
	"Num=C3=A9ro d'=C3=A9tranger : 9900000001 (dossier fictif d'exemple).\r\n\r\n" +
	"Cordialement,\r\nAwa Fictive EXEMPLE\r\n"

func mailFromSupport() string {
	// ISO-8859-1 body, base64: "Bonjour, ... référence ..." in Latin-1 bytes.
	body := "Bonjour,\r\n\r\nNous accusons réception de votre message, enregistré sous la référence DGEF-2026-031100427.\r\n" +
		"L'anomalie signalée est connue de nos services ; le dépôt en ligne n'est pas possible à ce jour.\r\n" +
		"Nous vous invitons à vous rapprocher de votre préfecture.\r\n\r\nLe Centre de contact citoyen (réponse fictive d'exemple)\r\n"
	latin := make([]byte, 0, len(body))
	for _, r := range body {
		latin = append(latin, byte(r))
	}
	var b64 strings.Builder
	enc := make([]byte, 0)
	enc = append(enc, []byte(base64Encode(latin))...)
	for i := 0; i < len(enc); i += 76 {
		j := i + 76
		if j > len(enc) {
			j = len(enc)
		}
		b64.Write(enc[i:j])
		b64.WriteString("\r\n")
	}
	return "From: Support ANEF <dgef-support@interieur.gouv.fr>\r\n" +
		"To: awa.exemple@courriel.example\r\n" +
		"Subject: =?iso-8859-1?q?R=E9f=2E_DGEF-2026-031100427_=3A_votre_demande?=\r\n" +
		"Date: Thu, 12 Mar 2026 16:02:00 +0100\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"limite-exemple\"\r\n" +
		"\r\n" +
		"--limite-exemple\r\n" +
		"Content-Type: text/plain; charset=ISO-8859-1\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" + b64.String() +
		"--limite-exemple--\r\n"
}
