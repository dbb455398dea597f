package capture

import "anefdossier/protocol"

// Finish draws the banner with the piece number and fills the record's
// hashes: the raw and the bannered screenshots, the MHTML snapshot and the
// served bytes of the main document.
func (r *Result) Finish(piece int) (*Bannered, error) {
	info := BannerInfo{URL: r.Record.FinalURL, Requested: r.Record.URLRequested, Shot: r.Record.Shot,
		Piece: piece, Attached: r.Record.Mode == protocol.ModeAttached,
		Status: r.Record.Status, Insecure: r.Record.Insecure, Scale: r.Record.Browser.Scale}
	if info.URL == "" {
		info.URL = r.Record.URLRequested
	}
	b, err := ComposeBanner(r.Raw, info)
	if err != nil {
		return nil, err
	}
	r.Record.Hashes = protocol.CaptureHashes{Raw: protocol.HashBytes(r.Raw), Bannered: protocol.HashBytes(b.PNG)}
	if r.MHTML != nil {
		r.Record.Hashes.MHTML = protocol.HashBytes(r.MHTML)
	}
	if r.Body != nil {
		r.Record.Hashes.Body = protocol.HashBytes(r.Body)
	}
	return b, nil
}
