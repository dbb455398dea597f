package render

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"anefdossier/protocol"
)

// Limits of an imported piece that a render must be able to draw.
const (
	// MaxImagePixels bounds an imported image (80 Mpx: a 108 Mpx phone
	// photo is refused, with a hint to reduce it; a full-page capture is at
	// most 1920 × 30000 = 58 Mpx). Decoding takes 4 bytes per pixel.
	MaxImagePixels = 80_000_000
	// MaxTextPiece bounds an imported text or e-mail (rendered as text in
	// the dossier: a 300 MB .txt took minutes and gigabytes).
	MaxTextPiece = 20 << 20
	// MaxPDFPiece bounds an imported PDF (read whole by pdfcpu).
	MaxPDFPiece = 200 << 20
)

// PieceError is a file refused for import because a render could not draw
// it, with a hint in French.
type PieceError struct {
	Msg  string
	Hint string
}

func (e *PieceError) Error() string { return e.Msg }

// ErrUnreadablePiece is matched by errors.Is for every *PieceError.
var ErrUnreadablePiece = errors.New("pièce illisible")

func (e *PieceError) Is(target error) bool { return target == ErrUnreadablePiece }

// CheckPiece reads an outside file fully, as the renders will, before
// anything is stored (review 1, H3): a PDF pdfcpu cannot read or that asks
// for a password, an image that does not decode or is too large, an e-mail
// that does not parse. ext is the extension protocol.CheckImport returned.
// name is how the file is called in messages.
func CheckPiece(path, name, ext string) error {
	f, st, err := protocol.OpenUserFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	switch ext {
	case ".pdf":
		if st.Size() > MaxPDFPiece {
			return &PieceError{fmt.Sprintf("%s : PDF de %s, au-delà de %s", name, protocol.HumanSize(st.Size()), protocol.HumanSize(MaxPDFPiece)),
				"découpez le document (qpdf --split-pages) et importez les parties utiles"}
		}
		data, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		return checkImportPDF(data, name)
	case ".png", ".jpg":
		return checkImage(f, name, ext, MaxImagePixels)
	case ".eml", ".txt", ".mhtml":
		if st.Size() > MaxTextPiece {
			return &PieceError{fmt.Sprintf("%s : %s, au-delà de %s pour un texte ou un courriel", name, protocol.HumanSize(st.Size()), protocol.HumanSize(MaxTextPiece)),
				"importez seulement la partie utile, ou un PDF du document"}
		}
		if ext == ".eml" {
			data, err := io.ReadAll(f)
			if err != nil {
				return err
			}
			if _, err := parseMail(data); err != nil {
				return &PieceError{fmt.Sprintf("%s n'est pas un courriel lisible : %v", name, err),
					"enregistrez le message depuis votre messagerie avec « Enregistrer sous… » au format .eml"}
			}
		}
	}
	return nil
}

// checkPDF runs what render dossier and render telerecours run on an imported
// PDF: read, validate, count the pages and stamp them.
func checkImportPDF(data []byte, name string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PieceError{fmt.Sprintf("%s : PDF illisible (structure invalide)", name), "ouvrez-le et imprimez-le en PDF (« Imprimer » → « Enregistrer au format PDF »), puis importez cette copie"}
		}
	}()
	var n int
	ctx, perr := readPDF(bytes.NewReader(data))
	if perr == nil {
		n = ctx.PageCount
	}
	if perr == nil && n == 0 {
		perr = errors.New("aucune page")
	}
	if perr == nil {
		_, perr = stamped(data, 1, 1, n)
	}
	if perr == nil {
		return nil
	}
	m := strings.ToLower(perr.Error())
	if strings.Contains(m, "password") || strings.Contains(m, "encrypt") {
		return &PieceError{fmt.Sprintf("%s : PDF protégé par un mot de passe (chiffré) : il ne peut pas être joint au dossier", name),
			"retirez le mot de passe : qpdf --decrypt --password=MOTDEPASSE " + name + " copie.pdf, ou ouvrez-le avec le mot de passe et « Imprimer » → « Enregistrer au format PDF »"}
	}
	return &PieceError{fmt.Sprintf("%s : PDF illisible (%s)", name, pdfReason(m)),
		"ouvrez-le et imprimez-le en PDF (« Imprimer » → « Enregistrer au format PDF »), puis importez cette copie"}
}

// pdfReason gives a short French reason for a pdfcpu error.
func pdfReason(m string) string {
	switch {
	case strings.Contains(m, "root"):
		return "catalogue du document absent"
	case strings.Contains(m, "parent"), strings.Contains(m, "page tree"), strings.Contains(m, "pages"):
		return "arbre des pages invalide"
	case strings.Contains(m, "xref"):
		return "table des objets invalide"
	case strings.Contains(m, "aucune page"):
		return "aucune page"
	}
	return "structure invalide"
}

// checkImage checks the size in pixels before decoding, then decodes the
// whole image: a truncated or corrupt stream is refused now, not found at
// render time as a blank box or an error.
func checkImage(f io.ReadSeeker, name, ext string, maxPixels int64) error {
	br := bufio.NewReader(f)
	cfg, _, err := image.DecodeConfig(br)
	if err != nil {
		return &PieceError{fmt.Sprintf("%s : image illisible (en-tête invalide)", name), "ouvrez-la et enregistrez-la de nouveau en PNG ou JPEG"}
	}
	if px := int64(cfg.Width) * int64(cfg.Height); cfg.Width <= 0 || cfg.Height <= 0 || px > maxPixels {
		return &PieceError{fmt.Sprintf("%s : image de %d × %d pixels, au-delà de %d millions de pixels", name, cfg.Width, cfg.Height, maxPixels/1_000_000),
			"réduisez sa taille (par exemple à 4000 pixels de large) avant de l'importer"}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	br.Reset(f)
	if ext == ".png" {
		_, err = png.Decode(br)
	} else {
		_, err = jpeg.Decode(br)
	}
	if err != nil {
		return &PieceError{fmt.Sprintf("%s : image tronquée ou corrompue (%s)", name, imageReason(err)), "ouvrez-la et enregistrez-la de nouveau en PNG ou JPEG, ou importez l'original"}
	}
	return nil
}

func imageReason(err error) string {
	m := err.Error()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(m, "EOF"):
		return "fin de fichier inattendue"
	case strings.Contains(m, "zlib"), strings.Contains(m, "flate"):
		return "données compressées invalides"
	case strings.Contains(m, "checksum"):
		return "somme de contrôle fausse"
	}
	return "données invalides"
}
