package client

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// DisplayWidth is the number of terminal cells s occupies, measured per
// code point like wcwidth(3), which is what tmux, xterm and VTE do:
// "राजेश कुमार शर्मा" takes 14 cells there, while grapheme-cluster counting
// (lipgloss, ansi.StringWidth) says 10 and would let a column overflow.
func DisplayWidth(s string) int { return ansi.StringWidthWc(s) }

// Truncate cuts s to width cells (as DisplayWidth measures them) with a
// trailing "…"; escape sequences are kept whole. The TUI and the CLI tables
// both use it, so server strings never overrun a column.
func Truncate(s string, width int) string {
	width = max(0, width)
	if DisplayWidth(s) <= width {
		return s
	}
	// ansi.TruncateWc returns its input unchanged when the grapheme width
	// fits, even if the wcwidth does not: blanks past the cut make the
	// grapheme width exceed width too, and are themselves cut away.
	return ansi.TruncateWc(s+strings.Repeat(" ", width+1), width, "…")
}
