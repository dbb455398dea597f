package render

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"codeberg.org/go-pdf/fpdf"
)

// FuzzCheckImportPDF: the import's PDF check (pdfcpu read, validate, page
// count, stamp) never panics on any bytes, and a refusal is a *PieceError
// with a French message and a hint (review 1, H3).
func FuzzCheckImportPDF(f *testing.F) {
	d := fpdf.New("P", "mm", "A4", "")
	d.AddPage()
	d.SetFont("Helvetica", "", 12)
	d.Cell(40, 10, "Preuve")
	var b bytes.Buffer
	if err := d.Output(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte("%PDF-1.4 pas un vrai PDF %%EOF"))
	f.Add([]byte("%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[2 0 R]/Count 1>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkImportPDF(data, "f.pdf")
		if err == nil {
			return
		}
		var pe *PieceError
		if !errors.As(err, &pe) || pe.Msg == "" || pe.Hint == "" {
			t.Fatalf("refusal without a French message and hint: %#v", err)
		}
	})
}

// FuzzCheckImage: the import's image check (header, pixel budget, full
// decode) never panics, whatever the header claims. The budget is lowered to
// 4 Mpx so that each run stays small.
func FuzzCheckImage(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 13)
	}
	img.Set(3, 3, color.White)
	var p, j bytes.Buffer
	png.Encode(&p, img)
	jpeg.Encode(&j, img, nil)
	f.Add(p.Bytes(), true)
	f.Add(j.Bytes(), false)
	f.Add(p.Bytes()[:p.Len()/2], true)
	f.Add(append(j.Bytes()[:j.Len()*2/3], 0xff, 0xd9), false)
	f.Fuzz(func(t *testing.T, data []byte, isPNG bool) {
		ext := ".jpg"
		if isPNG {
			ext = ".png"
		}
		err := checkImage(bytes.NewReader(data), "f"+ext, ext, 4_000_000)
		if err == nil {
			return
		}
		var pe *PieceError
		if !errors.As(err, &pe) || pe.Msg == "" || pe.Hint == "" {
			t.Fatalf("refusal without a French message and hint: %#v", err)
		}
	})
}
