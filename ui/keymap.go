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
	quit := bind("ctrl+c", "quit")
	return KeyMap{
		Form: formKeys{
			Submit: bind("enter", "fetch"),
			Next:   bind("tab", "next", "tab", "down"),
			Prev:   bind("shift+tab", "prev", "shift+tab", "up"),
			OpNext: bind("ctrl+n/p", "operator", "ctrl+n"),
			OpPrev: bind("ctrl+p", "prev operator"),
			Back:   bind("esc", "back"),
			Quit:   quit,
		},
		Loading: loadingKeys{
			Cancel: bind("esc", "cancel"),
			Quit:   quit,
		},
		Result: resultKeys{
			Copy:       bind("c", "copy"),
			CopyJSON:   bind("C", "copy JSON"),
			ToggleJSON: bind("J", "JSON"),
			Refresh:    bind("r", "refresh"),
			New:        bind("n", "new"),
			Save:       bind("s", "save"),
			ScrollUp:   bind(g.Up+"/k", "scroll up", "up", "k", "pgup"),
			ScrollDown: bind(g.Down+"/j", "scroll down", "down", "j", "pgdown"),
			Back:       bind("q/esc", "back", "esc", "q"),
			Help:       bind("?", "help"),
			PromptSave: bind("enter", "save"),
			PromptQuit: bind("esc", "cancel"),
			Quit:       quit,
		},
		Error: errorKeys{
			Retry: bind("r", "retry"),
			Edit:  bind("e", "edit"),
			Back:  bind("q/esc", "back", "esc", "q"),
			Quit:  quit,
		},
		Home: homeKeys{ // no printable key but ? while browsing (see homeModel)
			Open:   bind("enter", "open"),
			Lookup: bind("enter", "look up"),
			Quick: bind("alt+1-9", "open row",
				"alt+1", "alt+2", "alt+3", "alt+4", "alt+5", "alt+6", "alt+7", "alt+8", "alt+9"),
			Up:       bind(g.Up+"/"+g.Down, "move", "up"),
			Down:     bind(g.Down, "down", "down"),
			PageUp:   bind("pgup/pgdn", "page", "pgup"),
			PageDown: bind("pgdn", "next page", "pgdown"),
			Top:      bind("home/end", "first/last", "home"),
			Bottom:   bind("end", "last"),
			Switch:   bind("tab", "saved/recent", "tab", "shift+tab"),
			New:      bind("ctrl+n", "form"),
			Edit:     bind("ctrl+e", "label"),
			Delete:   bind("ctrl+d", "delete"),
			Undo:     bind("ctrl+z", "undo"),
			Sort:     bind("ctrl+s", "sort"),
			MoveUp:   bind("alt+"+g.Up+"/"+g.Down, "reorder", "alt+up"),
			MoveDown: bind("alt+"+g.Down, "move down", "alt+down"),
			Refresh:  bind("ctrl+r", "refresh all"),
			Stop:     bind("esc", "stop"),
			Clear:    bind("esc", "clear"),
			Help:     bind("?", "help"),
			HelpBack: bind("q/esc", "back", "?", "q", "esc"),
			Confirm:  bind("y", "delete it", "y", "Y"),
			Keep:     bind("other keys", "keep it", "n"),
			Save:     bind("enter", "save"),
			Field:    bind("tab", "label/note", "tab", "shift+tab"),
			Cancel:   bind("esc", "cancel"),
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

// bind is a binding of keys (none: the help key alone) shown in the help
// as help and desc.
func bind(help, desc string, keys ...string) key.Binding {
	if len(keys) == 0 {
		keys = []string{help}
	}
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// enable enables or disables each of bs.
func enable(on bool, bs ...*key.Binding) {
	for _, b := range bs {
		b.SetEnabled(on)
	}
}
