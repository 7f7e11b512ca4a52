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

// DefaultStyles builds the styles of the program.
func DefaultStyles() *Styles {
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
	s.App = lipgloss.NewStyle().Padding(0, 1)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(colorAccent)
	s.Badge = lipgloss.NewStyle().Padding(0, 1).Foreground(colorInverse).Background(colorAccent)
	s.Demo = lipgloss.NewStyle().Bold(true).Padding(0, 1).Foreground(colorInverse).Background(colorAmber)
	s.Banner = lipgloss.NewStyle().Foreground(colorAmber)
	s.Label = lipgloss.NewStyle().Foreground(colorSubtle)
	s.Value = lipgloss.NewStyle()
	s.Name = lipgloss.NewStyle().Bold(true).Foreground(colorAccent)
	s.Subtle = lipgloss.NewStyle().Foreground(colorSubtle)
	s.Error = lipgloss.NewStyle().Foreground(colorRed)
	s.Warning = lipgloss.NewStyle().Foreground(colorAmber)
	s.Success = lipgloss.NewStyle().Foreground(colorGreen)
	s.Overdue = lipgloss.NewStyle().Bold(true).Foreground(colorRed)
	s.DueSoon = lipgloss.NewStyle().Foreground(colorAmber)
	s.Changed = lipgloss.NewStyle().Bold(true).Underline(true).Foreground(colorAmber)
	s.Yes = lipgloss.NewStyle().Foreground(colorGreen)
	s.No = lipgloss.NewStyle().Foreground(colorRed)
	s.Focused = lipgloss.NewStyle().Bold(true).Foreground(colorAccent)
	s.Blurred = lipgloss.NewStyle().Foreground(colorSubtle)
	s.Status = lipgloss.NewStyle().Foreground(colorSubtle)
	s.Tab = lipgloss.NewStyle().Foreground(colorSubtle)
	s.ActiveTab = lipgloss.NewStyle().Bold(true).Underline(true).Foreground(colorAccent)
	s.Selected = lipgloss.NewStyle().Bold(true).Foreground(colorAccent)
	s.Row = lipgloss.NewStyle()
	s.Spinner = lipgloss.NewStyle().Foreground(colorAccent)
	s.Help = helpStyles()
	return s
}

// helpStyles are bubbles/help's default greys, readable with 16 colours.
func helpStyles() help.Styles {
	key := lipgloss.NewStyle().Foreground(grey("#909090", "#626262"))
	desc := lipgloss.NewStyle().Foreground(grey("#B2B2B2", "#4A4A4A"))
	sep := lipgloss.NewStyle().Foreground(grey("#DDDADA", "#3C3C3C"))
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
