package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

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
}
