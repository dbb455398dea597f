package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/rogpeppe/go-internal/testscript"

	"anefdossier/protocol"
	"anefdossier/tsa"
	"anefdossier/tsa/tsatest"
)

// Tools of the adversary of review 1 (issue 16), as script commands.
func init() {
	// forge-token CASE PIECE GENTIME [requested]: a genuine RFC 3161 token
	// from an authority whose clock lies (GENTIME, RFC 3339), kept beside
	// the piece and recorded with a correct chain, as someone who rewrites
	// the journal would do. With "requested", requested_at is set to
	// GENTIME too (the forger hides the gap).
	scriptCmds["forge-token"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 3 {
			ts.Fatalf("usage: forge-token CASE PIECE GENTIME [requested]")
		}
		gen, err := time.Parse(time.RFC3339, args[2])
		ts.Check(err)
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		f, err := tsatest.StartForger(filepath.Join(ts.MkAbs(".faussaire"), args[2]), "Faussaire", gen)
		ts.Check(err)
		defer f.Close()
		cs, err := protocol.Open(ts.MkAbs(args[0]), nil)
		ts.Check(err)
		tx, err := cs.Begin(context.Background())
		ts.Check(err)
		defer tx.Close()
		var piece protocol.Piece
		for _, e := range tx.Events() {
			var p protocol.Piece
			if e.Type == protocol.EventPiece && e.Decode(&p) == nil && p.Number == n {
				piece = p
			}
		}
		digest, _ := hex.DecodeString(piece.Main().SHA256)
		der, _, err := tsa.NewRequest(digest)
		ts.Check(err)
		resp, err := http.Post(f.URL, "application/timestamp-query", bytes.NewReader(der))
		ts.Check(err)
		token, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		rel := piece.Main().Path + ".9.tsr"
		ts.Check(protocol.WriteFileOnce(cs.Path(filepath.FromSlash(rel)), token))
		rec := protocol.TimestampRecord{Piece: n, File: piece.Main().Path, Token: rel, TokenSHA: protocol.HashBytes(token),
			Authority: "https://freetsa.org/tsr", GenTime: gen, Status: tsa.StatusVerified}
		if len(args) > 3 && args[3] == "requested" {
			rec.RequestedAt = gen
		}
		_, err = tx.Append(protocol.EventTimestamp, rec)
		ts.Check(err)
		fmt.Fprintf(ts.Stdout(), "jeton forgé %s daté %s\n", rel, gen.Format(time.RFC3339))
	}
	// makepdf FILE: a valid one-page PDF.
	scriptCmds["makepdf"] = func(ts *testscript.TestScript, neg bool, args []string) {
		d := fpdf.New("P", "mm", "A4", "")
		d.AddPage()
		d.SetFont("Helvetica", "", 12)
		d.Cell(40, 10, "Preuve de depot")
		ts.Check(d.OutputFileAndClose(ts.MkAbs(args[0])))
	}
	// makepng FILE W H [badidat]: a PNG whose header says W x H; its pixel
	// data is a real zlib stream of an 8x8 image (enough for DecodeConfig),
	// or bytes that are not zlib at all with badidat.
	scriptCmds["makepng"] = func(ts *testscript.TestScript, neg bool, args []string) {
		w, _ := strconv.Atoi(args[1])
		h, _ := strconv.Atoi(args[2])
		var idat []byte
		if len(args) > 3 && args[3] == "badidat" {
			idat = bytes.Repeat([]byte("pas du zlib "), 8)
		} else {
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			zw.Write(make([]byte, 8*(1+8*3)))
			zw.Close()
			idat = z.Bytes()
		}
		var b bytes.Buffer
		b.WriteString("\x89PNG\r\n\x1a\n")
		ihdr := make([]byte, 13)
		binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
		binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
		ihdr[8], ihdr[9] = 8, 2 // 8 bits, RGB
		for _, c := range []struct {
			typ  string
			data []byte
		}{{"IHDR", ihdr}, {"IDAT", idat}, {"IEND", nil}} {
			binary.Write(&b, binary.BigEndian, uint32(len(c.data)))
			crc := crc32.NewIEEE()
			crc.Write([]byte(c.typ))
			crc.Write(c.data)
			b.WriteString(c.typ)
			b.Write(c.data)
			binary.Write(&b, binary.BigEndian, crc.Sum32())
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o600))
	}
	// makejpeg FILE: a JPEG with a valid header and end marker whose image
	// data is cut in the middle (what passed the old magic-byte check).
	scriptCmds["makejpeg"] = func(ts *testscript.TestScript, neg bool, args []string) {
		img := image.NewRGBA(image.Rect(0, 0, 64, 64))
		for i := range img.Pix {
			img.Pix[i] = byte(i * 7)
		}
		var b bytes.Buffer
		ts.Check(jpeg.Encode(&b, img, nil))
		data := b.Bytes()[:b.Len()*2/3]
		data = append(data, 0xff, 0xd9)
		ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o600))
	}
	// forge-event CASE: appends a backdated step.done "refus" with a correct
	// chain, leaving journal.head alone (review 1, M4 a).
	scriptCmds["forge-event"] = func(ts *testscript.TestScript, neg bool, args []string) {
		p := ts.MkAbs(filepath.Join(args[0], protocol.JournalFile))
		data, err := os.ReadFile(p)
		ts.Check(err)
		lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		prev := protocol.HashLine(lines[len(lines)-1])
		line := fmt.Sprintf(`{"id":"019ac000-0000-7000-8000-000000000001","time":"2026-11-20T10:00:00Z","type":"step.done","prev":"%s","data":{"step":"issue","channel":"refus","date":"2026-11-20T00:00:00Z","ref":"REFUS-FORGE"}}`, prev)
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		ts.Check(err)
		_, err = f.Write([]byte(line + "\n"))
		ts.Check(err)
		ts.Check(f.Close())
	}
}

// The journal re-chainer of review 1 (rechain.py), as script commands.
func init() {
	// rechain CASE LINE OLD NEW: replaces OLD by NEW in line LINE of the
	// journal, then recomputes every "prev" and journal.head, as someone
	// who rewrites the whole journal would (review 1, M4).
	scriptCmds["rechain"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 4 {
			ts.Fatalf("usage: rechain CASE LINE OLD NEW")
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		lines := readLines(ts, args[0])
		lines[n-1] = bytes.Replace(lines[n-1], []byte(args[2]), []byte(args[3]), 1)
		writeChained(ts, args[0], lines)
	}
	// truncate-journal CASE N: removes the last N lines of the journal and
	// recomputes journal.head (review 1, M4 b).
	scriptCmds["truncate-journal"] = func(ts *testscript.TestScript, neg bool, args []string) {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		lines := readLines(ts, args[0])
		writeChained(ts, args[0], lines[:len(lines)-n])
	}
}

func readLines(ts *testscript.TestScript, dir string) [][]byte {
	data, err := os.ReadFile(ts.MkAbs(filepath.Join(dir, protocol.JournalFile)))
	ts.Check(err)
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

func writeChained(ts *testscript.TestScript, dir string, lines [][]byte) {
	prev := protocol.GenesisHash
	var out bytes.Buffer
	for _, l := range lines {
		var ev map[string]any
		ts.Check(json.Unmarshal(l, &ev))
		old, _ := ev["prev"].(string)
		l = bytes.Replace(l, []byte(`"prev":"`+old+`"`), []byte(`"prev":"`+prev+`"`), 1)
		out.Write(l)
		out.WriteByte('\n')
		prev = protocol.HashLine(l)
	}
	ts.Check(os.WriteFile(ts.MkAbs(filepath.Join(dir, protocol.JournalFile)), out.Bytes(), 0o600))
	ts.Check(os.WriteFile(ts.MkAbs(filepath.Join(dir, protocol.HeadFile)), []byte(fmt.Sprintf("%d %s\n", len(lines), prev)), 0o600))
}

func init() {
	// plant-piece CASE FILE KIND: stores FILE as the next piece without the
	// import's checks, as a version before issue 16 did (a piece that cannot
	// be rendered, already in a case).
	scriptCmds["plant-piece"] = func(ts *testscript.TestScript, neg bool, args []string) {
		cs, err := protocol.Open(ts.MkAbs(args[0]), nil)
		ts.Check(err)
		tx, err := cs.Begin(context.Background())
		ts.Check(err)
		defer tx.Close()
		p, _, err := tx.AddPiece(protocol.NewPiece{Kind: args[2], Provenance: protocol.ProvenanceImported, OriginalName: filepath.Base(args[1]),
			Files: []protocol.NewFile{{Role: protocol.RolePiece, Ext: filepath.Ext(args[1]), Src: ts.MkAbs(args[1])}}})
		ts.Check(err)
		fmt.Fprintf(ts.Stdout(), "pièce n°%d plantée : %s\n", p.Number, p.Main().Path)
	}
}
