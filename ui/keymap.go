package ui

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/aopfetch/aopfetch/internal/text"
)

// KeyMap holds every key binding of the program, one section per view.
// Each view keeps its own copy of its section and enables, in its
// updateKeymap, exactly the bindings that work in its current state: Update
// matches only enabled bindings (key.Matches skips disabled ones) and the
// help lists only enabled ones, so the two cannot disagree.
type KeyMap struct {
	Form    formKeys
	Loading loadingKeys
	Result  resultKeys
	Error   errorKeys
	Home    homeKeys
}

// DefaultKeyMap returns the default bindings, their help worded with g.
func DefaultKeyMap(g text.Glyphs) KeyMap {
	quit := key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))
	return KeyMap{
		Form: formKeys{
			Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "fetch")),
			Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next")),
			Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "prev")),
			OpNext: key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n/p", "operator")),
			OpPrev: key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "prev operator")),
			Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
			Quit:   quit,
		},
		Loading: loadingKeys{
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
			Quit:   quit,
		},
		Result: resultKeys{
			Copy:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
			CopyJSON:   key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "copy JSON")),
			ToggleJSON: key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "JSON")),
			Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
			New:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
			Save:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save")),
			ScrollUp:   key.NewBinding(key.WithKeys("up", "k", "pgup"), key.WithHelp(g.Up+"/k", "scroll up")),
			ScrollDown: key.NewBinding(key.WithKeys("down", "j", "pgdown"), key.WithHelp(g.Down+"/j", "scroll down")),
			Back:       key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("q/esc", "back")),
			Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
			PromptSave: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
			PromptQuit: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
			Quit:       quit,
		},
		Error: errorKeys{
			Retry: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
			Edit:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
			Back:  key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("q/esc", "back")),
			Quit:  quit,
		},
		Home: homeKeys{ // no printable key but ? while browsing (see homeModel)
			Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
			Lookup: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "look up")),
			Quick: key.NewBinding(key.WithHelp("alt+1-9", "open row"),
				key.WithKeys("alt+1", "alt+2", "alt+3", "alt+4", "alt+5", "alt+6", "alt+7", "alt+8", "alt+9")),
			Up:       key.NewBinding(key.WithKeys("up"), key.WithHelp(g.Up+"/"+g.Down, "move")),
			Down:     key.NewBinding(key.WithKeys("down"), key.WithHelp(g.Down, "down")),
			PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup/pgdn", "page")),
			PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "next page")),
			Top:      key.NewBinding(key.WithKeys("home"), key.WithHelp("home/end", "first/last")),
			Bottom:   key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
			Switch:   key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "saved/recent")),
			New:      key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "form")),
			Edit:     key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "label")),
			Delete:   key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete")),
			Undo:     key.NewBinding(key.WithKeys("ctrl+z"), key.WithHelp("ctrl+z", "undo")),
			Sort:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "sort")),
			MoveUp:   key.NewBinding(key.WithKeys("alt+up"), key.WithHelp("alt+"+g.Up+"/"+g.Down, "reorder")),
			MoveDown: key.NewBinding(key.WithKeys("alt+down"), key.WithHelp("alt+"+g.Down, "move down")),
			Refresh:  key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh all")),
			Stop:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop")),
			Clear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
			Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
			HelpBack: key.NewBinding(key.WithKeys("?", "q", "esc"), key.WithHelp("q/esc", "back")),
			Confirm:  key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "delete it")),
			Keep:     key.NewBinding(key.WithKeys("n"), key.WithHelp("other keys", "keep it")),
			Save:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
			Field:    key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "label/note")),
			Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
			Quit:     quit,
		},
	}
}

// formKeys are the keys of the lookup form.
type formKeys struct {
	Submit, Next, Prev, OpNext, OpPrev, Back, Quit key.Binding
}

// ShortHelp implements help.KeyMap.
func (k formKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Submit, k.Next, k.OpNext, k.Back, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k formKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// loadingKeys are the keys while a lookup runs.
type loadingKeys struct{ Cancel, Quit key.Binding }

// ShortHelp implements help.KeyMap.
func (k loadingKeys) ShortHelp() []key.Binding { return []key.Binding{k.Cancel, k.Quit} }

// FullHelp implements help.KeyMap.
func (k loadingKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// resultKeys are the keys of the consumer card.
type resultKeys struct {
	Copy, CopyJSON, ToggleJSON, Refresh, New, Save, ScrollUp, ScrollDown, Back, Help key.Binding
	// The label prompt.
	PromptSave, PromptQuit key.Binding
	Quit                   key.Binding
}

// ShortHelp implements help.KeyMap.
func (k resultKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.PromptSave, k.PromptQuit, k.Back, k.Copy, k.Refresh, k.Save, k.ToggleJSON, k.New, k.Help}
}

// FullHelp implements help.KeyMap.
func (k resultKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Copy, k.CopyJSON, k.ToggleJSON},
		{k.Refresh, k.Save, k.New},
		{k.ScrollUp, k.ScrollDown},
		{k.Back, k.Help, k.Quit},
	}
}

// errorKeys are the keys of the error view.
type errorKeys struct{ Retry, Edit, Back, Quit key.Binding }

// ShortHelp implements help.KeyMap.
func (k errorKeys) ShortHelp() []key.Binding { return []key.Binding{k.Retry, k.Edit, k.Back, k.Quit} }

// FullHelp implements help.KeyMap.
func (k errorKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// homeKeys are the keys of home.
type homeKeys struct {
	Open, Lookup, Quick             key.Binding
	Up, Down, PageUp, PageDown, Top key.Binding
	Bottom, Switch, New             key.Binding
	Edit, Delete, Undo, Sort        key.Binding
	MoveUp, MoveDown, Refresh, Stop key.Binding
	Clear, Help, HelpBack           key.Binding
	Confirm, Keep                   key.Binding // the delete dialog
	Save, Field, Cancel             key.Binding // the label and note prompt
	Quit                            key.Binding
}

// ShortHelp implements help.KeyMap: the footer, most used first.
func (k homeKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Confirm, k.Keep, k.Save, k.Field, k.Cancel, k.HelpBack,
		k.Open, k.Lookup, k.Stop, k.Clear, k.Undo, k.New, k.Refresh, k.Quit, k.Quick, k.Switch, k.Sort, k.Help}
}

// FullHelp implements help.KeyMap: every key of home, grouped.
func (k homeKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Open, k.Lookup, k.Quick, k.Up, k.PageUp, k.Top, k.Switch},
		{k.New, k.Edit, k.Delete, k.Undo, k.Sort, k.MoveUp},
		{k.Refresh, k.Stop, k.Clear, k.HelpBack, k.Quit},
	}
}

// enable enables or disables each of bs.
func enable(on bool, bs ...*key.Binding) {
	for _, b := range bs {
		b.SetEnabled(on)
	}
}
