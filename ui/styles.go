package ui

import (
	"strconv"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles holds every style the views use. It is built once by DefaultStyles
// and shared through the common context value.
type Styles struct {
	App       lipgloss.Style
	Title     lipgloss.Style
	Badge     lipgloss.Style
	Demo      lipgloss.Style
	Banner    lipgloss.Style
	Label     lipgloss.Style
	Value     lipgloss.Style
	Name      lipgloss.Style
	Subtle    lipgloss.Style
	Error     lipgloss.Style
	Warning   lipgloss.Style
	Success   lipgloss.Style
	Overdue   lipgloss.Style
	DueSoon   lipgloss.Style
	Changed   lipgloss.Style
	Yes       lipgloss.Style
	No        lipgloss.Style
	Focused   lipgloss.Style
	Blurred   lipgloss.Style
	Status    lipgloss.Style
	Tab       lipgloss.Style
	ActiveTab lipgloss.Style
	Selected  lipgloss.Style
	Row       lipgloss.Style
	Spinner   lipgloss.Style
	Help      help.Styles
}

// DefaultStyles builds the styles of the program for the process's terminal.
func DefaultStyles() *Styles { return StylesFor(lipgloss.DefaultRenderer()) }

// StylesFor builds the styles of the program for the terminal r renders
// to: its colour profile and background (an SSH session's, under serve).
func StylesFor(r *lipgloss.Renderer) *Styles {
	// Colours that read on light and dark terminals alike.
	var (
		colorAccent  = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#B4A1FF"}
		colorSubtle  = grey("#6B6B6B", "#9A9A9A")
		colorRed     = lipgloss.AdaptiveColor{Light: "#B00020", Dark: "#FF6B6B"}
		colorAmber   = lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#FFC857"}
		colorGreen   = lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#7BD88F"}
		colorInverse = lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1A1A1A"}
	)
	s := &Styles{}
	s.App = r.NewStyle().Padding(0, 1)
	s.Title = r.NewStyle().Bold(true).Foreground(colorAccent)
	s.Badge = r.NewStyle().Padding(0, 1).Foreground(colorInverse).Background(colorAccent)
	s.Demo = r.NewStyle().Bold(true).Padding(0, 1).Foreground(colorInverse).Background(colorAmber)
	s.Banner = r.NewStyle().Foreground(colorAmber)
	s.Label = r.NewStyle().Foreground(colorSubtle)
	s.Value = r.NewStyle()
	s.Name = r.NewStyle().Bold(true).Foreground(colorAccent)
	s.Subtle = r.NewStyle().Foreground(colorSubtle)
	s.Error = r.NewStyle().Foreground(colorRed)
	s.Warning = r.NewStyle().Foreground(colorAmber)
	s.Success = r.NewStyle().Foreground(colorGreen)
	s.Overdue = r.NewStyle().Bold(true).Foreground(colorRed)
	s.DueSoon = r.NewStyle().Foreground(colorAmber)
	s.Changed = r.NewStyle().Bold(true).Underline(true).Foreground(colorAmber)
	s.Yes = r.NewStyle().Foreground(colorGreen)
	s.No = r.NewStyle().Foreground(colorRed)
	s.Focused = r.NewStyle().Bold(true).Foreground(colorAccent)
	s.Blurred = r.NewStyle().Foreground(colorSubtle)
	s.Status = r.NewStyle().Foreground(colorSubtle)
	s.Tab = r.NewStyle().Foreground(colorSubtle)
	s.ActiveTab = r.NewStyle().Bold(true).Underline(true).Foreground(colorAccent)
	s.Selected = r.NewStyle().Bold(true).Foreground(colorAccent)
	s.Row = r.NewStyle()
	s.Spinner = r.NewStyle().Foreground(colorAccent)
	s.Help = helpStyles(r)
	return s
}

// helpStyles are bubbles/help's default greys, readable with 16 colours.
func helpStyles(r *lipgloss.Renderer) help.Styles {
	key := r.NewStyle().Foreground(grey("#909090", "#626262"))
	desc := r.NewStyle().Foreground(grey("#B2B2B2", "#4A4A4A"))
	sep := r.NewStyle().Foreground(grey("#DDDADA", "#3C3C3C"))
	return help.Styles{
		ShortKey: key, ShortDesc: desc, ShortSeparator: sep, Ellipsis: sep,
		FullKey: key, FullDesc: desc, FullSeparator: sep,
	}
}

// grey is a grey (light / dark background) that stays readable with 16
// colours. The nearest-colour mapping would pick ANSI 8 (bright black) for
// every dark grey, which some palettes (Solarized Dark) paint in the
// background colour, and ANSI 7 (light grey) for light greys on a white
// background; dark backgrounds get ANSI 7 and light ones ANSI 8 instead.
// True colour and 256 colours look as the nearest-colour mapping would.
func grey(light, dark string) lipgloss.CompleteAdaptiveColor {
	return lipgloss.CompleteAdaptiveColor{
		Light: lipgloss.CompleteColor{TrueColor: light, ANSI256: ansi256(light), ANSI: "8"},
		Dark:  lipgloss.CompleteColor{TrueColor: dark, ANSI256: ansi256(dark), ANSI: "7"},
	}
}

// ansi256 is the 256-colour index nearest to hex.
func ansi256(hex string) string {
	if c, ok := termenv.ANSI256.Color(hex).(termenv.ANSI256Color); ok {
		return strconv.Itoa(int(c))
	}
	return hex
}
