// Package capture takes the screenshots of a dossier: a fresh headless
// Chromium per capture (or the user's own browser, attached on loopback),
// the URL and the date burned into a strip above the page, and the evidence
// record a web constat keeps (norm NF Z67-147): addresses, redirects, HTTP
// status, server, TLS certificate, headers, times, hashes, browser, machine.
//
// It is the only package that imports chromedp. [Capture] (headless) or
// [Attach] (the tab the user sees in the browser started by [StartBrowser])
// returns a [Result]; [Result.Finish] draws the strip with the piece number,
// which the caller knows once it holds the case's lock, and fills in the
// hashes; [Result.Close] waits until the headless browser and its temporary
// files are gone. [ComposeBanner] is the strip alone.
package capture
