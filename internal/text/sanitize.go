package text

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// tabText replaces a tab in SanitizeText.
const tabText = "    "

// Sanitize makes a server string safe for a single-line terminal field:
// invalid UTF-8 becomes U+FFFD, whole escape sequences (CSI, OSC, DCS, ...)
// are removed, newlines, tabs and carriage returns become spaces, and every
// other C0/C1 control character and bidi control is dropped.
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
		case r == '\n' || r == '\u2028' || r == '\u2029':
			b.WriteByte(lineBreak(multiline))
		case r == '\t':
			if multiline {
				b.WriteString(tabText)
			} else {
				b.WriteByte(' ')
			}
		case r == '\r':
			if !multiline {
				b.WriteByte(' ')
			}
		case unicode.IsControl(r) || isBidiControl(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func lineBreak(multiline bool) byte {
	if multiline {
		return '\n'
	}
	return ' '
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

// isBidiControl reports the characters that reorder text on screen
// (embeddings, overrides, isolates and directional marks).
func isBidiControl(r rune) bool {
	switch {
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u200E', r == '\u200F', r == '\u061C':
		return true
	}
	return false
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
		if !unicode.IsPrint(r) || isBidiControl(r) {
			return strconv.QuoteToASCII(s)
		}
	}
	return "'" + s + "'"
}
