package protocol

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// PieceTitle is the data of a piece.titled event: the inventory title given
// to a piece after its import. The piece's event and files are never
// changed; folding the journal applies the latest title.
type PieceTitle struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
}

// MaxPieceTitle bounds a title given by the user, in characters.
const MaxPieceTitle = 600

// ErrBadTitle is a title refused (empty, several lines, too long).
var ErrBadTitle = errors.New("intitulé refusé")

// TitlePiece gives piece n its inventory title (a piece.titled event).
func (t *Tx) TitlePiece(n int, title string) (Piece, error) {
	title = strings.TrimSpace(title)
	switch {
	case title == "":
		return Piece{}, fmt.Errorf("%w : intitulé vide", ErrBadTitle)
	case strings.ContainsAny(title, "\r\n\x00"):
		return Piece{}, fmt.Errorf("%w : l'intitulé contient un saut de ligne", ErrBadTitle)
	case utf8.RuneCountInString(title) > MaxPieceTitle:
		return Piece{}, fmt.Errorf("%w : intitulé de %d caractères, %d au plus", ErrBadTitle, utf8.RuneCountInString(title), MaxPieceTitle)
	}
	st, _, err := t.State()
	if err != nil {
		return Piece{}, err
	}
	p := st.Piece(n)
	if p == nil {
		return Piece{}, fmt.Errorf("%w : la pièce n°%d n'existe pas (%s)", ErrBadTitle, n, Count(len(st.Pieces), "pièce", "pièces"))
	}
	if _, err := t.Append(EventPieceTitled, PieceTitle{Number: n, Title: title}); err != nil {
		return Piece{}, err
	}
	out := *p
	out.Title = title
	return out, nil
}

// explicitKinds are the kinds whose generated inventory title says what the
// piece shows without the user's words: the proofs of a letter's sending
// (named after the letter and its number), the copy of a letter sent, the
// capture of the CCC's « Nous contacter » form and its automatic answers. A
// call log is not one of them: its title should say whether the call was
// answered (legal review 1, section 6.7).
var explicitKinds = map[string]bool{
	"preuve-depot": true, "accuse-reception": true, "lettre-envoyee": true, "formulaire-ccc": true,
}

// NeedsTitle tells whether a piece lacks the explicit title the inventory
// needs (art. R.412-2 al. 2 CJA: « un libellé suffisamment explicite »):
// a piece imported without a title, other than an e-mail (titled from its
// own subject, sender and recipient) or a proof of sending. The tool's own
// captures are titled from their evidence record (address, page title,
// message found). A piece set aside is in no document: it needs none.
func (p *Piece) NeedsTitle() bool {
	if strings.TrimSpace(p.Title) != "" || p.Provenance != ProvenanceImported || explicitKinds[p.Kind] || p.SetAside != nil {
		return false
	}
	return strings.ToLower(filepath.Ext(p.Main().Path)) != ".eml"
}

// UntitledPieces lists the pieces that need an explicit title.
func (s *State) UntitledPieces() []*Piece {
	var out []*Piece
	for i := range s.Pieces {
		if s.Pieces[i].NeedsTitle() {
			out = append(out, &s.Pieces[i])
		}
	}
	return out
}

// TitleCommand is the command that gives piece n a title.
func TitleCommand(n int) string {
	return fmt.Sprintf(`anef-dossier piece title %d "ce que la pièce montre"`, n)
}

// UntitledReason says, in French, which pieces need a title and why; ""
// when none does. The web interface follows it with links to the pieces.
func (s *State) UntitledReason() string {
	ps := s.UntitledPieces()
	if len(ps) == 0 {
		return ""
	}
	nums := make([]string, len(ps))
	for i, p := range ps {
		nums[i] = fmt.Sprintf("n°%d", p.Number)
	}
	return fmt.Sprintf("%s sans intitulé qui dise ce qu'elle%s montre%s (%s) : l'inventaire remis au juge doit désigner chaque pièce par un libellé suffisamment explicite (art. R.412-2 al. 2 CJA).",
		Count(len(ps), "pièce importée", "pièces importées"), plural(len(ps), "", "s"), plural(len(ps), "", "nt"), strings.Join(nums, ", "))
}

// UntitledWarning is [State.UntitledReason] followed by the command that
// gives a title; "" when no piece needs one.
func (s *State) UntitledWarning() string {
	ps := s.UntitledPieces()
	if len(ps) == 0 {
		return ""
	}
	w := s.UntitledReason() + fmt.Sprintf(" %s un intitulé, par exemple : %s", plural(len(ps), "Donnez-lui", "Donnez-leur"), TitleCommand(ps[0].Number))
	if len(ps) > 1 {
		w += " (de même pour chacune)"
	}
	return w + "."
}

func plural(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

// TitleCopyAdvice advises, in French, to import a copy of the residence
// document held when dossier.yaml gives its expiry date and no piece of
// kind « titre » is in the case (legal review 1, m14: the copy proves the
// expiry date and the foreigner number); "" otherwise.
func (s *State) TitleCopyAdvice() string {
	if s.Dossier == nil || strings.TrimSpace(s.Dossier.Procedure.ExpiryDate) == "" {
		return ""
	}
	for i := range s.Pieces {
		if s.Pieces[i].Kind == "titre" {
			return ""
		}
	}
	return `aucune copie du document de séjour détenu n'est au dossier : elle prouve sa date d'expiration et le numéro d'étranger. ` +
		`Importez-la : anef-dossier piece add TITRE.pdf --kind titre --title "Copie du titre de séjour, valable jusqu'au JJ/MM/AAAA".`
}
