package sysinfo

import (
	"golang.org/x/sys/unix"
)

// VolumeOf returns the file system of dir (statfs: "apfs", "hfs", "exfat",
// "msdos" for FAT, "smbfs"...).
func VolumeOf(dir string) (Volume, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return Volume{}, err
	}
	n := 0
	for n < len(st.Fstypename) && st.Fstypename[n] != 0 {
		n++
	}
	name := make([]byte, n)
	for i := range name {
		name[i] = byte(st.Fstypename[i])
	}
	return Volume{Type: string(name), Free: st.Bavail * uint64(st.Bsize), Total: st.Blocks * uint64(st.Bsize)}, nil
}
