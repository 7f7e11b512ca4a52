package text

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// tabText replaces a tab in SanitizeText.
const tabText = "    "

// Sanitize makes a server string safe for a single-line terminal field:
// invalid UTF-8 becomes U+FFFD, whole escape sequences (CSI, OSC, DCS, ...)
// are removed, newlines, tabs and carriage returns become spaces, and every
// other C0/C1 control character, DEL, bidi control and invisible character
// (see Invisible) is dropped.
func Sanitize(s string) string { return sanitize(s, false) }

// SanitizeText is Sanitize for multi-line text: it keeps '\n', turns tabs
// into spaces and drops '\r'.
func SanitizeText(s string) string { return sanitize(s, true) }

func sanitize(s string, multiline bool) string {
	if isPlain(s) {
		return s
	}
	s = ansi.Strip(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\u2028' || r == '\u2029'):
			b.WriteByte('\n')
		case multiline && r == '\t':
			b.WriteString(tabText)
		case multiline && r == '\r':
			// dropped
		case r == '\n' || r == '\u2028' || r == '\u2029' || r == '\t' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || Invisible(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII only, the common case that
// needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Invisible reports the characters that show nothing yet change what text
// is, so that "98\u200b765" looks like the phone number 98765: the format
// characters (Unicode category Cf: zero-width spaces and joiners, the word
// joiner, BOM, soft hyphen, Mongolian vowel separator, invisible operators,
// tag characters, bidi controls), the other default-ignorable code points
// (Hangul fillers, the combining grapheme joiner, ...) and variation
// selectors. Sanitize drops them, and every JSON output escapes them.
func Invisible(r rune) bool {
	if r < 0xa0 {
		return false // ASCII and C1 controls: unicode.IsControl's
	}
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// truncateRunes shortens s to at most n runes, ending in Ellipsis when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(0, n-1)]) + Ellipsis
}

// OneLine sanitises s, collapses runs of white space and shortens it to at
// most n runes: the form every error message and body snippet takes.
func OneLine(s string, n int) string {
	return truncateRunes(strings.Join(strings.Fields(Sanitize(s)), " "), n)
}

// maxQuoted is how many runes of user input Quote shows.
const maxQuoted = 40

// Quote shows user input in a message, shortened to 40 runes: 'abc' when
// it is printable, else Go-quoted ASCII ("1\x1b[2J"), so nothing reaches
// the terminal raw.
func Quote(s string) string {
	s = truncateRunes(strings.ToValidUTF8(s, "\uFFFD"), maxQuoted)
	for _, r := range s {
		if !unicode.IsPrint(r) || Invisible(r) {
			return strconv.QuoteToASCII(s)
		}
	}
	return "'" + s + "'"
}

// SafeJSON escapes, as \uXXXX, the characters encoding/json leaves raw that
// a terminal acts on or that hide in text: DEL, C1 controls and what
// Invisible reports (bidi controls, zero-width characters, ...), the
// characters Sanitize drops. They only occur inside strings, so the JSON
// holds the same values. Every JSON aopfetch prints (--json, JSONL,
// export) goes through it.
func SafeJSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, unsafeJSONRune) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for _, r := range string(b) {
		if !unsafeJSONRune(r) {
			out = utf8.AppendRune(out, r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			out = fmt.Appendf(out, `\u%04x`, u)
		}
	}
	return out
}

// unsafeJSONRune reports DEL, the C1 controls and the Invisible characters.
func unsafeJSONRune(r rune) bool {
	return r >= 0x7f && (unicode.IsControl(r) || Invisible(r))
}
