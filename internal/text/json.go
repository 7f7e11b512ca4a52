package text

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// SafeJSON escapes, as \uXXXX, the characters encoding/json leaves raw that
// a terminal acts on: DEL, C1 controls and format characters (bidi controls
// among them; zero-width joiners too, harmlessly). They only occur inside
// strings, so the JSON holds the same values. Every JSON aopfetch prints
// (--json, JSONL, export) goes through it.
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

// unsafeJSONRune reports DEL and the non-ASCII control and format characters.
func unsafeJSONRune(r rune) bool {
	return r >= 0x7f && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r))
}
