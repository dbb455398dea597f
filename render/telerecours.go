package render

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"anefdossier/protocol"
)

// Names of the outputs under out/.
const (
	InventoryFile  = "inventaire-des-pieces.pdf"
	DossierFile    = "dossier.pdf"
	TelerecoursDir = "telerecours"
)

// TelerecoursMax is the largest file Télérecours citoyens accepts (32 Mo,
// templates/SOURCES.md id telerecours-32mo). A variable for tests.
var TelerecoursMax = 32 << 20

// maxName is the longest file name Télérecours accepts (telerecours-noms).
const maxName = 80

// OutFile is one file of an export.
type OutFile struct {
	Path string
	Size int
	Note string
}

// OutPath returns a path under the case's out/ folder.
func (in *Input) OutPath(rel string) string {
	return filepath.Join(in.Dir, protocol.OutDir, filepath.FromSlash(rel))
}

// MainLetterID is the protocol's main letter: its first document that is
// not an e-mail ("" when there is none).
func (in *Input) MainLetterID() string {
	for _, d := range in.State.Protocol.Documents {
		if !strings.HasPrefix(d.ID, "courriel") {
			return d.ID
		}
	}
	return ""
}

var reNotName = regexp.MustCompile(`[^A-Za-z0-9]+`)

// TelerecoursName builds a file name Télérecours accepts: the piece number
// first, then words of the title; ASCII letters, digits, "_" and "-" only,
// no dot but the extension's, at most 80 characters.
func TelerecoursName(number, width int, title, part string) string {
	prefix := fmt.Sprintf("%0*d_", width, number)
	if number == 0 {
		prefix = strings.Repeat("0", width) + "_"
	}
	suffix := part + ".pdf"
	words := strings.Trim(reNotName.ReplaceAllString(protocol.ASCII(title), "_"), "_")
	room := maxName - len(prefix) - len(suffix)
	if len(words) > room {
		words = strings.TrimRight(words[:room], "_")
		if i := strings.LastIndexByte(words, '_'); i > room/2 {
			words = words[:i]
		}
	}
	return prefix + words + suffix
}

// Telerecours writes out/telerecours/: one PDF per piece, stamped with its
// number, and the inventory. A file over [TelerecoursMax] is split (pages of
// a PDF; bands of a screenshot, re-encoded losslessly as PNG) and the
// inventory says so. The folder is replaced as a whole.
func (in *Input) Telerecours() ([]OutFile, error) {
	entries := in.Inventory()
	width := 2
	if len(entries) >= 100 {
		width = 3
	}
	// Each file is written as soon as it is made (one piece in memory at
	// a time) into a new folder that replaces the old one at the end.
	final := in.OutPath(TelerecoursDir)
	tmp := final + ".nouveau"
	old := final + ".ancien"
	os.RemoveAll(tmp)
	if err := mkdirPrivate(tmp); err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var out []OutFile
	// write writes one file; with limited, a file over the limit is
	// removed and errTooBig returned.
	write := func(name string, fill func(io.Writer) error, limited bool) error {
		p := filepath.Join(tmp, name)
		size, err := protocol.ReplaceFileWith(p, fill)
		if err != nil {
			return fmt.Errorf("écriture de %s : %w", name, err)
		}
		if limited && size > int64(TelerecoursMax) {
			os.Remove(p)
			return errTooBig
		}
		out = append(out, OutFile{Path: filepath.Join(final, name), Size: int(size)})
		return nil
	}
	for i, e := range entries {
		p := in.State.Piece(e.Number)
		name := func(part string) string {
			return TelerecoursName(e.Number, width, firstNonEmpty(e.Short, e.Title), part)
		}
		n, err := in.writePiece(p, e, name, write)
		if err != nil {
			return nil, err
		}
		if n > 1 {
			entries[i].Note = fmt.Sprintf("Pièce produite en %d fichiers (limite de %d Mo par fichier de Télérecours).", n, TelerecoursMax>>20)
		}
	}
	inv, err := in.inventoryPDF(entries, ForJudge)
	if err != nil {
		return nil, err
	}
	if err := write(TelerecoursName(0, width, "Inventaire des pieces", ""), bytesFill(inv), false); err != nil {
		return nil, err
	}
	out = append(out[len(out)-1:], out[:len(out)-1]...)
	os.RemoveAll(old)
	if _, err := os.Stat(final); err == nil {
		if err := os.Rename(final, old); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, err
	}
	os.RemoveAll(old)
	if err := protocol.SyncDir(filepath.Dir(final)); err != nil {
		return nil, err
	}
	for i, e := range entries {
		_ = i
		if e.Note != "" {
			for j := range out {
				if strings.HasPrefix(filepath.Base(out[j].Path), fmt.Sprintf("%0*d_", width, e.Number)) {
					out[j].Note = "(découpée : limite de 32 Mo)"
				}
			}
		}
	}
	return out, nil
}

// errTooBig: a file over TelerecoursMax was not kept.
var errTooBig = fmt.Errorf("fichier de plus de %d Mo", TelerecoursMax>>20)

func bytesFill(data []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(data); return err }
}

// writePiece writes one piece as one or more PDFs under TelerecoursMax,
// named by name("") or name("_partieN"), one at a time; it returns how
// many.
func (in *Input) writePiece(p *protocol.Piece, e Entry, name func(string) string, write func(string, func(io.Writer) error, bool) error) (int, error) {
	title := pieceHeading(e)
	if pieceKind(p) == "pdf" {
		data, err := in.readPiece(p)
		if err != nil {
			return 0, err
		}
		ctx, err := stamped(data, p.Number, 0, 0)
		if err != nil {
			return 0, fmt.Errorf("pièce n°%d : tampon impossible : %w", p.Ref(), err)
		}
		err = write(name(""), func(w io.Writer) error { _, err := writePDF(w, ctx, 1, ctx.PageCount, title, in.Now); return err }, true)
		if err != errTooBig {
			return 1, err
		}
		ranges, err := splitPDF(ctx, p.Ref(), title, in.Now)
		if err != nil {
			return 0, err
		}
		for j, r := range ranges {
			if err := write(name(fmt.Sprintf("_partie%d", j+1)), func(w io.Writer) error {
				_, err := writePDF(w, ctx, r[0], r[1], title, in.Now)
				return err
			}, false); err != nil {
				return 0, err
			}
		}
		return len(ranges), nil
	}
	out, err := in.singlePiece(p, e, nil)
	if err != nil {
		return 0, err
	}
	if len(out) <= TelerecoursMax || (pieceKind(p) != "png" && pieceKind(p) != "jpg") {
		// (An e-mail or a text over the limit is written whole.)
		return 1, write(name(""), bytesFill(out), false)
	}
	parts, err := in.splitImage(p, e, len(out))
	if err != nil {
		return 0, err
	}
	for j, data := range parts {
		if err := write(name(fmt.Sprintf("_partie%d", j+1)), bytesFill(data), false); err != nil {
			return 0, err
		}
	}
	return len(parts), nil
}

// singlePiece renders one non-PDF piece alone; img replaces its image.
func (in *Input) singlePiece(p *protocol.Piece, e Entry, img []byte) ([]byte, error) {
	title := pieceHeading(e)
	b := newBuilder(in, title, true, 0, nil)
	b.override = img
	if err := b.piece(p, e); err != nil {
		return nil, err
	}
	total := b.pages()
	b = newBuilder(in, title, false, total, nil)
	b.override = img
	if err := b.piece(p, e); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := b.finish(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// splitPDF cuts a stamped PDF into page ranges, each written under the
// limit (measured, not kept).
func splitPDF(ctx *model.Context, number int, title string, now time.Time) ([][2]int, error) {
	n := ctx.PageCount
	for parts := 2; parts <= n; parts++ {
		var out [][2]int
		per := (n + parts - 1) / parts
		for first := 1; first <= n; first += per {
			r := [2]int{first, min(first+per-1, n)}
			size, err := writePDF(io.Discard, ctx, r[0], r[1], title, now)
			if err != nil {
				return nil, fmt.Errorf("pièce n°%d : découpage : %w", number, err)
			}
			if size > int64(TelerecoursMax) {
				out = nil
				break
			}
			out = append(out, r)
		}
		if out != nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("pièce n°%d : une seule page dépasse %d Mo ; réduisez le fichier avant de l'importer", number, TelerecoursMax>>20)
}

// splitImage cuts a screenshot too heavy for one file into horizontal bands,
// each re-encoded losslessly as PNG (the original stays in pieces/).
func (in *Input) splitImage(p *protocol.Piece, e Entry, size int) ([][]byte, error) {
	data, err := in.readPiece(p)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("pièce n°%d : image illisible : %w", p.Ref(), err)
	}
	bounds := img.Bounds()
	for parts := size/TelerecoursMax + 1; parts <= bounds.Dy(); parts++ {
		h := (bounds.Dy() + parts - 1) / parts
		var out [][]byte
		ok := true
		for y := bounds.Min.Y; y < bounds.Max.Y; y += h {
			r := image.Rect(bounds.Min.X, y, bounds.Max.X, min(y+h, bounds.Max.Y))
			band := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
			draw.Draw(band, band.Bounds(), img, r.Min, draw.Src)
			var buf bytes.Buffer
			if err := png.Encode(&buf, opaqueImage{band}); err != nil {
				return nil, err
			}
			pdf, err := in.singlePiece(p, e, buf.Bytes())
			if err != nil {
				return nil, err
			}
			if len(pdf) > TelerecoursMax {
				ok = false
				break
			}
			out = append(out, pdf)
		}
		if ok {
			return out, nil
		}
	}
	return nil, fmt.Errorf("pièce n°%d : image impossible à découper sous %d Mo", p.Ref(), TelerecoursMax>>20)
}

// opaqueImage makes image/png write RGB without alpha (embedded as is).
type opaqueImage struct{ *image.NRGBA }

func (o opaqueImage) Opaque() bool { return true }
