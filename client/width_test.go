package client

import (
	"strings"
	"testing"
)

func TestTruncateFitsTheTerminalWidth(t *testing.T) {
	for _, s := range []string{"NITESH  KUMAR SHARMA", "राजेश कुमार शर्मा राजेश", "山田太郎 運送株式会社", "🚚 fleet truck"} {
		for _, w := range []int{0, 1, 5, 8, 12, 40} {
			got := Truncate(s, w)
			if DisplayWidth(got) > w {
				t.Errorf("Truncate(%q, %d) = %q, %d cells", s, w, got, DisplayWidth(got))
			}
			if DisplayWidth(s) <= w && got != s {
				t.Errorf("Truncate(%q, %d) = %q, want it whole", s, w, got)
			}
			if DisplayWidth(s) > w && w > 0 && !strings.HasSuffix(got, "…") {
				t.Errorf("Truncate(%q, %d) = %q, want a trailing …", s, w, got)
			}
		}
	}
}
