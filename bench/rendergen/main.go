// Command rendergen writes a case of N pieces for bench/render.sh: full-page
// screenshots (opaque RGB PNG, 1366 px wide, 3,000 to 6,000 px tall, busy
// enough to weigh what real pages weigh) and multi-page PDFs standing for
// scanned documents (made by img2pdf from PNG pages), plus the list of the
// screenshots for img2pdf.
//
//	go run ./bench/rendergen DIR 100 20   # 100 pieces, 20 of them PDFs
//	go run ./bench/rendergen DIR 1000Mo   # about 1,000 Mo of large pieces
//
// The second form makes the cases of the flat-memory benchmark: full-page
// captures 1366 px wide and 10,000 to 14,000 px tall, and imported PDFs of
// 120 scanned pages, one in ten pieces, until the pieces weigh the size
// asked. To keep the generation short, the files come from a pool (eight
// captures, two PDFs) and pieces repeat them; nothing in the render shares
// work between pieces, so this changes neither the time nor the memory.
package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"anefdossier/protocol"
)

const dossierYAML = `protocole: bug-technique
personne:
  nom: "BANC"
  prenoms: "Essai"
  date_naissance: "1990-01-01"
  lieu_naissance: {ville: "Villefictive", pays: "Pays imaginaire"}
  nationalite: "imaginaire"
  numero_etranger: "9900000002"
  adresse: "1 rue du Banc d'essai | 99000 Exempleville"
  telephone: "01 99 00 00 01"
  courriel: "essai@courriel.example"
procedure: {titre: "carte de séjour (essai)", motif: "essai", nature: "renouvellement"}
prefecture: {nom: "Préfecture d'essai (fictive)", adresse: "1 place d'Essai | 99000 Exempleville", ville: "Exempleville", courriels: ["essai@prefecture.example"]}
representant: {qualite: personne, ville: "Exempleville"}
blocage: {description: "Dépôt impossible (banc d'essai).", message_erreur: "Erreur (essai)", url: "https://exemple.invalid/"}
`

func main() {
	if len(os.Args) == 3 && strings.HasSuffix(os.Args[2], "Mo") {
		mo, _ := strconv.Atoi(strings.TrimSuffix(os.Args[2], "Mo"))
		if err := runLarge(os.Args[1], int64(mo)<<20); err != nil {
			fmt.Fprintln(os.Stderr, "rendergen :", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage : rendergen DOSSIER N NPDF | rendergen DOSSIER TAILLEMo")
		os.Exit(2)
	}
	n, _ := strconv.Atoi(os.Args[2])
	npdf, _ := strconv.Atoi(os.Args[3])
	if err := run(os.Args[1], n, npdf); err != nil {
		fmt.Fprintln(os.Stderr, "rendergen :", err)
		os.Exit(1)
	}
}

func run(dir string, n, npdf int) error {
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	protocol.Now = func() time.Time { return clock }
	os.RemoveAll(dir)
	cs, err := protocol.Init(dir, "bug-technique", nil)
	if err != nil {
		return err
	}
	if err := os.WriteFile(cs.Path(protocol.DossierFile), []byte(dossierYAML), 0o600); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "..", filepath.Base(dir)+"-sources")
	os.RemoveAll(tmp)
	os.MkdirAll(tmp, 0o700)
	tx, err := cs.Begin(context.Background())
	if err != nil {
		return err
	}
	defer tx.Close()
	rng := rand.New(rand.NewSource(1))
	var list bytes.Buffer
	for i := 1; i <= n; i++ {
		clock = clock.Add(7 * time.Hour)
		if i%(n/max(npdf, 1)+1) == 0 && npdf > 0 {
			npdf--
			// A "scanned" document: 3 pages, made by img2pdf.
			var pages []string
			for k := 0; k < 3; k++ {
				p := filepath.Join(tmp, fmt.Sprintf("scan-%d-%d.png", i, k))
				if err := os.WriteFile(p, page(rng, 1240, 1754), 0o600); err != nil {
					return err
				}
				pages = append(pages, p)
			}
			out := filepath.Join(tmp, fmt.Sprintf("doc-%d.pdf", i))
			if b, err := exec.Command("img2pdf", append(pages, "-o", out)...).CombinedOutput(); err != nil {
				return fmt.Errorf("img2pdf : %v %s", err, b)
			}
			if _, _, err := tx.AddPiece(protocol.NewPiece{Kind: "document", Provenance: protocol.ProvenanceImported,
				OriginalName: filepath.Base(out), Files: []protocol.NewFile{{Role: "piece", Ext: ".pdf", Src: out}}}); err != nil {
				return err
			}
			continue
		}
		img := page(rng, 1366, 3000+rng.Intn(3000))
		p := filepath.Join(tmp, fmt.Sprintf("capture-%03d.png", i))
		if err := os.WriteFile(p, img, 0o600); err != nil {
			return err
		}
		list.WriteString(p + "\n")
		rec := &protocol.CaptureRecord{URLRequested: "https://exemple.invalid/page", FinalURL: "https://exemple.invalid/page", Status: 200,
			Mode: protocol.ModeHeadless, PageTitle: "Page d'essai", Shot: protocol.Now()}
		if _, err := tx.AddCapture(protocol.NewCapture{Record: rec, Bannered: img}); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(tmp, "captures.txt"), list.Bytes(), 0o600)
}

// page draws a busy page: text-like strokes of varying grey on white, with
// coloured blocks, so that PNG compression behaves as on real screenshots.
func page(rng *rand.Rand, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for y := 40; y < h-40; y += 26 {
		if rng.Intn(9) == 0 {
			c := color.NRGBA{uint8(rng.Intn(256)), uint8(rng.Intn(256)), uint8(rng.Intn(256)), 255}
			draw.Draw(img, image.Rect(30, y, w-30, y+60), image.NewUniform(c), image.Point{}, draw.Src)
			y += 60
			continue
		}
		x := 40
		for x < w-80 {
			wl := 10 + rng.Intn(70)
			g := uint8(rng.Intn(90))
			for yy := y; yy < y+14; yy++ {
				for xx := x; xx < x+wl && xx < w-40; xx++ {
					if rng.Intn(3) > 0 {
						img.SetNRGBA(xx, yy, color.NRGBA{g, g, g, 255})
					}
				}
			}
			x += wl + 8
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, opaque{img}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

type opaque struct{ *image.NRGBA }

func (o opaque) Opaque() bool { return true }

// runLarge writes a case whose pieces weigh about size bytes (see the
// package comment). The pool is kept beside the case and reused.
func runLarge(dir string, size int64) error {
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	protocol.Now = func() time.Time { return clock }
	pool := filepath.Join(filepath.Dir(dir), "reserve-grandes-pieces")
	if err := os.MkdirAll(pool, 0o700); err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(2))
	var caps, pdfs []string
	for i := 0; i < 8; i++ {
		p := filepath.Join(pool, fmt.Sprintf("capture-%d.png", i))
		h := 10000 + rng.Intn(4001)
		if _, err := os.Stat(p); err != nil {
			if err := os.WriteFile(p, page(rng, 1366, h), 0o600); err != nil {
				return err
			}
		}
		caps = append(caps, p)
	}
	for i := 0; i < 2; i++ {
		out := filepath.Join(pool, fmt.Sprintf("scan-120-pages-%d.pdf", i))
		if _, err := os.Stat(out); err != nil {
			// 120 pages from 12 distinct scanned pages.
			var pages []string
			for k := 0; k < 12; k++ {
				p := filepath.Join(pool, fmt.Sprintf("page-%d-%d.png", i, k))
				if err := os.WriteFile(p, page(rng, 1240, 1754), 0o600); err != nil {
					return err
				}
				pages = append(pages, p)
			}
			var args []string
			for k := 0; k < 120; k++ {
				args = append(args, pages[(k*7+i)%12])
			}
			if b, err := exec.Command("img2pdf", append(args, "-o", out)...).CombinedOutput(); err != nil {
				return fmt.Errorf("img2pdf : %v %s", err, b)
			}
		}
		pdfs = append(pdfs, out)
	}
	os.RemoveAll(dir)
	cs, err := protocol.Init(dir, "bug-technique", nil)
	if err != nil {
		return err
	}
	if err := os.WriteFile(cs.Path(protocol.DossierFile), []byte(dossierYAML), 0o600); err != nil {
		return err
	}
	tx, err := cs.Begin(context.Background())
	if err != nil {
		return err
	}
	defer tx.Close()
	var total int64
	var list bytes.Buffer
	for i := 1; total < size; i++ {
		clock = clock.Add(7 * time.Hour)
		src, np := caps[i%len(caps)], protocol.NewPiece{Kind: "capture", Provenance: protocol.ProvenanceCapture,
			Record: protocol.CaptureSummary{URL: "https://exemple.invalid/page", Status: 200, Mode: "sans-tete", PageTitle: "Page d'essai"}}
		ext := ".png"
		if i%10 == 0 {
			src, ext = pdfs[(i/10)%len(pdfs)], ".pdf"
			np = protocol.NewPiece{Kind: "document", Provenance: protocol.ProvenanceImported, OriginalName: filepath.Base(src)}
		} else {
			list.WriteString(src + "\n")
		}
		np.Files = []protocol.NewFile{{Role: "piece", Ext: ext, Src: src}}
		if _, _, err := tx.AddPiece(np); err != nil {
			return err
		}
		st, err := os.Stat(src)
		if err != nil {
			return err
		}
		total += st.Size()
	}
	return os.WriteFile(dir+"-captures.txt", list.Bytes(), 0o600)
}
