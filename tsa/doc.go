// Package tsa obtains and checks RFC 3161 trusted timestamps for the pieces of
// a case. Only a SHA-256 digest ever leaves the machine, and only towards the
// authorities the user configured.
//
// A token (the DER TimeStampResp, kept as a .tsr file beside the piece) is
// checked on receipt: parsable, signature valid, signer certificate with the
// timeStamping usage, hashed message equal to ours, our random nonce, and,
// when a root is configured, the chain of every certificate up to that root
// at the token's time. Without a root the token is kept with the status
// [StatusRootUnverified].
//
// The API, for the commands:
//
//	cfg, err := tsa.ResolveConfig(cs, c.StringSlice("tsa"), c.String("root")) // flags, dossier.yaml, ~/.config
//	roots, err := cfg.Roots()                                                  // nil when no root configured
//	recs, err := tsa.StampPiece(ctx, tx, piece, cfg.Authorities, roots)        // inside the Tx that added the piece
//
// StampPiece rechecks the piece's file against the journal, asks each
// authority, writes each verified token write-once (pieces/NNN-x.ext.K.tsr)
// and appends one timestamp.added event per token. An authority that fails
// (offline, refusal, invalid reply) leaves nothing behind and its error is
// returned joined with the others; errors.Is(err, [ErrUnreachable]) tells the
// caller the machine is probably offline, so a capture goes on and the piece
// stays "non horodatée" until `anef-dossier timestamp` adds it.
//
// Lower level: [Stamp] asks one authority for one digest; [Verify] checks a
// stored token offline against a digest; [CheckTokens] checks every token of a
// journal (used by `anef-dossier verify`).
//
// A third party checks a token without this tool (docs/HORODATAGE.md):
//
//	openssl ts -verify -in pieces/001-capture.png.1.tsr -data pieces/001-capture.png -CAfile racine.pem
//
// The subpackage tsatest runs a real local authority (`openssl ts -reply`
// behind httptest) for tests.
package tsa
