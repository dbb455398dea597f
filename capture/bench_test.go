package capture

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"testing"
	"time"

	"anefdossier/protocol"
)

// tallPage is a 1366x10000 screenshot-like PNG: a white page with dark text
// bands and coloured blocks, as Chromium encodes it (RGBA).
func tallPage(b *testing.B) []byte {
	b.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1366, 10000))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for y := 0; y < 10000; y += 24 {
		for x := 40; x < 1000; x += 9 {
			if (x*7+y*3)%5 != 0 {
				draw.Draw(img, image.Rect(x, y+6, x+6, y+18), image.NewUniform(color.RGBA{0x22, 0x22, 0x22, 0xff}), image.Point{}, draw.Src)
			}
		}
		if y%480 == 0 {
			draw.Draw(img, image.Rect(1040, y, 1320, y+200), image.NewUniform(color.RGBA{0, 0, 0x91, 0xff}), image.Point{}, draw.Src)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkBanner1366x10000 is the cost of the banner on a tall full-page
// capture: decode the raw PNG, draw the strip, encode the opaque RGB PNG.
func BenchmarkBanner1366x10000(b *testing.B) {
	raw := tallPage(b)
	info := BannerInfo{URL: longURL, Shot: time.Date(2026, 3, 10, 9, 15, 30, 0, time.UTC), Piece: 12}
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := ComposeBanner(raw, info); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashes1366x10000 is the cost of the SHA-256 of the raw and of the
// bannered PNG of that page.
func BenchmarkHashes1366x10000(b *testing.B) {
	raw := tallPage(b)
	bn, err := ComposeBanner(raw, BannerInfo{URL: longURL, Shot: time.Now(), Piece: 12})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw) + len(bn.PNG)))
	b.ResetTimer()
	for b.Loop() {
		_ = protocol.HashBytes(raw)
		_ = protocol.HashBytes(bn.PNG)
	}
}
