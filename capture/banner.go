package capture

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/go-fonts/liberation/liberationsansbold"
	"github.com/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"anefdossier/protocol"
)

// Banner layout, in pixels of the screenshot (device scale 1). The text is
// 16 px: legible in a printed A4 dossier where a 1366 px wide capture is
// shrunk to about 18 cm.
const (
	BannerFontSize = 16
	BannerMargin   = 12 // left, right, top and bottom padding of the strip
	BannerLeading  = 22 // distance between two baselines
	bannerRule     = 2  // dark line between the strip and the page
)

// Banner colours: dark text on a light strip (contrast about 17:1).
var (
	BannerBackground = color.RGBA{0xF4, 0xF4, 0xF0, 0xFF}
	BannerInk        = color.RGBA{0x11, 0x11, 0x11, 0xFF}
)

// BannerInfo is what the strip above a screenshot shows.
type BannerInfo struct {
	URL       string    // the address of the page shown (final URL)
	Requested string    // the address asked, shown when it differs from URL
	Shot      time.Time // when the screenshot was taken
	Piece     int       // the piece number in the dossier
	Attached  bool      // taken in the user's own browser
	Status    int       // HTTP status, shown when it is an error (4xx, 5xx)
	Insecure  bool      // the TLS certificate was not checked
	// Scale is the screenshot's device pixel ratio (2 on a HiDPI screen
	// in attached mode): the strip is drawn that much larger, so that it
	// prints at the same size as the page's text. 0 means 1.
	Scale float64
}

// BannerLine is one line of text drawn in the strip, with its baseline.
type BannerLine struct {
	Text     string
	Bold     bool
	Size     float64 // font size in pixels
	X        int     // left edge of the text
	Baseline int     // y of the baseline, from the top of the image
}

// Bannered is a screenshot with its strip.
type Bannered struct {
	PNG    []byte       // opaque RGB PNG, not interlaced
	Height int          // height of the strip, rule included: the page starts at this row
	Lines  []BannerLine // what was drawn, where
}

var (
	fontsOnce sync.Once
	fontReg   *opentype.Font
	fontBold  *opentype.Font
	fontErr   error
)

func loadFonts() error {
	fontsOnce.Do(func() {
		fontReg, fontErr = opentype.Parse(liberationsansregular.TTF)
		if fontErr == nil {
			fontBold, fontErr = opentype.Parse(liberationsansbold.TTF)
		}
	})
	return fontErr
}

// BannerFace returns the face used for the banner text (Liberation Sans,
// embedded: no system font is needed) at size pixels (0 = BannerFontSize).
// Tests use it to read the banner back.
func BannerFace(bold bool, size float64) (font.Face, error) {
	if size <= 0 {
		size = BannerFontSize
	}
	if err := loadFonts(); err != nil {
		return nil, fmt.Errorf("police du bandeau : %w", err)
	}
	f := fontReg
	if bold {
		f = fontBold
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
}

// BannerTexts returns the lines of the strip before wrapping: the piece
// number and the moment (Paris time with its offset, and UTC), then the
// address.
func BannerTexts(info BannerInfo) (head string, url string, extra []string) {
	paris := info.Shot.In(protocol.Paris)
	_, off := paris.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	mode := "Capture"
	if info.Attached {
		mode = "Capture (navigateur de l'utilisateur)"
	}
	head = fmt.Sprintf("Pièce n°%d — %s du %s à %s (heure de Paris, UTC%s%02d:%02d) — %s UTC",
		info.Piece, mode, paris.Format("02/01/2006"), paris.Format("15:04:05"), sign, off/3600, (off%3600)/60,
		info.Shot.UTC().Format("02/01/2006 15:04:05"))
	url = "Adresse : " + info.URL
	if info.Requested != "" && info.Requested != info.URL {
		extra = append(extra, "Adresse demandée : "+info.Requested)
	}
	if info.Status >= 400 {
		extra = append(extra, fmt.Sprintf("Réponse du serveur : erreur HTTP %d", info.Status))
	}
	if info.Insecure {
		extra = append(extra, "Certificat TLS du serveur non vérifié (option --insecure)")
	}
	return head, url, extra
}

// ComposeBanner draws the strip above the screenshot raw (a PNG as the
// browser produced it) and returns an opaque RGB PNG. The page pixels are
// copied unchanged below the strip: the banner is never part of the page.
//
// A screenshot as Chromium writes it (8-bit RGB or RGBA) is read row by row
// while the output is compressed ([pngRows]); any other PNG is decoded
// whole by image/png.
func ComposeBanner(raw []byte, info BannerInfo) (*Bannered, error) {
	if r := newPNGRows(raw); r != nil {
		var rowErr error
		b, err := composeImage(r.w, r.h, func(y int, rgb []byte) {
			if rowErr == nil {
				rowErr = r.next(rgb)
			}
		}, info)
		if err == nil && rowErr == nil {
			rowErr = r.finish()
		}
		if rowErr != nil {
			return nil, fmt.Errorf("lecture de la capture : %w", rowErr)
		}
		return b, err
	}
	src, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("lecture de la capture : %w", err)
	}
	sb := src.Bounds()
	width := sb.Dx()
	return composeImage(width, sb.Dy(), func(y int, rgb []byte) {
		y += sb.Min.Y
		switch s := src.(type) {
		case *image.RGBA:
			rgbRow(rgb, s.Pix[s.PixOffset(sb.Min.X, y):], true)
		case *image.NRGBA:
			rgbRow(rgb, s.Pix[s.PixOffset(sb.Min.X, y):], false)
		default:
			px := make([]byte, 4*width)
			for x := range width {
				r, g, b, a := src.At(sb.Min.X+x, y).RGBA()
				px[4*x], px[4*x+1], px[4*x+2], px[4*x+3] = byte(r>>8), byte(g>>8), byte(b>>8), byte(a>>8)
			}
			rgbRow(rgb, px, true)
		}
	}, info)
}

// composeImage draws the strip above a page of width×height pixels whose
// rows page gives in order (y from 0), and encodes the whole.
func composeImage(width, height int, page func(y int, rgb []byte), info BannerInfo) (*Bannered, error) {
	if width < 200 {
		return nil, errors.New("capture trop étroite pour le bandeau")
	}
	k := info.Scale
	if k < 1 {
		k = 1
	}
	k = math.Min(k, 4)
	size := BannerFontSize * k
	margin := int(math.Round(BannerMargin * k))
	leading := int(math.Round(BannerLeading * k))
	rule := int(math.Round(bannerRule * k))
	reg, err := BannerFace(false, size)
	if err != nil {
		return nil, err
	}
	defer reg.Close()
	bold, err := BannerFace(true, size)
	if err != nil {
		return nil, err
	}
	defer bold.Close()

	head, url, extra := BannerTexts(info)
	avail := width - 2*margin
	type line struct {
		text string
		bold bool
	}
	var lines []line
	for _, l := range wrapText(bold, head, avail, false) {
		lines = append(lines, line{l, true})
	}
	for _, l := range wrapText(reg, url, avail, true) {
		lines = append(lines, line{l, false})
	}
	for _, x := range extra {
		for _, l := range wrapText(reg, x, avail, true) {
			lines = append(lines, line{l, false})
		}
	}
	ascent := reg.Metrics().Ascent.Ceil()
	descent := reg.Metrics().Descent.Ceil()
	textH := ascent + (len(lines)-1)*leading + descent
	stripH := margin + textH + margin
	total := stripH + rule

	// The strip alone is drawn; the page's rows go from page to the encoder
	// (onto white, so that a transparent pixel becomes opaque the way a
	// browser shows it).
	dst := image.NewRGBA(image.Rect(0, 0, width, total))
	draw.Draw(dst, image.Rect(0, 0, width, stripH), image.NewUniform(BannerBackground), image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(0, stripH, width, total), image.NewUniform(BannerInk), image.Point{}, draw.Src)

	out := &Bannered{Height: total}
	ink := image.NewUniform(BannerInk)
	for i, l := range lines {
		face := reg
		if l.bold {
			face = bold
		}
		base := margin + ascent + i*leading
		d := &font.Drawer{Dst: dst, Src: ink, Face: face, Dot: fixed.P(margin, base)}
		d.DrawString(l.text)
		out.Lines = append(out.Lines, BannerLine{Text: l.text, Bold: l.bold, Size: size, X: margin, Baseline: base})
	}
	var buf bytes.Buffer
	row := func(y int, rgb []byte) {
		if y < total {
			rgbRow(rgb, dst.Pix[y*dst.Stride:], true)
			return
		}
		page(y-total, rgb)
	}
	if err := encodeRGB(&buf, width, total+height, row); err != nil {
		return nil, fmt.Errorf("écriture de la capture avec bandeau : %w", err)
	}
	out.PNG = buf.Bytes()
	return out, nil
}

// rgbRow turns a row of RGBA pixels (alpha-premultiplied or not) into RGB
// over white, with image/draw's arithmetic for Over (an opaque pixel is
// copied as it is).
func rgbRow(rgb, px []byte, premultiplied bool) {
	const m = 0xffff
	for x := 0; x < len(rgb)/3; x++ {
		p := px[4*x : 4*x+4]
		if p[3] == 0xff {
			rgb[3*x], rgb[3*x+1], rgb[3*x+2] = p[0], p[1], p[2]
			continue
		}
		sa := uint32(p[3]) * 0x101
		a := (m - sa) * 0x101
		for c := range 3 {
			sc := uint32(p[c]) * 0x101
			if !premultiplied {
				sc = uint32(p[c]) * sa / 0xff
			}
			rgb[3*x+c] = uint8((0xff*a/m + sc) >> 8)
		}
	}
}

// wrapText splits s into lines no wider than max pixels. For an address
// (url true) it prefers to cut after a separator ('/', '?', '&', '=', '#',
// ';', ','); every character is kept, so the wrapped lines joined give back
// the full address.
func wrapText(face font.Face, s string, max int, url bool) []string {
	var lines []string
	limit := fixed.I(max)
	for s != "" {
		if font.MeasureString(face, s) <= limit {
			lines = append(lines, s)
			break
		}
		// Longest prefix that fits.
		runes := []rune(s)
		n := 0
		for n < len(runes) && font.MeasureString(face, string(runes[:n+1])) <= limit {
			n++
		}
		if n == 0 {
			n = 1
		}
		cut := n
		seps := " "
		if url {
			// Not after '-' or '.': a reader would take the break
			// for a hyphenation and drop the character.
			seps = "/?&=#;, "
		}
		for i := n; i > n/2; i-- {
			if strings.ContainsRune(seps, runes[i-1]) {
				cut = i
				break
			}
		}
		line := string(runes[:cut])
		rest := string(runes[cut:])
		if !url {
			line = strings.TrimRight(line, " ")
			rest = strings.TrimLeft(rest, " ")
		}
		lines = append(lines, line)
		s = rest
	}
	return lines
}
