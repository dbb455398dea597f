// Package render turns a case (dossier.yaml and the journal) into what a
// lawyer sends and files: the letters and e-mails of the protocol, the
// inventaire des pièces, the whole dossier as one PDF with an integrity annex,
// the Télérecours export (one PDF per piece) and .eml drafts.
//
// It is the only package that imports fpdf and pdfcpu. Letters come from
// text/template files in templates/letters (see its README.md), overridable
// with --templates. Every output is byte-identical for a given case and clock
// (see [Input.Now]), so that golden files can check it.
//
// Screenshots are never re-encoded: an opaque PNG or a JPEG is embedded as it
// is, once, and a screenshot taller than a page is shown over several pages by
// placing the same image object on each page, shifted and clipped to the page
// body. Imported PDF pieces are merged and stamped with pdfcpu.
package render
