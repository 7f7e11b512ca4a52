package text

import "testing"

// BenchmarkASCIIText is Glyphs.Text under a locale that is not UTF-8, on a
// line of the UI with a name in Devanagari and the module's own glyphs:
// every rune that is not ASCII looks up its stand-in.
func BenchmarkASCIIText(b *testing.B) {
	g := ASCIIGlyphs()
	s := "राजेश कुमार शर्मा · ₹1,000.00 — due “soon” ✓"
	b.ReportAllocs()
	for b.Loop() {
		_ = g.Text(s)
	}
}
