package render

import (
	"fmt"
	"strings"
)

// drawInventory lays out the inventaire des pièces from the top of the
// current (new) page.
func (d *doc) drawInventory(in *Input, entries []Entry) {
	d.SetFont(sans, "B", 15)
	d.CellFormat(bodyW, 8, "Inventaire des pièces", "", 1, "C", false, 0, "")
	d.SetFont(sans, "", 10)
	f := in.facts()
	d.MultiCell(bodyW, 5, "Affaire : "+f.PersonName+" — "+in.Dossier.Prefecture.Name, "", "C", false)
	d.MultiCell(bodyW, 5, fmt.Sprintf("%d pièces numérotées en continu (art. R.412-2 du code de justice administrative) — état au %s", len(entries), f.Today), "", "C", false)
	d.Ln(5)
	const numW = 16.0
	header := func() {
		d.SetFont(sans, "B", 10)
		d.SetFillColor(230, 230, 230)
		d.CellFormat(numW, 7, "N°", "1", 0, "C", true, 0, "")
		d.CellFormat(bodyW-numW, 7, "Intitulé de la pièce", "1", 1, "L", true, 0, "")
	}
	header()
	lh := 5.0
	for _, e := range entries {
		text := e.Title
		if e.Note != "" {
			text += "\n" + e.Note
		}
		d.SetFont(sans, "", 10)
		n := 0
		for _, para := range strings.Split(text, "\n") {
			n += len(d.SplitText(para, bodyW-numW-4))
		}
		h := float64(n)*lh + 3
		if d.GetY()+h > bodyBottom-4 {
			d.AddPage()
			header()
		}
		x, y := d.GetX(), d.GetY()
		d.Rect(x, y, numW, h, "D")
		d.Rect(x+numW, y, bodyW-numW, h, "D")
		d.SetFont(sans, "B", 10)
		d.SetXY(x, y+1.5)
		d.CellFormat(numW, lh, fmt.Sprint(e.Number), "", 0, "C", false, 0, "")
		d.SetXY(x+numW+2, y+1.5)
		d.SetFont(sans, "", 10)
		d.MultiCell(bodyW-numW-4, lh, e.Title, "", "L", false)
		if e.Note != "" {
			d.SetX(x + numW + 2)
			d.SetFont(sans, "I", 9)
			d.MultiCell(bodyW-numW-4, lh, e.Note, "", "L", false)
		}
		d.SetXY(x, y+h)
	}
}

// InventoryPDF renders the inventaire des pièces alone.
func (in *Input) InventoryPDF() ([]byte, error) {
	return in.inventoryPDF(in.Inventory())
}

func (in *Input) inventoryPDF(entries []Entry) ([]byte, error) {
	var out []byte
	var err error
	total := 0
	for pass := 0; pass < 2; pass++ {
		d := newDoc(in.Now, "Inventaire des pièces")
		d.total = total
		d.AddPage()
		d.drawInventory(in, entries)
		total = d.PageNo()
		if pass == 1 {
			out, err = d.output()
		}
	}
	return out, err
}
