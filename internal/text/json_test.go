package text

import "testing"

// TestSafeJSONCoversSanitize: every character Sanitize drops is escaped by
// SafeJSON (U+2028/9 encoding/json escapes itself).
func TestSafeJSONCoversSanitize(t *testing.T) {
	for r := rune(0x7f); r <= 0xffff; r++ {
		if r >= 0xd800 && r <= 0xdfff || r == 0x2028 || r == 0x2029 {
			continue
		}
		if s := string(r); Sanitize(s) != s && !unsafeJSONRune(r) {
			t.Errorf("U+%04X is dropped by Sanitize but left raw in JSON", r)
		}
	}
	if got := string(SafeJSON([]byte("\"a\u202eb\u0085\U0001F600\x7f\"\n"))); got != `"a\u202eb\u0085`+"\U0001F600"+`\u007f"`+"\n" {
		t.Errorf("SafeJSON = %q", got)
	}
}
