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
				if (unicode.IsControl(r) && r != '\n') || isBidiControl(r) {
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
