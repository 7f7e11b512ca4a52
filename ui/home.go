package ui

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/paginator"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Home tabs.
const (
	tabSaved = iota
	tabRecent
)

// Home prompts.
const (
	promptNone = iota
	promptLabel
	promptEdit
	promptDelete
)

// dueSoonDays is how close a due date must be to be marked.
const dueSoonDays = 7

// entry is one row of home: a saved account or a recent lookup.
type entry struct {
	saved  bool
	id     string // account id
	label  string // account label
	note   string
	req    client.Request
	snap   *store.Snapshot
	at     time.Time // last used / looked up
	errMsg string    // failed recent lookup
	filter string
	quick  int // 1-9 for the first nine saved accounts, else 0
}

// FilterValue implements list.Item: label, vehicle, consumer name, phone and note.
func (e entry) FilterValue() string { return e.filter }

// title is the label, else the consumer name.
func (e entry) title() string {
	if e.label != "" && e.label != e.req.CANumber {
		return e.label
	}
	if e.snap != nil && e.snap.Consumer.ShownName() != "" {
		return text.Sanitize(e.snap.Consumer.ShownName())
	}
	if e.errMsg != "" {
		return text.No + " " + e.errMsg
	}
	return text.Dash
}

// accountEntry builds the row of a saved account.
func accountEntry(a store.Account, i int) entry {
	e := entry{
		saved: true, id: a.ID, label: text.Sanitize(a.Label), note: text.Sanitize(a.Note),
		req:  client.Request{Operator: a.Operator, CANumber: a.CANumber, RegistrationID: a.RegistrationID},
		snap: a.Last, at: a.LastUsedAt,
	}
	if i < 9 {
		e.quick = i + 1
	}
	e.filter = filterText(e)
	return e
}

// lookupEntry builds the row of a recent lookup.
func lookupEntry(l store.Lookup) entry {
	e := entry{
		req:  client.Request{Operator: l.Operator, CANumber: l.CANumber, RegistrationID: l.RegistrationID},
		snap: l.Snapshot, at: l.At,
	}
	if !l.OK {
		e.errMsg = text.Sanitize(l.ErrorKind + ": " + l.ErrorMessage)
		e.snap = nil
	}
	e.filter = filterText(e)
	return e
}

// filterText joins the fields the filter searches.
func filterText(e entry) string {
	parts := []string{e.label, e.req.CANumber}
	if e.snap != nil {
		parts = append(parts, text.Sanitize(e.snap.Consumer.ShownName()))
		if b := e.snap.Consumer.Bill; b != nil {
			parts = append(parts, text.Sanitize(b.CellNumber))
		}
	}
	parts = append(parts, e.note)
	return strings.Join(parts, " ")
}

// homeModel is the start view: saved accounts and recent lookups.
type homeModel struct {
	c       *common
	tab     int
	lists   [2]list.Model
	saved   []entry
	recent  []entry
	byCA    map[string]int // vehicle -> index in saved
	banner  []string
	status  string
	prompt  int
	inputs  [2]textinput.Model // label, note
	inFocus int
	target  entry
	full    bool
	w, h    int
	// autoRecent: Recent is shown only because Saved was empty.
	autoRecent bool
}

// newHome builds home from the store's data.
func newHome(c *common, d store.Data) homeModel {
	h := homeModel{c: c}
	for i := range h.lists {
		l := list.New(nil, rowDelegate{c: c}, 0, 0)
		l.SetShowHelp(false)
		l.DisableQuitKeybindings()
		l.FilterInput.Cursor.SetMode(cursor.CursorStatic)
		l.KeyMap.NextPage.SetKeys("right", "l", "pgdown", "f")
		l.KeyMap.PrevPage.SetKeys("left", "h", "pgup", "b", "u")
		l.KeyMap.ClearFilter.SetKeys("esc")
		l.Styles.TitleBar = lipgloss.NewStyle()
		l.Styles.Title = lipgloss.NewStyle()
		l.Styles.StatusBar = l.Styles.StatusBar.Padding(0).Foreground(grey("#A49FA5", "#777777"))
		l.Styles.NoItems = l.Styles.NoItems.Padding(0).Foreground(grey("#909090", "#626262"))
		l.Styles.StatusEmpty = l.Styles.StatusEmpty.Foreground(grey("#9B9B9B", "#5C5C5C"))
		l.Styles.ArabicPagination = l.Styles.ArabicPagination.Foreground(grey("#9B9B9B", "#5C5C5C"))
		l.Styles.StatusBarFilterCount = l.Styles.StatusBarFilterCount.Foreground(grey("#DDDADA", "#3C3C3C"))
		l.Styles.DividerDot = l.Styles.DividerDot.Foreground(grey("#DDDADA", "#3C3C3C"))
		l.Styles.PaginationStyle = lipgloss.NewStyle()
		l.FilterInput.Prompt = "/ "
		l.Paginator.Type = paginator.Arabic // the dots are quadratic in the page count
		l.Filter = newFuzzyFilter()
		h.lists[i] = l
	}
	h.lists[tabSaved].SetStatusBarItemName("account", "accounts")
	h.lists[tabRecent].SetStatusBarItemName("lookup", "lookups")
	for i := range h.inputs {
		ti := textinput.New()
		ti.Prompt = ""
		ti.CharLimit = 64
		ti.Cursor.SetMode(cursor.CursorStatic)
		ti.KeyMap.Paste.SetEnabled(false)
		h.inputs[i] = ti
	}
	h.inputs[1].CharLimit = 200
	h.setData(d)
	return h
}

// setData rebuilds both lists from d, keeping the filter and selection.
func (h *homeModel) setData(d store.Data) tea.Cmd {
	prev, _ := h.lists[tabSaved].SelectedItem().(entry)
	h.saved = make([]entry, len(d.Accounts))
	h.byCA = make(map[string]int, len(d.Accounts))
	items := make([]list.Item, len(d.Accounts))
	for i, a := range d.Accounts {
		h.saved[i] = accountEntry(a, i)
		h.byCA[a.CANumber] = i
		items[i] = h.saved[i]
	}
	h.recent = make([]entry, len(d.Recent))
	ritems := make([]list.Item, len(d.Recent))
	for i, l := range d.Recent {
		h.recent[i] = lookupEntry(l)
		ritems[i] = h.recent[i]
	}
	cmd := tea.Batch(h.tagged(tabSaved, h.lists[tabSaved].SetItems(items)),
		h.tagged(tabRecent, h.lists[tabRecent].SetItems(ritems)))
	h.lists[tabSaved].SetDelegate(rowDelegate{c: h.c, vehicleW: vehicleWidth(h.saved)})
	h.lists[tabRecent].SetDelegate(rowDelegate{c: h.c, vehicleW: vehicleWidth(h.recent)})
	if h.lists[tabSaved].FilterState() == list.Unfiltered && prev.id != "" {
		for i, e := range h.saved {
			if e.id == prev.id {
				h.lists[tabSaved].Select(i) // the cursor stays on its account
			}
		}
	}
	switch {
	case len(h.saved) == 0 && len(h.recent) > 0:
		h.tab, h.autoRecent = tabRecent, true
	case len(h.saved) > 0 && h.autoRecent:
		h.tab, h.autoRecent = tabSaved, false
	}
	return cmd
}

// empty reports whether there is nothing to show.
func (h homeModel) empty() bool { return len(h.saved) == 0 && len(h.recent) == 0 }

// labelFor is the saved label of vehicle v, or "".
func (h homeModel) labelFor(v string) string {
	if i, ok := h.byCA[v]; ok {
		return h.saved[i].label
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
	return bannerLines(h.banner, h.w, maxLines)
}

// setBanner sets the store problems shown at the top.
func (h *homeModel) setBanner(b []string) {
	h.banner = b
	h.setSize(h.w, h.h)
}

// setSize sizes the lists to the body.
func (h *homeModel) setSize(w, ht int) {
	h.w, h.h = w, ht
	lh := max(0, ht-len(h.bannerLines()))
	for i := range h.lists {
		h.lists[i].SetSize(w, lh)
	}
	h.sizeInputs()
}

// Prompt texts on the status line.
const (
	labelPrompt = "Label: "
	notePrompt  = "  Note: "
)

// sizeInputs fits the prompt's inputs to the status line: the label alone,
// or label and note side by side; each scrolls within its width.
func (h *homeModel) sizeInputs() {
	room := max(2, h.w-text.Width(labelPrompt)-1) // the cursor takes one cell
	widths := [2]int{room, room}
	if h.prompt == promptEdit {
		room = max(2, room-text.Width(notePrompt)-1)
		widths = [2]int{max(1, room*2/5), max(1, room-room*2/5)}
	}
	for i := range h.inputs {
		h.inputs[i].Width = widths[i]
		h.inputs[i].SetCursor(h.inputs[i].Position())
	}
}

// selected is the entry under the cursor of the visible list.
func (h homeModel) selected() (entry, bool) {
	it := h.lists[h.tab].SelectedItem()
	e, ok := it.(entry)
	return e, ok
}

// Update handles home's keys and passes the rest to the visible list.
func (h homeModel) Update(msg tea.Msg) (homeModel, tea.Cmd, nav) {
	if fm, ok := msg.(filterResultMsg); ok {
		if fm.value == h.lists[fm.tab].FilterInput.Value() {
			h.lists[fm.tab], _ = h.lists[fm.tab].Update(fm.matches)
		}
		return h, nil, nil
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return h, nil, nil
	}
	if h.prompt != promptNone {
		return h.promptKey(km)
	}
	if h.lists[h.tab].SettingFilter() {
		return h, h.updateList(km), nil
	}
	h.status = ""
	return h.key(km)
}

// key handles one key while browsing.
func (h homeModel) key(km tea.KeyMsg) (homeModel, tea.Cmd, nav) {
	k := h.c.keys
	e, hasSel := h.selected()
	switch {
	case key.Matches(km, k.Help):
		h.full = !h.full
		return h, nil, nil
	case h.full && key.Matches(km, k.Back):
		h.full = false
		return h, nil, nil
	case key.Matches(km, k.Back) && h.lists[h.tab].FilterState() != list.Unfiltered:
		h.lists[h.tab].ResetFilter()
		return h, nil, nil
	case key.Matches(km, k.Back), key.Matches(km, k.Quit):
		return h, nil, navQuit{}
	case key.Matches(km, k.Switch):
		h.tab, h.autoRecent = 1-h.tab, false
		return h, nil, nil
	case key.Matches(km, k.Quick):
		i := int(km.Runes[0] - '1')
		if i < len(h.saved) {
			return h, nil, navOpen{e: h.saved[i]}
		}
		return h, nil, nil
	case key.Matches(km, k.Open) && hasSel:
		return h, nil, navOpen{e: e}
	case key.Matches(km, k.NewLookup):
		return h, nil, navNew{}
	case key.Matches(km, k.Save) && hasSel && !e.saved && h.c.st != nil:
		return h.openPrompt(promptLabel, e), nil, nil
	case key.Matches(km, k.Edit) && hasSel && e.saved:
		return h.openPrompt(promptEdit, e), nil, nil
	case key.Matches(km, k.Delete) && hasSel && e.saved:
		return h.openPrompt(promptDelete, e), nil, nil
	case key.Matches(km, k.MoveUp) && hasSel && e.saved && !h.lists[tabSaved].IsFiltered():
		return h, moveCmd(h.c.st, e.id, -1), nil
	case key.Matches(km, k.MoveDown) && hasSel && e.saved && !h.lists[tabSaved].IsFiltered():
		return h, moveCmd(h.c.st, e.id, 1), nil
	}
	return h, h.updateList(km), nil
}

// filterResultMsg is the list's filter answer tagged with the list and the
// filter text it was computed for, so late answers for older text (the
// list filters asynchronously) and answers for the other list are dropped.
type filterResultMsg struct {
	tab     int
	value   string
	matches list.FilterMatchesMsg
}

// updateList passes a key to the visible list and tags its filter command.
func (h *homeModel) updateList(km tea.KeyMsg) tea.Cmd {
	var cmd tea.Cmd
	h.lists[h.tab], cmd = h.lists[h.tab].Update(km)
	return h.tagged(h.tab, cmd)
}

// tagged wraps a list command so its FilterMatchesMsg comes back as a
// filterResultMsg for tab and the list's current filter text.
func (h homeModel) tagged(tab int, cmd tea.Cmd) tea.Cmd {
	return tagFilter(cmd, tab, h.lists[tab].FilterInput.Value())
}

// tagFilter is tagged for a given filter text.
func tagFilter(cmd tea.Cmd, tab int, value string) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case list.FilterMatchesMsg:
			return filterResultMsg{tab: tab, value: value, matches: msg}
		case tea.BatchMsg:
			for i := range msg {
				msg[i] = tagFilter(msg[i], tab, value)
			}
			return msg
		default:
			return msg
		}
	}
}

// openPrompt starts a label, edit or delete prompt for e.
func (h homeModel) openPrompt(p int, e entry) homeModel {
	h.prompt, h.target, h.inFocus = p, e, 0
	label := e.label
	if label == "" {
		label = h.labelFor(e.req.CANumber) // a recent row of a saved vehicle
	}
	if label == "" && e.snap != nil {
		label = text.Sanitize(e.snap.Consumer.ShownName())
	}
	h.inputs[0].SetValue(label)
	h.inputs[0].CursorEnd()
	h.inputs[1].SetValue(e.note)
	h.inputs[1].CursorEnd()
	h.inputs[0].Focus()
	h.inputs[1].Blur()
	h.sizeInputs()
	return h
}

// promptKey handles keys while a prompt is open.
func (h homeModel) promptKey(km tea.KeyMsg) (homeModel, tea.Cmd, nav) {
	k := h.c.keys
	if h.prompt == promptDelete {
		switch {
		case key.Matches(km, k.Confirm):
			h.prompt = promptNone
			return h, removeCmd(h.c.st, h.target.id, h.target.title()), nil
		case key.Matches(km, k.Deny):
			h.prompt = promptNone
		}
		return h, nil, nil
	}
	switch {
	case key.Matches(km, k.Back):
		h.prompt = promptNone
		return h, nil, nil
	case km.Type == tea.KeyEnter:
		return h.submitPrompt()
	case h.prompt == promptEdit && key.Matches(km, k.Switch):
		h.inFocus = 1 - h.inFocus
		h.inputs[h.inFocus].Focus()
		h.inputs[1-h.inFocus].Blur()
		return h, nil, nil
	}
	var cmd tea.Cmd
	h.inputs[h.inFocus], cmd = h.inputs[h.inFocus].Update(km)
	return h, cmd, nil
}

// submitPrompt saves the label (and note) typed in the prompt.
func (h homeModel) submitPrompt() (homeModel, tea.Cmd, nav) {
	p := h.prompt
	h.prompt = promptNone
	label := strings.TrimSpace(h.inputs[0].Value())
	if p == promptEdit {
		note := strings.TrimSpace(h.inputs[1].Value())
		return h, updateCmd(h.c.st, h.target.id, label, note), nil
	}
	t := h.target
	a := store.Account{Label: label, Operator: t.req.Operator, CANumber: t.req.CANumber, RegistrationID: t.req.RegistrationID, Last: t.snap}
	return h, saveCmd(h.c.st, a), nil
}

// View renders banner, tabs and the visible list (or the full help).
func (h homeModel) View() string {
	s := h.c.styles
	var b strings.Builder
	banner := h.bannerLines()
	for _, l := range banner {
		b.WriteString(s.Banner.Render(l) + "\n")
	}
	if h.full {
		b.WriteString(h.c.fullHelpView(h.helpKeys(), h.h-len(banner)))
		return b.String()
	}
	if h.empty() {
		b.WriteString(h.tabs() + "\n\n" + s.Subtle.Render("Nothing saved yet. Press n for a new lookup;") + "\n" +
			s.Subtle.Render("s on a result saves the account.") + "\n")
		return b.String()
	}
	l := h.lists[h.tab]
	l.Title = h.tabs()
	b.WriteString(l.View())
	return b.String()
}

// tabs renders the Saved / Recent switch.
func (h homeModel) tabs() string {
	s := h.c.styles
	names := [2]string{fmt.Sprintf("Saved (%d)", len(h.saved)), fmt.Sprintf("Recent (%d)", len(h.recent))}
	out := make([]string, len(names))
	for i, n := range names {
		// Brackets mark the active tab without colour too (NO_COLOR).
		out[i] = " " + s.Tab.Render(n) + " "
		if i == h.tab {
			out[i] = "[" + s.ActiveTab.Render(n) + "]"
		}
	}
	return strings.Join(out, " ")
}

// statusLine shows the prompt or the last outcome.
func (h homeModel) statusLine() string {
	s := h.c.styles
	switch h.prompt {
	case promptDelete:
		q := fmt.Sprintf(" (%s)? y/n", h.target.req.CANumber)
		title := text.Truncate(h.target.title(), h.w-text.Width(q)-len(`Delete ""`))
		return s.Warning.Render(`Delete "` + title + `"` + q)
	case promptLabel:
		return labelPrompt + h.inputs[0].View()
	case promptEdit:
		return labelPrompt + h.inputs[0].View() + notePrompt + h.inputs[1].View()
	}
	return s.Success.Render(h.status)
}

// helpKeys lists the keys that work on home now.
func (h homeModel) helpKeys() helpKeys {
	k := h.c.keys
	if h.prompt == promptDelete {
		return helpKeys{short: []key.Binding{k.Confirm, k.Deny}}
	}
	if h.prompt != promptNone {
		sw := enabled(k.Switch, h.prompt == promptEdit)
		sw.SetHelp("tab", "label/note")
		save := enabled(k.Submit, true)
		save.SetHelp("enter", "save")
		return helpKeys{short: []key.Binding{save, sw, k.Cancel}}
	}
	l := h.lists[h.tab]
	if l.SettingFilter() {
		return helpKeys{short: []key.Binding{l.KeyMap.AcceptWhileFiltering, l.KeyMap.CancelWhileFiltering}}
	}
	e, has := h.selected()
	savedSel := has && e.saved
	writable := h.c.st != nil && !h.c.st.ReadOnly()
	unfiltered := l.FilterState() == list.Unfiltered
	open := enabled(k.Open, has)
	quick := enabled(k.Quick, len(h.saved) > 0)
	filter := enabled(k.Filter, len(l.Items()) > 0)
	clear := enabled(l.KeyMap.ClearFilter, !unfiltered)
	save := enabled(k.Save, has && !e.saved && writable)
	edit := enabled(k.Edit, savedSel && writable)
	del := enabled(k.Delete, savedSel && writable)
	up := enabled(k.MoveUp, savedSel && writable && unfiltered)
	down := enabled(k.MoveDown, savedSel && writable && unfiltered)
	short := []key.Binding{open, quick, filter, clear, k.Switch, k.NewLookup, save, k.Quit, k.Help}
	full := [][]key.Binding{
		{k.Up, k.Down, l.KeyMap.GoToStart, l.KeyMap.GoToEnd, l.KeyMap.NextPage, l.KeyMap.PrevPage},
		{open, quick, filter, clear, k.Switch},
		{k.NewLookup, save, edit, del, up, down},
		{k.Quit, k.ForceQuit, k.Help},
	}
	return helpKeys{short: short, full: full}
}

// helpView renders the short help.
func (h homeModel) helpView() string { return h.c.renderHelp(h.helpKeys()) }

// rowDelegate renders one row per entry.
type rowDelegate struct {
	c        *common
	vehicleW int // width of the vehicle column: the list's longest number
}

// minVehicleWidth fits a standard number (DL12CB4685).
const minVehicleWidth = 10

// vehicleWidth is the width of the longest vehicle number among es, so
// temporary and trade numbers (up to 20 characters) are never cut.
func vehicleWidth(es []entry) int {
	w := minVehicleWidth
	for _, e := range es {
		w = max(w, len(e.req.CANumber))
	}
	return min(w, client.MaxVehicleLen)
}

// Height implements list.ItemDelegate.
func (d rowDelegate) Height() int { return 1 }

// Spacing implements list.ItemDelegate.
func (d rowDelegate) Spacing() int { return 0 }

// Update implements list.ItemDelegate.
func (d rowDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }

// Render implements list.ItemDelegate.
func (d rowDelegate) Render(w io.Writer, m list.Model, index int, it list.Item) {
	e, ok := it.(entry)
	if !ok {
		return
	}
	_, _ = io.WriteString(w, d.row(e, index == m.Index(), m.Width()))
}

// row lays out one entry in columns by display width, so wide characters
// keep the columns aligned.
func (d rowDelegate) row(e entry, sel bool, width int) string {
	s := d.c.styles
	now := d.c.now()
	var amount, due, dueRaw, when string
	if e.snap != nil {
		amount = formatAmount(e.snap.Consumer.ShownAmount())
		dueRaw = e.snap.Consumer.ShownDueDate()
		due = text.DueDate(dueRaw)
		when = age(e.snap.FetchedAt, now)
	} else {
		when = age(e.at, now)
	}
	mark := " "
	if e.saved && dueRaw != "" {
		mark = d.dueMark(dueRaw, now)
	}
	prefix := "  "
	if sel {
		prefix = s.Selected.Render("> ")
	}
	quick := "  "
	if e.quick > 0 {
		quick = s.Subtle.Render(fmt.Sprintf("%d ", e.quick))
	}
	vw := max(d.vehicleW, minVehicleWidth)
	cols := []string{text.Pad(e.req.CANumber, vw)}
	fixed := 2 + 2 + 1 + vw + 1
	if width >= 60 {
		cols = append(cols, text.PadLeft(amount, 12), text.Pad(due, 11), mark, text.Pad(when, 8))
		fixed += 12 + 1 + 11 + 1 + 1 + 1 + 8 + 1
		if width >= 92 {
			cols = append([]string{text.Pad(d.c.operatorName(e.req.Operator), 12)}, cols...)
			fixed += 13
		}
	} else {
		cols = append(cols, text.PadLeft(amount, 11), mark)
		fixed += 11 + 1 + 1 + 1
	}
	titleW := max(4, width-fixed)
	title := text.Pad(e.title(), titleW)
	if sel {
		title = s.Selected.Render(title)
	}
	return prefix + quick + title + " " + strings.Join(cols, " ")
}

// dueMark is "!" (red) for overdue, a bullet (amber) within a week, else " ".
func (d rowDelegate) dueMark(due string, now time.Time) string {
	t, ok := text.ParseDueDate(due)
	if !ok {
		return " "
	}
	switch n := text.DaysUntil(t, now); {
	case n < 0:
		return d.c.styles.Overdue.Render("!")
	case n <= dueSoonDays:
		return d.c.styles.DueSoon.Render(text.Bullet)
	}
	return " "
}
