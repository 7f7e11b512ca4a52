package ui

import (
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
)

// Columns of a home row, left to right.
const (
	colTitle = iota
	colName
	colVehicle
	colOperator
	colPhone
	colAmount
	colDue
	colFetched
	colCount
)

// Widths of the columns that do not depend on the rows.
const (
	minVehicleWidth  = 10 // a standard number: DL12CB4685
	minTitleWidth    = 8
	comfyTitleWidth  = 16 // the title grows to this before optional columns are added
	roomyTitleWidth  = 12 // ... and to this before the due date on a narrow terminal
	dueWidth         = 11 // 20 Sep 2021
	dueShortWidth    = 9  // 20 Sep 21
	fetchedWidth     = 8  // just now, 41d ago
	fetchedShortWide = 4  // now, 41d
	minNameWidth     = 10
	minOperatorWidth = 8
	minPhoneWidth    = 10
	maxTitleWidth    = 40 // a longer label or name is cut: the rest of the row matters more
)

// Column headers.
func columnHeaders() [colCount]string {
	return [colCount]string{"Label", "Name", "Vehicle", "Operator", "Phone", "Amount", "Due", "Fetched"}
}

// widths are the natural widths of the columns: the widest cell of each
// among every row of a tab (so columns do not move as the filter narrows).
type widths [colCount]int

// measure is the natural widths of rows.
func measure(rows []*row, g text.Glyphs) widths {
	var w widths
	h := columnHeaders()
	w[colVehicle] = minVehicleWidth
	w[colAmount] = text.Width(h[colAmount])
	for _, r := range rows {
		w[colTitle] = max(w[colTitle], text.Width(r.title(g)))
		w[colName] = max(w[colName], text.Width(r.secondName()))
		w[colVehicle] = max(w[colVehicle], len(r.req.CANumber))
		w[colOperator] = max(w[colOperator], text.Width(r.op))
		w[colPhone] = max(w[colPhone], text.Width(r.phone))
		w[colAmount] = max(w[colAmount], text.Width(r.amount))
		if o := r.outcome; o != nil && o.err != "" {
			w[colFetched] = max(w[colFetched], text.Width(failedCell(g, o)))
		}
	}
	w[colFetched] = max(w[colFetched], fetchedWidth)
	w[colTitle] = min(max(w[colTitle], minTitleWidth), maxTitleWidth)
	w[colName] = min(w[colName], maxTitleWidth)
	w[colVehicle] = min(w[colVehicle], client.MaxVehicleLen)
	for _, c := range []int{colOperator, colPhone} {
		if w[c] > 0 {
			w[c] = max(w[c], text.Width(h[c]))
		}
	}
	return w
}

// layout is how a list's rows are cut into columns at one width.
type layout struct {
	num          int    // width of the row number
	w            widths // 0: the column is left out
	dueShort     bool
	fetchedShort bool
}

// newLayout fits columns into width cells for rows whose natural widths
// are nat and that are numbered up to n, most useful columns first; the
// flexible ones never grow past their natural widths (a wide terminal is
// not filled with blanks).
func newLayout(width int, nat widths, n int) layout {
	l := layout{num: len(strconv.Itoa(max(1, n)))}
	l.w[colVehicle] = nat[colVehicle]
	l.w[colTitle] = min(nat[colTitle], minTitleWidth)
	// Besides its columns a row has the cursor ("> "), the row number, a
	// blank, the mark and a blank.
	room := width - (2 + l.num + 1 + 1 + 1) - l.w[colVehicle] - 1 - l.w[colTitle]
	add := func(col, w int) bool {
		if w <= 0 || room < w+1 {
			return false
		}
		l.w[col] = w
		room -= w + 1
		return true
	}
	grow := func(col, to int) {
		if d := min(to, nat[col]) - l.w[col]; d > 0 && l.w[col] > 0 {
			d = min(d, max(0, room))
			l.w[col] += d
			room -= d
		}
	}
	add(colAmount, nat[colAmount])
	grow(colTitle, roomyTitleWidth)
	l.dueShort = !add(colDue, dueWidth) && add(colDue, dueShortWidth)
	l.fetchedShort = !add(colFetched, nat[colFetched]) && add(colFetched, fetchedShortWide)
	grow(colTitle, comfyTitleWidth)
	add(colName, min(nat[colName], minNameWidth))
	add(colOperator, min(nat[colOperator], minOperatorWidth))
	add(colPhone, min(nat[colPhone], minPhoneWidth))
	// The rest, a cell at a time, to the flexible columns still short of
	// their natural width.
	flex := []int{colTitle, colName, colOperator, colPhone}
	for room > 0 {
		grew := false
		for _, c := range flex {
			if room > 0 && l.w[c] > 0 && l.w[c] < nat[c] {
				l.w[c]++
				room--
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	return l
}

// rowView renders rows and their header; it is the lists' item delegate.
type rowView struct {
	c   *common
	lay layout
}

// header is the column header line.
func (v rowView) header() string {
	g, s := v.c.g, v.c.styles
	h := columnHeaders()
	if v.lay.w[colName] == 0 && v.lay.w[colTitle] >= len("Label / name") {
		h[colTitle] = "Label / name"
	}
	if v.lay.fetchedShort {
		h[colFetched] = "Age"
	}
	line := "  " + g.PadLeft("#", v.lay.num) + "   " + v.columns(func(c, w int) string {
		if c == colAmount {
			return g.PadLeft(h[c], w)
		}
		return g.Pad(h[c], w)
	})
	return s.Header.Render(strings.TrimRight(line, " "))
}

// columns joins the cells of the columns the layout keeps, each cell(c, w)
// of column c in w cells, with a blank between them.
func (v rowView) columns(cell func(c, w int) string) string {
	var cells []string
	for c := range colCount {
		if w := v.lay.w[c]; w > 0 {
			cells = append(cells, cell(c, w))
		}
	}
	return strings.Join(cells, " ")
}

// render lays out one row numbered num, selected or not.
func (v rowView) render(e entry, num int, sel bool) string {
	g, s := v.c.g, v.c.styles
	now := v.c.Now()
	prefix := "  "
	if sel {
		prefix = s.Selected.Render(">") + " "
	}
	return prefix + s.Subtle.Render(g.PadLeft(strconv.Itoa(num), v.lay.num)) + " " + v.mark(e.row, now) + " " +
		v.columns(func(c, w int) string { return v.cell(e, c, w, sel, now) })
}

// cell renders column c of e in w cells.
func (v rowView) cell(e entry, c, w int, sel bool, now time.Time) string {
	g, s := v.c.g, v.c.styles
	r := e.row
	changed := func(what string) bool { return r.outcome != nil && r.outcome.changed[what] }
	switch c {
	case colTitle:
		t, spans := v.titleText(e)
		base := lipgloss.NewStyle()
		if sel {
			base = s.Selected
		}
		return highlight(g, t, spans, w, base, s.Match)
	case colName:
		return highlight(g, r.secondName(), spansOf(e.hit, srcName), w, lipgloss.NewStyle(), s.Match)
	case colVehicle:
		return highlight(g, r.req.CANumber, spansOf(e.hit, srcVehicle), w, lipgloss.NewStyle(), s.Match)
	case colOperator:
		return s.Subtle.Render(g.Pad(r.op, w))
	case colPhone:
		return highlight(g, r.phone, spansOf(e.hit, srcPhone), w, lipgloss.NewStyle(), s.Match)
	case colAmount:
		st := lipgloss.NewStyle()
		if changed("amount") {
			st = s.Changed
		}
		return st.Render(g.PadLeft(r.amount, w))
	case colDue:
		return v.dueCell(r, w, now, changed("due"))
	case colFetched:
		return v.fetchedCell(r, w, now)
	}
	return strings.Repeat(" ", w)
}

// titleText is what the title column shows for e, and where the filter
// matched it: the title, or, when the filter matched a field no visible
// column shows (the consumer's name behind a label, the phone, the note),
// that field, so every hit is seen.
func (v rowView) titleText(e entry) (string, []span) {
	r, hit := e.row, e.hit
	field := -1 // none: nothing to highlight
	if r.label != "" || r.name != "" {
		field = r.titleField()
	}
	shown := [srcCount]bool{srcVehicle: true, srcName: v.lay.w[colName] > 0, srcPhone: v.lay.w[colPhone] > 0}
	if hit == nil || hit.field == field || shown[hit.field] {
		return r.title(v.c.g), spansOf(hit, field)
	}
	switch hit.field {
	case srcName:
		return r.name, hit.spans
	case srcPhone:
		return "phone: " + r.phone, shift(hit.spans, len("phone: "))
	case srcNote:
		return "note: " + r.note, shift(hit.spans, len("note: "))
	case srcLabel:
		return r.label, hit.spans
	}
	return r.title(v.c.g), spansOf(hit, field)
}

// spansOf is hit's spans when it matched field.
func spansOf(hit *match, field int) []span {
	if hit == nil || hit.field != field {
		return nil
	}
	return hit.spans
}

// mark is the row's one-cell marker: overdue, due within a week, or (on a
// terminal too narrow for the age column) a failed refresh.
func (v rowView) mark(r *row, now time.Time) string {
	g, s := v.c.g, v.c.styles
	if r.outcome != nil && r.outcome.err != "" && v.lay.w[colFetched] == 0 {
		return s.No.Render(g.Truncate(g.No, 1))
	}
	n, ok := r.daysLeft(text.Day(now))
	switch {
	case !ok:
		return " "
	case n < 0:
		return s.Overdue.Render("!")
	case n <= dueSoonDays:
		return s.DueSoon.Render(g.Bullet)
	}
	return " "
}

// dueCell is the due date, coloured by how close it is.
func (v rowView) dueCell(r *row, w int, now time.Time, changed bool) string {
	g, s := v.c.g, v.c.styles
	if r.due.IsZero() {
		return g.Pad(r.dueTxt, w)
	}
	layout := "02 Jan 2006"
	if v.lay.dueShort {
		layout = "02 Jan 06"
	}
	txt := g.Pad(r.due.Format(layout), w)
	n, _ := r.daysLeft(text.Day(now))
	switch {
	case changed:
		return s.Changed.Render(txt)
	case n < 0:
		return s.Overdue.Render(txt)
	case n <= dueSoonDays:
		return s.DueSoon.Render(txt)
	}
	return txt
}

// fetchedCell is how old the row's values are, or its refresh's state.
func (v rowView) fetchedCell(r *row, w int, now time.Time) string {
	g, s := v.c.g, v.c.styles
	if o := r.outcome; o != nil {
		switch {
		case o.pending:
			return s.Subtle.Render(g.Pad(g.Ellipsis, w))
		case o.err != "":
			return s.No.Render(g.Pad(failedCell(g, o), w))
		}
	}
	a := age(r.fetchedAt(), now)
	if v.lay.fetchedShort { // at most four cells: "now", "3m", "3h", "41d"
		a = strings.TrimSuffix(strings.Replace(a, "just now", "now", 1), " ago")
	}
	return s.Subtle.Render(g.Pad(a, w))
}

// failedCell is the age column of a row whose refresh failed: "✗ timeout".
func failedCell(g text.Glyphs, o *outcome) string { return g.No + " " + o.kind }

// highlight fits s into w cells (padded on the right) with the byte ranges
// spans drawn in hl and the rest in base. When the first range lies past
// the cut, the start of s is cut instead, so the match stays in view.
func highlight(g text.Glyphs, s string, spans []span, w int, base, hl lipgloss.Style) string {
	if len(spans) == 0 || w <= 0 {
		return base.Render(g.Pad(s, w))
	}
	lead, ell := "", text.Width(g.Ellipsis)
	if end := spans[0].hi; text.Width(s) > w && text.Width(s[:end]) > w-ell {
		avail := w - ell // after the leading ellipsis
		if end < len(s) {
			avail -= ell // before the trailing one
		}
		from := 0
		for from < spans[0].lo && text.Width(s[from:end]) > avail {
			_, size := utf8.DecodeRuneInString(s[from:])
			from += size
		}
		lead, s = g.Ellipsis, s[from:]
		spans = shift(spans, -from)
		w -= ell
	}
	cut := g.Truncate(s, w)
	kept := len(s)
	if cut != s {
		kept = min(len(s), len(cut)-len(g.Ellipsis))
	}
	var b strings.Builder
	b.WriteString(base.Render(lead))
	at := 0
	for _, sp := range spans {
		lo, hi := max(sp.lo, at), min(sp.hi, kept)
		if lo >= hi {
			continue
		}
		b.WriteString(base.Render(s[at:lo]))
		b.WriteString(hl.Render(s[lo:hi]))
		at = hi
	}
	b.WriteString(base.Render(cut[min(at, len(cut)):]))
	b.WriteString(strings.Repeat(" ", max(0, w-text.Width(cut))))
	return b.String()
}

// shift moves spans by d bytes, dropping what falls before 0.
func shift(spans []span, d int) []span {
	out := make([]span, 0, len(spans))
	for _, sp := range spans {
		sp.lo, sp.hi = max(0, sp.lo+d), sp.hi+d
		if sp.hi > sp.lo {
			out = append(out, sp)
		}
	}
	return out
}

// Height implements list.ItemDelegate.
func (v rowView) Height() int { return 1 }

// Spacing implements list.ItemDelegate.
func (v rowView) Spacing() int { return 0 }

// Update implements list.ItemDelegate.
func (v rowView) Update(tea.Msg, *list.Model) tea.Cmd { return nil }

// Render implements list.ItemDelegate.
func (v rowView) Render(w io.Writer, m list.Model, index int, it list.Item) {
	e, ok := it.(entry)
	if !ok {
		return
	}
	_, _ = io.WriteString(w, v.render(e, index+1, index == m.Index()))
}
