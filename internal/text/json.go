package text

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

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
