package text

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Width is the number of terminal cells s occupies, measured per code
// point like wcwidth(3), which is what tmux, xterm and VTE do:
// "राजेश कुमार शर्मा" takes 14 cells there, while grapheme-cluster counting
// (lipgloss, ansi.StringWidth) says 10 and would let a column overflow.
func Width(s string) int {
	if isPlain(s) {
		return len(s) // printable ASCII: a cell a byte
	}
	return ansi.StringWidthWc(s)
}

// Truncate cuts s to width cells (as Width measures them) with a trailing
// Ellipsis; escape sequences are kept whole. The TUI and the CLI tables
// both use it, so server strings never overrun a column.
func Truncate(s string, width int) string { return truncate(s, width, Ellipsis) }

// truncate is Truncate with a given tail.
func truncate(s string, width int, tail string) string {
	width = max(0, width)
	if Width(s) <= width {
		return s
	}
	// ansi.TruncateWc returns its input unchanged when the grapheme width
	// fits, even if the wcwidth does not: blanks past the cut make the
	// grapheme width exceed width too, and are themselves cut away.
	return ansi.TruncateWc(s+strings.Repeat(" ", width+1), width, tail)
}

// Pad fits s to exactly width cells: truncated, or padded on the right
// with spaces.
func Pad(s string, width int) string { return UTF8Glyphs().Pad(s, width) }

// blanks is n spaces, or none when n < 1.
func blanks(n int) string { return strings.Repeat(" ", max(0, n)) }
