package ui

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// dueSoonDays is how close a due date must be to be marked.
const dueSoonDays = 7

// row is one saved account or recent lookup as home shows it. Rows are
// never changed once built: an update builds a new one.
type row struct {
	acct   *store.Account // a saved row's account as read (what undo puts back), nil on Recent; never changed
	pos    int            // a saved row's index in the store's order
	req    client.Request
	label  string // a saved row's label; on Recent, the label of the vehicle if saved
	name   string // the consumer's name
	phone  string
	note   string
	op     string // the operator's configured name
	snap   *store.Snapshot
	at     time.Time // last used, or when looked up
	errMsg string    // a failed recent lookup
	amount string    // formatted
	value  float64   // the amount as a number, for sorting (0 when none)
	due    time.Time // zero when none or unreadable
	dueDay int       // text.Day of due
	dueTxt string    // the due date as shown when it does not parse
	fields [srcCount]searchField
	// outcome is the last refresh-all's answer for this row, if any.
	outcome *outcome
}

// outcome is what refresh-all did to one row.
type outcome struct {
	pending bool
	err     string // one-line failure, "" when it worked
	kind    string // the failure's class: timeout, network, ...
	// changed names the values that changed: "amount", "due".
	changed map[string]bool
}

// entry is a row in a list: the row and where the filter matched it.
type entry struct {
	*row
	hit *match // nil when unfiltered
}

// FilterValue implements list.Item; home filters the rows itself (the
// list's filter is off), so this is only the vehicle.
func (e entry) FilterValue() string { return e.req.CANumber }

// key identifies the row across rebuilds.
func (r *row) key() string {
	if r.acct != nil {
		return "a:" + r.acct.ID
	}
	return "r:" + r.req.CANumber + "@" + r.at.Format(time.RFC3339Nano)
}

// title is the label, else the consumer name, else the failure.
func (r *row) title(g text.Glyphs) string {
	switch {
	case r.label != "" && r.label != r.req.CANumber:
		return r.label
	case r.name != "":
		return r.name
	case r.errMsg != "":
		return g.No + " " + r.errMsg
	}
	return g.Dash
}

// titleField is the search field the title shows.
func (r *row) titleField() int {
	if r.label != "" && r.label != r.req.CANumber {
		return srcLabel
	}
	return srcName
}

// secondName is the consumer's name when the title is a label.
func (r *row) secondName() string {
	if r.titleField() == srcLabel && r.name != r.label {
		return r.name
	}
	return ""
}

// rowBuilder builds rows with the program's glyphs and operator names.
type rowBuilder struct {
	c      *common
	labels map[string]string // vehicle -> saved label
	ops    map[int]string    // operator code -> name, as c.operatorName
}

// newRowBuilder is a builder whose operator names are looked up once.
func newRowBuilder(c *common, labels map[string]string) rowBuilder {
	b := rowBuilder{c: c, labels: labels, ops: map[int]string{}}
	if c.Config != nil {
		for _, o := range c.Config.Operators {
			b.ops[o.Code] = c.operatorName(o.Code)
		}
	}
	return b
}

// account builds into r the row of saved account a (not to be changed
// after) at position pos.
func (b rowBuilder) account(r *row, a *store.Account, pos int) *row {
	g := b.c.g
	*r = row{
		acct: a, pos: pos, label: g.Sanitize(a.Label), note: g.Sanitize(a.Note),
		req:  client.Request{Operator: a.Operator, CANumber: a.CANumber, RegistrationID: a.RegistrationID},
		snap: a.Last, at: a.LastUsedAt,
	}
	b.finish(r)
	return r
}

// lookup builds into r the row of recent lookup l.
func (b rowBuilder) lookup(r *row, l *store.Lookup) *row {
	g := b.c.g
	*r = row{
		req:  client.Request{Operator: l.Operator, CANumber: l.CANumber, RegistrationID: l.RegistrationID},
		snap: l.Snapshot, at: l.At, label: b.labels[l.CANumber],
	}
	if !l.OK {
		r.errMsg = g.Sanitize(l.ErrorKind + ": " + l.ErrorMessage)
		r.snap = nil
	}
	b.finish(r)
	return r
}

// finish fills what a row shows and searches from its snapshot.
func (b rowBuilder) finish(r *row) {
	g := b.c.g
	r.op = b.ops[r.req.Operator]
	if r.snap != nil {
		c := r.snap.Consumer
		r.name = g.Sanitize(c.ShownName())
		if c.Bill != nil {
			r.phone = g.Sanitize(c.Bill.CellNumber)
		}
		r.amount = g.Amount(c.ShownAmount())
		r.value, _ = strconv.ParseFloat(strings.TrimSpace(c.ShownAmount()), 64)
		if d := c.ShownDueDate(); d != "" {
			if t, ok := text.ParseDueDate(d); ok {
				r.due, r.dueDay = t, text.Day(t)
			} else {
				r.dueTxt = g.Sanitize(d)
			}
		}
	}
	r.fields = [srcCount]searchField{
		srcVehicle: newSearchField(r.req.CANumber, true),
		srcLabel:   newSearchField(r.label, false),
		srcName:    newSearchField(r.name, false),
		srcPhone:   newSearchField(r.phone, true),
		srcNote:    newSearchField(r.note, false),
	}
}

// withSnapshot is r after a refresh answered snap (nil when it failed),
// with the outcome o.
func (b rowBuilder) withSnapshot(r *row, snap *store.Snapshot, o *outcome) *row {
	n := *r
	n.outcome = o
	if snap != nil {
		n.snap = snap
		if n.acct != nil {
			a := *n.acct
			a.Last = snap
			n.acct = &a
		}
		b.finish(&n)
	}
	return &n
}

// daysLeft is the whole days from today (a text.Day) until the row's due
// date (negative when overdue); ok is false without a due date.
func (r *row) daysLeft(today int) (int, bool) {
	if r.due.IsZero() {
		return 0, false
	}
	return r.dueDay - today, true
}

// fetchedAt is when the row's values were fetched (or looked up).
func (r *row) fetchedAt() time.Time {
	if r.snap != nil {
		return r.snap.FetchedAt
	}
	return r.at
}

// parallelRows is the number of rows from which building them is split
// across CPUs.
const parallelRows = 1000

// inParallel calls fn for 0..n-1, split across CPUs when n is large; fn
// must only write its own index's result.
func inParallel(n int, fn func(i int)) {
	procs := runtime.GOMAXPROCS(0)
	if n < parallelRows || procs < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	size := (n + procs - 1) / procs
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += size {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < min(n, lo+size); i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
