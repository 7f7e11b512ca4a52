package ui

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/aopfetch/aopfetch/internal/text"
)

// KeyMap holds every key binding of the program. Views pick the bindings
// they use and disable the ones that do nothing in their current state, so
// the help line only lists keys that work.
type KeyMap struct {
	// Global.
	ForceQuit key.Binding
	Quit      key.Binding
	Back      key.Binding
	Help      key.Binding

	// Form.
	Submit  key.Binding
	Next    key.Binding
	Prev    key.Binding
	OpPrev  key.Binding
	OpNext  key.Binding
	Cancel  key.Binding
	Confirm key.Binding
	Deny    key.Binding

	// Result and error views.
	Copy       key.Binding
	CopyJSON   key.Binding
	ToggleJSON key.Binding
	Refetch    key.Binding
	NewLookup  key.Binding
	Save       key.Binding
	Retry      key.Binding
	Edit       key.Binding
	ScrollUp   key.Binding
	ScrollDown key.Binding

	// Home.
	Open     key.Binding
	Quick    key.Binding
	Switch   key.Binding
	Filter   key.Binding
	Delete   key.Binding
	MoveUp   key.Binding
	MoveDown key.Binding
	Up       key.Binding
	Down     key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),

		Submit:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "fetch")),
		Next:    key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "prev")),
		OpPrev:  key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "prev operator")),
		OpNext:  key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "next operator")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Confirm: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		Deny:    key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "no")),

		Copy:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		CopyJSON:   key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "copy JSON")),
		ToggleJSON: key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "JSON")),
		Refetch:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refetch")),
		NewLookup:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
		Save:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save")),
		Retry:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
		Edit:       key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		ScrollUp:   key.NewBinding(key.WithKeys("up", "k", "pgup"), key.WithHelp(text.Up+"/k", "scroll up")),
		ScrollDown: key.NewBinding(key.WithKeys("down", "j", "pgdown"), key.WithHelp(text.Down+"/j", "scroll down")),

		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Quick:    key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "quick")),
		Switch:   key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "switch")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Delete:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		MoveUp:   key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "move up")),
		MoveDown: key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "move down")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp(text.Up+"/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp(text.Down+"/j", "down")),
	}
}

// helpKeys adapts a pair of binding lists to help.KeyMap.
type helpKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (h helpKeys) ShortHelp() []key.Binding { return h.short }

// FullHelp implements help.KeyMap.
func (h helpKeys) FullHelp() [][]key.Binding { return h.full }

// enabled returns a copy of b enabled or disabled.
func enabled(b key.Binding, on bool) key.Binding {
	b.SetEnabled(on)
	return b
}
