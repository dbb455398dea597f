package protocol

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Review 1, low 2: a file that grows while it is copied (`yes > f & piece add
// f` filled the disk) is refused, and the copy stops one byte past the size
// seen at open. /proc/self/status is a regular file whose stat size (0) is
// less than what a read gives: the deterministic stand-in for a file being
// appended to.
func TestCopyRefusesGrowingFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux")
	}
	st, err := os.Stat("/proc/self/status")
	if err != nil || !st.Mode().IsRegular() || st.Size() != 0 {
		t.Skip("/proc/self/status is not a regular file of size 0 here")
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, "001-autre.txt")
	_, _, err = CopyFileOnce(dst, "/proc/self/status")
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("copy of a growing file: %v, want ErrChanged", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
