package text

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestTruncateFitsTheTerminalWidth(t *testing.T) {
	for _, s := range []string{"NITESH  KUMAR SHARMA", "राजेश कुमार शर्मा राजेश", "山田太郎 運送株式会社", "🚚 fleet truck"} {
		for _, w := range []int{0, 1, 5, 8, 12, 40} {
			got := Truncate(s, w)
			if Width(got) > w {
				t.Errorf("Truncate(%q, %d) = %q, %d cells", s, w, got, Width(got))
			}
			if Width(s) <= w && got != s {
				t.Errorf("Truncate(%q, %d) = %q, want it whole", s, w, got)
			}
			if Width(s) > w && w > 0 && !strings.HasSuffix(got, "…") {
				t.Errorf("Truncate(%q, %d) = %q, want a trailing …", s, w, got)
			}
		}
	}
}

// devanagari takes 14 cells in tmux and xterm (wcwidth per code point),
// while grapheme-cluster counting says 10.
const devanagari = "राजेश कुमार शर्मा"

func TestTruncateAndPadMeasureLikeTheTerminal(t *testing.T) {
	for _, w := range []int{1, 5, 10, 12, 13, 14, 20} {
		if got := ansi.StringWidthWc(Truncate(devanagari, w)); got > w {
			t.Errorf("Truncate(%d) takes %d cells", w, got)
		}
		if got := ansi.StringWidthWc(Pad(devanagari, w)); got != w {
			t.Errorf("Pad(%d) takes %d cells", w, got)
		}
		if got := ansi.StringWidthWc(UTF8Glyphs().PadLeft(devanagari, w)); got != w {
			t.Errorf("PadLeft(%d) takes %d cells", w, got)
		}
	}
	if got := Truncate(devanagari, 14); got != devanagari {
		t.Errorf("Truncate cut a string that fits: %q", got)
	}
	if got := UTF8Glyphs().PadLeft("42", 4) + "|" + Pad("42", 4); got != "  42|42  " {
		t.Errorf("PadLeft, Pad = %q", got)
	}
}

func TestWidthIsPerCodePoint(t *testing.T) {
	// tmux and xterm advance the cursor by 7 cells for this name.
	if w := Width("शर्मा जी"); w != 7 {
		t.Errorf("Width = %d, want 7", w)
	}
	if w := Width("日本"); w != 4 {
		t.Errorf("Width(CJK) = %d, want 4", w)
	}
}
