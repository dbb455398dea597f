package sysinfo

import (
	"path/filepath"

	"golang.org/x/sys/windows"
)

// VolumeOf returns the file system of dir ("NTFS", "ReFS", "exFAT",
// "FAT32"...) from the volume that holds it.
func VolumeOf(dir string) (Volume, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Volume{}, err
	}
	p, err := windows.UTF16PtrFromString(abs)
	if err != nil {
		return Volume{}, err
	}
	var v Volume
	var free, total, totalFree uint64
	if err := windows.GetDiskFreeSpaceEx(p, &free, &total, &totalFree); err != nil {
		return Volume{}, err
	}
	v.Free, v.Total = free, total
	root := make([]uint16, windows.MAX_PATH+1)
	if windows.GetVolumePathName(p, &root[0], uint32(len(root))) == nil {
		name := make([]uint16, windows.MAX_PATH+1)
		if windows.GetVolumeInformation(&root[0], nil, 0, nil, nil, nil, &name[0], uint32(len(name))) == nil {
			v.Type = windows.UTF16ToString(name)
		}
	}
	return v, nil
}
