package render

import (
	"fmt"
	"strings"
)

// Addressees of an inventory: the one sent with a letter to the préfecture
// cites no article of the code de justice administrative; the one filed
// with a request to the judge does (art. R.412-2 CJA) and names the parties.
const (
	ForPrefecture = "prefecture"
	ForJudge      = "juge"
)

// adverse names the défendeur from the préfecture's name: « Préfecture de
// la Seine-Saint-Denis » becomes « Préfet de la Seine-Saint-Denis ».
func adverse(pref string) string {
	if rest, ok := strings.CutPrefix(pref, "Préfecture"); ok {
		return "Préfet" + rest
	}
	return pref
}

// drawInventory lays out the inventaire des pièces from the top of the
// current (new) page, for the addressee (ForPrefecture or ForJudge).
func (d *doc) drawInventory(in *Input, entries []Entry, forWhom string) {
	d.SetFont(sans, "B", 15)
	d.CellFormat(bodyW, 8, "Inventaire des pièces", "", 1, "C", false, 0, "")
	d.SetFont(sans, "", 10)
	f := in.facts()
	if forWhom == ForJudge {
		d.MultiCell(bodyW, 5, nb("Affaire : "+f.PersonName+" c/ "+adverse(in.Dossier.Prefecture.Name)), "", "C", false)
		d.MultiCell(bodyW, 5, fmt.Sprintf("%d pièces numérotées en continu (art. R.412-2 du code de justice administrative) — état au %s", len(entries), f.Today), "", "C", false)
	} else {
		d.MultiCell(bodyW, 5, nb("Demande de "+f.Person+" — "+in.Dossier.Prefecture.Name), "", "C", false)
		d.MultiCell(bodyW, 5, fmt.Sprintf("%d pièces numérotées — état au %s", len(entries), f.Today), "", "C", false)
	}
	d.Ln(5)
	const numW = 12.0
	const dateW = 24.0
	titleW := bodyW - numW - dateW
	header := func() {
		d.SetFont(sans, "B", 10)
		d.SetFillColor(230, 230, 230)
		d.CellFormat(numW, 7, "N°", "1", 0, "C", true, 0, "")
		d.CellFormat(dateW, 7, "Date", "1", 0, "C", true, 0, "")
		d.CellFormat(titleW, 7, "Intitulé de la pièce", "1", 1, "L", true, 0, "")
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
		for _, para := range strings.Split(nb(text), "\n") {
			n += len(d.SplitText(para, titleW-4))
		}
		h := float64(n)*lh + 3
		if d.GetY()+h > bodyBottom-4 {
			d.AddPage()
			header()
		}
		x, y := d.GetX(), d.GetY()
		d.Rect(x, y, numW, h, "D")
		d.Rect(x+numW, y, dateW, h, "D")
		d.Rect(x+numW+dateW, y, titleW, h, "D")
		d.SetFont(sans, "B", 10)
		d.SetXY(x, y+1.5)
		d.CellFormat(numW, lh, fmt.Sprint(e.Number), "", 0, "C", false, 0, "")
		d.SetFont(sans, "", 9.5)
		d.CellFormat(dateW, lh, e.Date, "", 0, "C", false, 0, "")
		d.SetXY(x+numW+dateW+2, y+1.5)
		d.SetFont(sans, "", 10)
		d.MultiCell(titleW-4, lh, nb(e.Title), "", "L", false)
		if e.Note != "" {
			d.SetX(x + numW + dateW + 2)
			d.SetFont(sans, "I", 9)
			d.MultiCell(titleW-4, lh, e.Note, "", "L", false)
		}
		d.SetXY(x, y+h)
	}
}

// InventoryPDF renders the inventaire des pièces alone, for its addressee
// (ForPrefecture or ForJudge).
func (in *Input) InventoryPDF(forWhom string) ([]byte, error) {
	return in.inventoryPDF(in.Inventory(), forWhom)
}

func (in *Input) inventoryPDF(entries []Entry, forWhom string) ([]byte, error) {
	var out []byte
	var err error
	total := 0
	for pass := 0; pass < 2; pass++ {
		d := newDoc(in.Now, "Inventaire des pièces")
		d.total = total
		d.AddPage()
		d.drawInventory(in, entries, forWhom)
		total = d.PageNo()
		if pass == 1 {
			out, err = d.output()
		}
	}
	return out, err
}
