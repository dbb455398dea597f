package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProtocolDoneRefusesLineBreaks: a CR/LF in a value recorded by protocol
// done would reach the letters and the mail headers; it is refused and the
// journal is unchanged (issue 6, security).
func TestProtocolDoneRefusesLineBreaks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cas")
	var out, errb bytes.Buffer
	if code := run([]string{"anef-dossier", "init", dir}, &out, &errb); code != 0 {
		t.Fatalf("init: %d %s", code, errb.String())
	}
	src := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(src, []byte("courriel"), 0o600)
	if code := run([]string{"anef-dossier", "-C", dir, "piece", "add", src}, &out, &errb); code != 0 {
		t.Fatalf("piece add: %s", errb.String())
	}
	before, _ := os.ReadFile(filepath.Join(dir, "journal.jsonl"))
	for _, args := range [][]string{
		{"protocol", "done", "ccc", "--channel", "courriel", "--ref", "REF-1\r\nBcc: x@exemple.example", "--date", "10/03/2026", "--piece", "1"},
		{"protocol", "done", "pan", "--set", "lieu=a\nb"},
		{"protocol", "done", "pan", "--note", "x\ry"},
	} {
		errb.Reset()
		code := run(append([]string{"anef-dossier", "-C", dir}, args...), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), "saut de ligne") {
			t.Errorf("%v: exit %d, %q", args, code, errb.String())
		}
	}
	after, _ := os.ReadFile(filepath.Join(dir, "journal.jsonl"))
	if !bytes.Equal(before, after) {
		t.Fatal("the journal changed")
	}
}
