package ui

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
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
	refreshID  int
	changed    map[string]string // field -> previous value, after a refresh
	status     string
	statusErr  bool
	label      string // saved account label, if any
	showJSON   bool
	wrapped    int // the viewport width r.json was last wrapped at; 0 = not yet
	vp         viewport.Model
	full       bool // full help
}

// newResult builds the card of a fresh answer.
func newResult(c *common, req client.Request, res *client.Result, label string) resultModel {
	r := resultModel{c: c, req: req, label: label, vp: viewport.New(0, 0)}
	r.apply(res)
	return r
}

// newCachedResult builds the card of a cached snapshot while request id
// refreshes it.
func newCachedResult(c *common, e entry, id int) resultModel {
	r := resultModel{
		c: c, req: e.req, label: e.label, vp: viewport.New(0, 0),
		consumer: e.snap.Consumer, fetchedAt: e.snap.FetchedAt,
		cached: true, refreshing: true, refreshID: id,
	}
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
	r.json = prettyJSON(res.Raw)
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
		r.setStatus("refresh failed: "+oneLineError(err), true)
		return r
	}
	old := r.consumer
	r.apply(res)
	r.changed = changedFields(r.c, old, r.consumer)
	if len(r.changed) > 0 {
		r.setStatus("refreshed"+text.Sep+"changed since last time", false)
	} else {
		r.setStatus("refreshed"+text.Sep+"no changes", false)
	}
	return r
}

// changedFields compares the displayed amount and due date.
func changedFields(c *common, old, cur client.Consumer) map[string]string {
	ch := map[string]string{}
	if a, b := old.ShownAmount(), cur.ShownAmount(); a != b {
		ch["amount"] = formatAmount(a)
	}
	if a, b := old.ShownDueDate(), cur.ShownDueDate(); a != b {
		ch["due"] = text.DueDate(a)
	}
	if len(ch) == 0 {
		return nil
	}
	return ch
}

// setStatus sets the status line.
func (r *resultModel) setStatus(s string, isErr bool) {
	r.status, r.statusErr = s, isErr
}

// setSize sizes the JSON viewport to the body.
func (r *resultModel) setSize(w, h int) {
	r.vp.Width, r.vp.Height = max(0, w), max(0, h)
	r.setJSONContent()
}

// Update handles the keys of the result view.
func (r resultModel) Update(msg tea.Msg) (resultModel, tea.Cmd, nav) {
	switch msg := msg.(type) {
	case copyMsg:
		if msg.err != nil {
			r.setStatus("could not copy "+msg.what+": "+oneLineError(msg.err), true)
		} else {
			r.setStatus("copied "+msg.what, false)
		}
		return r, nil, nil
	case tea.KeyMsg:
		return r.key(msg)
	}
	return r, nil, nil
}

// key handles one key.
func (r resultModel) key(km tea.KeyMsg) (resultModel, tea.Cmd, nav) {
	k := r.c.keys
	r.status = ""
	switch {
	case key.Matches(km, k.Back):
		if r.showJSON || r.full {
			r.showJSON, r.full = false, false
			return r, nil, nil
		}
		return r, nil, navBack{}
	case key.Matches(km, k.Quit):
		return r, nil, navQuit{}
	case key.Matches(km, k.Help):
		r.full = !r.full
	case key.Matches(km, k.ToggleJSON):
		r.showJSON = !r.showJSON && len(r.raw) > 0
		r.setJSONContent()
		if !r.showJSON && len(r.raw) == 0 {
			r.setStatus("no raw response yet (cached snapshot)", true)
		}
	case key.Matches(km, k.Copy):
		return r, copyCmd(r.c, "summary", r.summary()), nil
	case key.Matches(km, k.CopyJSON):
		if len(r.raw) == 0 {
			r.setStatus("no raw response yet (cached snapshot)", true)
			return r, nil, nil
		}
		return r, copyCmd(r.c, "raw JSON", string(r.raw)), nil
	case key.Matches(km, k.Refetch):
		return r, nil, navRefetch{req: r.req}
	case key.Matches(km, k.NewLookup):
		return r, nil, navNew{req: client.Request{Operator: r.req.Operator, RegistrationID: r.req.RegistrationID}}
	case key.Matches(km, k.Save):
		if r.c.st == nil {
			r.setStatus("cannot save: the store is unavailable", true)
			return r, nil, nil
		}
		r.setStatus("saving"+text.Ellipsis, false)
		return r, saveCmd(r.c.st, r.account()), nil
	case r.showJSON:
		var cmd tea.Cmd
		r.vp, cmd = r.vp.Update(km)
		return r, cmd, nil
	}
	return r, nil, nil
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
	parts := []string{text.Sanitize(r.consumer.ShownName()), r.req.CANumber}
	if a := r.consumer.ShownAmount(); a != "" {
		parts = append(parts, formatAmount(a))
	}
	if d := r.consumer.ShownDueDate(); d != "" {
		parts = append(parts, "due "+text.DueDate(d))
	}
	return strings.Join(parts, text.Sep)
}

// View renders the card or the raw JSON.
func (r resultModel) View() string {
	if r.full {
		return r.c.fullHelpView(r.helpKeys(), r.vp.Height)
	}
	if r.showJSON {
		return r.vp.View()
	}
	return r.card()
}

// card renders the consumer card.
func (r resultModel) card() string {
	s := r.c.styles
	w := max(0, r.c.width-2)
	narrow := w < 60
	lw := 14
	if narrow {
		lw = 9
	}
	vw := max(1, w-lw)
	name := text.Sanitize(r.consumer.ShownName())
	if name == "" {
		name = "(no name)"
	}
	var b strings.Builder
	b.WriteString(s.Name.Render(text.Truncate(name, w)) + "\n")
	sub := r.c.requestLine(r.req)
	if r.label != "" && r.label != name && r.label != r.req.CANumber {
		sub += text.Sep + r.label
	}
	b.WriteString(s.Subtle.Render(text.Truncate(sub, w)) + "\n")
	if r.c.height >= 16 {
		b.WriteString("\n")
	}
	for _, row := range r.rows(narrow) {
		b.WriteString(s.Label.Render(text.Pad(row[0], lw)) + text.Truncate(row[1], vw) + "\n")
	}
	return b.String()
}

// rows are the label/value lines of the card, most important first so a
// short terminal clips the least useful ones.
func (r resultModel) rows(narrow bool) [][2]string {
	s := r.c.styles
	c := r.consumer
	bill := c.Bill
	if bill == nil {
		bill = &client.Bill{}
	}
	labels := map[string]string{"net": "Net amount", "max": "Max amount", "pay": "Payment", "due": "Due date", "msg": "Message"}
	if narrow {
		labels = map[string]string{"net": "Net", "max": "Max", "pay": "Pays", "due": "Due", "msg": "Message"}
	}
	amount := r.highlight("amount", formatAmount(c.ShownAmount()))
	rows := [][2]string{
		{"Amount", amount},
		{labels["due"], r.highlight("due", r.dueText(c.ShownDueDate()))},
		{labels["net"], formatAmount(bill.BillNetAmount)},
		{labels["max"], formatAmount(bill.MaxBillAmount)},
		{labels["pay"], r.badge(bill.AcceptPayment, "payment") + "  " + r.badge(bill.AcceptPartPay, "part payment")},
		{"Phone", orDash(text.Sanitize(bill.CellNumber))},
		{labels["msg"], r.message()},
		{"Fetched", r.fetched()},
	}
	if c.Bill == nil {
		// No amounts or flags to show: one line says so where the flags
		// would be, and the phone is a dash, as in the CLI.
		rows = append(rows[:2], rows[4:]...)
		rows[2][1] = s.Subtle.Render("no bill details")
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
		return r.c.styles.Yes.Render(text.Yes + " " + what)
	}
	return r.c.styles.No.Render(text.No + " no " + what)
}

// message is the provider's message and response code.
func (r resultModel) message() string {
	m := text.Sanitize(r.consumer.Message)
	return strings.TrimSpace(fmt.Sprintf("%s (code %d)", m, r.consumer.ResponseCode))
}

// fetched is the fetched-at time and latency, or the cache age.
func (r resultModel) fetched() string {
	now := r.c.now()
	if r.cached {
		return r.c.styles.Warning.Render("cached" + text.Sep + age(r.fetchedAt, now))
	}
	if r.fetchedAt.IsZero() {
		return text.Dash
	}
	t := r.fetchedAt.In(now.Location())
	out := text.Date(t) + " " + t.Format(time.TimeOnly)
	if r.latency > 0 {
		out += text.Sep + fmt.Sprintf("%d ms", r.latency.Milliseconds())
	}
	return out
}

// dueText formats a due date with its overdue / due-soon marker, in a
// compact form on narrow terminals.
func (r resultModel) dueText(d string) string {
	return dueText(r.c, d, r.c.width-2 < 60)
}

// dueText formats the provider's due date as "20 Sep 2021" with a marker:
// overdue (red), due today or within 7 days (amber), otherwise plain.
func dueText(c *common, d string, narrow bool) string {
	if d == "" {
		return text.Dash
	}
	t, ok := text.ParseDueDate(d)
	if !ok {
		return text.Sanitize(d)
	}
	out := text.Date(t)
	n := text.DaysUntil(t, c.now())
	due := text.DueIn(n)
	if narrow {
		due = text.DueInShort(n)
	}
	switch {
	case n < 0:
		return c.styles.Overdue.Render(out + text.Sep + due)
	case n <= dueSoonDays:
		return c.styles.DueSoon.Render(out + text.Sep + due)
	}
	return out
}

// formatAmount is ₹1,000.00, the sanitised text when not a number, or a
// dash when empty.
func formatAmount(a string) string { return orDash(text.Amount(a)) }

// orDash is s or a dash when empty.
func orDash(s string) string {
	if s == "" {
		return text.Dash
	}
	return s
}

// prettyJSON indents raw when it is valid JSON (only so deep: see
// text.IndentJSON) and sanitises it for display.
func prettyJSON(raw []byte) string {
	if b, err := text.IndentJSON(raw); err == nil {
		return text.SanitizeText(string(bytes.TrimSuffix(b, []byte("\n"))))
	}
	return text.SanitizeText(string(raw))
}

// statusLine shows copy/save/refresh outcomes.
func (r resultModel) statusLine() string {
	s := r.c.styles
	switch {
	case r.status != "" && r.statusErr:
		return s.Error.Render(r.status)
	case r.status != "":
		return s.Success.Render(r.status)
	case r.refreshing && r.cached:
		return s.Warning.Render("cached"+text.Sep+age(r.fetchedAt, r.c.now())) + s.Subtle.Render(text.Sep+"refreshing"+text.Ellipsis)
	case r.refreshing:
		return s.Subtle.Render("refreshing" + text.Ellipsis)
	case r.showJSON:
		return s.Subtle.Render("raw JSON" + text.Sep + fmt.Sprintf("%3.0f%%", r.vp.ScrollPercent()*100))
	}
	return ""
}

// helpKeys lists the keys that work on the card.
func (r resultModel) helpKeys() helpKeys {
	k := r.c.keys
	hasRaw := len(r.raw) > 0
	save := enabled(k.Save, r.c.st != nil && !r.c.st.ReadOnly())
	short := []key.Binding{k.Copy, enabled(k.ToggleJSON, hasRaw), k.Refetch, k.NewLookup, save, k.Back, k.Quit, k.Help}
	full := [][]key.Binding{
		{k.Copy, enabled(k.CopyJSON, hasRaw), enabled(k.ToggleJSON, hasRaw)},
		{k.Refetch, k.NewLookup, save},
		{enabled(k.ScrollUp, r.showJSON), enabled(k.ScrollDown, r.showJSON)},
		{k.Back, k.Quit, k.ForceQuit, k.Help},
	}
	return helpKeys{short: short, full: full}
}

// helpView renders the short help.
func (r resultModel) helpView() string { return r.c.renderHelp(r.helpKeys()) }
