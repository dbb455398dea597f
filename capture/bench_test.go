package capture

import (
	"bytes"
	"compress/flate"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"testing"
	"time"

	"anefdossier/protocol"
)

// tallPage is a 1366x10000 screenshot-like PNG: a white page with dark text
// bands and coloured blocks (image/png writes it as 8-bit RGB, the image
// being opaque).
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
// capture: read the raw PNG's rows, draw the strip, encode the opaque RGB
// PNG (target: under 150 ms). The page is ANEF_BANNER_PNG when set (a real
// Chromium screenshot), else tallPage.
func BenchmarkBanner1366x10000(b *testing.B) {
	raw := bannerPage(b)
	info := BannerInfo{URL: longURL, Shot: time.Date(2026, 3, 10, 9, 15, 30, 0, time.UTC), Piece: 12}
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := ComposeBanner(raw, info); err != nil {
			b.Fatal(err)
		}
	}
}

// bannerPage is ANEF_BANNER_PNG when set, else tallPage.
func bannerPage(b *testing.B) []byte {
	if p := os.Getenv("ANEF_BANNER_PNG"); p != "" {
		raw, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return raw
	}
	return tallPage(b)
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

// BenchmarkPNGEncoders is the trade-off table of docs/BENCHMARKS.md: the
// encoding of a bannered 1366x10000 page with image/png and with the banded
// encoder under several settings, time and size side by side. The page is
// ANEF_BANNER_PNG when set (a real Chromium screenshot), else tallPage.
func BenchmarkPNGEncoders(b *testing.B) {
	raw := bannerPage(b)
	src, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	rgba := image.NewRGBA(src.Bounds())
	draw.Draw(rgba, rgba.Bounds(), src, image.Point{}, draw.Src)
	row := func(y int, buf []byte) { rgbRow(buf, rgba.Pix[y*rgba.Stride:], true) }
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			png.Decode(bytes.NewReader(raw))
		}
		b.ReportMetric(float64(len(raw)), "bytes")
	})
	b.Run("rows", func(b *testing.B) { // what the banner reads now
		rgb := make([]byte, 3*w)
		for b.Loop() {
			r := newPNGRows(raw)
			if r == nil {
				b.Skip("PNG not read row by row")
			}
			for range h {
				if err := r.next(rgb); err != nil {
					b.Fatal(err)
				}
			}
			if err := r.finish(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(raw)), "bytes")
	})
	for _, lv := range []png.CompressionLevel{png.BestSpeed, png.DefaultCompression} {
		b.Run(fmt.Sprintf("image-png-level%d", lv), func(b *testing.B) {
			var n int
			for b.Loop() {
				var buf bytes.Buffer
				(&png.Encoder{CompressionLevel: lv}).Encode(&buf, rgba)
				n = buf.Len()
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
	for _, s := range []pngSettings{
		{1, filterUp, 256, 1}, {1, filterUp, 256, 2}, {1, filterUp, 256, 4},
		{1, filterNone, 256, 2}, {1, filterSub, 256, 2}, {1, filterPaeth, 256, 2},
		{2, filterUp, 256, 2}, {6, filterUp, 256, 2}, {1, filterUp, 64, 2}, {1, filterUp, 1024, 2},
		{flate.HuffmanOnly, filterUp, 256, 2},
	} {
		b.Run(fmt.Sprintf("bands-level%d-filter%d-rows%d-workers%d", s.Level, s.Filter, s.Band, s.Workers), func(b *testing.B) {
			var n int
			for b.Loop() {
				var buf bytes.Buffer
				encodeRGBWith(&buf, w, h, row, s)
				n = buf.Len()
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}
