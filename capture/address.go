package capture

import (
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// Internationalised domain names. The browser gives the address with its
// host in ASCII (punycode, "xn--…"), which a reader cannot check; its
// Unicode form alone could hide a look-alike domain (a Cyrillic "а" for a
// Latin "a"). The banner shows both when they differ.

// URLForms returns the address with its host in Unicode and in ASCII
// (punycode). differ tells whether the two forms differ.
func URLForms(raw string) (unicode, ascii string, differ bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw, raw, false
	}
	host, port := u.Hostname(), u.Port()
	a, err1 := idna.Lookup.ToASCII(host)
	d, err2 := idna.Display.ToUnicode(a)
	if err1 != nil || err2 != nil {
		return raw, raw, false
	}
	with := func(h string) string {
		v := *u
		if port != "" {
			h += ":" + port
		}
		v.Host = h
		return v.String()
	}
	ascii, unicode = with(a), with(d)
	if strings.EqualFold(a, d) {
		return raw, raw, false
	}
	// url.URL.String escapes a non-ASCII host: put the Unicode host back.
	unicode = strings.Replace(unicode, u.Scheme+"://"+(&url.URL{Host: d}).Host, u.Scheme+"://"+d, 1)
	if i := strings.Index(unicode, "://"); i >= 0 {
		rest := unicode[i+3:]
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			hostPart := rest[:j]
			if h, err := url.PathUnescape(hostPart); err == nil {
				unicode = unicode[:i+3] + h + rest[j:]
			}
		} else if h, err := url.PathUnescape(rest); err == nil {
			unicode = unicode[:i+3] + h
		}
	}
	return unicode, ascii, true
}

// bannerURL is the address as the banner shows it: the Unicode form, then
// the ASCII form when they differ.
func bannerURL(raw string) string {
	uni, ascii, differ := URLForms(raw)
	if !differ {
		return raw
	}
	return uni + " (en ASCII : " + ascii + ")"
}
