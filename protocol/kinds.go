package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
)

// Kind is a kind of piece, with the French words the inventory uses.
type Kind struct {
	ID    string
	Title string // what the piece is, e.g. "Capture d'écran"
}

// Kinds are the known kinds of pieces.
var Kinds = []Kind{
	{"capture", "Capture d'écran"},
	{"courriel", "Courriel"},
	{"formulaire-ccc", "Capture du formulaire « Nous contacter » et des réponses automatiques"},
	{"reponse-ccc", "Réponse du Centre de contact citoyen"},
	{"journal-appels", "Capture du journal d'appels"},
	{"lettre", "Lettre"},
	{"lettre-envoyee", "Copie de la lettre envoyée"},
	{"preuve-depot", "Preuve de dépôt de la lettre recommandée"},
	{"accuse-reception", "Avis de réception de la lettre recommandée"},
	{"attestation", "Attestation"},
	{"decision", "Décision de l'administration"},
	{"titre", "Titre de séjour ou récépissé"},
	{"notification", "Notification de l'ANEF"},
	{"document", "Document"},
	{"image", "Image"},
	{"autre", "Pièce"},
}

// KindByID returns the kind with that id, or nil.
func KindByID(id string) *Kind {
	for i := range Kinds {
		if Kinds[i].ID == id {
			return &Kinds[i]
		}
	}
	return nil
}

// KindIDs lists the kind ids, for messages.
func KindIDs() string {
	ids := make([]string, len(Kinds))
	for i, k := range Kinds {
		ids[i] = k.ID
	}
	return strings.Join(ids, ", ")
}

// Accepted extensions of imported pieces, and their magic numbers.
var importFormats = map[string][][]byte{
	".png":   {[]byte("\x89PNG\r\n\x1a\n")},
	".jpg":   {[]byte("\xff\xd8\xff")},
	".jpeg":  {[]byte("\xff\xd8\xff")},
	".pdf":   {[]byte("%PDF-")},
	".eml":   nil,
	".txt":   nil,
	".mhtml": nil,
}

// accessError is a file the user cannot read (matched by
// errors.Is(err, fs.ErrPermission)), said in French.
type accessError struct{ path string }

func (e *accessError) Error() string {
	return fmt.Sprintf("fichier %s illisible : accès refusé (droits de lecture)", e.path)
}
func (e *accessError) Is(target error) bool { return target == fs.ErrPermission }

// GuessKind proposes a kind from a file name.
func GuessKind(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".eml":
		return "courriel"
	case ".pdf":
		return "document"
	case ".png", ".jpg", ".jpeg":
		return "image"
	}
	return "autre"
}

// CheckImport checks that a file to import is a regular file of a known
// format whose content matches its extension (a corrupt PNG, PDF or e-mail
// is refused now rather than discovered at render time). It returns the
// normalised extension.
func CheckImport(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("fichier %s introuvable ou illisible : %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s n'est pas un fichier ordinaire (dossier, périphérique ou tube refusés)", path)
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".jpeg" {
		ext = ".jpg"
	}
	magics, ok := importFormats[ext]
	if !ok {
		return "", fmt.Errorf("format « %s » non pris en charge (acceptés : png, jpg, pdf, eml, txt, mhtml)", ext)
	}
	if st.Size() == 0 {
		return "", fmt.Errorf("%s est vide", path)
	}
	f, _, err := OpenUserFile(path)
	if errors.Is(err, fs.ErrPermission) {
		return "", &accessError{path}
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if len(magics) > 0 {
		match := false
		for _, m := range magics {
			if bytes.HasPrefix(head, m) {
				match = true
			}
		}
		if !match {
			return "", fmt.Errorf("%s ne contient pas un fichier %s valide (en-tête inattendu : fichier corrompu ou mal nommé)", path, strings.TrimPrefix(ext, "."))
		}
	}
	tail := make([]byte, 2048)
	if st.Size() > int64(len(tail)) {
		f.ReadAt(tail, st.Size()-int64(len(tail)))
	} else {
		tail = head
	}
	switch ext {
	case ".pdf":
		// A PDF cut short has no end-of-file marker.
		if !bytes.Contains(tail, []byte("%%EOF")) {
			return "", fmt.Errorf("%s : PDF tronqué ou corrompu (marqueur de fin absent)", path)
		}
	case ".png":
		if _, err := png.DecodeConfig(bytes.NewReader(head)); err != nil || !bytes.Contains(tail, []byte("IEND")) {
			return "", fmt.Errorf("%s : image PNG tronquée ou corrompue", path)
		}
	case ".jpg":
		if !bytes.HasSuffix(bytes.TrimRight(tail, "\x00"), []byte{0xff, 0xd9}) {
			return "", fmt.Errorf("%s : image JPEG tronquée ou corrompue", path)
		}
	}
	if ext == ".eml" {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", err
		}
		msg, err := mail.ReadMessage(io.LimitReader(f, 1<<20))
		if err != nil || (msg.Header.Get("From") == "" && msg.Header.Get("Subject") == "" && msg.Header.Get("Date") == "") {
			return "", fmt.Errorf("%s n'est pas un courriel lisible (.eml sans en-têtes From, Subject ou Date)", path)
		}
	}
	return ext, nil
}
