package capture

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/png"
	"io"
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
			var z bytes.Buffer
			data := buf.Bytes()[8:]
			for len(data) >= 12 {
				n := binary.BigEndian.Uint32(data)
				if string(data[4:8]) == "IDAT" {
					z.Write(data[8 : 8+n])
				}
				data = data[12+n:]
			}
			zr, err := zlib.NewReader(&z)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, zr); err != nil || n != int64(h*(1+3*w)) {
				t.Fatalf("filter %d band %d: zlib stream: %d bytes, %v", f, band, n, err)
			}
		}
	}
}
