//go:build tools

// Package tools pins the modules the project uses so that `go mod tidy`
// keeps them while a package that needs them is being written.
package tools

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/digitorus/pkcs7"
	_ "github.com/digitorus/timestamp"
	_ "github.com/go-fonts/liberation/liberationsansregular"
	_ "github.com/go-pdf/fpdf"
	_ "github.com/google/renameio/v2"
	_ "github.com/pdfcpu/pdfcpu/pkg/api"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "golang.org/x/image/font/opentype"
)
