package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/aopfetch/aopfetch/internal/text"
)

// renderHelp renders the short help of km on one line.
func (c *common) renderHelp(km help.KeyMap) string {
	return shortHelp(c, km.ShortHelp(), max(0, c.width-2))
}

// helpSeparator goes between the keys of the short help.
func helpSeparator(g text.Glyphs) string {
	if g.ASCII() {
		return " | "
	}
	return " " + g.Bullet + " "
}

// fullHelpView is the full help of km in height h: a line naming the
// version, then the enabled bindings in columns, or flowed line by line
// when the columns would be taller than the space left.
func (c *common) fullHelpView(km help.KeyMap, h int) string {
	w := max(0, c.width-2)
	head := ""
	if c.Version != "" {
		head = c.styles.Subtle.Render(c.g.Truncate("aopfetch "+c.Version, w))
	}
	body := fullHelp(c.styles, km, w)
	if len(splitLines(body)) > h-1 {
		body = flowHelp(c.styles, km, w)
	}
	return head + "\n" + body
}

// shortHelp renders the enabled bindings on one line of width w. When they
// do not all fit, the last ones are left out whole (not cut mid-word), but
// the full-help binding (?) stays, as it lists every key.
func shortHelp(c *common, bindings []key.Binding, w int) string {
	bs := make([]key.Binding, 0, len(bindings))
	for _, b := range bindings {
		if b.Enabled() {
			bs = append(bs, b)
		}
	}
	h := help.New()
	h.Styles = c.styles.Help
	h.ShortSeparator = helpSeparator(c.g)
	h.Ellipsis = c.g.Ellipsis
	for {
		out := h.ShortHelpView(bs)
		if text.Width(out) <= w || len(bs) <= 1 {
			return out
		}
		i := len(bs) - 1
		if bs[i].Help().Key == "?" {
			i--
		}
		bs = append(bs[:i], bs[i+1:]...)
	}
}

// enabledBindings lists the enabled bindings of km's full help.
func enabledBindings(km help.KeyMap) []key.Binding {
	var bs []key.Binding
	for _, g := range km.FullHelp() {
		for _, b := range g {
			if b.Enabled() {
				bs = append(bs, b)
			}
		}
	}
	return bs
}

// fullHelp lays the enabled bindings of km out in columns of width w.
func fullHelp(s *Styles, km help.KeyMap, w int) string {
	bs := enabledBindings(km)
	if len(bs) == 0 {
		return ""
	}
	kw, dw := 0, 0
	for _, b := range bs {
		kw = max(kw, text.Width(b.Help().Key))
		dw = max(dw, text.Width(b.Help().Desc))
	}
	cell := kw + 1 + dw
	cols := max(1, (w+2)/(cell+2))
	rows := (len(bs) + cols - 1) / cols
	lines := make([]string, rows)
	for i, b := range bs {
		r := i % rows
		if lines[r] != "" {
			lines[r] += "  "
		}
		lines[r] += s.Focused.Render(text.Pad(b.Help().Key, kw)) + " " + s.Subtle.Render(text.Pad(b.Help().Desc, dw))
	}
	return strings.Join(lines, "\n")
}

// flowHelp fills lines of width w with the enabled bindings of km, one
// after the other: denser than columns on a small terminal.
func flowHelp(s *Styles, km help.KeyMap, w int) string {
	var lines []string
	line, lw := "", 0
	for _, b := range enabledBindings(km) {
		k, d := b.Help().Key, b.Help().Desc
		iw := text.Width(k) + 1 + text.Width(d)
		if lw > 0 && lw+2+iw > w {
			lines, line, lw = append(lines, line), "", 0
		}
		if lw > 0 {
			line += "  "
			lw += 2
		}
		line += s.Focused.Render(k) + " " + s.Subtle.Render(d)
		lw += iw
	}
	if lw > 0 {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// bannerLines wraps notices to width w: each starts with "! ", goes on
// indented under its text and is cut after maxLines lines.
func bannerLines(g text.Glyphs, notices []string, w, maxLines int) []string {
	maxLines = max(1, maxLines)
	var out []string
	for _, n := range notices {
		lines := strings.Split(ansi.WrapWc(n, max(1, w-2), ""), "\n")
		if len(lines) > maxLines {
			rest := strings.Join(lines[maxLines-1:], " ")
			lines = append(lines[:maxLines-1], g.Truncate(rest, w-2))
		}
		for i, l := range lines {
			prefix := "  "
			if i == 0 {
				prefix = "! "
			}
			out = append(out, prefix+l)
		}
	}
	return out
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
