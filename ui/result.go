package ui

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// resultModel is the consumer card of one lookup, or of a cached snapshot
// being refreshed in the background.
type resultModel struct {
	c          *common
	req        client.Request
	consumer   client.Consumer
	raw        []byte
	json       string // raw, indented and sanitised for display
	fetchedAt  time.Time
	latency    time.Duration
	cached     bool // showing a snapshot, no fresh answer yet
	refreshing bool
	changed    map[string]string // field -> previous value, after a refresh
	status     string
	statusErr  bool
	label      string // saved account label, if any
	showJSON   bool
	wrapped    int // the viewport width r.json was last wrapped at; 0 = not yet
	vp         viewport.Model
	full       bool // full help
	keys       resultKeys
	// prompting: the label prompt is open on the status line.
	prompting bool
	prompt    textinput.Model
}

// newResult builds the card of a fresh answer.
func newResult(c *common, req client.Request, res *client.Result, label string) resultModel {
	r := resultModel{c: c, req: req, label: label, vp: viewport.New(0, 0), prompt: newInput(c, labelCharLimit)}
	r.apply(res)
	r.updateKeymap()
	return r
}

// newCachedResult builds the card of a cached snapshot while a lookup
// refreshes it.
func newCachedResult(c *common, req client.Request, snap *store.Snapshot, label string) resultModel {
	r := newResult(c, req, nil, label)
	r.consumer, r.fetchedAt = snap.Consumer, snap.FetchedAt
	r.cached, r.refreshing = true, true
	r.updateKeymap()
	return r
}

// apply takes a fresh result.
func (r *resultModel) apply(res *client.Result) {
	if res == nil {
		return
	}
	r.consumer = res.Consumer
	r.raw = res.Raw
	r.fetchedAt = res.FetchedAt
	r.latency = res.Latency
	r.cached = false
	r.json = prettyJSON(r.c.g, res.Raw)
	r.wrapped = 0
	r.setJSONContent()
}

// setJSONContent fills the viewport with the raw JSON wrapped to its width
// (measured as the terminal does), so long values wrap instead of being cut.
// It wraps only while the JSON is shown and its width changed: a 1 MiB
// body takes tens of milliseconds to wrap, too long for every resize.
func (r *resultModel) setJSONContent() {
	if !r.showJSON || r.vp.Width <= 0 || r.wrapped == r.vp.Width {
		return
	}
	r.vp.SetContent(ansi.WrapWc(r.json, r.vp.Width, ""))
	r.wrapped = r.vp.Width
}

// refreshed applies the answer of the background refresh: the card updates
// in place with changed fields highlighted, or keeps the snapshot and shows
// the error on the status line.
func (r resultModel) refreshed(res *client.Result, err error) resultModel {
	r.refreshing = false
	if err != nil || res == nil {
		r.status, r.statusErr = "refresh failed: "+oneLineError(err)+r.c.g.Sep+"r retries", true
		r.updateKeymap()
		return r
	}
	old := r.consumer
	r.apply(res)
	r.changed = changedFields(r.c, old, r.consumer)
	if len(r.changed) > 0 {
		r.status, r.statusErr = "refreshed"+r.c.g.Sep+"changed since last time", false
	} else {
		r.status, r.statusErr = "refreshed"+r.c.g.Sep+"no changes", false
	}
	r.updateKeymap()
	return r
}

// changedFields is changedValues with each value as it was shown.
func changedFields(c *common, old, cur client.Consumer) map[string]string {
	was := map[string]string{"amount": formatAmount(c.g, old.ShownAmount()), "due": c.g.Text(text.DueDate(old.ShownDueDate()))}
	ch := map[string]string{}
	for what := range changedValues(old, cur) {
		ch[what] = was[what]
	}
	return ch
}

// setSize sizes the JSON viewport to the body.
func (r *resultModel) setSize(w, h int) {
	r.vp.Width, r.vp.Height = max(0, w), max(0, h)
	r.setJSONContent()
}

// Update handles the keys of the result view.
func (r resultModel) Update(msg tea.Msg) (resultModel, tea.Cmd, nav) {
	var cmd tea.Cmd
	var n nav
	switch msg := msg.(type) {
	case copyMsg:
		if msg.err != nil {
			r.status, r.statusErr = "could not copy "+msg.what+": "+oneLineError(msg.err), true
		} else {
			r.status, r.statusErr = "copied "+msg.what, false
		}
	case tea.KeyMsg:
		if r.prompting {
			r, cmd = r.promptKey(msg)
		} else {
			r, cmd, n = r.key(msg)
		}
	}
	r.updateKeymap()
	return r, cmd, n
}

// key handles one key.
func (r resultModel) key(km tea.KeyMsg) (resultModel, tea.Cmd, nav) {
	k := r.keys
	r.status = ""
	switch {
	case key.Matches(km, k.Back):
		if r.showJSON || r.full {
			r.showJSON, r.full = false, false
			return r, nil, nil
		}
		return r, nil, navBack{}
	case key.Matches(km, k.Help):
		r.full = !r.full
	case key.Matches(km, k.ToggleJSON):
		r.showJSON = !r.showJSON
		r.setJSONContent()
	case key.Matches(km, k.Copy):
		return r, copyCmd(r.c, "summary", r.summary()), nil
	case key.Matches(km, k.CopyJSON):
		return r, copyCmd(r.c, "raw JSON", string(r.raw)), nil
	case key.Matches(km, k.Refresh):
		return r, nil, navRefresh{req: r.req}
	case key.Matches(km, k.New):
		return r, nil, navForm{req: client.Request{Operator: r.req.Operator, RegistrationID: r.req.RegistrationID}}
	case key.Matches(km, k.Save):
		return r.openPrompt(), nil, nil
	case key.Matches(km, k.ScrollUp, k.ScrollDown):
		var cmd tea.Cmd
		r.vp, cmd = r.vp.Update(km)
		return r, cmd, nil
	case km.String() == "s" && r.c.Store == nil:
		r.status, r.statusErr = "cannot save: the store is unavailable", true
	case km.String() == "J" && len(r.raw) == 0:
		r.status, r.statusErr = "no raw response yet (cached snapshot)", true
	}
	return r, nil, nil
}

// openPrompt asks for the label to save the account under: the saved
// label, else the consumer's name.
func (r resultModel) openPrompt() resultModel {
	r.prompting = true
	r.prompt.SetValue(r.account().Label) // as stored: enter saves what the prompt holds
	r.prompt.CursorEnd()
	r.prompt.Focus()
	r.prompt.Width = max(1, r.c.width-2-text.Width(saveLabelPrompt)-1) // the status line
	r.prompt.SetCursor(r.prompt.Position())
	return r
}

// saveLabelPrompt starts the label prompt on the status line.
const saveLabelPrompt = "Save as: "

// promptKey handles keys while the label prompt is open: enter saves (a
// saved account keeps its note and only takes the new label), esc cancels.
func (r resultModel) promptKey(km tea.KeyMsg) (resultModel, tea.Cmd) {
	k := r.keys
	switch {
	case key.Matches(km, k.PromptQuit):
		r.prompting = false
		return r, nil
	case key.Matches(km, k.PromptSave):
		r.prompting = false
		label := strings.TrimSpace(r.prompt.Value())
		r.status, r.statusErr = "saving"+r.c.g.Ellipsis, false
		a := r.account()
		a.Label = label
		if r.label != "" {
			return r, renameCmd(r.c.Store, a)
		}
		return r, saveCmd(r.c.Store, a)
	}
	var cmd tea.Cmd
	r.prompt, cmd = r.prompt.Update(km)
	return r, cmd
}

// updateKeymap enables exactly the keys that work now.
func (r *resultModel) updateKeymap() {
	k := r.c.keys.Result
	browsing := !r.prompting
	enable(browsing, &k.Copy, &k.New, &k.Back, &k.Help)
	enable(browsing && len(r.raw) > 0, &k.CopyJSON, &k.ToggleJSON)
	enable(browsing && !r.refreshing, &k.Refresh)
	enable(browsing && r.c.Store != nil && !r.c.Store.ReadOnly(), &k.Save)
	enable(browsing && r.showJSON, &k.ScrollUp, &k.ScrollDown)
	enable(r.prompting, &k.PromptSave, &k.PromptQuit)
	if r.label != "" {
		k.Save.SetHelp("s", "label")
	}
	r.keys = k
}

// account is the saved account for this card.
func (r resultModel) account() store.Account {
	label := r.label
	if label == "" {
		label = text.Sanitize(r.consumer.ShownName())
	}
	a := store.Account{
		Label: label, Operator: r.req.Operator, CANumber: r.req.CANumber,
		RegistrationID: r.req.RegistrationID,
	}
	if !r.fetchedAt.IsZero() {
		a.Last = &store.Snapshot{Consumer: r.consumer, FetchedAt: r.fetchedAt}
	}
	return a
}

// summary is the one-line text that c copies.
func (r resultModel) summary() string {
	g := r.c.g
	parts := []string{g.Sanitize(r.consumer.ShownName()), r.req.CANumber}
	if a := r.consumer.ShownAmount(); a != "" {
		parts = append(parts, formatAmount(g, a))
	}
	if d := r.consumer.ShownDueDate(); d != "" {
		parts = append(parts, "due "+g.Text(text.DueDate(d)))
	}
	return strings.Join(parts, g.Sep)
}

// View renders the full help, the raw JSON or the consumer card.
func (r resultModel) View() string {
	if r.full {
		return r.c.versionLine() + "\n" + r.c.keysHelp(r.keys, r.vp.Height-1)
	}
	if r.showJSON {
		return r.vp.View()
	}
	s, g := r.c.styles, r.c.g
	w := max(0, r.c.width-2)
	narrow := w < 60
	lw := 14
	if narrow {
		lw = 9
	}
	vw := max(1, w-lw)
	name := cmp.Or(g.Sanitize(r.consumer.ShownName()), "(no name)")
	var b strings.Builder
	b.WriteString(s.Name.Render(g.Truncate(name, w)) + "\n")
	sub := r.c.requestLine(r.req)
	if label := g.Text(r.label); label != "" && label != name && label != r.req.CANumber {
		sub += g.Sep + label
	}
	b.WriteString(s.Subtle.Render(g.Truncate(sub, w)) + "\n")
	if r.c.height >= 16 {
		b.WriteString("\n")
	}
	for _, row := range r.rows(narrow) {
		b.WriteString(s.Label.Render(g.Pad(row[0], lw)) + g.Truncate(row[1], vw) + "\n")
	}
	return b.String()
}

// rows are the label/value lines of the card, most important first so a
// short terminal clips the least useful ones: how old the values are comes
// right after the amount and due date, so a 40x12 card keeps it.
func (r resultModel) rows(narrow bool) [][2]string {
	s, g := r.c.styles, r.c.g
	c := r.consumer
	bill := cmp.Or(c.Bill, &client.Bill{})
	labels := map[string]string{"net": "Net amount", "max": "Max amount", "pay": "Payment", "due": "Due date"}
	if narrow {
		labels = map[string]string{"net": "Net", "max": "Max", "pay": "Pays", "due": "Due"}
	}
	amount := r.highlight("amount", formatAmount(g, c.ShownAmount()))
	rows := [][2]string{
		{"Amount", amount},
		{labels["due"], r.highlight("due", dueText(r.c, c.ShownDueDate(), narrow))},
		{"Fetched", r.fetched()},
		{labels["pay"], r.badge(bill.AcceptPayment, "payment") + "  " + r.badge(bill.AcceptPartPay, "part payment")},
		{"Phone", cmp.Or(g.Sanitize(bill.CellNumber), g.Dash)},
		{labels["net"], formatAmount(g, bill.BillNetAmount)},
		{labels["max"], formatAmount(g, bill.MaxBillAmount)},
		{"Message", strings.TrimSpace(fmt.Sprintf("%s (code %d)", g.Sanitize(c.Message), c.ResponseCode))},
	}
	if c.Bill == nil {
		// No amounts or flags to show: one line says so where the flags
		// would be, and the phone is a dash, as in the CLI.
		rows = [][2]string{rows[0], rows[1], rows[2], {labels["pay"], s.Subtle.Render("no bill details")}, rows[4], rows[7]}
	}
	return rows
}

// highlight marks a field that changed in the last refresh.
func (r resultModel) highlight(field, v string) string {
	prev, ok := r.changed[field]
	if !ok {
		return v
	}
	return r.c.styles.Changed.Render(v) + r.c.styles.Subtle.Render(" (was "+prev+")")
}

// badge renders a yes/no badge.
func (r resultModel) badge(ok bool, what string) string {
	if ok {
		return r.c.styles.Yes.Render(r.c.g.Yes + " " + what)
	}
	return r.c.styles.No.Render(r.c.g.No + " no " + what)
}

// fetched is the fetched-at time and latency, or the cache age.
func (r resultModel) fetched() string {
	g := r.c.g
	now := r.c.Now()
	if r.cached {
		return r.c.styles.Warning.Render("cached" + g.Sep + age(r.fetchedAt, now))
	}
	if r.fetchedAt.IsZero() {
		return g.Dash
	}
	t := r.fetchedAt.In(now.Location())
	out := text.Date(t) + " " + t.Format(time.TimeOnly)
	if r.c.width-2 < 60 {
		out = t.Format("02 Jan 15:04") // the date and time fit; the seconds would not
	}
	if r.latency > 0 {
		out += g.Sep + fmt.Sprintf("%d ms", r.latency.Milliseconds())
	}
	return out
}

// dueText formats the provider's due date as "20 Sep 2021" with a marker:
// overdue (red), due today or within 7 days (amber), otherwise plain.
func dueText(c *common, d string, narrow bool) string {
	g := c.g
	if d == "" {
		return g.Dash
	}
	t, ok := text.ParseDueDate(d)
	if !ok {
		return g.Sanitize(d)
	}
	out := text.Date(t)
	n := text.DaysUntil(t, c.Now())
	due := text.DueIn(n)
	if narrow {
		due = text.DueInShort(n)
	}
	switch {
	case n < 0:
		return c.styles.Overdue.Render(out + g.Sep + due)
	case n <= dueSoonDays:
		return c.styles.DueSoon.Render(out + g.Sep + due)
	}
	return out
}

// formatAmount is ₹1,000.00 (Rs 1,000.00 in ASCII), the sanitised text
// when not a number, or a dash when empty.
func formatAmount(g text.Glyphs, a string) string { return cmp.Or(g.Amount(a), g.Dash) }

// prettyJSON indents raw when it is valid JSON (only so deep: see
// text.IndentJSON) and sanitises it for display in g's glyphs.
func prettyJSON(g text.Glyphs, raw []byte) string {
	if b, err := text.IndentJSON(raw); err == nil {
		return g.Text(text.SanitizeText(string(bytes.TrimSuffix(b, []byte("\n")))))
	}
	return g.Text(text.SanitizeText(string(raw)))
}

// statusLine shows the label prompt, or copy/save/refresh outcomes.
func (r resultModel) statusLine() string {
	s, g := r.c.styles, r.c.g
	switch {
	case r.prompting:
		return s.Focused.Render(saveLabelPrompt) + r.prompt.View()
	case r.status != "" && r.statusErr:
		return s.Error.Render(r.status)
	case r.status != "":
		return s.Success.Render(r.status)
	case r.refreshing && r.cached:
		return s.Warning.Render("cached"+g.Sep+age(r.fetchedAt, r.c.Now())) + s.Subtle.Render(g.Sep+"refreshing"+g.Ellipsis)
	case r.refreshing:
		return s.Subtle.Render("refreshing" + g.Ellipsis)
	case r.showJSON:
		return s.Subtle.Render("raw JSON" + g.Sep + fmt.Sprintf("%3.0f%%", r.vp.ScrollPercent()*100))
	}
	return ""
}
