// Package capture takes the screenshots of a dossier: a fresh headless
// Chromium per capture (or the user's own browser, attached on loopback),
// the URL and the date burned into a strip above the page, and the evidence
// record a web constat keeps (norm NF Z67-147): addresses, redirects, HTTP
// status, server, TLS certificate, headers, times, hashes, browser, machine.
//
// It is the only package that imports chromedp. The caller ([Capture] or
// [Attach]) gets a [Result]; [ComposeBanner] draws the strip with the piece
// number, which the caller knows once it holds the case's lock.
package capture
