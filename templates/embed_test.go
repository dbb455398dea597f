package templates

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestOverlayListsBothTrees(t *testing.T) {
	top := fstest.MapFS{
		"protocols/essai.yaml":         {Data: []byte("id: essai\n")},
		"protocols/bug-technique.yaml": {Data: []byte("id: bug-technique\n")},
	}
	o := overlay{top: top, base: embedded}
	names, err := fs.Glob(o, "protocols/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"protocols/essai.yaml": true, "protocols/bug-technique.yaml": true, "protocols/api.yaml": true}
	got := map[string]int{}
	for _, n := range names {
		got[n]++
	}
	for n := range want {
		if got[n] != 1 {
			t.Errorf("%s listed %d times in %v", n, got[n], names)
		}
	}
	// The top file wins.
	if b, _ := fs.ReadFile(o, "protocols/bug-technique.yaml"); string(b) != "id: bug-technique\n" {
		t.Errorf("embedded file read instead of the top one: %.40q", b)
	}
	if _, err := fs.ReadDir(o, "absent"); err == nil {
		t.Error("a folder in neither tree is listed")
	}
}
