package capture

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"
)

// patterned is an image whose rows make image/png's encoder pick each of
// the five row filters: a checkerboard, horizontal and vertical ramps,
// diagonals, noise; with alpha when alpha is true (varying, so that the
// PNG is RGBA), opaque otherwise (image/png then writes RGB).
func patterned(w, h int, alpha bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(11)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			var c color.NRGBA
			switch (y / 5) % 5 {
			case 0: // a fine checkerboard: no filter beats None
				v := uint8((x+y)%2) * 20
				c = color.NRGBA{v, v, v, 255}
			case 1:
				c = color.NRGBA{uint8(3 * x), uint8(5 * x), uint8(7 * x), 255}
			case 2:
				c = color.NRGBA{uint8(4 * y), uint8(2 * y), uint8(9 * y), 255}
			case 3:
				c = color.NRGBA{uint8(x + 2*y), uint8(3*x + y), uint8(x*y + x), 255}
			default:
				c = color.NRGBA{uint8(seed >> 24), uint8(seed >> 16), uint8(seed >> 8), 255}
			}
			if alpha && (y/5)%5 != 0 {
				c.A = uint8(255 - (x+y)%256)
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// idatFilters returns how many rows use each filter type.
func idatFilters(t *testing.T, data []byte, stride int) map[byte]int {
	t.Helper()
	raw := idatStream(t, data)
	out := map[byte]int{}
	for i := 0; i < len(raw); i += 1 + stride {
		out[raw[i]]++
	}
	return out
}

// The row reader gives, for RGB and RGBA PNGs with every row filter, the
// rows image/png decodes (over white for alpha, as the banner always drew
// them); and the banner made from it is the one made from the decoded
// image, byte for byte.
func TestPNGRowsMatchImagePNG(t *testing.T) {
	const w, h = 203, 120
	for _, alpha := range []bool{false, true} {
		var enc bytes.Buffer
		if err := png.Encode(&enc, patterned(w, h, alpha)); err != nil {
			t.Fatal(err)
		}
		data := enc.Bytes()
		r := newPNGRows(data)
		if r == nil {
			t.Fatalf("alpha %v: PNG not taken by the row reader", alpha)
		}
		if want := map[bool]int{false: 3, true: 4}[alpha]; r.bpp != want {
			t.Fatalf("alpha %v: %d bytes per pixel, want %d", alpha, r.bpp, want)
		}
		if f := idatFilters(t, data, r.bpp*w); len(f) != 5 {
			t.Fatalf("alpha %v: the test image uses the filters %v, not all five", alpha, f)
		}
		ref, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		got, want := make([]byte, 3*w), make([]byte, 3*w)
		for y := range h {
			if err := r.next(got); err != nil {
				t.Fatalf("alpha %v, row %d: %v", alpha, y, err)
			}
			switch s := ref.(type) {
			case *image.RGBA:
				rgbRow(want, s.Pix[y*s.Stride:], true)
			case *image.NRGBA:
				rgbRow(want, s.Pix[y*s.Stride:], false)
			default:
				t.Fatalf("image/png gave a %T", ref)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("alpha %v: row %d differs from image/png's", alpha, y)
			}
		}
		if err := r.finish(); err != nil {
			t.Fatalf("alpha %v: %v", alpha, err)
		}

		info := BannerInfo{URL: longURL, Shot: time.Date(2026, 3, 10, 9, 15, 30, 0, time.UTC), Piece: 3}
		streamed, err := ComposeBanner(data, info)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := composeImage(w, h, func(y int, rgb []byte) {
			if s, ok := ref.(*image.NRGBA); ok {
				rgbRow(rgb, s.Pix[y*s.Stride:], false)
			} else {
				s := ref.(*image.RGBA)
				rgbRow(rgb, s.Pix[y*s.Stride:], true)
			}
		}, info)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(streamed.PNG, decoded.PNG) {
			t.Fatalf("alpha %v: the banner read row by row differs from the one of the decoded image", alpha)
		}
	}
}

// A damaged screenshot is refused with a French error, never half drawn:
// truncated data, a wrong checksum, an unknown row filter, extra data.
func TestPNGRowsDamaged(t *testing.T) {
	var enc bytes.Buffer
	if err := png.Encode(&enc, patterned(220, 40, false)); err != nil {
		t.Fatal(err)
	}
	good := enc.Bytes()
	// rebuild re-encodes the image data (as stored, filters included)
	// after change, in one IDAT with a valid CRC.
	rebuild := func(change func(raw []byte) []byte, checksum bool) []byte {
		var z bytes.Buffer
		data := good[8:]
		for len(data) >= 12 {
			n := binary.BigEndian.Uint32(data)
			if string(data[4:8]) == "IDAT" {
				z.Write(data[8 : 8+n])
			}
			data = data[12+n:]
		}
		zr, _ := zlib.NewReader(&z)
		raw, _ := io.ReadAll(zr)
		var nz bytes.Buffer
		zw := zlib.NewWriter(&nz)
		zw.Write(change(raw))
		zw.Close()
		idat := nz.Bytes()
		if !checksum {
			idat[len(idat)-1] ^= 0xff
		}
		var out bytes.Buffer
		out.Write(good[:8+25]) // signature, IHDR
		writeChunk(&out, "IDAT", idat)
		writeChunk(&out, "IEND", nil)
		return out.Bytes()
	}
	info := BannerInfo{URL: longURL, Shot: time.Date(2026, 3, 10, 9, 15, 30, 0, time.UTC), Piece: 3}
	if _, err := ComposeBanner(rebuild(func(raw []byte) []byte { return raw }, true), info); err != nil {
		t.Fatalf("rebuilt intact PNG refused: %v", err)
	}
	for name, data := range map[string][]byte{
		"tronquée":          rebuild(func(raw []byte) []byte { return raw[:len(raw)/2] }, true),
		"somme de contrôle": rebuild(func(raw []byte) []byte { return raw }, false),
		"filtre inconnu":    rebuild(func(raw []byte) []byte { raw[(1+3*220)*7] = 9; return raw }, true),
		"données en trop":   rebuild(func(raw []byte) []byte { return append(raw, 0, 1, 2) }, true),
	} {
		b, err := ComposeBanner(data, info)
		if err == nil || b != nil {
			t.Fatalf("%s: accepted", name)
		}
		if !strings.HasPrefix(err.Error(), "lecture de la capture : ") {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// idatStream returns the inflated image data of a PNG (its IDAT chunks
// joined), failing the test on a bad zlib stream.
func idatStream(t *testing.T, png []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	data := png[8:]
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
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
