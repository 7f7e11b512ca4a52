package ui

import (
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestGreysReadableWith16Colours: with 16 colours no text is drawn in
// ANSI 8 (bright black) on a dark background, which palettes such as
// Solarized Dark paint in the background colour; light backgrounds avoid
// ANSI 7 (light grey on white).
func TestGreysReadableWith16Colours(t *testing.T) {
	s := DefaultStyles()
	home := newHome(&common{styles: s, keys: DefaultKeyMap(), now: fixedNow}, seedData(1, 0))
	l := home.lists[tabSaved]
	styles := map[string]lipgloss.Style{
		"subtle": s.Subtle, "label": s.Label, "status": s.Status, "tab": s.Tab, "blurred": s.Blurred,
		"help key": s.Help.ShortKey, "help desc": s.Help.ShortDesc, "help sep": s.Help.ShortSeparator,
		"list status": l.Styles.StatusBar, "list empty": l.Styles.StatusEmpty, "list count": l.Styles.StatusBarFilterCount,
		"list none": l.Styles.NoItems, "list page": l.Styles.ArabicPagination, "list dot": l.Styles.DividerDot,
	}
	for _, dark := range []bool{true, false} {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.ANSI)
		r.SetHasDarkBackground(dark)
		bad := "\x1b[90m"
		if !dark {
			bad = "\x1b[37m"
		}
		for name, st := range styles {
			if out := st.Renderer(r).Render("x"); strings.Contains(out, bad) || !strings.Contains(out, "\x1b[") {
				t.Errorf("dark %v: %s renders %q", dark, name, out)
			}
		}
	}
}
