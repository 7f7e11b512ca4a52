package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/store"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	os.Exit(m.Run())
}

// testNow is the fixed clock of the tests: the doc's due date 2021-09-20 is
// due in 5 days.
var testNow = time.Date(2021, 9, 15, 10, 30, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// fakeFetcher answers with fn; it records the contexts it saw.
type fakeFetcher struct {
	fn    func(ctx context.Context, r client.Request) (*client.Result, error)
	mu    sync.Mutex
	calls []client.Request
}

func (f *fakeFetcher) Fetch(ctx context.Context, r client.Request) (*client.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, r)
	f.mu.Unlock()
	return f.fn(ctx, r)
}

// okFetcher answers every lookup with a result named name.
func okFetcher(name string) *fakeFetcher {
	return &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		return sampleResult(r, name, "1000.0", "2021-09-20"), nil
	}}
}

// errFetcher fails every lookup with err.
func errFetcher(err error) *fakeFetcher {
	return &fakeFetcher{fn: func(context.Context, client.Request) (*client.Result, error) { return nil, err }}
}

// sampleConsumer is the doc's example with the given name, amount and due date.
func sampleConsumer(name, amount, due string) client.Consumer {
	return client.Consumer{
		ResponseCode: 1, Status: true, Message: "Bill Fetched Success.",
		Name: name, Amount: amount, DueDate: due,
		Bill: &client.Bill{
			BillAmount: amount, BillNetAmount: amount, DueDate: due, MaxBillAmount: "1000",
			AcceptPayment: true, AcceptPartPay: false, CellNumber: "98XXXXXX10", UserName: name,
		},
	}
}

// sampleResult is a successful result for r.
func sampleResult(r client.Request, name, amount, due string) *client.Result {
	c := sampleConsumer(name, amount, due)
	raw, _ := json.Marshal(map[string]any{
		"response_code": 1, "status": true, "amount": amount, "name": name, "duedate": due,
		"message": "Bill Fetched Success.",
	})
	return &client.Result{
		Request: r, Consumer: c, HTTPStatus: 200, Raw: raw,
		FetchedAt: testNow.Add(-2 * time.Second), Latency: 182 * time.Millisecond,
	}
}

// testConfig has two named operators.
func testConfig() *config.Config {
	return &config.Config{
		Operator: 311, RegistrationID: "AOP-554", Timeout: 30 * time.Second, HistoryLimit: 200,
		Operators: []config.Operator{{Code: 311, Name: "FASTag Axis"}, {Code: 402, Name: "ICICI"}},
	}
}

// testStore opens a store in a temporary directory seeded with d.
func testStore(tb testing.TB, d store.Data) *store.Store {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "store.json")
	st, err := store.Open(p, store.Options{HistoryLimit: 200, Now: fixedNow})
	if err != nil {
		tb.Fatal(err)
	}
	if len(d.Accounts) > 0 || len(d.Recent) > 0 {
		if _, err := st.Update(func(x *store.Data) error {
			x.Accounts = append(x.Accounts, d.Accounts...)
			x.Recent = append(x.Recent, d.Recent...)
			return nil
		}); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

// seedData has n saved accounts and r recent lookups with snapshots.
func seedData(n, r int) store.Data {
	var d store.Data
	dues := []string{"2021-09-10", "2021-09-18", "2021-12-01"}
	for i := range n {
		v := fmt.Sprintf("DL%02dCB%04d", i%100, i)
		snap := &store.Snapshot{
			Consumer:  sampleConsumer(fmt.Sprintf("CONSUMER %d SHARMA", i), fmt.Sprintf("%d.50", 100+i*7), dues[i%len(dues)]),
			FetchedAt: testNow.Add(-time.Duration(i+1) * time.Hour),
		}
		d.Accounts = append(d.Accounts, store.Account{
			ID: fmt.Sprintf("acct-%d", i), Label: fmt.Sprintf("Fleet truck %d", i), Operator: 311,
			CANumber: v, RegistrationID: "AOP-554", Position: i, Note: fmt.Sprintf("note %d", i),
			CreatedAt: testNow.Add(-240 * time.Hour), Last: snap,
		})
	}
	for i := range r {
		v := fmt.Sprintf("MH%02dAB%04d", i%100, i)
		d.Recent = append(d.Recent, store.Lookup{
			Operator: 311, CANumber: v, RegistrationID: "AOP-554", At: testNow.Add(-time.Duration(i+1) * time.Minute), OK: true,
			Snapshot: &store.Snapshot{Consumer: sampleConsumer(fmt.Sprintf("RECENT %d", i), "250.0", "2021-10-01"), FetchedAt: testNow.Add(-time.Duration(i+1) * time.Minute)},
		})
	}
	return d
}

// testOptions are options with a fake fetcher, fixed clock and clipboard buffer.
func testOptions(f Fetcher, st *store.Store) Options {
	return Options{Fetcher: f, Config: testConfig(), Store: st, Now: fixedNow, Clipboard: &bytes.Buffer{}}
}

// newTestModel builds a sized root model.
func newTestModel(o Options, w, h int) model {
	return newTestModelIn(o, runEnv{}, w, h)
}

// newTestModelIn builds a sized root model running in env.
func newTestModelIn(o Options, env runEnv, w, h int) model {
	m := newModel(context.Background(), o, env)
	m, _ = m.update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// typeVehicle checks that m is on the form with the vehicle focused, types
// typed there and checks that the field then holds want.
func typeVehicle(t *testing.T, m model, typed, want string) model {
	t.Helper()
	if m.state != stateForm || m.form.focus != fieldVehicle {
		t.Fatalf("state %v focus %d, want the form with the vehicle focused", m.state, m.form.focus)
	}
	m = typeText(m, typed)
	if got := m.form.inputs[fieldVehicle].Value(); got != want {
		t.Fatalf("typed %q, the vehicle holds %q, want %q", typed, got, want)
	}
	return m
}

// press sends keys to m and returns the model and the last command.
func press(m model, keys ...string) (model, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keys {
		m, cmd = m.update(keyMsg(k))
	}
	return m, cmd
}

// keyMsg turns "enter", "ctrl+c", "alt+up", "alt+1", "a" into a tea.KeyMsg.
func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"ctrl+c": tea.KeyCtrlC, "ctrl+p": tea.KeyCtrlP, "ctrl+n": tea.KeyCtrlN, "up": tea.KeyUp,
		"down": tea.KeyDown, "backspace": tea.KeyBackspace, "ctrl+d": tea.KeyCtrlD, "ctrl+z": tea.KeyCtrlZ,
		"ctrl+e": tea.KeyCtrlE, "ctrl+s": tea.KeyCtrlS, "ctrl+r": tea.KeyCtrlR, "ctrl+u": tea.KeyCtrlU,
		"ctrl+a": tea.KeyCtrlA, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome,
		"end": tea.KeyEnd, "left": tea.KeyLeft, "right": tea.KeyRight, "space": tea.KeySpace,
	}
	alt := false
	if rest, ok := strings.CutPrefix(k, "alt+"); ok && rest != "" {
		alt, k = true, rest
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t, Alt: alt}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k), Alt: alt}
}

// typeText types s one rune at a time.
func typeText(m model, s string) model {
	for _, r := range s {
		m, _ = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

// lookUp types vehicle into m's focused input, presses enter and runs
// the lookup to its answer.
func lookUp(m model, vehicle string) model {
	m = typeText(m, vehicle)
	m, cmd := press(m, "enter")
	return run(m, cmd)
}

// run executes cmd and feeds every message it produces back into m,
// skipping timers (spinner ticks) and batches' nil commands.
func run(m model, cmd tea.Cmd) model {
	for _, msg := range collect(cmd) {
		var next tea.Cmd
		m, next = m.update(msg)
		m = run(m, next)
	}
	return m
}

// commandWait bounds how long collect waits for one command.
const commandWait = 3 * time.Second

// collect runs cmd (and batches) and returns the messages that arrive
// within commandWait; spinner ticks are dropped so their chain ends. A
// command still blocked after commandWait (a fetch that waits for its
// context) yields nothing. The wait is long so a store write (fsync) on a
// busy machine is never mistaken for a blocked command.
func collect(cmd tea.Cmd) []tea.Msg { return gather(cmd, commandWait) }

// collectAll is collect without a time limit: it runs cmd and its batches
// in the calling goroutine until each has answered (benchmarks, and a test
// that waits on a command in a goroutine of its own).
func collectAll(cmd tea.Cmd) []tea.Msg { return gather(cmd, 0) }

// gather runs cmd and its batches, each for up to wait (without a limit
// when wait is 0), and returns their messages but spinner ticks.
func gather(cmd tea.Cmd, wait time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	var msg tea.Msg
	if wait == 0 {
		msg = cmd()
	} else {
		done := make(chan tea.Msg, 1)
		go func() { done <- cmd() }()
		select {
		case msg = <-done:
		case <-time.After(wait):
			return nil
		}
	}
	if _, tick := msg.(spinner.TickMsg); tick {
		return nil
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, gather(c, wait)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// screen renders m.
func screen(m model) string { return m.View() }

// mustContain fails when s lacks any of subs.
func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("screen lacks %q:\n%s", sub, s)
		}
	}
}
