package capture

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// pngRows reads a screenshot as Chromium writes it, an 8-bit RGB or RGBA
// PNG, not interlaced, one row at a time, without building the image: a
// 1366x10,000 page is 55 MB as an image.NRGBA, and decoding it whole
// (image/png), then turning it back into RGB rows, was most of the
// banner's time. Rows are unfiltered as the PNG specification says (the
// five filters); the zlib stream's checksum is checked at the end
// ([pngRows.finish]). Every other kind of PNG (palette, grey, 16-bit,
// interlaced, a transparent colour key) is left to image/png.
type pngRows struct {
	w, h, bpp int
	z         io.ReadCloser
	prev, cur []byte // filter type + row, as stored
}

const pngSignature = "\x89PNG\r\n\x1a\n"

// newPNGRows returns nil when data is not a PNG this reader takes (then
// image/png decodes it, and says what is wrong with it if anything).
func newPNGRows(data []byte) *pngRows {
	if !bytes.HasPrefix(data, []byte(pngSignature)) {
		return nil
	}
	data = data[len(pngSignature):]
	var r pngRows
	var idat []io.Reader
	for len(data) >= 12 {
		n := binary.BigEndian.Uint32(data)
		if uint64(n) > uint64(len(data)-12) {
			return nil
		}
		body := data[8 : 8+n]
		switch string(data[4:8]) {
		case "IHDR":
			if n != 13 || r.w != 0 {
				return nil
			}
			w, h := binary.BigEndian.Uint32(body), binary.BigEndian.Uint32(body[4:])
			depth, colour, method, filter, interlace := body[8], body[9], body[10], body[11], body[12]
			if w == 0 || h == 0 || w > 1<<16 || h > 1<<20 || depth != 8 || method != 0 || filter != 0 || interlace != 0 {
				return nil
			}
			switch colour {
			case 2:
				r.bpp = 3
			case 6:
				r.bpp = 4
			default:
				return nil
			}
			r.w, r.h = int(w), int(h)
		case "IDAT":
			idat = append(idat, bytes.NewReader(body))
		case "PLTE", "tRNS":
			return nil
		}
		data = data[12+n:]
	}
	if r.w == 0 || len(idat) == 0 {
		return nil
	}
	z, err := zlib.NewReader(io.MultiReader(idat...))
	if err != nil {
		return nil
	}
	r.z = z
	r.prev, r.cur = make([]byte, 1+r.bpp*r.w), make([]byte, 1+r.bpp*r.w)
	return &r
}

// next reads the next row into rgb (3*w bytes), over white when the PNG has
// an alpha channel, as image/draw's Over would.
func (r *pngRows) next(rgb []byte) error {
	if _, err := io.ReadFull(r.z, r.cur); err != nil {
		return fmt.Errorf("données d'image tronquées : %w", err)
	}
	if err := unfilter(r.cur, r.prev, r.bpp); err != nil {
		return err
	}
	if r.bpp == 3 {
		copy(rgb, r.cur[1:])
	} else {
		rgbRow(rgb, r.cur[1:], false)
	}
	r.prev, r.cur = r.cur, r.prev
	return nil
}

// finish checks that the image data ends with the last row, and its
// checksum.
func (r *pngRows) finish() error {
	defer r.z.Close()
	var one [1]byte
	if n, err := r.z.Read(one[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("données après la dernière ligne")
		}
		return fmt.Errorf("données d'image invalides : %w", err)
	}
	return nil
}

// unfilter undoes the row's filter in place; cur and prev start with their
// filter type byte, prev is the row above as unfiltered (zero at the top).
func unfilter(cur, prev []byte, bpp int) error {
	c, p := cur[1:], prev[1:]
	switch cur[0] {
	case 0:
	case 1: // Sub
		for i := bpp; i < len(c); i++ {
			c[i] += c[i-bpp]
		}
	case 2: // Up
		for i := range c {
			c[i] += p[i]
		}
	case 3: // Average
		for i := range bpp {
			c[i] += p[i] / 2
		}
		for i := bpp; i < len(c); i++ {
			c[i] += uint8((int(c[i-bpp]) + int(p[i])) / 2)
		}
	case 4: // Paeth
		for i := range c {
			var a, cc int
			if i >= bpp {
				a, cc = int(c[i-bpp]), int(p[i-bpp])
			}
			b := int(p[i])
			pa, pb, pc := abs(b-cc), abs(a-cc), abs(a+b-2*cc)
			switch {
			case pa <= pb && pa <= pc:
				c[i] += uint8(a)
			case pb <= pc:
				c[i] += uint8(b)
			default:
				c[i] += uint8(cc)
			}
		}
	default:
		return fmt.Errorf("données d'image invalides : filtre de ligne %d inconnu", cur[0])
	}
	return nil
}
