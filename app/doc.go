// Package app holds the use cases of anef-dossier: what a person does to a
// case, whichever front end they use. The command line (cmd/anef-dossier)
// and the web interface call the same functions here; a front end parses
// its input, calls one of them and shows the result, and never writes a
// case file itself.
//
// A use case that crosses packages lives here, above the packages it
// combines:
//
//	app        use cases (this package)
//	 ├─ capture    Chromium: a page captured with its banner and evidence record
//	 ├─ render     letters, inventory, dossier PDF, Télérecours, .eml drafts
//	 ├─ tsa        RFC 3161 timestamps
//	 ├─ export     archive with its manifest
//	 └─ protocol   case store, hash-chained journal, legal engine (no Chromium, no PDF)
//
// The use cases:
//
//   - [InitCase] creates a case folder for a protocol.
//   - [Capture] takes one capture and stores it as a piece with its files
//     (and timestamps it when authorities are configured); [CaptureSeries]
//     repeats it at an interval.
//   - [ImportPiece] copies an outside file into the case as a piece.
//   - [RecordStep] records a step done; [Undo] cancels one.
//   - [Timestamp] timestamps pieces with RFC 3161 authorities.
//   - [Verify] re-checks the journal, every piece and every token.
//   - [Export] writes the archive of a case.
//   - [Render] loads a case for the renderer.
//
// Each one takes the case's exclusive lock ([protocol.Case.Begin]) for what
// it changes, so that two front ends on one case never interleave. Errors are
// the library's (French, typed where a caller needs to tell them apart:
// [protocol.InvalidRecordError], [UnknownPieceError], [ErrNoAuthority]...);
// the front end adds the hint.
package app
