package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/aopfetch/aopfetch/internal/text"
)

// renderHelp renders the enabled bindings of km's short help on one line.
// When they do not all fit, the last ones are left out whole (not cut
// mid-word), but the full-help binding (?) stays, as it lists every key.
func (c *common) renderHelp(km help.KeyMap) string {
	bs := enabled(km.ShortHelp())
	h := help.New()
	h.Styles = c.styles.Help
	h.ShortSeparator = " " + c.g.Bullet + " "
	if c.g.ASCII() {
		h.ShortSeparator = " | "
	}
	h.Ellipsis = c.g.Ellipsis
	for {
		out := h.ShortHelpView(bs)
		if text.Width(out) <= c.width-2 || len(bs) <= 1 {
			return out
		}
		i := len(bs) - 1
		if bs[i].Help().Key == "?" {
			i--
		}
		bs = slices.Delete(bs, i, i+1)
	}
}

// enabled is the enabled bindings of bs.
func enabled(bs []key.Binding) []key.Binding {
	return slices.DeleteFunc(bs, func(b key.Binding) bool { return !b.Enabled() })
}

// versionLine names the version ("" when unknown).
func (c *common) versionLine() string {
	if c.Version == "" {
		return ""
	}
	return c.styles.Subtle.Render(c.g.Truncate("aopfetch "+c.Version, max(0, c.width-2)))
}

// keysHelp is the enabled bindings of km in columns, or flowed line by
// line when the columns would be taller than h.
func (c *common) keysHelp(km help.KeyMap, h int) string {
	w := max(0, c.width-2)
	bs := enabled(slices.Concat(km.FullHelp()...))
	body := fullHelp(c.styles, bs, w)
	if len(splitLines(body)) > h {
		body = flowHelp(c.styles, bs, w)
	}
	return body
}

// fullHelp lays bindings out in columns of width w.
func fullHelp(s *Styles, bs []key.Binding, w int) string {
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

// flowHelp fills lines of width w with bindings, one after the other:
// denser than columns on a small terminal.
func flowHelp(s *Styles, bs []key.Binding, w int) string {
	var lines []string
	line, lw := "", 0
	for _, b := range bs {
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
