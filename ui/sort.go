package ui

import (
	"cmp"
	"slices"
	"strings"
)

// sortMode orders the Saved list.
type sortMode int

// Sort modes, in the order ctrl+s cycles through them.
const (
	sortManual  sortMode = iota // the store's order, changed with alt+up/down
	sortDue                     // due soonest first: overdue first, no due date last
	sortAmount                  // largest amount first
	sortLabel                   // by label (or name), A to Z
	sortFetched                 // last fetched first
	sortModes
)

// String is the mode's name in the UI state file.
func (s sortMode) String() string {
	return [...]string{"manual", "due", "amount", "label", "fetched"}[s]
}

// describe is how the header names the order.
func (s sortMode) describe() string {
	return [...]string{"manual order", "due soonest", "largest amount", "label", "last fetched"}[s]
}

// parseSort reads a mode's name; unknown names are manual.
func parseSort(name string) sortMode {
	for m := range sortModes {
		if m.String() == name {
			return m
		}
	}
	return sortManual
}

// sortRows orders saved rows by mode (in place); ties keep the store's order.
func sortRows(rows []*row, mode sortMode) {
	byPos := func(a, b *row) int { return cmp.Compare(a.pos, b.pos) }
	var by func(a, b *row) int
	switch mode {
	case sortDue:
		by = func(a, b *row) int {
			return cmp.Or(lastIf(a.due.IsZero(), b.due.IsZero()), a.due.Compare(b.due))
		}
	case sortAmount:
		by = func(a, b *row) int {
			return cmp.Or(lastIf(a.amount == "", b.amount == ""), cmp.Compare(b.value, a.value))
		}
	case sortLabel:
		by = func(a, b *row) int {
			return strings.Compare(strings.ToLower(cmp.Or(a.label, a.name)), strings.ToLower(cmp.Or(b.label, b.name)))
		}
	case sortFetched:
		by = func(a, b *row) int {
			at, bt := a.fetchedAt(), b.fetchedAt()
			return cmp.Or(lastIf(at.IsZero(), bt.IsZero()), bt.Compare(at))
		}
	default:
		by = byPos
	}
	slices.SortStableFunc(rows, func(a, b *row) int { return cmp.Or(by(a, b), byPos(a, b)) })
}

// lastIf orders the row without a value (true) after the one with it.
func lastIf(aNone, bNone bool) int {
	switch {
	case aNone == bNone:
		return 0
	case aNone:
		return 1
	}
	return -1
}
