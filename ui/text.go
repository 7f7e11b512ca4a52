package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/x/ansi"
)

// ellipsis marks truncated text.
const ellipsis = "…"

// truncate cuts s to display width w with a trailing ellipsis.
func truncate(s string, w int) string {
	return ansi.Truncate(s, max(0, w), ellipsis)
}

// displayWidth is the number of terminal cells s occupies.
func displayWidth(s string) int { return ansi.StringWidth(s) }

// pad truncates or pads s with spaces to exactly display width w.
func pad(s string, w int) string {
	s = truncate(s, w)
	if n := w - displayWidth(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// padLeft is pad aligned right.
func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := w - displayWidth(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

// renderHelp renders the short (or full) help of km at the inner width.
func (c *common) renderHelp(km help.KeyMap, full bool) string {
	h := help.New()
	h.Width = max(0, c.width-2)
	h.ShowAll = full
	return h.View(km)
}

// age is "just now", "3m ago", "3h ago", "2d ago".
func age(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
}

// opString formats an operator code for display.
func opString(code int) string {
	if code == 0 {
		return "?"
	}
	return fmt.Sprint(code)
}
