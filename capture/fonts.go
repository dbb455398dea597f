package capture

import (
	"context"
	"strings"

	"github.com/chromedp/chromedp"
)

// missingFontsJS lists the font families the page's styles ask for (first
// choice of each text element's font-family, and every named family of the
// list) that neither a web font of the page nor the machine provides: the
// text was then drawn with a fallback font. A family is there when text
// drawn with it measures differently from the same text drawn with two
// generic fallbacks.
const missingFontsJS = `(() => {
  const generic = new Set(['serif','sans-serif','monospace','cursive','fantasy','system-ui','ui-serif','ui-sans-serif',
    'ui-monospace','ui-rounded','emoji','math','fangsong','inherit','initial','unset','-apple-system','blinkmacsystemfont']);
  const asked = new Set();
  const els = document.body ? document.body.querySelectorAll('*') : [];
  const n = Math.min(els.length, 5000);
  for (let i = 0; i < n; i++) {
    const e = els[i];
    if (!e.firstChild || !Array.from(e.childNodes).some(c => c.nodeType === 3 && c.textContent.trim())) continue;
    for (let f of getComputedStyle(e).fontFamily.split(',')) {
      f = f.trim().replace(/^["']|["']$/g, '');
      if (f && !generic.has(f.toLowerCase())) asked.add(f);
    }
  }
  const loaded = new Set();
  document.fonts.forEach(f => { if (f.status === 'loaded') loaded.add(f.family.replace(/^["']|["']$/g, '').toLowerCase()); });
  const ctx = document.createElement('canvas').getContext('2d');
  const text = 'mmmmmmmmmmlliWW@#éà 0123456789';
  const width = (font) => { ctx.font = '40px ' + font; return ctx.measureText(text).width; };
  const missing = [];
  for (const f of asked) {
    if (loaded.has(f.toLowerCase())) continue;
    const q = '"' + f.replace(/"/g, '') + '"';
    if (width(q + ', monospace') === width('monospace') && width(q + ', serif') === width('serif')) missing.push(f);
  }
  return missing.sort();
})()`

// missingFonts returns the families the page asked for that were missing.
func missingFonts(ctx context.Context) []string {
	fonts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](missingFontsJS))
	if err != nil {
		return nil
	}
	return fonts
}

// fontsNote sums up missing fonts in French for the record's notes.
func fontsNote(fonts []string) string {
	return "polices demandées par la page et absentes de cette machine (texte dessiné avec une police de remplacement) : " + strings.Join(fonts, ", ")
}
