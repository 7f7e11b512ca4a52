package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/batch"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Refresher runs the lookups of refresh-all: every request, at the
// concurrency and rate it was configured with, calling report once for
// each lookup made (from any goroutine, in the order they finish), and
// returns when all are done or ctx is done. Lookups never started because
// ctx ended are not reported.
type Refresher func(ctx context.Context, reqs []client.Request, report func(i int, res *client.Result, err error))

// Refresh-all's pacing of store writes: its answers are recorded together
// once this many arrived or this long after the last write, and at the end.
const (
	recordEvery = 50
	recordAfter = 2 * time.Second
)

// maxAnswersPerMsg bounds how many answers one message carries.
const maxAnswersPerMsg = 256

// answer is one lookup of refresh-all.
type answer struct {
	i   int
	res *client.Result
	err error
}

// refreshMsg carries the answers that arrived since the last one; closed:
// the run is over.
type refreshMsg struct {
	id      int
	answers []answer
	closed  bool
}

// refreshRun is a refresh-all in progress (or just over).
type refreshRun struct {
	id        int
	reqs      []client.Request
	ch        chan answer
	cancel    context.CancelFunc
	done      int
	failed    []failure // in saved order
	changed   int
	stopped   bool
	closed    bool // the run is over
	authErr   string
	unwritten []store.Lookup
	lastWrite time.Time
	bar       progress.Model
}

// failure is one failed lookup of a run: its place in the run's requests
// and "DL01AB1234 (timeout)".
type failure struct {
	i    int
	text string
}

// startRefresh looks up every saved account again.
func (h homeModel) startRefresh() (homeModel, tea.Cmd, nav) {
	if h.c.Fetcher == nil && h.c.Refresher == nil {
		return h, nil, nil
	}
	h.runs++
	rows := h.rows[tabSaved]
	reqs := make([]client.Request, len(rows))
	h.outcomes = make(map[string]*outcome, len(rows))
	h.fresh = make(map[string]*store.Snapshot, len(rows))
	for i, r := range rows {
		reqs[i] = h.c.withDefaults(r.req)
		h.outcomes[r.req.CANumber] = &outcome{pending: true}
	}
	ctx, cancel := context.WithCancel(h.c.ctx)
	run := &refreshRun{id: h.runs, reqs: reqs, ch: make(chan answer, len(reqs)), cancel: cancel,
		lastWrite: h.c.Now(), bar: progress.New(progress.WithoutPercentage(), progress.WithSolidFill(h.c.styles.Progress),
			progress.WithFillCharacters(h.c.g.Bar, h.c.g.Track))}
	h.run = run
	h.reapply(nil)
	refresher := h.c.Refresher
	if refresher == nil {
		refresher = engineRefresher(h.c.Fetcher, h.c.Concurrency, h.c.Rate)
	}
	start := func() tea.Msg {
		go func() {
			defer close(run.ch)
			refresher(ctx, reqs, func(i int, res *client.Result, err error) {
				run.ch <- answer{i: i, res: res, err: err}
			})
		}()
		return listen(run)()
	}
	return h, start, nil
}

// listen waits for the next answers of run.
func listen(run *refreshRun) tea.Cmd {
	id, ch := run.id, run.ch
	return func() tea.Msg {
		msg := refreshMsg{id: id}
		a, ok := <-ch
		for ok {
			msg.answers = append(msg.answers, a)
			if len(msg.answers) == maxAnswersPerMsg {
				return msg
			}
			select {
			case a, ok = <-ch:
			default:
				return msg
			}
		}
		msg.closed = true
		return msg
	}
}

// stopRefresh stops refresh-all: nothing new is sent; lookups in flight
// are cancelled and not counted.
func (h *homeModel) stopRefresh() {
	if h.run == nil || h.run.closed {
		return
	}
	h.run.stopped = true
	h.run.cancel()
}

// refreshed applies refresh-all's answers to the rows as they arrive and
// records them in the store in batches.
func (h homeModel) refreshed(msg refreshMsg) (homeModel, tea.Cmd) {
	run := h.run
	if run == nil || msg.id != run.id {
		return h, nil
	}
	now := h.c.Now()
	touched := make(map[string]bool, len(msg.answers))
	for _, a := range msg.answers {
		h.apply(run, a, now)
		touched[run.reqs[a.i].CANumber] = true
	}
	var cmds []tea.Cmd
	if msg.closed {
		run.closed = true
		run.cancel()
		h.status, h.bad = run.summary(h.c.g), len(run.failed) > 0 || run.authErr != ""
		for v, o := range h.outcomes {
			if o.pending {
				delete(h.outcomes, v) // never looked up: stopped
				touched[v] = true
			}
		}
	} else {
		cmds = append(cmds, listen(run))
	}
	if len(run.unwritten) > 0 && (msg.closed || len(run.unwritten) >= recordEvery || now.Sub(run.lastWrite) >= recordAfter) {
		cmds = append(cmds, recordCmd(h.c.Store, run.unwritten...))
		run.unwritten, run.lastWrite = nil, now
	}
	h.reapply(touched)
	return h, tea.Batch(cmds...)
}

// apply takes one answer: the row's outcome, its new snapshot, the
// lookup to record.
func (h *homeModel) apply(run *refreshRun, a answer, now time.Time) {
	req := run.reqs[a.i]
	ce, isCE := errors.AsType[*client.Error](a.err)
	if isCE && ce.Kind == client.KindCancelled {
		return // stopped, not failed
	}
	run.done++
	run.unwritten = append(run.unwritten, store.NewLookup(req, a.res, a.err, now))
	o := &outcome{}
	h.outcomes[req.CANumber] = o
	if a.err != nil || a.res == nil {
		if a.err == nil {
			a.err = errors.New("no answer")
		}
		kind, _ := store.FailureOf(a.err)
		o.kind, o.err = kind, oneLineError(a.err)
		// In saved order, as batch lists them, not in the order answers come.
		at, _ := slices.BinarySearchFunc(run.failed, a.i, func(f failure, i int) int { return cmp.Compare(f.i, i) })
		run.failed = slices.Insert(run.failed, at, failure{i: a.i, text: fmt.Sprintf("%s (%s)", req.CANumber, kind)})
		if isCE && ce.Kind == client.KindAuth && run.authErr == "" {
			run.authErr = oneLineError(a.err)
			run.cancel()
		}
		return
	}
	snap := &store.Snapshot{Consumer: a.res.Consumer, FetchedAt: a.res.FetchedAt}
	h.fresh[req.CANumber] = snap
	if r := h.savedRow(req.CANumber); r != nil && r.snap != nil {
		o.changed = changedValues(r.snap.Consumer, snap.Consumer)
		if len(o.changed) > 0 {
			run.changed++
		}
	}
}

// changedValues names the shown values that differ: "amount", "due".
func changedValues(old, cur client.Consumer) map[string]bool {
	ch := map[string]bool{}
	if old.ShownAmount() != cur.ShownAmount() {
		ch["amount"] = true
	}
	if old.ShownDueDate() != cur.ShownDueDate() {
		ch["due"] = true
	}
	if len(ch) == 0 {
		return nil
	}
	return ch
}

// reapply rebuilds the saved rows of the vehicles in touched (nil:
// every row) with their outcomes and fresh snapshots, keeping the filter
// and the cursor.
func (h *homeModel) reapply(touched map[string]bool) {
	b := newRowBuilder(h.c, nil)
	rows := h.rows[tabSaved]
	next := make([]*row, len(rows))
	for i, r := range rows {
		next[i] = r
		if touched == nil || touched[r.req.CANumber] {
			base := *r
			base.outcome = nil
			next[i] = h.overlay(b, &base)
		}
	}
	prev := [2]string{h.selectedKey(tabSaved), h.selectedKey(tabRecent)}
	sortRows(next, h.sort)
	h.rows[tabSaved] = next
	h.nat[tabSaved] = measure(next, h.c.g) // a new amount may be wider
	h.layout()
	h.refilter(prev)
}

// progressView is "Refreshing 120/1000 · 3 failed" and a bar, in room cells.
func (r *refreshRun) progressView(c *common, room int) string {
	g, s := c.g, c.styles
	total := len(r.reqs)
	label := fmt.Sprintf("Refreshing %d/%d", r.done, total)
	if n := len(r.failed); n > 0 {
		label += g.Sep + fmt.Sprintf("%d failed", n)
	}
	if r.stopped {
		label = fmt.Sprintf("Stopping at %d/%d", r.done, total)
	}
	if text.Width(label) > room {
		label = fmt.Sprintf("%d/%d", r.done, total)
	}
	if w := room - text.Width(label) - 1; w >= 6 {
		bar := r.bar
		bar.Width = min(w, 30)
		return bar.ViewAs(float64(r.done)/float64(max(1, total))) + " " + s.Warning.Render(label)
	}
	return s.Warning.Render(g.Truncate(label, room))
}

// summary is the status line after a run.
func (r *refreshRun) summary(g text.Glyphs) string {
	ok := r.done - len(r.failed)
	parts := []string{fmt.Sprintf("Refreshed %d of %d", ok, len(r.reqs))}
	switch {
	case r.authErr != "":
		parts[0] = "Refresh stopped: " + r.authErr
	case r.stopped:
		parts[0] = fmt.Sprintf("Stopped: %d of %d refreshed", ok, len(r.reqs))
	}
	if r.changed == 0 {
		parts = append(parts, "no changes")
	} else {
		parts = append(parts, fmt.Sprintf("%d changed", r.changed))
	}
	if n := len(r.failed); n > 0 {
		var shown []string
		for _, f := range r.failed[:min(n, 3)] {
			shown = append(shown, f.text)
		}
		more := ""
		if n > 3 {
			more = fmt.Sprintf(" and %d more", n-3)
		}
		parts = append(parts, fmt.Sprintf("%d failed: %s%s", n, strings.Join(shown, ", "), more))
	}
	return strings.Join(parts, g.Sep)
}

// engineRefresher is the Refresher used when Options.Refresher is nil: the
// batch engine behind `aopfetch batch`, at most concurrency lookups in
// flight (0: the default) and rate started per second (0: no limit).
func engineRefresher(f Fetcher, concurrency int, rate float64) Refresher {
	if concurrency <= 0 {
		concurrency = client.DefaultConcurrency
	}
	o := batch.Options{Concurrency: min(concurrency, client.MaxConcurrency), Rate: max(rate, 0)}
	return func(ctx context.Context, reqs []client.Request, report func(int, *client.Result, error)) {
		batch.Run(ctx, f, reqs, o, func(r batch.Result) error {
			report(r.Job, r.Res, r.Err)
			return nil
		})
	}
}
