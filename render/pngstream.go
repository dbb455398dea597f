package render

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"anefdossier/protocol"
)

// A screenshot is copied into the dossier straight from its file: a PNG's
// IDAT data is a zlib stream that a PDF image with /FlateDecode and the PNG
// predictor reads as it is, so the image is never held in memory. fpdf lays
// the page out around a one-pixel placeholder image (its colour is the
// piece number), and [pdfOut] writes the file's data in its place, checking
// the file's SHA-256 against the journal as it reads it.

// pngHeader is what the copy needs from a PNG that can be copied as it is:
// 8-bit grey or RGB, not interlaced, no transparency, no palette.
type pngHeader struct {
	width, height int
	colors        int   // 1 (grey) or 3 (RGB)
	idat          int64 // total length of the IDAT data
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// walkPNG calls fn for each chunk of the PNG read from r with its type,
// length and a reader of its data (fn need not read it); it stops after
// IEND.
func walkPNG(r io.Reader, fn func(typ string, n int64, data io.Reader) error) error {
	var head [8]byte
	if _, err := io.ReadFull(r, head[:]); err != nil || !bytes.Equal(head[:], pngSignature) {
		return errors.New("signature PNG absente")
	}
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return errors.New("PNG tronqué")
		}
		n := int64(binary.BigEndian.Uint32(head[:4]))
		typ := string(head[4:])
		data := io.LimitReader(r, n)
		if err := fn(typ, n, data); err != nil {
			return err
		}
		// The rest of the data, then the CRC.
		if _, err := io.Copy(io.Discard, data); err != nil {
			return err
		}
		if _, err := io.CopyN(io.Discard, r, 4); err != nil {
			return errors.New("PNG tronqué")
		}
		if typ == "IEND" {
			return nil
		}
	}
}

// streamablePNG reads the chunk headers of a PNG file (seeking over their
// data) and says whether its data can be copied as it is.
func streamablePNG(path string) (pngHeader, bool) {
	var h pngHeader
	f, _, err := protocol.OpenCaseFile(path, path)
	if err != nil {
		return h, false
	}
	defer f.Close()
	var b [8 + 8 + 13]byte
	if _, err := io.ReadFull(f, b[:]); err != nil || !bytes.Equal(b[:8], pngSignature) || string(b[12:16]) != "IHDR" {
		return h, false
	}
	ihdr := b[16:]
	h.width, h.height = int(binary.BigEndian.Uint32(ihdr[0:])), int(binary.BigEndian.Uint32(ihdr[4:]))
	h.colors = map[byte]int{0: 1, 2: 3}[ihdr[9]]
	if ihdr[8] != 8 || h.colors == 0 || ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] != 0 || h.width <= 0 || h.height <= 0 {
		return h, false
	}
	pos := int64(8 + 8 + 13 + 4)
	for {
		var c [8]byte
		if _, err := f.ReadAt(c[:], pos); err != nil {
			return h, false
		}
		n := int64(binary.BigEndian.Uint32(c[:4]))
		switch string(c[4:]) {
		case "tRNS", "PLTE":
			return h, false
		case "IDAT":
			h.idat += n
		case "IEND":
			return h, h.idat > 0
		}
		pos += 8 + n + 4
	}
}

// placeholderPNG is a one-pixel PNG whose colour is the piece number, and
// the compressed data fpdf will embed for it.
func placeholderPNG(number int) (file []byte, data string) {
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{byte(number >> 16), byte(number >> 8), byte(number), 255})
	var buf bytes.Buffer
	png.Encode(&buf, img)
	var idat bytes.Buffer
	walkPNG(bytes.NewReader(buf.Bytes()), func(typ string, n int64, r io.Reader) error {
		if typ == "IDAT" {
			io.Copy(&idat, r)
		}
		return nil
	})
	return buf.Bytes(), idat.String()
}

// pngSource is a PNG piece to copy in place of its placeholder.
type pngSource struct {
	number int
	file   protocol.PieceFile
	path   string
	header pngHeader
}

// copyPNG writes the image of src as object n: its IDAT data, read from
// the file while the whole file is hashed and checked against the journal.
func (o *pdfOut) copyPNG(n int, src pngSource) error {
	h := src.header
	cs := "/DeviceRGB"
	if h.colors == 1 {
		cs = "/DeviceGray"
	}
	if err := o.begin(n); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(o.w, "<</Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace%s/BitsPerComponent 8/Filter/FlateDecode/DecodeParms<</Predictor 15/Colors %d/BitsPerComponent 8/Columns %d>>/Length %d>>\nstream\n",
		h.width, h.height, cs, h.colors, h.width, h.idat); err != nil {
		return err
	}
	f, _, err := protocol.OpenCaseFile(src.path, src.file.Path)
	if err != nil {
		return fmt.Errorf("pièce n°%d : %w", src.number, err)
	}
	defer f.Close()
	sum := sha256.New()
	r := bufio.NewReaderSize(io.TeeReader(f, sum), 1<<20)
	var copied int64
	err = walkPNG(r, func(typ string, n int64, data io.Reader) error {
		if typ != "IDAT" {
			return nil
		}
		c, err := io.Copy(o.w, data)
		copied += c
		return err
	})
	if err == nil {
		_, err = io.Copy(io.Discard, r) // hash what follows IEND
	}
	if err != nil || copied != h.idat || hex.EncodeToString(sum.Sum(nil)) != src.file.SHA256 {
		return fmt.Errorf("pièce n°%d (%s) : %w ; lancez anef-dossier verify", src.number, src.file.Path, ErrTampered)
	}
	_, err = io.WriteString(o.w, "\nendstream\nendobj\n")
	return err
}
