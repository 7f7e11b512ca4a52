package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
)

// statusLine shows the prompt or the last outcome.
func (h homeModel) statusLine() string {
	s, g := h.c.styles, h.c.g
	if h.prompting {
		return labelPrompt + h.fields[0].View() + notePrompt + h.fields[1].View()
	}
	if h.status != "" {
		st := s.Success
		if h.bad {
			st = s.Error
		}
		return st.Render(g.Truncate(h.status, h.w))
	}
	return s.Subtle.Render(g.Truncate(h.enterHint(), h.w))
}

// enterHint says what enter does when the input is a row number: it
// opens the row under the cursor, which the arrows may have moved off the
// row typed (the list is not filtered then, so its index is the row's
// number).
func (h homeModel) enterHint() string {
	g := h.c.g
	if h.rowNum > 0 {
		if e, ok := h.selected(); ok {
			return fmt.Sprintf("enter opens row %d%s%s", h.lists[h.tab].Index()+1, g.Sep, e.title(g))
		}
	}
	return ""
}

// lookupHint says what enter does when nothing matches.
func (h homeModel) lookupHint() string {
	if v, ok := h.lookupTarget(); ok {
		req := h.c.withDefaults(client.Request{CANumber: v})
		if req.Operator == 0 {
			return "enter asks for the operator of " + v
		}
		return "enter looks up " + h.c.requestLine(req)
	}
	return ""
}

// View renders banner, input, tabs and the rows, the delete dialog or the
// full help.
func (h homeModel) View() string {
	s := h.c.styles
	var b strings.Builder
	banner := h.bannerLines()
	for _, l := range banner {
		b.WriteString(s.Banner.Render(l) + "\n")
	}
	room := max(0, h.h-len(banner)-2)
	b.WriteString(s.Focused.Render(findPrompt) + h.input.View() + "\n")
	b.WriteString(h.tabsLine() + "\n")
	switch {
	case h.full:
		b.WriteString(h.fullHelp(room))
	case h.dialog:
		b.WriteString(h.dialogView(room))
	case len(h.lists[h.tab].Items()) == 0:
		b.WriteString(h.emptyView())
	default:
		b.WriteString(h.view(h.tab).header() + "\n")
		b.WriteString(h.lists[h.tab].View())
	}
	return b.String()
}

// emptyView explains an empty list.
func (h homeModel) emptyView() string {
	s, g := h.c.styles, h.c.g
	var lines []string
	switch {
	case h.empty():
		lines = []string{"Nothing saved yet.", "Type a vehicle number and press enter to look it up;",
			"s on its card saves it. ctrl+n opens the full form."}
	case h.input.Value() != "":
		what := [2]string{"saved account", "recent lookup"}[h.tab]
		lines = []string{fmt.Sprintf("No %s matches %q.", what, g.Sanitize(h.input.Value()))}
		if hint := h.lookupHint(); hint != "" {
			lines = append(lines, hint+".")
		}
		if other := len(h.lists[1-h.tab].Items()); other > 0 {
			lines = append(lines, fmt.Sprintf("tab shows %s on %s.", text.Plural(other, "match"), [2]string{"Saved", "Recent"}[1-h.tab]))
		}
	case h.tab == tabSaved:
		lines = []string{"No saved accounts. s on a result's card saves it."}
	default:
		lines = []string{"No recent lookups."}
	}
	var b strings.Builder
	b.WriteString("\n")
	for _, l := range lines {
		for _, part := range strings.Split(ansi.WrapWc(l, max(1, h.w), ""), "\n") {
			b.WriteString(s.Subtle.Render(part) + "\n")
		}
	}
	return b.String()
}

// tabsLine is the Saved / Recent switch and, on the right, the counts of
// due accounts, the order, the page or refresh-all's progress.
func (h homeModel) tabsLine() string {
	s := h.c.styles
	names := [2]string{fmt.Sprintf("Saved (%d)", len(h.rows[tabSaved])), fmt.Sprintf("Recent (%d)", len(h.rows[tabRecent]))}
	out := make([]string, len(names))
	for i, n := range names {
		// Brackets mark the active tab without colour too (NO_COLOR).
		out[i] = " " + s.Tab.Render(n) + " "
		if i == h.tab {
			out[i] = "[" + s.ActiveTab.Render(n) + "]"
		}
	}
	tabs := strings.Join(out, " ")
	room := h.w - text.Width(tabs) - 2
	right := ""
	if h.run != nil && !h.run.closed {
		right = h.run.progressView(h.c, room)
	} else {
		ss := h.summaries() // the longest that fits
		if i := slices.IndexFunc(ss, func(v string) bool { return text.Width(v) <= room }); i >= 0 {
			right = ss[i]
		}
	}
	if right == "" {
		return tabs
	}
	return tabs + strings.Repeat(" ", max(2, h.w-text.Width(tabs)-text.Width(right))) + right
}

// summaries are the tab line's right side from longest to shortest: the
// due counts with their markers, the order, the page.
func (h homeModel) summaries() []string {
	s, g := h.c.styles, h.c.g
	overdue, soon := h.dueCounts()
	var long, short []string
	if overdue > 0 {
		long = append(long, s.Overdue.Render("!")+" "+fmt.Sprintf("%d %s", overdue, legendOverdue))
		short = append(short, s.Overdue.Render("!")+strconv.Itoa(overdue))
	}
	if soon > 0 {
		long = append(long, s.DueSoon.Render(g.Bullet)+" "+fmt.Sprintf("%d %s", soon, legendDueSoon))
		short = append(short, s.DueSoon.Render(g.Bullet)+strconv.Itoa(soon))
	}
	var extra []string
	if h.tab == tabSaved && h.sort != sortManual {
		extra = append(extra, s.Subtle.Render("by "+h.sort.describe()))
	}
	if l := h.lists[h.tab]; l.Paginator.TotalPages > 1 {
		extra = append(extra, s.Subtle.Render(fmt.Sprintf("p%d/%d", l.Paginator.Page+1, l.Paginator.TotalPages)))
	}
	sep := s.Subtle.Render(g.Sep)
	return []string{strings.Join(slices.Concat(long, extra), sep), strings.Join(slices.Concat(short, extra), sep),
		strings.Join(short, sep), strings.Join(extra, sep)}
}

// dueCounts counts the visible tab's overdue rows and those due within a week.
func (h homeModel) dueCounts() (overdue, soon int) {
	today := text.Day(h.c.Now())
	for _, r := range h.rows[h.tab] {
		switch n, ok := r.daysLeft(today); {
		case !ok:
		case n < 0:
			overdue++
		case n <= dueSoonDays:
			soon++
		}
	}
	return overdue, soon
}

// dialogView is the delete dialog: the account it deletes and the keys.
func (h homeModel) dialogView(room int) string {
	s, g := h.c.styles, h.c.g
	t := h.target
	inner := max(10, min(h.w-4, 56))
	lines := []string{
		s.Warning.Bold(true).Render("Delete this saved account?"),
		"",
		s.Name.Render(g.Truncate(t.title(g), inner)),
		g.Truncate(strings.Join(nonEmpty([]string{t.req.CANumber, t.op, t.secondName()}), g.Sep), inner),
	}
	if t.note != "" {
		lines = append(lines, s.Subtle.Render(g.Truncate("note: "+t.note, inner)))
	}
	lines = append(lines, "", g.Truncate("y deletes it (ctrl+z undoes)", inner), g.Truncate("any other key keeps it", inner))
	border := lipgloss.RoundedBorder()
	if g.ASCII() {
		border = lipgloss.ASCIIBorder()
	}
	box := s.Dialog.Border(border).Width(inner + 2).Render(strings.Join(lines, "\n"))
	if room < len(lines)+2 {
		box = strings.Join(lines, "\n")
	}
	return "\n" + box
}

// fullHelp is the full help of home's browsing keys, with the markers
// first (a short terminal cuts the last lines) and the orders last.
func (h homeModel) fullHelp(room int) string {
	s, g := h.c.styles, h.c.g
	keys := h.keymap(false, false, false)
	legend := func(soon, failed, sep string) string {
		return strings.Join([]string{s.Overdue.Render("!") + " " + legendOverdue, s.DueSoon.Render(g.Bullet) + " " + soon,
			s.No.Render(g.No) + " " + failed}, sep)
	}
	l := legend(legendDueSoon, legendRefreshErr, "   ")
	if text.Width(l) > h.w {
		l = legend("due in 7d", "failed", "  ")
	}
	sorts := "ctrl+s sorts: manual" + g.Sep + "due soonest" + g.Sep + "amount" + g.Sep + "label" + g.Sep + "last fetched"
	body := h.c.keysHelp(keys, max(1, room-3))
	// Every key is listed: on a short terminal the sort orders, the legend
	// and the version line give way to them, in that order (an empty
	// version line goes first).
	var top, bottom []string
	spare := room - len(splitLines(body))
	if v := h.c.versionLine(); spare > 0 && (v != "" || spare >= 3) {
		top, spare = append(top, v), spare-1
	}
	if spare > 0 {
		top, spare = append(top, g.Truncate(l, h.w)), spare-1
	}
	if spare > 0 {
		bottom = append(bottom, s.Subtle.Render(g.Truncate(sorts, h.w)))
	}
	return strings.Join(slices.Concat(top, []string{body}, bottom), "\n")
}
