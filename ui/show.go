package ui

import (
	"bytes"
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/client"
)

// Size is a terminal size in cells.
type Size struct{ Width, Height int }

// Shown is what the TUI shows of one lookup's outcome (see Show).
type Shown struct {
	// Screens are the frames shown at each size: the result card and its
	// raw JSON view, or the error view (the form, for a validation error).
	Screens []string
	// JSON is the raw JSON view's whole text, as it scrolls.
	JSON string
	// Clipboard is what c and then C on the result card wrote: OSC 52
	// sequences, each carrying its text in base64.
	Clipboard string
}

// Show renders the outcome of looking up req (res and err as a Fetcher
// returned them) as the TUI shows it at each of sizes in turn (as when the
// terminal is resized), in lipgloss's colour profile, toggling the raw JSON
// view with J, and presses c and C on a result. Only o's Config and Now are
// used. It touches no terminal, network or disk: it is how tests outside
// this package (the response-path fuzz target in cli) see the TUI's text.
func Show(o Options, req client.Request, res *client.Result, err error, sizes ...Size) Shown {
	var clip bytes.Buffer
	m := newModel(context.Background(), Options{Config: o.Config, Now: o.Now, Clipboard: &clip}, runEnv{})
	m, _ = m.foregroundDone(fetchDoneMsg{req: req, res: res, err: err})
	var s Shown
	for _, size := range sizes {
		m, _ = m.update(tea.WindowSizeMsg{Width: size.Width, Height: size.Height})
		s.Screens = append(s.Screens, m.View())
		if m.state == stateResult {
			m, _ = m.update(runeKey('J'))
			s.Screens = append(s.Screens, m.View())
			m, _ = m.update(runeKey('J'))
		}
	}
	if m.state != stateResult {
		return s
	}
	for _, k := range "cC" {
		var cmd tea.Cmd
		if m, cmd = m.update(runeKey(k)); cmd != nil {
			m, _ = m.update(cmd()) // a copy runs at once: it only writes to clip
		}
	}
	s.JSON, s.Clipboard = m.result.json, clip.String()
	return s
}

// runeKey is the key message of typing r.
func runeKey(r rune) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}} }
