package ui

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/client"
)

// refreshFetcher answers DL01CB0001 with a new amount and due date, fails
// DL02CB0002 with a timeout and answers the others unchanged.
func refreshFetcher() *fakeFetcher {
	return &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		switch r.CANumber {
		case "DL01CB0001":
			return sampleResult(r, "CONSUMER 1 SHARMA", "999.00", "2021-09-25"), nil
		case "DL02CB0002":
			return nil, &client.Error{Kind: client.KindTimeout, Message: "no answer within 30s"}
		}
		var i int
		_, _ = fmtSscanf(r.CANumber, &i)
		res := sampleResult(r, "", "", "")
		res.Consumer = seedData(i+1, 0).Accounts[i].Last.Consumer
		return res, nil
	}}
}

// fmtSscanf reads the account number out of DLnnCBnnnn.
func fmtSscanf(v string, i *int) (int, error) {
	n := 0
	for _, c := range v[6:] {
		n = n*10 + int(c-'0')
	}
	*i = n
	return 1, nil
}

// TestRefreshAllUpdatesRows: ctrl+r looks up every saved account with its
// own operator; each row takes its answer, changed values are marked,
// failures are listed, the store records the answers.
func TestRefreshAllUpdatesRows(t *testing.T) {
	d := seedData(5, 0)
	d.Accounts[3].Operator = 402
	st := testStore(t, d)
	f := refreshFetcher()
	m := newTestModel(testOptions(f, st), 80, 24)
	m, cmd := press(m, "ctrl+r")
	if m.home.run == nil || m.home.keys.Refresh.Enabled() || !m.home.keys.Stop.Enabled() {
		t.Fatal("ctrl+r started no run")
	}
	mustContain(t, screen(m), "Refreshing 0/5", "esc stop")
	m = run(m, cmd)
	if len(f.calls) != 5 {
		t.Fatalf("%d lookups", len(f.calls))
	}
	for _, c := range f.calls {
		if want := 311; c.CANumber == "DL03CB0003" {
			want = 402
			if c.Operator != want {
				t.Errorf("DL03CB0003 looked up with operator %d", c.Operator)
			}
		} else if c.Operator != want || c.RegistrationID != "AOP-554" {
			t.Errorf("%s looked up as %+v", c.CANumber, c)
		}
	}
	r := m.home.savedRow("DL01CB0001")
	if r.outcome == nil || !r.outcome.changed["amount"] || !r.outcome.changed["due"] || r.amount != "₹999.00" {
		t.Fatalf("changed row %+v %+v", r.outcome, r.amount)
	}
	if r := m.home.savedRow("DL00CB0000"); r.outcome == nil || r.outcome.changed != nil || r.outcome.err != "" {
		t.Fatalf("unchanged row %+v", r.outcome)
	}
	if r := m.home.savedRow("DL02CB0002"); r.outcome == nil || r.outcome.kind != "timeout" || r.amount != "₹114.50" {
		t.Fatalf("failed row %+v", r.outcome)
	}
	s := screen(m)
	mustContain(t, s, "Refreshed 4 of 5 · 1 changed · 1 failed: DL02CB0002 (timeout)", "✗ timeout", "₹999.00")
	if a, _ := st.Data().Account("DL01CB0001"); a.Last.Consumer.Amount != "999.00" {
		t.Fatalf("store not updated: %+v", a.Last.Consumer)
	}
	if n := len(st.Data().Recent); n != 5 {
		t.Fatalf("history holds %d lookups, want 5", n)
	}
	// The marks last over a rebuild from the store (another session's change).
	m, _ = m.update(storeMsg{data: st.Data(), changed: true})
	if r := m.home.savedRow("DL01CB0001"); r.outcome == nil || !r.outcome.changed["amount"] {
		t.Fatal("the change mark was lost on a reload")
	}
	if !m.home.keys.Refresh.Enabled() {
		t.Fatal("refresh not enabled again after the run")
	}
}

// TestRefreshAllStopsOnEsc: esc stops the run; lookups cut off are not
// failures and nothing is recorded for them.
func TestRefreshAllStopsOnEsc(t *testing.T) {
	st := testStore(t, seedData(6, 0))
	started := make(chan struct{}, 10)
	f := &fakeFetcher{fn: func(ctx context.Context, _ client.Request) (*client.Result, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, &client.Error{Kind: client.KindCancelled, Message: "the lookup was cancelled"}
	}}
	m := newTestModel(testOptions(f, st), 80, 24)
	m, cmd := press(m, "ctrl+r")
	done := make(chan []tea.Msg, 1)
	go func() { done <- collect(cmd) }()
	<-started
	m, _ = press(m, "esc")
	if !m.home.run.stopped {
		t.Fatal("esc did not stop the run")
	}
	mustContain(t, screen(m), "Stopping at 0/6")
	for _, msg := range <-done {
		var next tea.Cmd
		m, next = m.update(msg)
		m = run(m, next)
	}
	if !m.home.run.closed || len(m.home.run.failed) != 0 {
		t.Fatalf("run over %v failed %v", m.home.run.closed, m.home.run.failed)
	}
	for _, r := range m.home.rows[tabSaved] {
		if r.outcome != nil {
			t.Fatalf("%s keeps outcome %+v", r.req.CANumber, r.outcome)
		}
	}
	mustContain(t, screen(m), "Stopped: 0 of 6 refreshed")
	if n := len(st.Data().Recent); n != 0 {
		t.Fatalf("%d cancelled lookups recorded", n)
	}
	// With text in the input esc clears it first.
	m, _ = press(m, "ctrl+r")
	m = typeText(m, "abc")
	m, _ = press(m, "esc")
	if m.home.run.stopped || m.home.input.Value() != "" {
		t.Fatalf("esc with text: stopped %v input %q", m.home.run.stopped, m.home.input.Value())
	}
	m.home.stopRefresh()
}

// TestRefreshAllStopsOnAuthFailure: a rejected signature stops the run.
func TestRefreshAllStopsOnAuthFailure(t *testing.T) {
	f := errFetcher(&client.Error{Kind: client.KindAuth, Message: "the provider rejected the request (HTTP 401)"})
	o := testOptions(f, testStore(t, seedData(40, 0)))
	o.Concurrency = 1
	m := newTestModel(o, 80, 24)
	m, cmd := press(m, "ctrl+r")
	m = run(m, cmd)
	if got := len(f.calls); got > 2 {
		t.Fatalf("%d lookups after an auth failure", got)
	}
	mustContain(t, screen(m), "Refresh stopped: the provider rejected the request")
}

// TestRefreshAllKeepsConcurrency: no more lookups in flight than
// configured, and the rate limit spaces their starts.
func TestRefreshAllKeepsConcurrency(t *testing.T) {
	var inFlight, most atomic.Int32
	var mu sync.Mutex
	var starts []time.Time
	f := &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		return sampleResult(r, "X", "1.00", "2021-10-01"), nil
	}}
	o := testOptions(f, testStore(t, seedData(12, 0)))
	o.Concurrency = 3
	m := newTestModel(o, 80, 24)
	m, cmd := press(m, "ctrl+r")
	m = run(m, cmd)
	if most.Load() != 3 || len(f.calls) != 12 {
		t.Fatalf("at most %d in flight (want 3), %d lookups", most.Load(), len(f.calls))
	}
	mustContain(t, screen(m), "Refreshed 12 of 12")

	o.Concurrency, o.Rate = 4, 50 // one start every 20 ms
	starts = nil
	m = newTestModel(o, 80, 24)
	m, cmd = press(m, "ctrl+r")
	run(m, cmd)
	if span := starts[len(starts)-1].Sub(starts[0]); span < 180*time.Millisecond {
		t.Fatalf("12 starts at 50/s took %v", span)
	}
}

// TestQuitRecordsRefreshAnswers: ctrl+c during a run writes the answers
// that came, then quits.
func TestQuitRecordsRefreshAnswers(t *testing.T) {
	st := testStore(t, seedData(3, 0))
	m := newTestModel(testOptions(refreshFetcher(), st), 80, 24)
	m, cmd := press(m, "ctrl+r")
	// One message with every answer, without the store write that the end
	// of the run would bring.
	var msg refreshMsg
	for _, x := range collect(cmd) {
		if rm, ok := x.(refreshMsg); ok {
			msg = rm
		}
	}
	msg.closed = false
	m, _ = m.update(msg)
	if n := len(st.Data().Recent); n != 0 {
		t.Fatalf("recorded before quitting: %d", n)
	}
	_, cmd = press(m, "ctrl+c")
	var quit bool
	for _, x := range collect(cmd) {
		for _, c := range sequenceOf(x) {
			if _, ok := c().(tea.QuitMsg); ok {
				quit = true
			}
		}
	}
	if n := len(st.Data().Recent); n != len(msg.answers) || !quit {
		t.Fatalf("after ctrl+c %d lookups recorded (want %d), quit %v", n, len(msg.answers), quit)
	}
}

// sequenceOf is the commands of tea.Sequence's message (an unexported
// slice of commands), or nil.
func sequenceOf(msg tea.Msg) []tea.Cmd {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil
	}
	out := make([]tea.Cmd, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return out
}

// TestRefreshAllThroughARefresher: refresh-all runs its lookups through
// Options.Refresher (the batch engine's place), taking answers in the
// order they come, whichever goroutine reports them.
func TestRefreshAllThroughARefresher(t *testing.T) {
	var got []client.Request
	r := Refresher(func(ctx context.Context, reqs []client.Request, report func(int, *client.Result, error)) {
		got = reqs
		var wg sync.WaitGroup
		for i := len(reqs) - 1; i >= 0; i-- { // last first
			wg.Add(1)
			go func() {
				defer wg.Done()
				report(i, sampleResult(reqs[i], "VIA REFRESHER", "42.00", "2021-09-30"), nil)
			}()
			wg.Wait()
		}
	})
	st := testStore(t, seedData(4, 0))
	o := testOptions(errFetcher(&client.Error{Kind: client.KindNetwork, Message: "not this one"}), st)
	o.Refresher = r
	m := newTestModel(o, 80, 24)
	m, cmd := press(m, "ctrl+r")
	m = run(m, cmd)
	if len(got) != 4 || got[0].CANumber != "DL00CB0000" {
		t.Fatalf("refresher got %+v", got)
	}
	for _, row := range m.home.rows[tabSaved] {
		if row.name != "VIA REFRESHER" || row.outcome == nil || !row.outcome.changed["amount"] {
			t.Fatalf("%s: %q %+v", row.req.CANumber, row.name, row.outcome)
		}
	}
	mustContain(t, screen(m), "Refreshed 4 of 4 · 4 changed")
}

// TestRefreshAllListsFailuresInSavedOrder: the failed accounts the status
// names are the first in the saved list, as in batch's summary, whatever
// order their answers came in.
func TestRefreshAllListsFailuresInSavedOrder(t *testing.T) {
	r := Refresher(func(ctx context.Context, reqs []client.Request, report func(int, *client.Result, error)) {
		for i := len(reqs) - 1; i >= 0; i-- { // last first
			report(i, nil, &client.Error{Kind: client.KindNetwork, Message: "connection refused"})
		}
	})
	st := testStore(t, seedData(5, 0))
	o := testOptions(okFetcher("X"), st)
	o.Refresher = r
	m := newTestModel(o, 200, 24)
	m, cmd := press(m, "ctrl+r")
	m = run(m, cmd)
	mustContain(t, screen(m), "5 failed: DL00CB0000 (network), DL01CB0001 (network), DL02CB0002 (network) and 2 more")
}
