//go:build !darwin

package capture

const isDarwin = false
