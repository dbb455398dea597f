package protocol

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// pieceSeeds are the data of real piece.added events, and variants of their
// shape.
func pieceSeeds(tb testing.TB) [][]byte {
	events, err := ParseJournal("seed", bytes.NewReader(benchJournal(tb, benchProtocol(tb), 50)))
	if err != nil {
		tb.Fatal(err)
	}
	var real string
	for _, e := range events {
		if e.Type == EventPiece {
			real = string(e.Data)
			break
		}
	}
	seeds := [][]byte{[]byte(real)}
	for _, r := range [][2]string{
		{`"number":1`, `"number":01`}, {`"number":1`, `"number":-1`}, {`"number":1`, `"number":1.0`}, {`"number":1`, `"number":1e2`},
		{`"number":1`, `"number":99999999999999999999`}, {`"number":1`, `"number":123456789012345678`},
		{`"title":"Capture`, `"title":"\u00e9Capture`}, {`"title":"Capture`, `"title":"` + "\xff"},
		{`"date_has_time":true`, `"date_has_time":false`}, {`"date_has_time":true`, `"date_has_time":1`},
		{`"date":"2026-01-05T16:00:00Z"`, `"date":"2026-01-05T16:00:00+01:00"`}, {`"date":"2026-01-05T16:00:00Z"`, `"date":"2026-01-05"`},
		{`"date":"2026-01-05T16:00:00Z"`, `"date":null`}, {`,"provenance"`, `,"original_name":"a.pdf","provenance"`},
		{`"provenance":"capture"`, `"provenance":"capture","original_name":"a.pdf"`},
		{`"files":[`, `"files":null,"x":[`}, {`,"record":`, `,"extra":1,"record":`}, {`"size":123456}`, `"size":123456,"size":1}`},
		{`"size":123456`, `"size":-1`}, {`"role":"piece"`, `"Role":"piece"`}, {`{"number"`, ` {"number"`}, {`{"number"`, `{"Number"`},
	} {
		seeds = append(seeds, []byte(strings.Replace(real, r[0], r[1], 1)))
	}
	i := strings.Index(real, `,"files":`)
	j := strings.Index(real, `,"record":`)
	head, files, rec := real[:i], real[i:j], real[j:]
	seeds = append(seeds,
		[]byte(head+files+"}"), []byte(head+`,"files":null}`), []byte(head+`,"files":[]}`), []byte(head+`,"files":[]`+rec),
		[]byte(head+files+`,"record":null}`), []byte(head+files+`,"record":1,"x":2}`), []byte(head+files+`,"record":{"a":"}"}}`),
		[]byte(head+files+`,"record": {}}`), []byte(head+files+`,"record":{} }`), []byte(head+files+rec+"}"),
		[]byte(head+files+rec[:len(rec)-1]), []byte(`null`), []byte(`{}`), []byte(`[]`),
	)
	return seeds
}

// samePiece: decodePiece and json.Unmarshal agree on data.
func samePiece(t *testing.T, data []byte) {
	t.Helper()
	var want, got Piece
	wantErr := Event{Data: data}.Decode(&want)
	gotErr := decodePiece(Event{Data: data}, &got)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("error %v, json.Unmarshal: %v, data %q", gotErr, wantErr, data)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("piece differs for %q\n got %#v\nwant %#v", data, got, want)
	}
	if p, ok := cutPiece(data); ok {
		if wantErr != nil {
			t.Fatalf("cut a piece json.Unmarshal refuses (%v): %q", wantErr, data)
		}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("cut piece differs for %q\n got %#v\nwant %#v", data, p, want)
		}
	}
}

func TestDecodePieceSeeds(t *testing.T) {
	seeds := pieceSeeds(t)
	if _, ok := cutPiece(seeds[0]); !ok {
		t.Fatalf("canonical piece refused: %s", seeds[0])
	}
	for _, s := range seeds {
		samePiece(t, s)
	}
	// Every shape Marshal writes for a piece is cut.
	for _, p := range []Piece{{}, {Files: []PieceFile{}}, {Number: 3, OriginalName: "x", Record: json.RawMessage(`[1]`)}} {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := cutPiece(b); !ok {
			t.Errorf("canonical piece refused: %s", b)
		}
		samePiece(t, b)
	}
}

// FuzzDecodePiece: the hand cut of a piece's data gives what json.Unmarshal
// gives, and is readable exactly when json.Unmarshal reads it.
func FuzzDecodePiece(f *testing.F) {
	for _, s := range pieceSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(samePiece)
}

// recordSeeds are the data of real step.done and note.added events, and
// variants of their shape.
func recordSeeds(tb testing.TB) [][]byte {
	events, err := ParseJournal("seed", bytes.NewReader(benchJournal(tb, benchProtocol(tb), 50)))
	if err != nil {
		tb.Fatal(err)
	}
	var seeds [][]byte
	for _, e := range events {
		if e.Type == EventStepDone || e.Type == EventNote {
			seeds = append(seeds, e.Data)
		}
	}
	for _, s := range []string{
		`{"step":"a"}`, `{"step":"a","pieces":[]}`, `{"step":"a","pieces":[1,2,3]}`, `{"step":"a","pieces":[1,]}`, `{"step":"a","pieces":[,1]}`,
		`{"step":"a","pieces":[-1]}`, `{"step":"a","pieces":[1.5]}`, `{"step":"a","pieces":[99999999999999999999]}`, `{"step":"a","pieces":null}`,
		`{"step":"a","date":null}`, `{"step":"a","date":"2026-02-30T00:00:00Z"}`, `{"step":"a","date":"2026-02-03T00:00:00+01:00"}`,
		`{"step":"a","fields":{"x":"y"}}`, `{"step":"a","note":"n"}`, `{"step":"a","channel":"c","ref":"r","note":"\u00e9"}`,
		`{"step":"a","ref":"r","channel":"c"}`, `{"step":"a","step":"b"}`, `{"step":1}`, `{"step":"a"} `, `{"step":"a"`,
		`{"text":"x"}`, `{"text":"x","text":"y"}`, `{"text":null}`, `{"text":"é"}`, `{"text":"\n"}`, `{"Text":"x"}`, `{"text":"x"}}`, `null`, `{}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// sameRecords: decodeStep and decodeNote agree with json.Unmarshal on data.
func sameRecords(t *testing.T, data []byte) {
	t.Helper()
	e := Event{Data: data}
	var wantS, gotS StepRecord
	wantErr, gotErr := e.Decode(&wantS), decodeStep(e, &gotS)
	if (gotErr == nil) != (wantErr == nil) || wantErr == nil && !reflect.DeepEqual(gotS, wantS) {
		t.Fatalf("step record for %q: got %#v, %v\nwant %#v, %v", data, gotS, gotErr, wantS, wantErr)
	}
	var wantN, gotN NoteRecord
	wantErr, gotErr = e.Decode(&wantN), decodeNote(e, &gotN)
	if (gotErr == nil) != (wantErr == nil) || wantErr == nil && !reflect.DeepEqual(gotN, wantN) {
		t.Fatalf("note for %q: got %#v, %v\nwant %#v, %v", data, gotN, gotErr, wantN, wantErr)
	}
}

func TestDecodeRecordsSeeds(t *testing.T) {
	seeds := recordSeeds(t)
	for _, s := range seeds {
		sameRecords(t, s)
	}
	if _, ok := cutStep(seeds[0]); !ok {
		t.Fatalf("canonical step record refused: %s", seeds[0])
	}
}

// FuzzDecodeRecords: the hand cut of step.done and note.added data gives
// what json.Unmarshal gives, and fails exactly when it fails.
func FuzzDecodeRecords(f *testing.F) {
	for _, s := range recordSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(sameRecords)
}
