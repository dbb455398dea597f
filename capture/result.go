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
	// An internationalised domain is shown in Unicode and in ASCII.
	if uni, _, differ := URLForms(info.URL); differ {
		r.Record.FinalURLUnicode = uni
	}
	info.URL, info.Requested = bannerURL(info.URL), bannerURL(info.Requested)
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
	if r.warc != nil {
		// The archive is a copy of what the other files hold: a failure
		// to make it leaves the capture whole, and says so.
		shot := "urn:screenshot:" + r.Record.FinalURL
		w, err := r.warc.buildWARC(&r.Record, []WARCResource{
			{URI: shot, ContentType: "image/png", Data: r.Raw, Date: r.Record.Shot},
			{URI: shot + "#bandeau", ContentType: "image/png", Data: b.PNG, Date: r.Record.Shot},
		})
		if err != nil {
			r.Record.Notes = append(r.Record.Notes, "archive WARC non produite : "+err.Error())
		} else {
			r.WARC = w
			r.Record.Hashes.WARC = protocol.HashBytes(w)
		}
	}
	return b, nil
}
