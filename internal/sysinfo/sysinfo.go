// Package sysinfo tells what `anef-dossier doctor` reports about the machine
// that the standard library does not: the file system of a folder, the free
// space on it, and who owns a file. One file per system.
package sysinfo

// Volume is the file system a folder is on.
type Volume struct {
	// Type is the file system's name as the system gives it: "ext4",
	// "fuseblk", "apfs", "exfat", "NTFS", "exFAT", "FAT32"... ("" if unknown).
	Type string
	// Free is the number of bytes this user can still write there.
	Free uint64
	// Total is the size of the file system in bytes.
	Total uint64
}
