package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitizeStripsEscapesAndControls(t *testing.T) {
	in := "NITESH\x1b]52;c;aGVsbG8=\x07 \x1b]0;title\x07KUMAR\x1b[2J\rSHARMA\u202e!"
	got := Sanitize(in)
	if got != "NITESH KUMAR SHARMA!" {
		t.Errorf("Sanitize = %q", got)
	}
	for _, bad := range []string{"\x1b", "52;", "aGVsbG8", "title", "[2J", "\r", "\u202e", "\a"} {
		if strings.Contains(got, bad) {
			t.Errorf("Sanitize left %q in %q", bad, got)
		}
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, single, multi string }{
		{"plain ASCII", "plain ASCII", "plain ASCII"},
		{"a\nb\tc\rd", "a b c d", "a\nb    cd"},
		{"line\r\nnext", "line  next", "line\nnext"},
		{"NITESH  KUMAR", "NITESH  KUMAR", "NITESH  KUMAR"},
		{"\x1b[31mred\x1b[0m", "red", "red"},
		{"\x1bP1$r\x1b\\dcs", "dcs", "dcs"},
		{"bell\a nul\x00 del\x7f", "bell nul del", "bell nul del"},
		{"c1\u0085\u009b31m", "c131m", "c131m"},
		{"bad\xffutf8", "bad\ufffdutf8", "bad\ufffdutf8"},
		{"bidi\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061cend", "bidiend", "bidiend"},
		{"sep\u2028x", "sep x", "sep\nx"},
		{"नितेश ₹", "नितेश ₹", "नितेश ₹"},
		{"unterminated \x1b]0;title", "unterminated ", "unterminated "},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.single {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.single)
		}
		if got := SanitizeText(tt.in); got != tt.multi {
			t.Errorf("SanitizeText(%q) = %q, want %q", tt.in, got, tt.multi)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	f.Add("\x1b]52;c;aGVsbG8=\x07 name\u202e\r\n")
	f.Add("\xff\xfe\x9b2J")
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Sanitize(s), SanitizeText(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 from %q: %q", s, out)
			}
			for _, r := range out {
				if (unicode.IsControl(r) && r != '\n') || Invisible(r) {
					t.Fatalf("control %U left in %q (from %q)", r, out, s)
				}
			}
		}
		if strings.ContainsRune(Sanitize(s), '\n') {
			t.Fatalf("Sanitize kept a newline: %q", s)
		}
	})
}

func TestOneLine(t *testing.T) {
	wantEach(t, "OneLine(80)", func(s string) string { return OneLine(s, 80) }, map[string]string{
		"dial tcp:\n\tconnection   refused": "dial tcp: connection refused",
		"\x1b[31mred\x1b[0m alert":          "red alert",
	})
	wantEach(t, "OneLine(5)", func(s string) string { return OneLine(s, 5) }, map[string]string{
		"abcdefgh":    "abcd…",
		"नितेश कुमार": "निते…", // runes, not cells
	})
}

func TestQuote(t *testing.T) {
	wantEach(t, "Quote", Quote, map[string]string{
		"311.0":                 "'311.0'",
		"नितेश":                 "'नितेश'",
		"1\x1b[2J":              `"1\x1b[2J"`,
		"a\u202eb":              `"a\u202eb"`,
		"bad\xff":               "'bad\uFFFD'",
		strings.Repeat("x", 50): "'" + strings.Repeat("x", 39) + "…'",
	})
}

// wantEach checks that f maps every input of cases to its output.
func wantEach[In comparable](t *testing.T, name string, f func(In) string, cases map[In]string) {
	t.Helper()
	for in, want := range cases {
		if got := f(in); got != want {
			t.Errorf("%s(%#v) = %q, want %q", name, in, got, want)
		}
	}
}

// TestSanitizeDropsInvisibleCharacters: characters that show nothing, so
// "98\u200b765" looks like 98765, are dropped from every field shown or
// copied, as C1 controls, DEL and bidi controls are.
func TestSanitizeDropsInvisibleCharacters(t *testing.T) {
	invisible := []rune{
		0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E, 0x2061, 0x2062, 0x2063, 0x2064,
		0xE0000, 0xE0001, 0xE0020, 0xE0041, 0xE007F, // tag characters
		0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x17B4, // other default-ignorables
		0xFE00, 0xFE0F, 0x180B, 0xE0100, // variation selectors
		0xFFF9, 0xFFFB, 0x2065, 0x206A, 0x206F, 0x1D173, 0x1BCA0,
		0x0080, 0x009B, 0x009F, 0x007F, // C1 and DEL
		0x202A, 0x202E, 0x2066, 0x2069, 0x200E, 0x200F, 0x061C, // bidi
	}
	for _, r := range invisible {
		in := "98" + string(r) + "765"
		for _, out := range []string{Sanitize(in), SanitizeText(in), OneLine(in, 80)} {
			if out != "98765" {
				t.Errorf("U+%04X: %q, want \"98765\"", r, out)
			}
		}
		if q := Quote(in); !strings.HasPrefix(q, `"`) {
			t.Errorf("U+%04X: Quote shows it raw: %s", r, q)
		}
	}
	// What people write keeps its marks: Devanagari vowel signs and viramas,
	// accents, emoji, wide characters.
	for _, s := range []string{"नितेश कुमार शर्मा", "José Müller", "ÅSA", "😀 ₹1,000", "山田太郎", "ஸ்ரீ"} {
		if got := Sanitize(s); got != s {
			t.Errorf("Sanitize(%q) = %q", s, got)
		}
	}
}
