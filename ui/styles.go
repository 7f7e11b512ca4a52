package ui

import (
	"io"
	"reflect"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Theme picks the palette: the terminal's background as detected, or
// forced dark or light where detection fails (inside tmux lipgloss cannot
// ask the outer terminal).
type Theme string

// Themes.
const (
	ThemeAuto  Theme = "auto"
	ThemeDark  Theme = "dark"
	ThemeLight Theme = "light"
)

// Styles holds every style the views use. It is built once by NewStyles
// and shared through the common context value.
type Styles struct {
	Title     lipgloss.Style
	Demo      lipgloss.Style
	Banner    lipgloss.Style
	Label     lipgloss.Style
	Name      lipgloss.Style
	Subtle    lipgloss.Style
	Header    lipgloss.Style // column headers
	Error     lipgloss.Style
	Warning   lipgloss.Style
	Success   lipgloss.Style
	Overdue   lipgloss.Style
	DueSoon   lipgloss.Style
	Changed   lipgloss.Style
	Match     lipgloss.Style // the part of a row the filter matched
	Yes       lipgloss.Style
	No        lipgloss.Style
	Focused   lipgloss.Style
	Blurred   lipgloss.Style
	Tab       lipgloss.Style
	ActiveTab lipgloss.Style
	Selected  lipgloss.Style
	Spinner   lipgloss.Style
	Dialog    lipgloss.Style
	Progress  string // progress bar colour (a hex for bubbles/progress)
	// Cursor is the text cursor of inputs: reverse video, and kept so
	// under NO_COLOR, which turns off colour, not the cursor.
	Cursor lipgloss.Style
	Help   help.Styles
}

// shade is one colour at every colour depth: true colour, the 256-colour
// index that is exactly it (so the contrast holds there too) and the ANSI
// colour used with 16 colours.
type shade struct {
	hex, ansi256, ansi string
}

// tone is a colour for light and for dark backgrounds.
type tone struct{ light, dark shade }

// palette is every colour of the program. Each meets WCAG AA against the
// usual backgrounds of its side (styles_test.go checks): 4.5:1 for text,
// 3:1 for separators; 16 colours keep greys off ANSI 8 on dark backgrounds
// (Solarized Dark paints it in the background colour) and off ANSI 7 on
// light ones.
func palette() map[string]tone {
	return map[string]tone{
		"accent": {shade{"#5F5FAF", "61", "5"}, shade{"#AFAFFF", "147", "13"}},
		"subtle": {shade{"#585858", "240", "8"}, shade{"#A8A8A8", "248", "7"}},
		"strong": {shade{"#303030", "236", "0"}, shade{"#D0D0D0", "252", "15"}},
		"sep":    {shade{"#808080", "244", "8"}, shade{"#808080", "244", "7"}},
		"red":    {shade{"#AF0000", "124", "1"}, shade{"#FF8787", "210", "9"}},
		"amber":  {shade{"#875F00", "94", "3"}, shade{"#FFD75F", "221", "11"}},
		"green":  {shade{"#005F00", "22", "2"}, shade{"#87D787", "114", "10"}},
		"paper":  {shade{"#FFFFFF", "231", "15"}, shade{"#1C1C1C", "234", "0"}},
	}
}

// color is t for theme: adaptive for auto, else the forced side.
func (t tone) color(theme Theme) lipgloss.TerminalColor {
	cc := func(s shade) lipgloss.CompleteColor {
		return lipgloss.CompleteColor{TrueColor: s.hex, ANSI256: s.ansi256, ANSI: s.ansi}
	}
	switch theme {
	case ThemeDark:
		return cc(t.dark)
	case ThemeLight:
		return cc(t.light)
	}
	return lipgloss.CompleteAdaptiveColor{Light: cc(t.light), Dark: cc(t.dark)}
}

// NewStyles builds the styles for theme; noColor (NO_COLOR is set) keeps
// the input cursor visible in reverse video.
func NewStyles(theme Theme, noColor bool) *Styles {
	p := palette()
	c := func(name string) lipgloss.TerminalColor { return p[name].color(theme) }
	accent, subtle, strong, sep := c("accent"), c("subtle"), c("strong"), c("sep")
	red, amber, green, paper := c("red"), c("amber"), c("green"), c("paper")
	s := &Styles{}
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Demo = lipgloss.NewStyle().Bold(true).Padding(0, 1).Foreground(paper).Background(amber)
	s.Banner = lipgloss.NewStyle().Foreground(amber)
	s.Label = lipgloss.NewStyle().Foreground(subtle)
	s.Name = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Subtle = lipgloss.NewStyle().Foreground(subtle)
	s.Header = lipgloss.NewStyle().Bold(true).Foreground(subtle)
	s.Error = lipgloss.NewStyle().Foreground(red)
	s.Warning = lipgloss.NewStyle().Foreground(amber)
	s.Success = lipgloss.NewStyle().Foreground(green)
	s.Overdue = lipgloss.NewStyle().Bold(true).Foreground(red)
	s.DueSoon = lipgloss.NewStyle().Bold(true).Foreground(amber)
	s.Changed = lipgloss.NewStyle().Bold(true).Underline(true).Foreground(amber)
	s.Match = lipgloss.NewStyle().Bold(true).Underline(true).Foreground(accent)
	s.Yes = lipgloss.NewStyle().Foreground(green)
	s.No = lipgloss.NewStyle().Foreground(red)
	s.Focused = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Blurred = lipgloss.NewStyle().Foreground(subtle)
	s.Tab = lipgloss.NewStyle().Foreground(subtle)
	s.ActiveTab = lipgloss.NewStyle().Bold(true).Underline(true).Foreground(accent)
	s.Selected = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Spinner = lipgloss.NewStyle().Foreground(accent)
	s.Dialog = lipgloss.NewStyle().Padding(0, 1).BorderForeground(red)
	s.Progress = p["accent"].dark.hex
	if theme == ThemeLight || (theme == ThemeAuto && !lipgloss.HasDarkBackground()) {
		s.Progress = p["accent"].light.hex
	}
	s.Cursor = lipgloss.NewStyle()
	if noColor {
		// A renderer of its own that writes attributes but no colour.
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.ANSI)
		s.Cursor = r.NewStyle()
	}
	key := lipgloss.NewStyle().Foreground(strong)
	desc := lipgloss.NewStyle().Foreground(subtle)
	dot := lipgloss.NewStyle().Foreground(sep)
	s.Help = help.Styles{
		ShortKey: key, ShortDesc: desc, ShortSeparator: dot, Ellipsis: dot,
		FullKey: key, FullDesc: desc, FullSeparator: dot,
	}
	return s
}

// styleType is the type of the fields onRenderer rebinds.
var styleType = reflect.TypeFor[lipgloss.Style]()

// onRenderer returns a copy of s with every style bound to r, so that it
// renders with the colour profile and background of r's terminal (an SSH
// session's under serve) instead of the process's. Every lipgloss.Style
// field is rebound, those of nested structs such as help.Styles too, so a
// style added to Styles needs nothing here.
func (s *Styles) onRenderer(r *lipgloss.Renderer) *Styles {
	out := *s
	rebind(reflect.ValueOf(&out).Elem(), r)
	return &out
}

// rebind binds the styles of the struct v to r.
func rebind(v reflect.Value, r *lipgloss.Renderer) {
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case !f.CanSet():
		case f.Type() == styleType:
			f.Set(reflect.ValueOf(f.Interface().(lipgloss.Style).Renderer(r)))
		case f.Kind() == reflect.Struct:
			rebind(f, r)
		}
	}
}
