package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

func TestHomeIsStartViewWithEntries(t *testing.T) {
	if m := newTestModel(testOptions(okFetcher("X"), testStore(t, store.Data{})), 80, 24); m.state != stateForm {
		t.Fatalf("empty store: state %v", m.state)
	}
	if m := newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(3, 0))), 80, 24); m.state != stateHome {
		t.Fatalf("store with entries: state %v", m.state)
	}
}

func TestQuickKeysOpenCachedThenRefresh(t *testing.T) {
	f := &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		return sampleResult(r, "CONSUMER 1 SHARMA", "999.00", "2021-09-25"), nil
	}}
	m := newTestModel(testOptions(f, testStore(t, seedData(5, 0))), 80, 24)
	m, cmd := press(m, "2")
	if m.state != stateResult || !m.result.cached || !m.result.refreshing {
		t.Fatalf("2: state %v cached %v", m.state, m.result.cached)
	}
	s := screen(m)
	mustContain(t, s, "CONSUMER 1 SHARMA", "₹107.50", "cached · 2h ago", "refreshing")
	m = run(m, cmd)
	if len(f.calls) != 1 || f.calls[0].CANumber != "DL01CB0001" {
		t.Fatalf("refresh calls %+v", f.calls)
	}
	if m.result.cached || m.result.changed["amount"] == "" || m.result.changed["due"] == "" {
		t.Fatalf("refresh not applied: %+v", m.result.changed)
	}
	mustContain(t, screen(m), "₹999.00", "was ₹107.50", "changed")
	// The refresh was recorded: the account's snapshot now has the new amount.
	m, cmd = press(m, "esc")
	m = run(m, cmd)
	if got := m.home.saved[1].snap.Consumer.Amount; got != "999.00" {
		t.Fatalf("snapshot amount %q", got)
	}
}

func TestRefreshFailureKeepsCard(t *testing.T) {
	f := errFetcher(&client.Error{Kind: client.KindTimeout, Message: "no answer within 30s"})
	m := newTestModel(testOptions(f, testStore(t, seedData(3, 0))), 80, 24)
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	if m.state != stateResult || !m.result.cached {
		t.Fatalf("state %v cached %v", m.state, m.result.cached)
	}
	mustContain(t, screen(m), "CONSUMER 0 SHARMA", "₹100.50", "refresh failed: no answer within 30s")
}

func TestHomeFilter(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(50, 0))), 80, 24)
	m, _ = press(m, "/")
	for _, r := range "note 42" {
		var cmd tea.Cmd
		m, cmd = m.update(keyMsg(string(r)))
		m = run(m, cmd)
	}
	m, _ = press(m, "enter")
	e, ok := m.home.selected()
	if !ok || e.req.CANumber != "DL42CB0042" {
		t.Fatalf("filter selected %+v", e)
	}
	m, _ = press(m, "esc")
	if m.home.lists[tabSaved].IsFiltered() || m.state != stateHome {
		t.Fatal("esc did not clear the filter")
	}
}

func TestHomeSaveEditDeleteMove(t *testing.T) {
	st := testStore(t, seedData(3, 2))
	m := newTestModel(testOptions(okFetcher("X"), st), 80, 24)
	// s on a recent row asks for a label, default the consumer name.
	m, _ = press(m, "tab", "s")
	if m.home.prompt != promptLabel || m.home.inputs[0].Value() != "RECENT 0" {
		t.Fatalf("prompt %d %q", m.home.prompt, m.home.inputs[0].Value())
	}
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	if len(st.Data().Accounts) != 4 || len(m.home.saved) != 4 {
		t.Fatalf("accounts %d", len(st.Data().Accounts))
	}
	// e edits label and note.
	m, _ = press(m, "tab", "e", "ctrl+u")
	m.home.inputs[0].SetValue("Depot van")
	m, _ = press(m, "tab")
	m = typeText(m, " extra")
	m, cmd = press(m, "enter")
	m = run(m, cmd)
	if a := st.Data().Accounts[0]; a.Label != "Depot van" || a.Note != "note 0 extra" {
		t.Fatalf("edited %+v", a)
	}
	// J moves it down, persisted.
	m, cmd = press(m, "J")
	m = run(m, cmd)
	if a := st.Data().Accounts[1]; a.ID != "acct-0" {
		t.Fatalf("moved: %+v", st.Data().Accounts)
	}
	if e, _ := m.home.selected(); e.id != "acct-0" {
		t.Fatalf("selection did not follow the move: %+v", e)
	}
	// d asks, n keeps, y deletes.
	m, _ = press(m, "d")
	mustContain(t, screen(m), "y/n")
	m, _ = press(m, "n")
	if len(st.Data().Accounts) != 4 {
		t.Fatal("n deleted")
	}
	m, _ = press(m, "d")
	m, cmd = press(m, "y")
	m = run(m, cmd)
	if len(st.Data().Accounts) != 3 || len(m.home.saved) != 3 {
		t.Fatalf("after delete %d", len(st.Data().Accounts))
	}
}

func TestResultSaveAndHistory(t *testing.T) {
	st := testStore(t, store.Data{})
	m := newTestModel(testOptions(okFetcher("NITESH KUMAR"), st), 80, 24)
	m = typeText(m, "DL12CB4685")
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	if r := st.Data().Recent; len(r) != 1 || !r[0].OK || r[0].CANumber != "DL12CB4685" {
		t.Fatalf("history %+v", r)
	}
	m, cmd = press(m, "s")
	m = run(m, cmd)
	a := st.Data().Accounts
	if len(a) != 1 || a[0].Label != "NITESH KUMAR" || a[0].Last == nil {
		t.Fatalf("saved %+v", a)
	}
	mustContain(t, screen(m), "saved")
	m, cmd = press(m, "esc")
	m = run(m, cmd)
	if m.state != stateHome || len(m.home.saved) != 1 {
		t.Fatalf("home after save: state %v saved %d", m.state, len(m.home.saved))
	}
}

func TestHomeSeesOtherSessionsChanges(t *testing.T) {
	st := testStore(t, seedData(1, 0))
	m := newTestModel(testOptions(okFetcher("X"), st), 80, 24)
	other, err := store.Open(st.Path(), store.Options{HistoryLimit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.SaveAccount(store.Account{Label: "From elsewhere", Operator: 311, CANumber: "KA01AB1234"}); err != nil {
		t.Fatal(err)
	}
	m, cmd := press(m, "n")
	m, cmd2 := press(m, "esc")
	m = run(m, tea.Batch(cmd, cmd2))
	mustContain(t, screen(m), "From elsewhere")
}

func TestStoreErrorBanner(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(2, 0))), 80, 24)
	m, _ = m.update(storeMsg{err: errors.New("lock timeout after 5s\x1b[2J")})
	s := screen(m)
	mustContain(t, s, "! store: lock timeout after 5s", "Fleet truck 0")
	if strings.Contains(s, "\x1b") {
		t.Fatal("escape in banner")
	}
}

func TestOpenVehicleUsesSavedAccount(t *testing.T) {
	d := seedData(2, 0)
	d.Accounts[1].Operator = 402
	d.Accounts[1].RegistrationID = "AOP-999"
	f := okFetcher("X")
	m := newTestModel(testOptions(f, testStore(t, d)), 80, 24)
	m, cmd := m.start("dl01 cb 0001")
	if m.state != stateResult || !m.result.cached {
		t.Fatalf("state %v", m.state)
	}
	run(m, cmd)
	if len(f.calls) != 1 || f.calls[0] != (client.Request{Operator: 402, CANumber: "DL01CB0001", RegistrationID: "AOP-999"}) {
		t.Fatalf("calls %+v", f.calls)
	}
}

func TestNilStore(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), nil), 80, 24)
	mustContain(t, screen(m), "store could not be opened")
	m = typeText(m, "DL12CB4685")
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	m, _ = press(m, "s")
	mustContain(t, screen(m), "cannot save")
	m, _ = press(m, "esc")
	if m.state != stateForm {
		t.Fatalf("esc without store: %v", m.state)
	}
}

func TestFormRemembersLastLookupUnlessFlagged(t *testing.T) {
	d := seedData(0, 1)
	d.Recent[0].Operator, d.Recent[0].RegistrationID = 402, "AOP-777"
	o := testOptions(okFetcher("X"), testStore(t, d))
	m := newTestModel(o, 80, 24)
	if got := m.form.request(); got.Operator != 402 || got.RegistrationID != "AOP-777" {
		t.Fatalf("not remembered: %+v", got)
	}
	o.Config.Sources = map[string]string{"operator": "flag"}
	m = newTestModel(o, 80, 24)
	if got := m.form.request(); got.Operator != 311 || got.RegistrationID != "AOP-777" {
		t.Fatalf("flag lost: %+v", got)
	}
}

// TestSaveRecentOfSavedVehicleKeepsLabel: s on a recent row of a vehicle
// that is already saved offers its saved label, not the consumer name,
// so enter does not overwrite the label.
func TestSaveRecentOfSavedVehicleKeepsLabel(t *testing.T) {
	d := seedData(2, 2)
	d.Recent[0].CANumber = d.Accounts[1].CANumber
	st := testStore(t, d)
	m := newTestModel(testOptions(okFetcher("X"), st), 80, 24)
	m, _ = press(m, "tab", "s")
	if got := m.home.inputs[0].Value(); got != "Fleet truck 1" {
		t.Fatalf("label prompt offers %q", got)
	}
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	if a := st.Data().Accounts[1]; a.Label != "Fleet truck 1" || len(st.Data().Accounts) != 2 {
		t.Fatalf("accounts after s, enter: %+v", st.Data().Accounts)
	}
}

// TestSelectionFollowsAccountOverQuickMoves: K pressed twice before the
// store answers moves the account twice and the cursor stays on it.
func TestSelectionFollowsAccountOverQuickMoves(t *testing.T) {
	st := testStore(t, seedData(5, 0))
	m := newTestModel(testOptions(okFetcher("X"), st), 80, 24)
	m, _ = press(m, "G")
	m, cmd1 := press(m, "K")
	m, cmd2 := press(m, "K")
	m = run(m, cmd1)
	m = run(m, cmd2)
	if got := st.Data().Accounts[2].ID; got != "acct-4" {
		t.Fatalf("after K K the third account is %s", got)
	}
	if e, _ := m.home.selected(); e.id != "acct-4" {
		t.Fatalf("cursor on %s, want the moved acct-4", e.id)
	}
}

// TestDeletePromptKeepsQuestion: a long label is cut, not the "y/n".
func TestDeletePromptKeepsQuestion(t *testing.T) {
	d := seedData(2, 0)
	d.Accounts[0].Label = strings.Repeat("Very long label ", 6)
	m := newTestModel(testOptions(okFetcher("X"), testStore(t, d)), 40, 12)
	m, _ = press(m, "d")
	lines := strings.Split(screen(m), "\n")
	if status := lines[len(lines)-2]; !strings.HasSuffix(status, "(DL00CB0000)? y/n") {
		t.Fatalf("delete prompt %q", status)
	}
}

// TestHomeShowsLongVehicleNumbersWhole: temporary and trade numbers (up to
// 20 characters) are the key an agent reads; they are never cut.
func TestHomeShowsLongVehicleNumbersWhole(t *testing.T) {
	d := seedData(2, 0)
	d.Accounts[0].CANumber = "KA01A1234TC0001"
	d.Accounts[1].CANumber = "T0324KA1234A"
	for _, sz := range [][2]int{{80, 24}, {40, 12}} {
		m := newTestModel(testOptions(okFetcher("X"), testStore(t, d)), sz[0], sz[1])
		mustContain(t, screen(m), "KA01A1234TC0001", "T0324KA1234A")
	}
}
