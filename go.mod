module anefdossier

go 1.26.8

// One line per dependency says why it is here. Test-only modules are in
// their own block below; everything else is built into the binary.
require (
	// PDF writing: letters, inventory, dossier pages (render/). The maintained
	// successor of github.com/go-pdf/fpdf, archived in March 2025.
	codeberg.org/go-pdf/fpdf v0.12.0
	// Chrome DevTools protocol types: network events and page snapshots (capture/).
	github.com/chromedp/cdproto v0.159.0
	// Drives the real Chromium that takes the captures (capture/ only).
	github.com/chromedp/chromedp v0.23.0
	// CMS SignedData inside RFC 3161 timestamp tokens (tsa/).
	github.com/digitorus/pkcs7 v0.0.0-20250730155240-ffadbf3f398c
	// RFC 3161 timestamp requests and responses (tsa/).
	github.com/digitorus/timestamp v0.0.0-20231217203849-220c5c2851b7
	// Liberation fonts, embedded in the PDFs and drawn in the capture banner.
	github.com/go-fonts/liberation v0.3.3
	// The strict JSON decoder of the journal and of the case summary (json/v2:
	// duplicate keys and invalid UTF-8 refused); encoding/json/v2 once it
	// leaves GOEXPERIMENT.
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875
	// YAML with line and column in its errors: dossier.yaml and the protocols.
	github.com/goccy/go-yaml v1.19.2
	// Per-case file lock with a timeout: two commands never interleave.
	github.com/gofrs/flock v0.13.2
	// UUIDv7 ids of the journal's events.
	github.com/google/uuid v1.6.0
	// Reading and stamping imported PDFs for the dossier PDF (render/ only).
	github.com/pdfcpu/pdfcpu v0.15.0
	// Font rasterising for the capture banner (capture/).
	golang.org/x/image v0.48.0
	// Internationalised domain names shown in Unicode and in ASCII on the
	// capture banner (capture/address.go).
	golang.org/x/net v0.61.0
	// System calls the standard library lacks: rename without replace on
	// Linux, macOS and Windows (internal/durable), the browser process
	// detached and watched on Windows (capture/proc_windows.go).
	golang.org/x/sys v0.50.0
	// ISO 8859 decoding of imported e-mails (render/mail.go).
	golang.org/x/text v0.44.0
)

// Test dependencies: testscript runs the end-to-end scripts of
// cmd/anef-dossier/testdata; a WebDriver BiDi connection drives Firefox in
// web/firefox_test.go.
require (
	github.com/coder/websocket v1.8.15
	github.com/rogpeppe/go-internal v1.16.0
)

require (
	github.com/clipperhouse/uax29/v2 v2.7.0 // indirect
	github.com/hhrutter/tiff v1.0.6 // indirect
	github.com/mattn/go-runewidth v0.0.27 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)
