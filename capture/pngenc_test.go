package capture

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// The banded encoder's output decodes to the pixels given, under every
// filter and with bands of every size, and its zlib stream (the IDAT data
// end to end) ends with the right Adler-32.
func TestEncodeRGBRoundTrip(t *testing.T) {
	const w, h = 37, 101
	seed := uint32(7)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		seed = seed*1664525 + 1013904223
		img.Pix[i] = byte(seed >> 24)
		if i%4 == 3 || (i/(4*w))%3 == 0 {
			img.Pix[i] = 255 // some rows plain, all opaque
		}
	}
	row := func(y int, buf []byte) { rgbRow(buf, img.Pix[y*img.Stride:], true) }
	for _, f := range []byte{filterNone, filterSub, filterUp, filterPaeth} {
		for _, band := range []int{1, 7, 50, 200} {
			var buf bytes.Buffer
			if err := encodeRGBWith(&buf, w, h, row, pngSettings{Level: 1, Filter: f, Band: band, Workers: 3}); err != nil {
				t.Fatal(err)
			}
			got, err := png.Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("filter %d band %d: %v", f, band, err)
			}
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					if !sameColor(got.At(x, y), img.At(x, y)) {
						t.Fatalf("filter %d band %d: pixel (%d,%d) differs", f, band, x, y)
					}
				}
			}
			if n := len(idatStream(t, buf.Bytes())); n != h*(1+3*w) {
				t.Fatalf("filter %d band %d: zlib stream: %d bytes", f, band, n)
			}
		}
	}
}
