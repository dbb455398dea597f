package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"anefdossier/app"
	"anefdossier/protocol"
)

func (s *Server) pieceRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /d/{case}/pieces", s.pieces)
	m.HandleFunc("POST /d/{case}/pieces", s.upload)
	m.HandleFunc("GET /d/{case}/pieces/{n}", s.piece)
	m.HandleFunc("POST /d/{case}/pieces/{n}/intitule", s.titlePiece)
	m.HandleFunc("GET /d/{case}/pieces/{n}/fichier/{role}", s.pieceFile)
	m.HandleFunc("GET /d/{case}/pieces/{n}/miniature", s.thumbnail)
	m.HandleFunc("POST /d/{case}/pieces/{n}/ecarter", s.setAside)
}

// setAside sets a piece aside with a reason (review 1, H3): the documents
// leave it out, the file and the journal keep it.
func (s *Server) setAside(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	n, err := pieceNumber(r)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	res, err := s.ws.SetAside(r.Context(), rel, n, r.PostFormValue("motif"))
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	s.redirectMsg(w, r, caseURL(rel)+"/pieces", fmt.Sprintf("Pièce n°%d écartée des documents (motif : %s). Le fichier reste dans le dossier et au journal ; les documents comptent désormais %s, numérotées sans trou.",
		n, res.Record.Reason, protocol.Count(res.Kept, "pièce", "pièces")), strings.Join(res.Anchor.Lines(), " "))
}

type piecesData struct {
	Pieces    []app.PieceView
	Kinds     []protocol.Kind
	MaxMB     int64
	UploadURL string
}

func (s *Server) pieces(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	ps, v, err := s.ws.Pieces(rel)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	p := &page{Title: "Pièces", Case: rel, Nav: "pieces", Person: v.Person(), Data: s.piecesData(rel, ps)}
	s.takeFlash(r, p)
	s.render(w, r, http.StatusOK, "pieces", p)
}

func (s *Server) piecesData(rel string, ps []app.PieceView) piecesData {
	return piecesData{Pieces: ps, Kinds: protocol.Kinds, MaxMB: s.cfg.MaxUpload >> 20, UploadURL: caseURL(rel) + "/pieces?csrf=" + s.csrf}
}

// upload streams the files of a multipart form to the library, which
// stores all of them or none.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	tooBig := func() {
		ps, v, err := s.ws.Pieces(rel)
		if err != nil {
			s.fail(w, r, rel, err)
			return
		}
		s.render(w, r, http.StatusRequestEntityTooLarge, "pieces", &page{Title: "Pièces", Case: rel, Nav: "pieces", Person: v.Person(),
			Error: fmt.Sprintf("envoi trop volumineux : la limite est de %d Mo par envoi ; rien n'a été enregistré", s.cfg.MaxUpload>>20),
			Hint:  "envoyez les fichiers en plusieurs fois, ou relancez anef-dossier serve avec --max-upload", Data: s.piecesData(rel, ps)})
	}
	const overhead = 1 << 20 // form fields and multipart headers
	if r.ContentLength > s.cfg.MaxUpload+overhead {
		tooBig()
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+overhead)
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, rel, &app.UserError{Msg: "envoi illisible : formulaire de fichiers attendu", Hint: "utilisez le formulaire de la page Pièces"})
		return
	}
	meta := map[string]string{}
	index := 0
	next := func() (*app.Upload, error) {
		for {
			part, err := mr.NextPart()
			if err != nil {
				return nil, err
			}
			name := part.FormName()
			if part.FileName() == "" {
				b, err := io.ReadAll(io.LimitReader(part, 64<<10))
				if err != nil {
					return nil, err
				}
				meta[name] = string(b)
				continue
			}
			if name != "fichiers" {
				continue
			}
			i := strconv.Itoa(index)
			index++
			pick := func(k string) string {
				if v := meta[k+"."+i]; v != "" {
					return v
				}
				return meta[k]
			}
			return &app.Upload{Name: part.FileName(), Kind: pick("type"), Title: pick("titre"), Date: pick("date"), Body: part}, nil
		}
	}
	got, err := s.ws.ImportPieces(r.Context(), rel, s.cfg.MaxUpload, next)
	var mbe *http.MaxBytesError
	if errors.Is(err, app.ErrTooLarge) || errors.As(err, &mbe) {
		tooBig()
		return
	}
	if err != nil {
		ps, v, verr := s.ws.Pieces(rel)
		if verr != nil {
			s.fail(w, r, rel, verr)
			return
		}
		status, msg, hint := explain(err)
		s.render(w, r, status, "pieces", &page{Title: "Pièces", Case: rel, Nav: "pieces", Person: v.Person(),
			Error: msg + " ; rien n'a été enregistré", Hint: hint, Retry: false, Data: s.piecesData(rel, ps)})
		return
	}
	var ns []string
	for _, p := range got {
		ns = append(ns, fmt.Sprintf("n°%d", p.Number))
	}
	s.redirectMsg(w, r, caseURL(rel)+"/pieces", "Pièce(s) ajoutée(s) : "+strings.Join(ns, ", ")+".", "")
}

type pieceData struct {
	Piece  *app.PieceView
	Mail   *app.Mail
	Record []app.RecordRow
	Text   string
}

func pieceNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return 0, &app.UserError{Msg: "numéro de pièce invalide"}
	}
	return n, nil
}

func (s *Server) piece(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	n, err := pieceNumber(r)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	pv, err := s.ws.Piece(rel, n)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	d := pieceData{Piece: pv}
	if pv.Viewable == "mail" {
		if d.Mail, err = s.ws.ReadMail(rel, n); err != nil {
			s.fail(w, r, rel, err)
			return
		}
	}
	if d.Record, err = s.ws.CaptureRecord(rel, n); err != nil {
		s.fail(w, r, rel, err)
		return
	}
	p := &page{Title: fmt.Sprintf("Pièce n°%d", n), Case: rel, Nav: "pieces", Data: d}
	s.takeFlash(r, p)
	s.render(w, r, http.StatusOK, "piece", p)
}

// titlePiece gives a piece its inventory title (art. R.412-2 al. 2 CJA).
func (s *Server) titlePiece(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	n, err := pieceNumber(r)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	p, err := s.ws.TitlePiece(r.Context(), rel, n, r.PostFormValue("intitule"))
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	s.redirectMsg(w, r, fmt.Sprintf("%s/pieces/%d", caseURL(rel), n), fmt.Sprintf("Intitulé de la pièce n°%d enregistré : « %s ».", n, p.Title), "")
}

// pieceFile serves a file of a piece: images and PDFs inline, every other
// file as a download; never as HTML of this origin, and inside a sandbox.
func (s *Server) pieceFile(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	n, err := pieceNumber(r)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	f, pf, err := s.ws.PieceFile(rel, n, r.PathValue("role"))
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	defer f.Close()
	serveInert(w, r, f, path.Base(pf.Path), r.URL.Query().Has("telecharger"))
}

// serveInert serves a stored file so that it can never run in this origin:
// PNG, JPEG and PDF inline with their own type, anything else as a
// download of type application/octet-stream; always with nosniff and a
// policy that forbids scripts.
func serveInert(w http.ResponseWriter, r *http.Request, f io.ReadSeeker, name string, download bool) {
	h := w.Header()
	ctype := "application/octet-stream"
	switch strings.ToLower(path.Ext(name)) {
	case ".png":
		ctype = "image/png"
	case ".jpg", ".jpeg":
		ctype = "image/jpeg"
	case ".pdf":
		ctype = "application/pdf"
	default:
		download = true
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	if ctype == "application/pdf" {
		// Chromium's PDF viewer does not run in a sandboxed document.
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'")
		h.Set("X-Frame-Options", "SAMEORIGIN")
	} else {
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'")
	}
	disp := "inline"
	if download {
		disp = "attachment"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": name}))
	http.ServeContent(w, r, "", zeroTime, f)
}

func (s *Server) thumbnail(w http.ResponseWriter, r *http.Request) {
	rel := caseOf(r)
	n, err := pieceNumber(r)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	b, ok, err := s.ws.Thumbnail(rel, n)
	if err != nil {
		s.fail(w, r, rel, err)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(b)
}
