package capture

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// page makes a fake screenshot: a gradient no banner pixel looks like.
func fakePage(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

const longURL = "https://administration-etrangers-en-france.interieur.gouv.fr/particuliers/#/espace-personnel/mon-compte/demandes/titre-de-sejour/etudiant/etape-7/pieces-justificatives?ref=ANEF-2026-0001234567&retour=%2Fespace-personnel%2Faccueil&session=abcdef0123456789"

func TestBannerReadBack(t *testing.T) {
	shot := time.Date(2026, 3, 10, 9, 15, 30, 0, time.UTC)
	raw := fakePage(1366, 300)
	info := BannerInfo{URL: longURL, Requested: "https://anef.example/", Shot: shot, Piece: 7, Status: 500}
	b, err := ComposeBanner(raw, info)
	if err != nil {
		t.Fatal(err)
	}

	// An opaque RGB PNG, not interlaced (IHDR: colour type 2, interlace 0).
	if b.PNG[25] != 2 || b.PNG[28] != 0 {
		t.Fatalf("PNG colour type %d interlace %d, want RGB (2) not interlaced (0)", b.PNG[25], b.PNG[28])
	}
	got, err := png.Decode(bytes.NewReader(b.PNG))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds().Dx() != 1366 || got.Bounds().Dy() != b.Height+300 {
		t.Fatalf("size %v, strip %d", got.Bounds(), b.Height)
	}

	// The page is below the strip, pixel for pixel.
	src, _ := png.Decode(bytes.NewReader(raw))
	for y := 0; y < 300; y += 7 {
		for x := 0; x < 1366; x += 11 {
			if !sameColor(got.At(x, y+b.Height), src.At(x, y)) {
				t.Fatalf("page pixel (%d,%d) changed by the banner", x, y)
			}
		}
	}

	// The lines say what they must.
	var texts []string
	for _, l := range b.Lines {
		texts = append(texts, l.Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Pièce n°7", "10/03/2026 à 10:15:30 (heure de Paris, UTC+01:00)", "10/03/2026 09:15:30 UTC",
		"Adresse demandée : https://anef.example/", "erreur HTTP 500"} {
		if !strings.Contains(all, want) {
			t.Errorf("banner lacks %q:\n%s", want, all)
		}
	}
	// The address is wrapped and complete.
	var addr strings.Builder
	for _, l := range b.Lines {
		if strings.HasPrefix(l.Text, "Adresse : ") || (addr.Len() > 0 && !strings.Contains(l.Text, " : ") && !l.Bold) {
			addr.WriteString(strings.TrimPrefix(l.Text, "Adresse : "))
		}
	}
	if addr.String() != longURL {
		t.Errorf("address read back %q, want %q", addr.String(), longURL)
	}
	if len(b.Lines) < 4 {
		t.Errorf("the long address should wrap: %d lines", len(b.Lines))
	}

	// Read the strip back: each line, drawn here with the same font at the
	// same place on a strip of its own, gives the same pixels.
	ref := renderLines(t, 1366, b)
	for _, l := range b.Lines {
		if d := bandDiff(got, ref, l.Baseline-BannerFontSize, l.Baseline+6); d != 0 {
			t.Errorf("line %q: %d pixels differ from a rendering of the expected text", l.Text, d)
		}
		// And legibly dark: at least 11 rows of the band hold ink
		// (16 px type: capitals are about 12 px high).
		if rows := inkRows(got, l.Baseline-BannerFontSize, l.Baseline+6); rows < 11 {
			t.Errorf("line %q: ink on %d rows only", l.Text, rows)
		}
	}

	// The same check must fail for a wrong piece number or a wrong address.
	wrong := *b
	wrong.Lines = append([]BannerLine(nil), b.Lines...)
	wrong.Lines[0].Text = strings.Replace(wrong.Lines[0].Text, "n°7", "n°8", 1)
	ref8 := renderLines(t, 1366, &wrong)
	if d := bandDiff(got, ref8, b.Lines[0].Baseline-BannerFontSize, b.Lines[0].Baseline+6); d == 0 {
		t.Error("a banner for piece 7 reads back as piece 8: the check is blind")
	}
	other, err := ComposeBanner(raw, BannerInfo{URL: strings.Replace(longURL, "etape-7", "etape-8", 1), Requested: info.Requested, Shot: shot, Piece: 7, Status: 500})
	if err != nil {
		t.Fatal(err)
	}
	og, _ := png.Decode(bytes.NewReader(other.PNG))
	if bandDiff(got, og, 0, b.Height) == 0 {
		t.Error("two different addresses give the same strip")
	}

	// Dark on light.
	if c := color.RGBAModel.Convert(got.At(2, 2)).(color.RGBA); c != BannerBackground {
		t.Errorf("strip background %v", c)
	}
	if lum(BannerBackground)-lum(BannerInk) < 0.8 {
		t.Error("not enough contrast")
	}
}

func TestBannerSummerOffset(t *testing.T) {
	head, _, _ := BannerTexts(BannerInfo{URL: "https://a.example/", Shot: time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC), Piece: 1})
	if !strings.Contains(head, "02/07/2026 à 00:30:00 (heure de Paris, UTC+02:00)") || !strings.Contains(head, "01/07/2026 22:30:00 UTC") {
		t.Fatal(head)
	}
}

func TestBannerAttachedInsecure(t *testing.T) {
	_, _, extra := BannerTexts(BannerInfo{URL: "https://a.example/", Shot: time.Now(), Piece: 1, Insecure: true})
	if len(extra) != 1 || !strings.Contains(extra[0], "non vérifié") {
		t.Fatal(extra)
	}
	head, _, _ := BannerTexts(BannerInfo{URL: "https://a.example/", Shot: time.Now(), Piece: 1, Attached: true})
	if !strings.Contains(head, "navigateur de l'utilisateur") {
		t.Fatal(head)
	}
}

// renderLines draws b's lines on an empty strip, independently of
// ComposeBanner's own drawing code.
func renderLines(t *testing.T, width int, b *Bannered) *image.RGBA {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, width, b.Height))
	draw.Draw(img, img.Bounds(), image.NewUniform(BannerBackground), image.Point{}, draw.Src)
	for _, l := range b.Lines {
		face, err := BannerFace(l.Bold, l.Size)
		if err != nil {
			t.Fatal(err)
		}
		d := font.Drawer{Dst: img, Src: image.NewUniform(BannerInk), Face: face, Dot: fixed.P(l.X, l.Baseline)}
		d.DrawString(l.Text)
		face.Close()
	}
	return img
}

func bandDiff(a, b image.Image, y0, y1 int) int {
	n := 0
	for y := max(y0, 0); y < y1; y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			if !sameColor(a.At(x, y), b.At(x, y)) {
				n++
			}
		}
	}
	return n
}

func inkRows(img image.Image, y0, y1 int) int {
	rows := 0
	for y := max(y0, 0); y < y1; y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r < 0x6000 && g < 0x6000 && b < 0x6000 {
				rows++
				break
			}
		}
	}
	return rows
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1>>8 == r2>>8 && g1>>8 == g2>>8 && b1>>8 == b2>>8 && a1>>8 == a2>>8
}

func lum(c color.RGBA) float64 {
	return (0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)) / 255
}

func TestWrapKeepsEveryCharacter(t *testing.T) {
	face, err := BannerFace(false, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	for _, w := range []int{200, 400, 1342} {
		lines := wrapText(face, longURL, w, true)
		if strings.Join(lines, "") != longURL {
			t.Fatalf("width %d: %q", w, lines)
		}
		for _, l := range lines {
			if font.MeasureString(face, l) > fixed.I(w) {
				t.Fatalf("width %d: line %q too wide", w, l)
			}
		}
	}
}

// On a HiDPI capture (device pixel ratio 2) the strip is twice as large, so
// that it prints at the size of the page's text.
func TestBannerHiDPI(t *testing.T) {
	raw := fakePage(2732, 100)
	info := BannerInfo{URL: "https://a.example/", Shot: time.Now(), Piece: 3}
	b1, err := ComposeBanner(raw, info)
	if err != nil {
		t.Fatal(err)
	}
	info.Scale = 2
	b2, err := ComposeBanner(raw, info)
	if err != nil {
		t.Fatal(err)
	}
	if b2.Lines[0].Size != 2*BannerFontSize || b2.Height < 2*b1.Height-4 {
		t.Fatalf("scale 2: size %v, strip %d vs %d", b2.Lines[0].Size, b2.Height, b1.Height)
	}
	got, _ := png.Decode(bytes.NewReader(b2.PNG))
	ref := renderLines(t, 2732, b2)
	for _, l := range b2.Lines {
		if d := bandDiff(got, ref, l.Baseline-int(l.Size), l.Baseline+12); d != 0 {
			t.Errorf("line %q: %d pixels differ", l.Text, d)
		}
	}
}
