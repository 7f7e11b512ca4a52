package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Home tabs.
const (
	tabSaved = iota
	tabRecent
)

// Home's fixed lines above the rows: the input, the tabs, the column headers.
const homeChrome = 3

// maxUndo is how many deletes ctrl+z can undo, newest first.
const maxUndo = 20

// Texts of home.
const (
	findPrompt       = "Find: "
	findPlaceholder  = "vehicle, name, label or phone"
	labelPrompt      = "Label: "
	notePrompt       = "  Note: "
	labelCharLimit   = 64
	noteCharLimit    = 200
	findCharLimit    = 64
	legendOverdue    = "overdue"
	legendDueSoon    = "due within 7 days"
	legendRefreshErr = "refresh failed"
)

// homeModel is the start view: a find input above the saved accounts and
// recent lookups. Every printable key but ? goes into the input; the
// commands are on keys no vehicle number or name contains.
type homeModel struct {
	c     *common
	keys  homeKeys
	input textinput.Model
	query query
	// rowNum is the row the input names when it is a row number alone
	// (12 then enter opens row 12), else 0.
	rowNum    int
	tab       int
	rows      [2][]*row // every row of each tab, in display order
	lists     [2]list.Model
	nat       [2]widths
	sort      sortMode
	banner    []string
	status    string
	bad       bool               // status is a failure
	prompting bool               // the label and note prompt is open on the status line
	fields    [2]textinput.Model // label, note
	focus     int
	target    *row // of the prompt or the delete dialog
	dialog    bool // the delete dialog is open
	undo      []*row
	// goTo is a vehicle the cursor goes to once the store shows it (an
	// account put back by undo).
	goTo string
	full bool // full help
	run  *refreshRun
	runs int // refresh-alls started, for their ids
	// outcomes and fresh keep refresh-all's answers (by vehicle) over
	// rebuilds from the store until the next refresh-all.
	outcomes map[string]*outcome
	fresh    map[string]*store.Snapshot
	w, h     int
	// autoRecent: Recent is shown only because Saved was empty.
	autoRecent bool
}

// newHome builds home from the store's data, sorted as last left.
func newHome(c *common, d store.Data, sort sortMode) homeModel {
	h := homeModel{c: c, keys: c.keys.Home, sort: sort}
	h.input = newInput(c, findCharLimit)
	h.input.Placeholder = findPlaceholder
	h.input.Focus()
	for i := range h.lists {
		l := list.New(nil, rowView{}, 0, 0)
		l.SetShowTitle(false)
		l.SetShowStatusBar(false)
		l.SetShowPagination(false)
		l.SetShowHelp(false)
		l.SetFilteringEnabled(false)
		l.DisableQuitKeybindings()
		l.InfiniteScrolling = false
		h.lists[i] = l
	}
	h.fields = [2]textinput.Model{newInput(c, labelCharLimit), newInput(c, noteCharLimit)}
	h.setData(d)
	return h
}

// newInput is a text input as every view has it: no prompt, a steady
// cursor (nothing redraws while idle), no local clipboard (bracketed paste works).
func newInput(c *common, limit int) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = limit
	ti.PlaceholderStyle = c.styles.Subtle
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.Cursor.Style = c.styles.Cursor
	ti.KeyMap.Paste.SetEnabled(false)
	ti.KeyMap.NextSuggestion.SetEnabled(false)
	ti.KeyMap.PrevSuggestion.SetEnabled(false)
	// home and end move the list; ctrl+a and ctrl+e stay with the input.
	ti.KeyMap.LineStart.SetKeys("ctrl+a")
	ti.KeyMap.LineEnd.SetKeys()
	ti.KeyMap.DeleteCharacterForward.SetKeys("delete")
	return ti
}

// setData rebuilds both tabs from d; the filter, the sort and the row
// under the cursor stay.
func (h *homeModel) setData(d store.Data) {
	prev := [2]string{h.selectedKey(tabSaved), h.selectedKey(tabRecent)}
	// The labels Recent shows: only of the vehicles it holds.
	labels := make(map[string]string, len(d.Recent))
	for _, l := range d.Recent {
		labels[l.CANumber] = ""
	}
	b := newRowBuilder(h.c, labels)
	if i := slices.IndexFunc(d.Accounts, func(a store.Account) bool { return a.CANumber == h.goTo }); h.goTo != "" && i >= 0 {
		prev[tabSaved], h.goTo = "a:"+d.Accounts[i].ID, ""
	}
	// One allocation per tab for its rows: 5,000 rows build in a few ms.
	slab := make([]row, len(d.Accounts)+len(d.Recent))
	saved := make([]*row, len(d.Accounts))
	inParallel(len(saved), func(i int) { saved[i] = h.overlay(b, b.account(&slab[i], &d.Accounts[i], i)) })
	for _, r := range saved {
		if _, ok := labels[r.req.CANumber]; ok {
			labels[r.req.CANumber] = r.label
		}
	}
	recent := make([]*row, len(d.Recent))
	slab = slab[len(saved):]
	inParallel(len(recent), func(i int) { recent[i] = b.lookup(&slab[i], &d.Recent[i]) })
	sortRows(saved, h.sort)
	h.rows = [2][]*row{saved, recent}
	for t := range h.rows {
		h.nat[t] = measure(h.rows[t], h.c.g)
	}
	switch {
	case len(saved) == 0 && len(recent) > 0:
		h.tab, h.autoRecent = tabRecent, true
	case len(saved) > 0 && h.autoRecent:
		h.tab, h.autoRecent = tabSaved, false
	}
	h.layout()
	h.refilter(prev)
}

// overlay gives a saved row refresh-all's newer answer and its outcome.
func (h *homeModel) overlay(b rowBuilder, r *row) *row {
	o, snap := h.outcomes[r.req.CANumber], h.fresh[r.req.CANumber]
	if o == nil && snap == nil {
		return r
	}
	if snap != nil && r.snap != nil && !snap.FetchedAt.After(r.snap.FetchedAt) {
		snap = nil // the store has it, or newer
	}
	return b.withSnapshot(r, snap, o)
}

// selectedKey is the key of the row under tab's cursor, or "".
func (h *homeModel) selectedKey(tab int) string {
	if e, ok := h.lists[tab].SelectedItem().(entry); ok {
		return e.key()
	}
	return ""
}

// refilter shows the rows the input matches in both lists. The cursor
// goes to prev's rows when they are still shown, else stays where it was
// (the next row takes a deleted one's place); "" moves it to the best match.
func (h *homeModel) refilter(prev [2]string) {
	h.query = newQuery(h.input.Value())
	h.rowNum = 0
	for t := range h.lists {
		rows := h.rows[t]
		q := h.query
		if n, ok := rowNumber(h.input.Value(), len(rows)); ok {
			q = query{}
			if t == h.tab {
				h.rowNum = n
			}
		}
		es := filterEntries(rows, q)
		items := make([]list.Item, len(es))
		sel := -1
		for i, e := range es {
			items[i] = e
			if sel < 0 && prev[t] != "" && e.key() == prev[t] {
				sel = i
			}
		}
		old := h.lists[t].Index()
		h.lists[t].SetItems(items)
		switch {
		case t == h.tab && h.rowNum > 0:
			sel = h.rowNum - 1
		case sel < 0 && prev[t] == "":
			sel = 0
		case sel < 0:
			sel = min(old, len(items)-1)
		}
		h.lists[t].Select(max(0, sel))
	}
}

// rowNumber reads s as a row number from 1 to n.
func rowNumber(s string, n int) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 6 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	return v, err == nil && v >= 1 && v <= n
}

// layout fits the columns to the width and the lists to the height.
func (h *homeModel) layout() {
	lh := max(1, h.h-len(h.bannerLines())-homeChrome)
	for t := range h.lists {
		h.lists[t].SetDelegate(h.view(t))
		h.lists[t].SetSize(h.w, lh)
	}
	h.input.Width = max(1, h.w-text.Width(findPrompt)-1)
	h.sizeFields()
}

// view is the row view of tab.
func (h homeModel) view(tab int) rowView {
	return rowView{c: h.c, lay: newLayout(h.w, h.nat[tab], len(h.rows[tab]))}
}

// empty reports whether there is nothing to show.
func (h homeModel) empty() bool { return len(h.rows[tabSaved]) == 0 && len(h.rows[tabRecent]) == 0 }

// savedRow is the saved row of vehicle v, or nil.
func (h homeModel) savedRow(v string) *row {
	if i := slices.IndexFunc(h.rows[tabSaved], func(r *row) bool { return r.req.CANumber == v }); i >= 0 {
		return h.rows[tabSaved][i]
	}
	return nil
}

// labelFor is the saved label of vehicle v, or "": the text as stored
// (sanitised, not made ASCII), to be shown through the glyphs and saved
// back unchanged.
func (h homeModel) labelFor(v string) string {
	if r := h.savedRow(v); r != nil {
		return text.Sanitize(r.acct.Label)
	}
	return ""
}

// bannerLines is the banner as laid out: one line per notice on a short
// terminal, where the list needs the room, else up to two.
func (h homeModel) bannerLines() []string {
	maxLines := 2
	if h.c.height < 16 {
		maxLines = 1
	}
	return bannerLines(h.c.g, h.banner, h.w, maxLines)
}

// setBanner sets the store problems shown at the top.
func (h *homeModel) setBanner(b []string) {
	h.banner = b
	h.layout()
}

// setSize sizes home to the body.
func (h *homeModel) setSize(w, ht int) {
	h.w, h.h = w, ht
	h.layout()
}

// sizeFields fits the prompt's inputs to the status line: label and note
// side by side; each scrolls within its width.
func (h *homeModel) sizeFields() {
	room := max(2, h.w-text.Width(labelPrompt)-text.Width(notePrompt)-2)
	widths := [2]int{max(1, room*2/5), max(1, room-room*2/5)}
	for i := range h.fields {
		h.fields[i].Width = widths[i]
		h.fields[i].SetCursor(h.fields[i].Position())
	}
}

// selected is the entry under the cursor of the visible list.
func (h homeModel) selected() (entry, bool) {
	e, ok := h.lists[h.tab].SelectedItem().(entry)
	return e, ok
}

// writable reports whether the store takes changes.
func (h homeModel) writable() bool { return h.c.Store != nil && !h.c.Store.ReadOnly() }

// Update handles home's keys and refresh-all's answers.
func (h homeModel) Update(msg tea.Msg) (homeModel, tea.Cmd, nav) {
	var cmd tea.Cmd
	var n nav
	switch msg := msg.(type) {
	case tea.KeyMsg:
		h, cmd, n = h.key(msg)
	case refreshMsg:
		h, cmd = h.refreshed(msg)
	}
	h.updateKeymap()
	return h, cmd, n
}

// key handles one key in the state home is in.
func (h homeModel) key(km tea.KeyMsg) (homeModel, tea.Cmd, nav) {
	switch {
	case h.dialog:
		return h.dialogKey(km)
	case h.prompting:
		return h.promptKey(km)
	case h.full:
		if key.Matches(km, h.keys.HelpBack) {
			h.full = false
		}
		return h, nil, nil
	}
	h.status, h.bad = "", false
	if km.Paste {
		return h.edit(km)
	}
	k := h.keys
	e, hasSel := h.selected()
	switch {
	case key.Matches(km, k.Help):
		h.full = true
	case key.Matches(km, k.Open):
		if h.rowNum > 0 { // a row number is spent once it opens its row: the next one starts afresh
			h.input.SetValue("")
			h.refilter([2]string{h.selectedKey(tabSaved), h.selectedKey(tabRecent)})
		}
		return h, nil, navOpen{r: e.row}
	case key.Matches(km, k.Lookup):
		return h, nil, navLookup{vehicle: h.input.Value()}
	case key.Matches(km, k.Quick):
		return h.quick(km)
	case key.Matches(km, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom):
		h.move(km)
	case key.Matches(km, k.Switch):
		h.tab, h.autoRecent = 1-h.tab, false
		h.refilter([2]string{h.selectedKey(tabSaved), h.selectedKey(tabRecent)})
	case key.Matches(km, k.New):
		return h, nil, navForm{req: client.Request{CANumber: plateOf(h.input.Value())}}
	case key.Matches(km, k.Edit) && hasSel:
		return h.openPrompt(e.row), nil, nil
	case key.Matches(km, k.Delete) && hasSel:
		h.dialog, h.target = true, e.row
	case key.Matches(km, k.Undo):
		return h.undoDelete()
	case key.Matches(km, k.Sort):
		return h.cycleSort()
	case key.Matches(km, k.MoveUp) && hasSel:
		return h, moveCmd(h.c.Store, e.acct.ID, -1), nil
	case key.Matches(km, k.MoveDown) && hasSel:
		return h, moveCmd(h.c.Store, e.acct.ID, 1), nil
	case key.Matches(km, k.Refresh):
		return h.startRefresh()
	case key.Matches(km, k.Clear):
		h.input.Reset()
		h.refilter([2]string{})
	case key.Matches(km, k.Stop):
		h.stopRefresh()
	case km.Type == tea.KeyEnter:
		h.explainEnter()
	case km.Alt && km.Type == tea.KeyRunes:
		// An alt chord home does not bind: not text for the input.
	default:
		return h.edit(km)
	}
	return h, nil, nil
}

// edit passes a key to the input and refilters when the text changed.
func (h homeModel) edit(km tea.KeyMsg) (homeModel, tea.Cmd, nav) {
	before := h.input.Value()
	var cmd tea.Cmd
	h.input, cmd = h.input.Update(km)
	if h.input.Value() != before {
		h.refilter([2]string{})
	}
	return h, cmd, nil
}

// quick opens the Nth row of the visible list (alt+N).
func (h homeModel) quick(km tea.KeyMsg) (homeModel, tea.Cmd, nav) {
	n := int(km.Runes[0] - '0')
	items := h.lists[h.tab].Items()
	if n < 1 || n > len(items) {
		h.status, h.bad = fmt.Sprintf("there is no row %d", n), true
		return h, nil, nil
	}
	return h, nil, navOpen{r: items[n-1].(entry).row}
}

// move moves the cursor of the visible list.
func (h *homeModel) move(km tea.KeyMsg) {
	k := h.keys
	l := &h.lists[h.tab]
	switch {
	case key.Matches(km, k.Up):
		l.CursorUp()
	case key.Matches(km, k.Down):
		l.CursorDown()
	case key.Matches(km, k.PageUp):
		l.Select(max(0, l.Index()-l.Paginator.PerPage))
	case key.Matches(km, k.PageDown):
		l.Select(min(len(l.Items())-1, l.Index()+l.Paginator.PerPage))
	case key.Matches(km, k.Top):
		l.Select(0)
	case key.Matches(km, k.Bottom):
		l.Select(max(0, len(l.Items())-1))
	}
}

// plateOf is s upper-cased when it reads as a vehicle number, else "".
func plateOf(s string) string {
	if v, _, err := client.NormalizeVehicle(s); err == nil {
		return v
	}
	return ""
}

// lookupTarget is the vehicle enter looks up: the input when nothing is
// shown and it is a plain vehicle number.
func (h homeModel) lookupTarget() (string, bool) {
	if len(h.lists[h.tab].Items()) > 0 || h.rowNum > 0 {
		return "", false
	}
	v, warn, err := client.NormalizeVehicle(h.input.Value())
	return v, err == nil && warn == ""
}

// explainEnter says why enter did nothing.
func (h *homeModel) explainEnter() {
	s := strings.TrimSpace(h.input.Value())
	if s == "" {
		return
	}
	_, warn, err := client.NormalizeVehicle(s)
	msg := warn
	if err != nil {
		msg = oneLineError(err)
	}
	h.status, h.bad = h.c.g.Sanitize(msg)+h.c.g.Sep+"ctrl+n opens the form", true
}

// cycleSort moves the Saved list to the next order and remembers it.
func (h homeModel) cycleSort() (homeModel, tea.Cmd, nav) {
	h.sort = (h.sort + 1) % sortModes
	sortRows(h.rows[tabSaved], h.sort)
	h.refilter([2]string{"", h.selectedKey(tabRecent)}) // the new order from its top
	h.status = "sorted by " + h.sort.describe()
	return h, h.c.uiState.save(uiState{Sort: h.sort.String()}), nil
}

// dialogKey handles the delete dialog: y deletes, any other key keeps.
func (h homeModel) dialogKey(km tea.KeyMsg) (homeModel, tea.Cmd, nav) {
	h.dialog = false
	t := h.target
	if !key.Matches(km, h.keys.Confirm) || t == nil {
		return h, nil, nil
	}
	h.undo = append(h.undo, t)
	if len(h.undo) > maxUndo {
		h.undo = h.undo[len(h.undo)-maxUndo:]
	}
	title := t.title(h.c.g)
	note := fmt.Sprintf("Deleted %q%sctrl+z undo", title, h.c.g.Sep)
	return h, removeCmd(h.c.Store, t.acct.ID, title, note), nil
}

// forgetUndo drops the deletes of account id from the undo list: one
// another session made first was not this one's to undo.
func (h *homeModel) forgetUndo(id string) {
	h.undo = slices.DeleteFunc(h.undo, func(r *row) bool { return r.acct.ID == id })
}

// undoDelete puts the last deleted account back where it was.
func (h homeModel) undoDelete() (homeModel, tea.Cmd, nav) {
	if len(h.undo) == 0 {
		return h, nil, nil
	}
	r := h.undo[len(h.undo)-1]
	h.undo = h.undo[:len(h.undo)-1]
	h.goTo = r.req.CANumber
	return h, restoreCmd(h.c.Store, *r.acct, r.pos, fmt.Sprintf("Restored %q", r.title(h.c.g))), nil
}

// openPrompt starts the label and note prompt for r: a saved account's,
// or a recent lookup's to save it.
func (h homeModel) openPrompt(r *row) homeModel {
	h.prompting, h.target, h.focus = true, r, 0
	// The stored text, not the row's (ASCII under LANG=C): enter saves what
	// the prompt holds.
	saved := r
	if sr := h.savedRow(r.req.CANumber); r.acct == nil && sr != nil {
		saved = sr
	}
	var label, note string
	if saved.acct != nil {
		label, note = text.Sanitize(saved.acct.Label), text.Sanitize(saved.acct.Note)
	}
	if label == "" && r.snap != nil {
		label = text.Sanitize(r.snap.Consumer.ShownName())
	}
	h.fields[0].SetValue(label)
	h.fields[0].CursorEnd()
	h.fields[1].SetValue(note)
	h.fields[1].CursorEnd()
	h.fields[0].Focus()
	h.fields[1].Blur()
	h.sizeFields()
	return h
}

// promptKey handles keys while the label and note prompt is open.
func (h homeModel) promptKey(km tea.KeyMsg) (homeModel, tea.Cmd, nav) {
	k := h.keys
	switch {
	case key.Matches(km, k.Cancel):
		h.prompting = false
		return h, nil, nil
	case key.Matches(km, k.Save):
		return h.submitPrompt()
	case key.Matches(km, k.Field):
		h.focus = 1 - h.focus
		h.fields[h.focus].Focus()
		h.fields[1-h.focus].Blur()
		return h, nil, nil
	}
	var cmd tea.Cmd
	h.fields[h.focus], cmd = h.fields[h.focus].Update(km)
	return h, cmd, nil
}

// submitPrompt saves the label and note typed in the prompt.
func (h homeModel) submitPrompt() (homeModel, tea.Cmd, nav) {
	h.prompting = false
	label := strings.TrimSpace(h.fields[0].Value())
	note := strings.TrimSpace(h.fields[1].Value())
	t := h.target
	if sr := h.savedRow(t.req.CANumber); t.acct != nil || sr != nil {
		if sr != nil {
			t = sr
		}
		return h, updateCmd(h.c.Store, t.acct.ID, t.title(h.c.g), label, note), nil
	}
	a := store.Account{Label: label, Note: note, Operator: t.req.Operator, CANumber: t.req.CANumber,
		RegistrationID: t.req.RegistrationID, Last: t.snap}
	return h, saveCmd(h.c.Store, a), nil
}

// updateKeymap enables exactly the bindings that work now; Update and the
// help both read them.
func (h *homeModel) updateKeymap() {
	h.keys = h.keymap(h.dialog, h.prompting, h.full)
}

// keymap is home's bindings in a state: the delete dialog, the prompt,
// the full help or (all false) browsing.
func (h homeModel) keymap(dialog, prompt, full bool) homeKeys {
	k := h.c.keys.Home
	enable(dialog, &k.Confirm, &k.Keep)
	enable(prompt && !dialog, &k.Save, &k.Field, &k.Cancel)
	enable(full && !dialog && !prompt, &k.HelpBack)
	browse := !dialog && !prompt && !full
	e, has := h.selected()
	items := len(h.lists[h.tab].Items())
	savedSel := browse && has && e.acct != nil && h.writable()
	typed := h.input.Value() != ""
	running := h.run != nil && !h.run.closed
	_, lookup := h.lookupTarget()
	manual := h.sort == sortManual && h.query.empty() && h.tab == tabSaved
	enable(browse, &k.Switch, &k.New, &k.Help)
	enable(browse && has, &k.Open)
	enable(browse && !has && lookup, &k.Lookup)
	enable(browse && items > 0, &k.Quick)
	enable(browse && items > 1, &k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom)
	enable(browse && has && h.writable() && (e.acct != nil || e.snap != nil), &k.Edit)
	enable(savedSel, &k.Delete)
	enable(browse && len(h.undo) > 0 && h.writable(), &k.Undo)
	enable(browse && h.tab == tabSaved && len(h.rows[tabSaved]) > 1, &k.Sort)
	enable(savedSel && manual, &k.MoveUp, &k.MoveDown)
	enable(browse && !running && len(h.rows[tabSaved]) > 0 && h.c.Fetcher != nil, &k.Refresh)
	enable(browse && typed, &k.Clear)
	enable(browse && running && !typed, &k.Stop)
	return k
}
