package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"anefdossier/export"
	"anefdossier/internal/portable"
	"anefdossier/protocol"
	"anefdossier/render"
)

// Document is one thing the Documents page can produce.
type Document struct {
	ID    string // "letter:ID", "inventaire", "dossier", "telerecours", "eml"
	Title string
	// Missing are the labels of the dossier.yaml fields it still lacks.
	Missing []string
	// Outputs are its files already under out/ (names relative to out/).
	Outputs []Output
	// Sent says when the document was sent, from the records of the steps
	// that produce it (e.g. "le 14/03/2026, lettre recommandée").
	Sent []string
}

// Output is a file under out/.
type Output struct {
	Name     string
	Size     int64
	Modified time.Time
}

// Documents lists the documents of a case: the protocol's letters and
// e-mails, the inventory, the whole dossier, the Télérecours export and the
// .eml drafts, with what is already produced and what was sent.
func (w *Workspace) Documents(rel string) ([]Document, *CaseView, error) {
	v, err := w.Case(rel)
	if err != nil {
		return nil, nil, err
	}
	cs, err := w.Open(rel)
	if err != nil {
		return nil, nil, err
	}
	outs := outputs(cs.Path(protocol.OutDir))
	var docs []Document
	for _, d := range v.State.Protocol.Documents {
		doc := Document{ID: "letter:" + d.ID, Title: d.Title}
		if v.Dossier != nil {
			for _, m := range d.Missing(v.Dossier) {
				doc.Missing = append(doc.Missing, protocol.Label(m))
			}
		}
		doc.Outputs = pick(outs, func(n string) bool { return n == d.ID+".pdf" })
		for _, st := range v.State.Steps {
			for _, id := range st.Step.Documents {
				if id != d.ID {
					continue
				}
				for _, r := range st.Records {
					s := ""
					if r.Date != nil {
						s = "le " + protocol.FrDate(*r.Date)
					}
					if ch := st.Step.Channel(r.Channel); ch != nil {
						s = strings.TrimSpace(s + ", " + ch.Title)
						s = strings.TrimPrefix(s, ", ")
					}
					if r.Ref != "" {
						s += " (réf. " + r.Ref + ")"
					}
					doc.Sent = append(doc.Sent, s)
				}
			}
		}
		docs = append(docs, doc)
	}
	docs = append(docs,
		Document{ID: "inventaire", Title: "Inventaire des pièces", Outputs: pick(outs, func(n string) bool { return n == render.InventoryFile })},
		Document{ID: "dossier", Title: "Dossier complet (garde, lettre, inventaire, pièces, annexe d'intégrité)", Outputs: pick(outs, func(n string) bool { return n == render.DossierFile })},
		Document{ID: "telerecours", Title: "Export Télérecours (un PDF par pièce, noms conformes)", Outputs: pick(outs, func(n string) bool { return strings.HasPrefix(n, render.TelerecoursDir+"/") })},
		Document{ID: "eml", Title: "Brouillons de courriels (.eml) à ouvrir dans la messagerie", Outputs: pick(outs, func(n string) bool { return strings.HasSuffix(n, ".eml") })},
	)
	return docs, v, nil
}

func pick(outs []Output, keep func(string) bool) []Output {
	var r []Output
	for _, o := range outs {
		if keep(o.Name) {
			r = append(r, o)
		}
	}
	return r
}

// outputs lists the regular files under out/ (one level of folders).
func outputs(dir string) []Output {
	var out []Output
	var walk func(d, prefix string, depth int)
	walk = func(d, prefix string, depth int) {
		entries, err := os.ReadDir(d)
		if err != nil {
			return
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if e.IsDir() && depth == 0 {
				walk(filepath.Join(d, e.Name()), prefix+e.Name()+"/", 1)
				continue
			}
			if !e.Type().IsRegular() {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue
			}
			out = append(out, Output{Name: prefix + e.Name(), Size: info.Size(), Modified: info.ModTime()})
		}
	}
	walk(dir, "", 0)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RenderResult lists the files a render wrote (relative to out/) and its
// warnings.
type RenderResult struct {
	Files    []string
	Warnings []string
}

// RenderDocument produces a document of the Documents page under out/, as
// `render` does; id is a Document.ID.
func (w *Workspace) RenderDocument(rel, id string) (*RenderResult, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	in, err := Render(cs)
	if err != nil {
		return nil, err
	}
	res := &RenderResult{}
	outRel := func(p string) string {
		r, err := filepath.Rel(cs.Path(protocol.OutDir), p)
		if err != nil {
			return p
		}
		return filepath.ToSlash(r)
	}
	switch {
	case strings.HasPrefix(id, "letter:"):
		doc := strings.TrimPrefix(id, "letter:")
		if strings.HasPrefix(doc, "courriel") {
			d, err := in.Draft(doc)
			if err == nil {
				p, err := in.WriteOut(d.Name, d.Data)
				if err != nil {
					return nil, err
				}
				res.Files = append(res.Files, outRel(p))
				if d.Warning != "" {
					res.Warnings = append(res.Warnings, d.Warning)
				}
			}
		}
		// A letter that recounts diligences not done is refused (nothing is
		// written); once sent, its frozen copy is written as it was sent.
		if err := in.CheckDiligences(doc); err != nil {
			return nil, err
		}
		name, pdf, err := in.LetterFile(doc)
		if err != nil {
			return nil, err
		}
		p, err := in.WriteOut(name, pdf)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, outRel(p))
	case id == "inventaire":
		pdf, err := in.InventoryPDF(render.ForPrefecture)
		if err != nil {
			return nil, err
		}
		p, err := in.WriteOut(render.InventoryFile, pdf)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, outRel(p))
	case id == "dossier":
		p, _, err := in.WriteOutWith(render.DossierFile, in.WriteDossier)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, outRel(p))
	case id == "telerecours":
		files, err := in.Telerecours()
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			res.Files = append(res.Files, outRel(f.Path))
			if f.Note != "" {
				res.Warnings = append(res.Warnings, f.Note)
			}
		}
	case id == "eml":
		drafts, err := in.Drafts()
		if err != nil {
			return nil, err
		}
		for _, d := range drafts {
			p, err := in.WriteOut(d.Name, d.Data)
			if err != nil {
				return nil, err
			}
			res.Files = append(res.Files, outRel(p))
			if d.Warning != "" {
				res.Warnings = append(res.Warnings, d.Warning)
			}
		}
	default:
		return nil, userErr(fmt.Sprintf("document « %s » inconnu", id), "")
	}
	return res, nil
}

// OpenOutput opens a file under the case's out/ folder (name relative to
// out/, slash-separated, at most one folder deep).
func (w *Workspace) OpenOutput(rel, name string) (*os.File, error) {
	clean := path.Clean("/" + name)[1:]
	if clean == "" || clean != name || strings.Count(clean, "/") > 1 || strings.HasPrefix(path.Base(clean), ".") {
		return nil, ErrOutside
	}
	return w.openInCase(rel, protocol.OutDir+"/"+clean)
}

// Verify is [Verify] on the case named rel.
func (w *Workspace) Verify(rel string) (*VerifyResult, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	return Verify(cs, VerifyRequest{})
}

// ExportTemp writes the case's archive (see [Export]) to a temporary file
// outside the case and returns its path, for download; the caller removes it.
func (w *Workspace) ExportTemp(ctx context.Context, rel string) (string, *export.Result, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "anef-export-")
	if err != nil {
		return "", nil, err
	}
	name := portable.Name(protocol.ASCII(filepath.Base(cs.Dir)), export.MaxRoot, "dossier")
	dst := filepath.Join(dir, name+".tar.gz")
	ctx, cancel := w.lockContext(ctx)
	defer cancel()
	res, err := Export(ctx, cs, dst, export.Options{})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return res.Path, res, nil
}

// Timestamp is [Timestamp] on the case named rel (every piece not yet
// timestamped, with the authorities of the case or the user).
func (w *Workspace) Timestamp(ctx context.Context, rel string) (*TimestampResult, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	// ctx also bounds the requests to the authorities: no LockWait here.
	res, err := Timestamp(ctx, cs, TimestampRequest{})
	if errors.Is(err, ErrNoAuthority) {
		return nil, userErr("aucune autorité d'horodatage n'est configurée",
			"indiquez l'adresse d'une autorité RFC 3161 de votre choix dans la fiche (Horodatage, autorités) ; seule l'empreinte des pièces lui est envoyée")
	}
	return res, err
}
