package sysinfo

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// VolumeOf returns the file system of dir. The type comes from the mount
// table (/proc/self/mountinfo: the mount point that is the longest prefix of
// dir), which names FUSE file systems too ("fuseblk", "fuse.sshfs").
func VolumeOf(dir string) (Volume, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return Volume{}, err
	}
	v := Volume{Free: st.Bavail * uint64(st.Bsize), Total: st.Blocks * uint64(st.Bsize)}
	v.Type = mountType(dir)
	return v, nil
}

func mountType(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	best, typ := -1, ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER
		left, right, ok := strings.Cut(sc.Text(), " - ")
		fields, rf := strings.Fields(left), strings.Fields(right)
		if !ok || len(fields) < 5 || len(rf) < 1 {
			continue
		}
		mp := unescape(fields[4])
		if (abs == mp || mp == "/" || strings.HasPrefix(abs, mp+"/")) && len(mp) >= best {
			best, typ = len(mp), rf[0]
		}
	}
	return typ
}

// unescape decodes the octal escapes of the mount table (\040 for a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			n := 0
			ok := true
			for _, c := range s[i+1 : i+4] {
				if c < '0' || c > '7' {
					ok = false
					break
				}
				n = n*8 + int(c-'0')
			}
			if ok {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
