package ui

import (
	"io"
	"math"
	"strconv"
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
	s := NewStyles(ThemeAuto, false)
	styles := map[string]lipgloss.Style{
		"subtle": s.Subtle, "label": s.Label, "tab": s.Tab, "blurred": s.Blurred,
		"header": s.Header, "help key": s.Help.ShortKey, "help desc": s.Help.ShortDesc, "help sep": s.Help.ShortSeparator,
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

// Backgrounds the palettes are checked against: common dark themes
// (black, VS Code, One Dark, Nord, Solarized Dark, a grey) and light ones
// (white, off-white, light grey, Solarized Light).
var (
	darkBackgrounds  = []string{"#000000", "#1E1E1E", "#282C34", "#2E3440", "#002B36", "#303030"}
	lightBackgrounds = []string{"#FFFFFF", "#FAFAFA", "#EEEEEE", "#FDF6E3"}
)

// TestContrastMeetsWCAGAA: every colour of both palettes reaches 4.5:1
// against each background of its side (3:1 for separators), in true
// colour and in its 256-colour form, which must be the same colour.
func TestContrastMeetsWCAGAA(t *testing.T) {
	for name, tn := range palette() {
		if name == "paper" {
			continue // the text colour of badges, on the accent
		}
		want := 4.5
		if name == "sep" {
			want = 3
		}
		for _, side := range []struct {
			sh  shade
			bgs []string
		}{{tn.dark, darkBackgrounds}, {tn.light, lightBackgrounds}} {
			if got := ansi256Hex(t, side.sh.ansi256); !strings.EqualFold(got, side.sh.hex) {
				t.Errorf("%s: %s is %s in 256 colours", name, side.sh.hex, got)
			}
			for _, bg := range side.bgs {
				if r := contrast(side.sh.hex, bg); r < want {
					t.Errorf("%s %s on %s: %.2f:1, want %.1f:1", name, side.sh.hex, bg, r, want)
				}
			}
		}
	}
	// The badges: the paper colour on the accent and on amber.
	p := palette()
	for _, c := range []string{"accent", "amber"} {
		for _, side := range [][2]shade{{p["paper"].dark, p[c].dark}, {p["paper"].light, p[c].light}} {
			if r := contrast(side[0].hex, side[1].hex); r < 4.5 {
				t.Errorf("badge %s on %s: %.2f:1", side[0].hex, side[1].hex, r)
			}
		}
	}
}

// ansi256Hex is the colour of a 256-colour index.
func ansi256Hex(t *testing.T, idx string) string {
	t.Helper()
	n, err := strconv.Atoi(idx)
	if err != nil || n < 0 || n > 255 {
		t.Fatalf("bad 256-colour index %q", idx)
	}
	return termenv.ANSI256Color(n).String()
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG relative luminance of a colour (#RRGGBB).
func luminance(hex string) float64 {
	channel := func(i int) float64 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(0) + 0.7152*channel(1) + 0.0722*channel(2)
}

// TestThemeForcesThePalette: theme dark and light pick one side whatever
// the terminal says; auto follows the background.
func TestThemeForcesThePalette(t *testing.T) {
	p := palette()
	for _, tc := range []struct {
		theme Theme
		dark  bool
		want  string
	}{
		{ThemeDark, false, p["subtle"].dark.ansi256},
		{ThemeLight, true, p["subtle"].light.ansi256},
		{ThemeAuto, true, p["subtle"].dark.ansi256},
		{ThemeAuto, false, p["subtle"].light.ansi256},
	} {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.ANSI256)
		r.SetHasDarkBackground(tc.dark)
		out := NewStyles(tc.theme, false).Subtle.Renderer(r).Render("x")
		if !strings.Contains(out, "38;5;"+tc.want+"m") {
			t.Errorf("theme %s on dark=%v: %q, want colour %s", tc.theme, tc.dark, out, tc.want)
		}
	}
}

// TestNoColorKeepsTheCursor: under NO_COLOR (no colour profile) the
// input's cursor is still drawn, in reverse video, without colour.
func TestNoColorKeepsTheCursor(t *testing.T) {
	o := testOptions(okFetcher("X"), nil)
	o.NoColor = true
	m := newTestModel(o, 80, 24)
	v := m.form.inputs[fieldVehicle].View()
	if !strings.Contains(v, "\x1b[7m") {
		t.Fatalf("no visible cursor under NO_COLOR: %q", v)
	}
	if strings.Contains(v, "38;") || strings.Contains(v, "48;") {
		t.Fatalf("colour under NO_COLOR: %q", v)
	}
	o.NoColor = false
	if v := newTestModel(o, 80, 24).form.inputs[fieldVehicle].View(); strings.Contains(v, "\x1b") {
		t.Fatalf("escape sequence with the ASCII profile and colour allowed: %q", v)
	}
}

// TestStylesOnRenderer: every style, nested ones too, renders with the
// renderer's profile.
func TestStylesOnRenderer(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	s := NewStyles(ThemeAuto, false).onRenderer(r)
	for name, st := range map[string]lipgloss.Style{"Title": s.Title, "Error": s.Error, "Help.ShortKey": s.Help.ShortKey} {
		if out := st.Render("x"); !strings.Contains(out, "38;2;") {
			t.Errorf("%s renders %q, not in true colour", name, out)
		}
	}
	if out := NewStyles(ThemeAuto, false).Title.Render("x"); strings.Contains(out, "38;2;") {
		t.Errorf("the process's styles changed too: %q", out)
	}
}
