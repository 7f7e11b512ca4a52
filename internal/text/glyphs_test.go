package text

import (
	"strings"
	"testing"
)

// env is a getenv over a map.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLocaleIsUTF8(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"LANG": "C"}, false},
		{map[string]string{"LANG": "POSIX"}, false},
		{map[string]string{"LANG": "C.UTF-8"}, true},
		{map[string]string{"LANG": "en_IN.utf8"}, true},
		{map[string]string{"LANG": "de_DE.UTF-8@euro"}, true},
		{map[string]string{"LANG": "en_US.ISO-8859-1"}, false},
		{map[string]string{"LANG": "C.UTF-8", "LC_ALL": "C"}, false},
		{map[string]string{"LANG": "C", "LC_CTYPE": "en_US.UTF-8"}, true},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_CTYPE": "C"}, false},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_ALL": ""}, true}, // empty means unset
	}
	for _, tt := range tests {
		if got := LocaleIsUTF8(env(tt.env)); got != tt.want {
			t.Errorf("LocaleIsUTF8(%v) = %v, want %v", tt.env, got, tt.want)
		}
		if got := GlyphsFor(env(tt.env)).ASCII(); got == tt.want {
			t.Errorf("GlyphsFor(%v).ASCII() = %v", tt.env, got)
		}
	}
}

func TestASCIIGlyphsAreASCII(t *testing.T) {
	g := ASCIIGlyphs()
	for _, s := range []string{g.Rupee, g.Sep, g.Yes, g.No, g.Bullet, g.Ellipsis, g.Dash, g.Times, g.Up, g.Down, string(g.Bar), string(g.Track)} {
		if !isPlain(s) || s == "" {
			t.Errorf("ASCII glyph %q", s)
		}
	}
	if u := UTF8Glyphs(); u.Rupee != Rupee || u.Ellipsis != Ellipsis || u.ASCII() {
		t.Errorf("UTF8Glyphs = %+v", u)
	}
}

func TestGlyphsText(t *testing.T) {
	a := ASCIIGlyphs()
	wantEach(t, "ASCII Text", a.Text, map[string]string{
		"plain":                "plain",
		"DL12 · operator 311":  "DL12 - operator 311",
		"✓ payment  ✗ no":      "+ payment  x no",
		"refreshing…":          "refreshing...",
		"need 40×12 — or less": "need 40x12 - or less",
		"नितेश":                "?????",
		"山田":                   "??",
		"₹1,000.00":            "Rs 1,000.00",
		"“quoted”":             `"quoted"`,
		"line\nbreak":          "line\nbreak",
		"\u00a0non-breaking":   " non-breaking",
		"• due ↑ ↓":            "* due up down",
		"1–2 ‘single’":         "1-2 'single'",
	})
	u := UTF8Glyphs()
	if got := u.Text("नितेश · ₹1"); got != "नितेश · ₹1" {
		t.Errorf("UTF-8 Text changed its input: %q", got)
	}
	if got := a.Sanitize("NITESH\x1b[2J नि"); got != "NITESH ??" {
		t.Errorf("ASCII Sanitize = %q", got)
	}
}

func TestGlyphsAmountAndTruncate(t *testing.T) {
	a, u := ASCIIGlyphs(), UTF8Glyphs()
	wantEach(t, "ASCII Amount", a.Amount, map[string]string{
		"1000.0": "Rs 1,000.00", "-5": "-Rs 5.00", "": "", "पांच": "????",
	})
	if got := u.Amount("1000.0"); got != "₹1,000.00" {
		t.Errorf("UTF-8 Amount = %q", got)
	}
	if got := a.Truncate("Fleet truck 12", 8); got != "Fleet..." || Width(got) != 8 {
		t.Errorf("ASCII Truncate = %q", got)
	}
	for w := range 5 {
		if got := a.Truncate("abcdefgh", w); Width(got) > w || !isPlain(got) {
			t.Errorf("ASCII Truncate(%d) = %q", w, got)
		}
	}
	if got := a.Pad("abc", 5); got != "abc  " {
		t.Errorf("Pad = %q", got)
	}
	if got := a.PadLeft("abcdefgh", 6); got != "abc..." {
		t.Errorf("PadLeft = %q", got)
	}
	if got := u.Pad("abcdefgh", 6); got != "abcde…" {
		t.Errorf("UTF-8 Pad = %q", got)
	}
	if strings.Contains(a.Sep, "·") {
		t.Error("ASCII separator")
	}
}

func TestGlyphsStyled(t *testing.T) {
	a := ASCIIGlyphs()
	in := "\x1b[1;38;5;147m₹1,000.00\x1b[0m · नि \x1b[7m \x1b[0m"
	want := "\x1b[1;38;5;147mRs 1,000.00\x1b[0m - ?? \x1b[7m \x1b[0m"
	if got := a.Styled(in); got != want {
		t.Errorf("Styled = %q, want %q", got, want)
	}
	if got := UTF8Glyphs().Styled(in); got != in {
		t.Errorf("UTF-8 Styled changed %q", got)
	}
}
