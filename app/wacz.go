package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"

	"anefdossier/export"
	"anefdossier/protocol"
)

// ExportWACZ writes the case's captures that have a web archive as one
// WACZ package at dst (see [export.WriteWACZ]). It holds the case's lock
// while the files are read; each WARC is checked against the hash the
// journal recorded for it.
func ExportWACZ(ctx context.Context, cs *protocol.Case, dst string) (*export.WACZResult, error) {
	tx, err := cs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	st, _, err := tx.State()
	if err != nil {
		return nil, err
	}
	var pages []export.WACZPage
	for i := range st.Pieces {
		p := &st.Pieces[i]
		w, ok := p.File(protocol.RoleWARC)
		if !ok {
			continue
		}
		page := export.WACZPage{Piece: p.Number, Title: p.Title, TS: p.Date, WARC: w.Path, Hash: w.SHA256}
		if f, ok := p.File(protocol.RoleEvidence); ok {
			var rec protocol.CaptureRecord
			if b, err := os.ReadFile(filepath.Join(cs.Dir, filepath.FromSlash(f.Path))); err == nil && json.Unmarshal(b, &rec) == nil {
				// The page as the server sent it: the address the
				// archive holds a response for.
				page.URL = rec.FinalURL
				if rec.DocumentURL != "" {
					page.URL = rec.DocumentURL
				}
				if !rec.Shot.IsZero() {
					page.TS = rec.Shot
				}
			}
		}
		if page.URL == "" {
			var sum protocol.CaptureSummary
			if json.Unmarshal(p.Record, &sum) == nil {
				page.URL = sum.FinalURL
			}
		}
		pages = append(pages, page)
	}
	title := "Dossier " + filepath.Base(cs.Dir)
	return export.WriteWACZ(cs.Dir, dst, title, pages, protocol.Now())
}
