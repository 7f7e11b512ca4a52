package ui

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

func TestCtrlCQuitsEverywhere(t *testing.T) {
	block := &fakeFetcher{fn: func(ctx context.Context, _ client.Request) (*client.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	o := testOptions(block, testStore(t, seedData(3, 1)))
	for _, st := range []state{stateForm, stateLoading, stateResult, stateError, stateHome} {
		m := newTestModel(o, 80, 24)
		m.state = st
		if _, cmd := press(m, "ctrl+c"); !isQuit(cmd) {
			t.Errorf("ctrl+c in state %v did not quit", st)
		}
	}
}

func isQuit(cmd tea.Cmd) bool {
	for _, msg := range collect(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
}

func TestCancelAbortsRequest(t *testing.T) {
	seen := make(chan error, 1)
	block := &fakeFetcher{fn: func(ctx context.Context, _ client.Request) (*client.Result, error) {
		<-ctx.Done()
		seen <- ctx.Err()
		return nil, &client.Error{Kind: client.KindCancelled, Message: "cancelled", Err: ctx.Err()}
	}}
	m := newTestModel(testOptions(block, nil), 80, 24)
	m = typeText(m, "DL12CB4685")
	m, cmd := press(m, "enter")
	if m.state != stateLoading {
		t.Fatalf("state %v", m.state)
	}
	answers := make(chan []tea.Msg, 1)
	go func() { answers <- collectAll(cmd) }()
	m, _ = press(m, "esc")
	if m.state != stateForm || m.form.status != "cancelled" {
		t.Fatalf("after esc: state %v status %q", m.state, m.form.status)
	}
	if got := m.form.inputs[fieldVehicle].Value(); got != "DL12CB4685" {
		t.Fatalf("inputs lost: %q", got)
	}
	mustContain(t, screen(m), "cancelled", "DL12CB4685")
	select {
	case err := <-seen:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("request context: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request was not aborted")
	}
	// The late answer is stale and dropped.
	for _, msg := range <-answers {
		m, _ = m.update(msg)
	}
	if m.state != stateForm {
		t.Fatalf("stale answer changed the view to %v", m.state)
	}
}

func TestStaleAnswerDropped(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), nil), 80, 24)
	m = typeText(m, "DL12CB4685")
	m, _ = press(m, "enter")
	first := m.fg.id
	m, _ = press(m, "esc")
	m, _ = press(m, "enter")
	second := m.fg.id
	if first == second {
		t.Fatal("request ids not distinct")
	}
	req := m.loading.req
	m, _ = m.update(fetchDoneMsg{id: first, req: req, res: sampleResult(req, "OLD ANSWER", "1.0", "2021-09-20")})
	if m.state != stateLoading {
		t.Fatalf("stale answer shown: state %v", m.state)
	}
	m, _ = m.update(fetchDoneMsg{id: second, req: req, res: sampleResult(req, "NEW ANSWER", "1.0", "2021-09-20")})
	if m.state != stateResult {
		t.Fatalf("state %v", m.state)
	}
	s := screen(m)
	mustContain(t, s, "NEW ANSWER")
	if strings.Contains(s, "OLD ANSWER") {
		t.Fatal("stale answer on screen")
	}
}

func TestNoTickingWithoutSpinner(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), nil), 80, 24)
	m = typeText(m, "DL12CB4685")
	m, cmd := press(m, "enter")
	tick := m.loading.spin.Tick()
	m = run(m, cmd)
	if m.state != stateResult {
		t.Fatalf("state %v", m.state)
	}
	if _, next := m.update(tick); next != nil {
		t.Fatal("a spinner tick after loading scheduled another tick")
	}
}

func TestErrorViewKeys(t *testing.T) {
	f := errFetcher(&client.Error{Kind: client.KindNetwork, Message: "connection refused"})
	m := newTestModel(testOptions(f, nil), 80, 24)
	m = lookUp(m, "DL12CB4685")
	if m.state != stateError {
		t.Fatalf("state %v", m.state)
	}
	mustContain(t, screen(m), "HTTPS_PROXY", "connection refused")
	m2, cmd := press(m, "r")
	if m2.state != stateLoading {
		t.Fatalf("r: state %v", m2.state)
	}
	m2 = run(m2, cmd)
	if len(f.calls) != 2 {
		t.Fatalf("retry calls %d", len(f.calls))
	}
	m3, _ := press(m, "e")
	if m3.state != stateForm || m3.form.inputs[fieldVehicle].Value() != "DL12CB4685" {
		t.Fatalf("e: state %v", m3.state)
	}
	// q goes back, as in less, and never quits.
	if m4, cmd := press(m, "q"); m4.state != stateHome || isQuit(cmd) {
		t.Fatalf("q: state %v", m4.state)
	}
	// The proxy advice is given once.
	if n := strings.Count(screen(m), "HTTPS_PROXY"); n != 1 {
		t.Fatalf("proxy advice %d times:\n%s", n, screen(m))
	}
}

// summaryBase64 is the summary of NITESH KUMAR's card for DL12CB4685, as
// OSC 52 carries it to the clipboard.
var summaryBase64 = base64.StdEncoding.EncodeToString([]byte("NITESH KUMAR · DL12CB4685 · ₹1,000.00 · due 20 Sep 2021"))

// summaryCopied looks up DL12CB4685 (answered for NITESH KUMAR) in an
// 80x24 model running in env, copies the card's summary with c and returns
// the model and what was written for the clipboard.
func summaryCopied(t *testing.T, env runEnv) (model, *bytes.Buffer) {
	t.Helper()
	clip := &bytes.Buffer{}
	o := testOptions(okFetcher("NITESH KUMAR"), nil)
	o.Clipboard = clip
	m := newTestModelIn(o, env, 80, 24)
	m = lookUp(m, "DL12CB4685")
	m, cmd := press(m, "c")
	m = run(m, cmd)
	mustContain(t, screen(m), "copied summary")
	return m, clip
}

func TestResultKeys(t *testing.T) {
	m, clip := summaryCopied(t, runEnv{})
	if !strings.Contains(clip.String(), "\x1b]52;c;"+summaryBase64) {
		t.Fatalf("clipboard got %q", clip.String())
	}
	m, _ = press(m, "J")
	mustContain(t, screen(m), `"response_code": 1`)
	m, _ = press(m, "esc")
	if m.state != stateResult || m.result.showJSON {
		t.Fatal("esc did not close the JSON view")
	}
	m, _ = press(m, "?")
	mustContain(t, screen(m), "copy JSON")
	m, _ = press(m, "?")
	m2, _ := press(m, "n")
	if m2.state != stateForm || m2.form.inputs[fieldVehicle].Value() != "" || m2.form.inputs[fieldRegistration].Value() != "AOP-554" {
		t.Fatalf("n: state %v", m2.state)
	}
	// r refreshes in place: the card stays.
	m3, cmd := press(m, "r")
	if m3.state != stateResult || !m3.result.refreshing {
		t.Fatalf("r: state %v", m3.state)
	}
	m3 = run(m3, cmd)
	mustContain(t, screen(m3), "refreshed · no changes")
	if m4, cmd := press(m, "q"); isQuit(cmd) || m4.state != stateHome {
		t.Fatalf("q: quit %v state %v, want back home", isQuit(cmd), m4.state)
	}
}

// TestResultRetryKeepsTheCard: r on a cached card whose refresh failed
// tries again in place; a failure goes to the status line, the card stays.
func TestResultRetryKeepsTheCard(t *testing.T) {
	fail := true
	f := &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		if fail {
			return nil, &client.Error{Kind: client.KindTimeout, Message: "no answer within 30s"}
		}
		return sampleResult(r, "CONSUMER 0 SHARMA", "555.00", "2021-09-20"), nil
	}}
	m := newTestModel(testOptions(f, testStore(t, seedData(2, 0))), 80, 24)
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	mustContain(t, screen(m), "CONSUMER 0 SHARMA", "₹100.50", "refresh failed: no answer within 30s")
	m, cmd = press(m, "r")
	if m.state != stateResult || !m.result.refreshing {
		t.Fatalf("r: state %v", m.state)
	}
	m = run(m, cmd)
	mustContain(t, screen(m), "refresh failed", "₹100.50")
	fail = false
	m, cmd = press(m, "r")
	m = run(m, cmd)
	mustContain(t, screen(m), "₹555.00", "was ₹100.50")
	if len(f.calls) != 3 {
		t.Fatalf("calls %d", len(f.calls))
	}
}

// TestResultSaveAsksForALabel: s prompts with the consumer's name; enter
// saves under what was typed, esc cancels; on a saved account s changes
// its label only.
func TestResultSaveAsksForALabel(t *testing.T) {
	st := testStore(t, store.Data{})
	m := newTestModel(testOptions(okFetcher("NITESH KUMAR"), st), 80, 24)
	m = lookUp(m, "DL12CB4685")
	m, _ = press(m, "s")
	if !m.result.prompting || m.result.prompt.Value() != "NITESH KUMAR" {
		t.Fatalf("s: prompting %v value %q", m.result.prompting, m.result.prompt.Value())
	}
	mustContain(t, screen(m), "Save as: NITESH KUMAR", "enter save", "esc cancel")
	m, _ = press(m, "esc")
	if m.result.prompting || len(st.Data().Accounts) != 0 || m.state != stateResult {
		t.Fatal("esc did not cancel")
	}
	m, _ = press(m, "s", "ctrl+u")
	m = typeText(m, "Depot van qy")
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	if a := st.Data().Accounts; len(a) != 1 || a[0].Label != "Depot van qy" || a[0].Last == nil {
		t.Fatalf("saved %+v", a)
	}
	if _, err := st.UpdateAccount("DL12CB4685", "Depot van qy", "keep this note"); err != nil {
		t.Fatal(err)
	}
	m, _ = press(m, "s")
	if m.result.prompt.Value() != "Depot van qy" {
		t.Fatalf("saved account prompt %q", m.result.prompt.Value())
	}
	m, _ = press(m, "ctrl+u")
	m = typeText(m, "Renamed")
	m, cmd = press(m, "enter")
	m = run(m, cmd)
	if a := st.Data().Accounts[0]; a.Label != "Renamed" || a.Note != "keep this note" {
		t.Fatalf("renamed %+v", a)
	}
	mustContain(t, screen(m), `saved "Renamed"`)
	m, cmd = press(m, "esc")
	m = run(m, cmd)
	if m.state != stateHome || len(m.home.rows[tabSaved]) != 1 {
		t.Fatalf("home after save: state %v", m.state)
	}
}

// TestResultSaveOfAnAccountDeletedElsewhere: s on the card of a saved
// account that another session deleted meanwhile saves it again under the
// label typed (the agent asked for it saved), with its result.
func TestResultSaveOfAnAccountDeletedElsewhere(t *testing.T) {
	st := testStore(t, store.Data{})
	m := newTestModel(testOptions(okFetcher("NITESH KUMAR"), st), 80, 24)
	m = lookUp(m, "DL12CB4685")
	m, _ = press(m, "s")
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	other, err := store.Open(st.Path(), store.Options{HistoryLimit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.RemoveAccount("DL12CB4685"); err != nil {
		t.Fatal(err)
	}
	m, _ = press(m, "s", "ctrl+u")
	m = typeText(m, "Back again")
	m, cmd = press(m, "enter")
	m = run(m, cmd)
	if a := st.Data().Accounts; len(a) != 1 || a[0].Label != "Back again" || a[0].Last == nil {
		t.Fatalf("saved %+v", a)
	}
	mustContain(t, screen(m), `saved "Back again"`)
}

func TestTooSmallAndResize(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(5, 5))), 80, 24)
	for _, sz := range [][2]int{{39, 12}, {40, 11}, {0, 0}, {1, 1}, {-5, -5}, {40, 12}, {200, 60}, {41, 13}} {
		m, _ = m.update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, st := range []state{stateForm, stateHome, stateResult, stateError, stateLoading} {
			m.state = st
			_ = screen(m)
		}
	}
	m, _ = m.update(tea.WindowSizeMsg{Width: 39, Height: 30})
	if got := screen(m); got != "terminal too small (need 40×12)" {
		t.Fatalf("too small: %q", got)
	}
}

// TestCoalescedKeys checks that keys arriving in one terminal read (one
// multi-rune KeyMsg) act one by one: "Jc" toggles the raw view and copies.
func TestCoalescedKeys(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), nil), 80, 24)
	m = lookUp(m, "DL12CB4685")
	if m.state != stateResult {
		t.Fatalf("state %v", m.state)
	}
	m, _ = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("Jc")})
	if !m.result.showJSON {
		t.Fatal("J in a coalesced read did not open the raw view")
	}
}

// TestCopyInsideTmux checks that c sends plain OSC 52, which tmux with
// set-clipboard on takes into its buffer, and also the passthrough-wrapped
// copy for the outer terminal when tmux allows passthrough.
func TestCopyInsideTmux(t *testing.T) {
	_, clip := summaryCopied(t, runEnv{tmux: true})
	plain := "\x1b]52;c;" + summaryBase64 + "\x07"
	wrapped := "\x1bPtmux;\x1b\x1b]52;c;" + summaryBase64 + "\x07\x1b\\"
	if got := clip.String(); got != plain+wrapped {
		t.Fatalf("clipboard got %q, want plain OSC 52 then the tmux-wrapped one", got)
	}
}

// TestEscCoalescedWithNextKey: esc and the next key read together arrive
// as one alt+key message (a fast typist over SSH); they act as esc, then
// the key, except where the view binds alt+key: a text input's word moves
// and home's alt+1 to alt+9.
func TestEscCoalescedWithNextKey(t *testing.T) {
	st := testStore(t, seedData(5, 0))
	m := newTestModel(testOptions(okFetcher("X"), st), 80, 24)
	m, _ = press(m, "ctrl+n")
	if m.state != stateForm {
		t.Fatalf("ctrl+n: state %v", m.state)
	}
	m, _ = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4"), Alt: true})
	if m.state != stateHome || m.home.input.Value() != "4" || m.home.rowNum != 4 {
		t.Fatalf("esc+4 from the form: state %v input %q", m.state, m.home.input.Value())
	}
	m, _ = press(m, "esc")
	m, cmd := m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4"), Alt: true})
	m = run(m, cmd)
	if m.state != stateResult || !strings.Contains(screen(m), "Fleet truck 3") {
		t.Fatalf("alt+4 on home: state %v", m.state)
	}
	m, _ = press(m, "J")
	mq, cmd := m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q"), Alt: true})
	if !m.result.showJSON || isQuit(cmd) || mq.state != stateHome {
		t.Fatalf("esc+q in the raw view: quit %v, state %v", isQuit(cmd), mq.state)
	}
	// alt+b still jumps a word back in a text input.
	m, _ = press(mq, "ctrl+n")
	m = typeText(m, "DL12 CB")
	m, _ = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("b"), Alt: true})
	if m.state != stateForm || m.form.inputs[fieldVehicle].Position() != 5 {
		t.Fatalf("alt+b in the form: state %v, cursor %d", m.state, m.form.inputs[fieldVehicle].Position())
	}
}
