// Package protocol is the domain root of anef-dossier: a case folder on
// disk, its hash-chained journal, and the legal engine that folds the
// journal over a protocol to say which diligence is done, which remains and
// which deadlines run. It imports no browser and no PDF code; the use cases
// that combine it with capture, render and tsa live in package app.
//
// # Parts
//
// The case store (a case folder and what is written in it):
//   - case.go: [Case] ([Init], [Open]), [Tx] (the exclusive hold under which
//     every change is made), pieces ([Tx.AddPiece]).
//   - pieces.go: file roles, provenances, a capture stored as a piece
//     ([NewCapture], [Tx.AddCapture]).
//   - files.go, head.go, crash.go: write-once and atomic files, the journal's
//     head (journal.head), named crash points for the reliability tests.
//   - verify.go: [Case.Verify] and [Case.Repair].
//   - record.go, kinds.go: the evidence record of a capture
//     ([CaptureRecord], kept as the piece's .preuve.json) and piece kinds.
//
// The journal (journal.jsonl, one JSON event a line, each carrying the
// SHA-256 of the line before it):
//   - journal.go: [Event], [NewEvent], [ReadJournal].
//
// The legal engine:
//   - protocoldef.go: a protocol read from templates/protocols/*.yaml
//     ([LoadProtocol]) and checked for consistency.
//   - state.go: [Fold], the one fold of the journal into a [State]
//     (pieces, steps done or missing, warnings); [State.ValidateRecord].
//   - load.go: the use cases on a case's state: [Case.State] and [Tx.State]
//     (the one way to get a state, with the dossier.yaml error beside it),
//     [Tx.RecordStep], [Tx.Undo].
//   - deadlines.go, dates.go, french.go: deadlines as absolute dates, French
//     dates and counts.
//   - dossier.go: dossier.yaml, the person's file the lawyer fills in.
//
// The summary used by `list` (summary.go and the files it reads with).
//
// # Journal events
//
// Each event has a type, held in a constant, and a data object:
//
//	dossier.created   [CreatedData]      the case was created (protocol, tool)
//	piece.added       [Piece]            a piece and its files, with their SHA-256
//	step.done         [StepRecord]       a diligence done (step, channel, date, ref, pieces)
//	step.undone       [UndoRecord]       records of a step cancelled (nothing is erased)
//	note.added        [NoteRecord]       a free note
//	timestamp.added   [TimestampRecord]  an RFC 3161 token kept beside a piece
//	capture.failed    [CaptureFailure]   an attempt of a capture series that failed
//
// The journal is append-only: a change is a new event, never an edit.
//
// # Glossary: three meanings of "dossier"
//
// The French word "dossier" names three different things; the code keeps
// them apart with three English names:
//
//   - the case folder: [Case] (the folder given by -C/--dossier, which holds
//     dossier.yaml, journal.jsonl, pieces/ and out/);
//   - the person's file, dossier.yaml: [Dossier] ([DossierFile], [LoadDossier]);
//   - the assembled PDF for the court, out/dossier.pdf: built by package
//     render (render.DossierFile, "render dossier").
//
// Other words: a piece (pièce) is one numbered exhibit, stored write-once
// under pieces/; a step (étape) is one diligence of a protocol, done through
// a channel (canal: courriel, lrar, telephone...); a protocol (protocole) is
// the list of steps and deadlines for one kind of blockage.
package protocol
