package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/gofrs/flock"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/store"
)

// homeModel80 is a model on home at 80x24 over a store seeded with n
// saved accounts and r recent lookups.
func homeModel80(t *testing.T, n, r int) (model, *store.Store) {
	t.Helper()
	st := testStore(t, seedData(n, r))
	m := newTestModel(testOptions(okFetcher("X"), st), 80, 24)
	if m.state != stateHome {
		t.Fatalf("not on home: %v", m.state)
	}
	return m, st
}

// shown lists the vehicles of the visible list, in order.
func shown(m model) []string {
	var vs []string
	for _, it := range m.home.lists[m.home.tab].Items() {
		vs = append(vs, it.(entry).req.CANumber)
	}
	return vs
}

// selectedVehicle is the vehicle under the cursor, or "".
func selectedVehicle(m model) string {
	if e, ok := m.home.selected(); ok {
		return e.req.CANumber
	}
	return ""
}

func TestHomeIsStartViewWithEntries(t *testing.T) {
	if m := newTestModel(testOptions(okFetcher("X"), testStore(t, store.Data{})), 80, 24); m.state != stateForm {
		t.Fatalf("empty store: state %v", m.state)
	}
	if m := newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(3, 0))), 80, 24); m.state != stateHome {
		t.Fatalf("store with entries: state %v", m.state)
	}
}

// TestHomeTypingGoesIntoTheInput: every printable key, the letters and
// digits that were commands (d, y, J, K, q, n, s, e, 1-9) among them, is
// text for the input, and the list filters as it is typed.
func TestHomeTypingGoesIntoTheInput(t *testing.T) {
	m, st := homeModel80(t, 12, 2)
	before := st.Data()
	m = typeText(m, "dyJKqnse ")
	if got := m.home.input.Value(); got != "dyJKqnse " {
		t.Fatalf("input %q", got)
	}
	if m.state != stateHome || m.quitting || m.home.dialog || m.home.prompting {
		t.Fatalf("a typed key did something: state %v dialog %v prompt %v", m.state, m.home.dialog, m.home.prompting)
	}
	if len(st.Data().Accounts) != len(before.Accounts) {
		t.Fatal("typing changed the store")
	}
	m, _ = press(m, "esc")
	if m.home.input.Value() != "" || m.state != stateHome || len(shown(m)) != 12 {
		t.Fatalf("esc: input %q state %v rows %d", m.home.input.Value(), m.state, len(shown(m)))
	}
}

// TestHomeFilterMatchesWithinAField: letters spread over two fields never
// match, nor letters scattered mid-word; a match as typed ranks before one
// by the starts of words; the match is recorded for highlighting.
func TestHomeFilterMatchesWithinAField(t *testing.T) {
	d := seedData(4, 0)
	d.Accounts[0].Label, d.Accounts[0].Last.Consumer.Name = "Kavita", "IYER TRANSPORT" // v..e..r..m..a across fields
	d.Accounts[1].Label = "Sharmaverma Roadways"                                       // "verma" as typed, mid-word
	d.Accounts[2].Label = "Vijay Ermani"                                               // by the starts of words
	d.Accounts[3].Label = "Verma Bros"                                                 // at the start
	m := newTestModel(testOptions(okFetcher("X"), testStore(t, d)), 80, 24)
	m = typeText(m, "verma")
	got := shown(m)
	want := []string{d.Accounts[3].CANumber, d.Accounts[1].CANumber, d.Accounts[2].CANumber}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("verma shows %v, want %v", got, want)
	}
	e, _ := m.home.selected()
	if e.hit == nil || e.hit.field != srcLabel || len(e.hit.spans) != 1 || e.hit.spans[0] != (span{0, 5}) {
		t.Fatalf("hit %+v", e.hit)
	}
	// A vehicle number matches as typed, spaces and dashes ignored.
	m, _ = press(m, "esc")
	m = typeText(m, "dl01 cb-0001")
	if got := shown(m); len(got) != 1 || got[0] != "DL01CB0001" {
		t.Fatalf("plate shows %v", got)
	}
}

// TestHomeShowsWhatMatched: a hit on the consumer's name behind a label,
// or on the phone, is shown and highlighted even where its column is not.
func TestHomeShowsWhatMatched(t *testing.T) {
	d := seedData(2, 0)
	d.Accounts[1].Last.Consumer.Bill.CellNumber = "9876501234"
	for _, w := range []int{40, 80} {
		m := newTestModel(testOptions(okFetcher("X"), testStore(t, d)), w, 24)
		m = typeText(m, "consumer 1")
		mustContain(t, screen(m), "CONSUMER 1")
		m, _ = press(m, "esc")
		m = typeText(m, "76501")
		mustContain(t, screen(m), "76501")
	}
}

func TestHomeEnterOpensCachedThenRefreshes(t *testing.T) {
	f := &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		return sampleResult(r, "CONSUMER 1 SHARMA", "999.00", "2021-09-25"), nil
	}}
	m := newTestModel(testOptions(f, testStore(t, seedData(5, 0))), 80, 24)
	m, _ = press(m, "down")
	m, cmd := press(m, "enter")
	if m.state != stateResult || !m.result.cached || !m.result.refreshing {
		t.Fatalf("enter: state %v cached %v", m.state, m.result.cached)
	}
	mustContain(t, screen(m), "CONSUMER 1 SHARMA", "₹107.50", "cached · 2h ago", "refreshing")
	m = run(m, cmd)
	if len(f.calls) != 1 || f.calls[0].CANumber != "DL01CB0001" {
		t.Fatalf("refresh calls %+v", f.calls)
	}
	mustContain(t, screen(m), "₹999.00", "was ₹107.50", "changed")
	m, cmd = press(m, "q")
	m = run(m, cmd)
	if m.state != stateHome || m.home.savedRow("DL01CB0001").snap.Consumer.Amount != "999.00" {
		t.Fatalf("q: state %v", m.state)
	}
}

// TestHomeEnterLooksUpATypedVehicle: a plain vehicle number that matches
// no row is looked up with the default operator and registration ID.
func TestHomeEnterLooksUpATypedVehicle(t *testing.T) {
	f := okFetcher("NEW CONSUMER")
	st := testStore(t, seedData(3, 0))
	m := newTestModel(testOptions(f, st), 80, 24)
	m = typeText(m, "mh12ab3456")
	mustContain(t, screen(m), `No saved account matches "mh12ab3456"`, "enter looks up MH12AB3456 · operator 311")
	m, cmd := press(m, "enter")
	if m.state != stateLoading {
		t.Fatalf("enter: state %v", m.state)
	}
	m = run(m, cmd)
	want := client.Request{Operator: 311, CANumber: "MH12AB3456", RegistrationID: "AOP-554"}
	if m.state != stateResult || len(f.calls) != 1 || f.calls[0] != want {
		t.Fatalf("state %v calls %+v", m.state, f.calls)
	}
	// Back home the input still holds the vehicle; Recent has it now.
	m, cmd = press(m, "esc")
	m = run(m, cmd)
	if m.state != stateHome || m.home.input.Value() != "mh12ab3456" || len(m.home.lists[tabRecent].Items()) != 1 {
		t.Fatalf("back: state %v input %q", m.state, m.home.input.Value())
	}
	// Text that is no vehicle number does nothing on enter but say why.
	m, _ = press(m, "esc")
	m = typeText(m, "zz")
	m, cmd = press(m, "enter")
	if m.state != stateHome || cmd != nil || !m.home.bad || !strings.Contains(m.home.status, "ctrl+n") {
		t.Fatalf("enter on zz: state %v status %q", m.state, m.home.status)
	}
}

// TestHomeEnterWithoutOperatorAsksForIt: with no default operator the
// form opens on the operator, the vehicle kept.
func TestHomeEnterWithoutOperatorAsksForIt(t *testing.T) {
	o := testOptions(okFetcher("X"), testStore(t, seedData(2, 0)))
	o.Config.Operator = 0
	m := newTestModel(o, 80, 24)
	m = typeText(m, "MH12AB3456")
	m, _ = press(m, "enter")
	if m.state != stateForm || m.form.focus != fieldOperator || m.form.inputs[fieldVehicle].Value() != "MH12AB3456" {
		t.Fatalf("state %v focus %d", m.state, m.form.focus)
	}
}

// TestHomeOpensRowsByNumber: alt+N opens the Nth row shown; a number
// alone and enter opens that row, past nine too.
func TestHomeOpensRowsByNumber(t *testing.T) {
	m, _ := homeModel80(t, 30, 0)
	m2, _ := press(m, "alt+3")
	if m2.state != stateResult || m2.result.req.CANumber != "DL02CB0002" {
		t.Fatalf("alt+3: state %v vehicle %s", m2.state, m2.result.req.CANumber)
	}
	m2 = typeText(m, "12")
	if m2.home.rowNum != 12 || selectedVehicle(m2) != "DL11CB0011" || len(shown(m2)) != 30 {
		t.Fatalf("12: row %d selected %s", m2.home.rowNum, selectedVehicle(m2))
	}
	mustContain(t, screen(m2), "enter opens row 12")
	m2, _ = press(m2, "enter")
	if m2.state != stateResult || m2.result.req.CANumber != "DL11CB0011" {
		t.Fatalf("12 enter: %v %s", m2.state, m2.result.req.CANumber)
	}
	// alt+N counts the rows shown: filtered, the first match is row 1.
	m2 = typeText(m, "truck 2")
	m2, _ = press(m2, "alt+1")
	if m2.result.req.CANumber != "DL02CB0002" {
		t.Fatalf("filtered alt+1 opened %s", m2.result.req.CANumber)
	}
	// A number past the last row filters instead (a phone fragment).
	m2 = typeText(m, "99")
	if m2.home.rowNum != 0 {
		t.Fatalf("99 of 30 is row %d", m2.home.rowNum)
	}
	if m2, _ := press(m, "alt+9"); m2.state != stateResult {
		t.Fatal("alt+9 did not open row 9")
	}
}

// TestHomeRowNumberHintFollowsCursor: after "12" the cursor can still
// move; the hint then names the row enter opens, not the one typed.
func TestHomeRowNumberHintFollowsCursor(t *testing.T) {
	m, _ := homeModel80(t, 30, 0)
	m = typeText(m, "12")
	m, _ = press(m, "down")
	if selectedVehicle(m) != "DL12CB0012" {
		t.Fatalf("12 down: selected %s", selectedVehicle(m))
	}
	mustContain(t, screen(m), "enter opens row 13")
	m, _ = press(m, "enter")
	if m.state != stateResult || m.result.req.CANumber != "DL12CB0012" {
		t.Fatalf("12 down enter: %v %s", m.state, m.result.req.CANumber)
	}
}

// TestHomeRowNumbersOneAfterAnother: a row number is spent once enter
// opens its row, so working down the list is "2 enter q 3 enter": back on
// home the input is empty and the cursor on the row just opened.
func TestHomeRowNumbersOneAfterAnother(t *testing.T) {
	m, _ := homeModel80(t, 30, 0)
	for _, c := range []struct{ typed, want string }{{"2", "DL01CB0001"}, {"3", "DL02CB0002"}, {"12", "DL11CB0011"}} {
		var cmd tea.Cmd
		m, cmd = press(typeText(m, c.typed), "enter")
		m = run(m, cmd)
		if m.state != stateResult || m.result.req.CANumber != c.want {
			t.Fatalf("%s enter: %v %s, want %s", c.typed, m.state, m.result.req.CANumber, c.want)
		}
		m, cmd = press(m, "q")
		m = run(m, cmd)
		if m.state != stateHome || m.home.input.Value() != "" || selectedVehicle(m) != c.want {
			t.Fatalf("back after row %s: state %v, input %q, cursor on %s", c.typed, m.state, m.home.input.Value(), selectedVehicle(m))
		}
	}
}

func TestHomeMovementKeys(t *testing.T) {
	m, _ := homeModel80(t, 40, 0)
	per := m.home.lists[tabSaved].Paginator.PerPage
	steps := []struct {
		key  string
		want int
	}{{"down", 1}, {"down", 2}, {"up", 1}, {"pgdown", 1 + per}, {"pgup", 1}, {"end", 39}, {"home", 0}, {"up", 0}}
	for _, s := range steps {
		m, _ = press(m, s.key)
		if got := m.home.lists[tabSaved].Index(); got != s.want {
			t.Fatalf("%s: index %d, want %d", s.key, got, s.want)
		}
	}
}

func TestHomeTabSwitchesSavedAndRecent(t *testing.T) {
	m, _ := homeModel80(t, 3, 2)
	m, _ = press(m, "tab")
	if m.home.tab != tabRecent {
		t.Fatal("tab did not show Recent")
	}
	mustContain(t, screen(m), "[Recent (2)]", "RECENT 0")
	m, _ = press(m, "shift+tab")
	if m.home.tab != tabSaved {
		t.Fatal("shift+tab did not show Saved")
	}
}

// TestHomeRecentShowsSavedLabel: a recent lookup of a saved vehicle shows
// the saved label.
func TestHomeRecentShowsSavedLabel(t *testing.T) {
	d := seedData(2, 2)
	d.Recent[1].CANumber = d.Accounts[1].CANumber
	m := newTestModel(testOptions(okFetcher("X"), testStore(t, d)), 80, 24)
	m, _ = press(m, "tab")
	mustContain(t, screen(m), "Fleet truck 1", "RECENT 1")
}

func TestHomeHelpOpensAndCloses(t *testing.T) {
	m, _ := homeModel80(t, 3, 0)
	m, _ = press(m, "?")
	if !m.home.full || m.home.input.Value() != "" {
		t.Fatalf("?: full %v input %q", m.home.full, m.home.input.Value())
	}
	mustContain(t, screen(m), "overdue", "due within 7 days", "refresh failed", "ctrl+d", "ctrl+e", "alt+1-9")
	m, _ = press(m, "?")
	for _, k := range []string{"q", "esc", "?"} {
		m, _ = press(m, "?")
		m, _ = press(m, k)
		if m.home.full || m.state != stateHome || m.home.input.Value() != "" {
			t.Fatalf("%s did not close the help", k)
		}
	}
}

// TestHomeHelpListsEveryKeyAt40x12: ? lists every key that works, on the
// smallest terminal too: the sort orders, the legend and, when the keys
// need it, the version line give way to them. Also after a delete (ctrl+z)
// and with text typed (esc).
func TestHomeHelpListsEveryKeyAt40x12(t *testing.T) {
	st := testStore(t, seedData(3, 0))
	o := testOptions(okFetcher("X"), st)
	o.Version = "v1.2.3"
	m := newTestModel(o, 40, 12)
	lists := func(m model, also ...string) {
		t.Helper()
		for _, group := range m.home.keymap(false, false, false).FullHelp() {
			for _, b := range enabled(group) {
				mustContain(t, screen(m), b.Help().Key+" "+b.Help().Desc)
			}
		}
		mustContain(t, screen(m), also...)
	}
	m, _ = press(m, "?")
	lists(m, "ctrl+r refresh all", "aopfetch v1.2.3")
	m, _ = press(m, "esc", "ctrl+d")
	m, cmd := press(m, "y")
	m = run(m, cmd)
	m = typeText(m, "f")
	m, _ = press(m, "?")
	lists(m, "ctrl+r refresh all", "ctrl+z undo", "esc clear")
}

// TestHomeDeleteDialogOnlyYConfirms: ctrl+d names the account; any key
// but y keeps it (and is not typed); y deletes it.
func TestHomeDeleteDialogOnlyYConfirms(t *testing.T) {
	m, st := homeModel80(t, 3, 0)
	m, _ = press(m, "down", "ctrl+d")
	if !m.home.dialog {
		t.Fatal("ctrl+d opened no dialog")
	}
	mustContain(t, screen(m), "Delete this saved account?", "Fleet truck 1", "DL01CB0001", "y deletes it")
	for _, k := range []string{"n", "d", "esc", "enter", "q"} {
		m, _ = press(m, k)
		if m.home.dialog || len(st.Data().Accounts) != 3 || m.home.input.Value() != "" {
			t.Fatalf("%s: dialog %v accounts %d input %q", k, m.home.dialog, len(st.Data().Accounts), m.home.input.Value())
		}
		m, _ = press(m, "ctrl+d")
	}
	m, cmd := press(m, "y")
	m = run(m, cmd)
	if len(st.Data().Accounts) != 2 || len(shown(m)) != 2 {
		t.Fatalf("y: %d accounts", len(st.Data().Accounts))
	}
	mustContain(t, screen(m), `Deleted "Fleet truck 1" · ctrl+z undo`)
}

// TestHomeChangeOfAnAccountDeletedElsewhere: when another session deleted
// the account first, y and an edit say so by its label (not the store's
// id), and ctrl+z does not bring back what the other session deleted.
func TestHomeChangeOfAnAccountDeletedElsewhere(t *testing.T) {
	m, st := homeModel80(t, 3, 0)
	other, err := store.Open(st.Path(), store.Options{HistoryLimit: 200})
	if err != nil {
		t.Fatal(err)
	}
	m, _ = press(m, "down", "ctrl+d")
	if err := other.RemoveAccount("DL01CB0001"); err != nil {
		t.Fatal(err)
	}
	m, cmd := press(m, "y")
	m = run(m, cmd)
	mustContain(t, screen(m), `"Fleet truck 1" is no longer saved: another session deleted it`)
	if strings.Contains(screen(m), "acct-1") || m.home.keys.Undo.Enabled() {
		t.Fatalf("undo enabled %v after a delete made elsewhere:\n%s", m.home.keys.Undo.Enabled(), screen(m))
	}
	m, cmd = press(m, "ctrl+z")
	m = run(m, cmd)
	if m.home.savedRow("DL01CB0001") != nil || len(st.Data().Accounts) != 2 {
		t.Fatalf("ctrl+z brought back an account another session deleted: %d accounts", len(st.Data().Accounts))
	}
	// The label and note prompt, open while the account goes.
	m, _ = press(m, "ctrl+e")
	if err := other.RemoveAccount("DL02CB0002"); err != nil {
		t.Fatal(err)
	}
	m, cmd = press(m, "enter")
	m = run(m, cmd)
	mustContain(t, screen(m), `"Fleet truck 2" is no longer saved: another session deleted it`)
}

// TestHomeUndoPutsTheAccountBack: label, note, order and snapshot return.
func TestHomeUndoPutsTheAccountBack(t *testing.T) {
	m, st := homeModel80(t, 4, 0)
	before := st.Data().Accounts
	m, _ = press(m, "down", "down", "ctrl+d")
	m, cmd := press(m, "y")
	m = run(m, cmd)
	m, _ = press(m, "down", "ctrl+d")
	m, cmd = press(m, "y")
	m = run(m, cmd)
	if len(st.Data().Accounts) != 2 {
		t.Fatalf("accounts %d", len(st.Data().Accounts))
	}
	m, cmd = press(m, "ctrl+z")
	m = run(m, cmd)
	m, cmd = press(m, "ctrl+z")
	m = run(m, cmd)
	after := st.Data().Accounts
	if len(after) != 4 {
		t.Fatalf("after undo %d accounts", len(after))
	}
	for i := range before {
		a, b := before[i], after[i]
		if a.ID != b.ID || a.Label != b.Label || a.Note != b.Note || a.CANumber != b.CANumber ||
			a.Last == nil || b.Last == nil || a.Last.Consumer.Amount != b.Last.Consumer.Amount {
			t.Fatalf("account %d: before %+v after %+v", i, a, b)
		}
	}
	mustContain(t, screen(m), `Restored "Fleet truck 2"`)
	if selectedVehicle(m) != "DL02CB0002" {
		t.Fatalf("cursor on %s, want the restored account", selectedVehicle(m))
	}
	if m.home.keys.Undo.Enabled() {
		t.Fatal("undo still enabled with nothing to undo")
	}
}

func TestHomeEditLabelAndNote(t *testing.T) {
	m, st := homeModel80(t, 3, 2)
	m, _ = press(m, "ctrl+e")
	if !m.home.prompting || m.home.fields[0].Value() != "Fleet truck 0" || m.home.fields[1].Value() != "note 0" {
		t.Fatalf("prompt %v %q %q", m.home.prompting, m.home.fields[0].Value(), m.home.fields[1].Value())
	}
	m, _ = press(m, "ctrl+u")
	m = typeText(m, "Depot van")
	m, _ = press(m, "tab")
	m = lookUp(m, " extra")
	if a := st.Data().Accounts[0]; a.Label != "Depot van" || a.Note != "note 0 extra" {
		t.Fatalf("edited %+v", a)
	}
	// esc cancels, nothing saved.
	m, _ = press(m, "ctrl+e", "ctrl+u", "esc")
	if m.home.prompting || st.Data().Accounts[0].Label != "Depot van" {
		t.Fatal("esc did not cancel")
	}
	// On a recent lookup ctrl+e saves it under the label typed.
	m, _ = press(m, "tab", "ctrl+e")
	if m.home.fields[0].Value() != "RECENT 0" {
		t.Fatalf("recent prompt offers %q", m.home.fields[0].Value())
	}
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	if len(st.Data().Accounts) != 4 {
		t.Fatalf("recent not saved: %d accounts", len(st.Data().Accounts))
	}
}

// TestHomeSortCyclesAndIsRemembered: ctrl+s goes through the orders; the
// order is written to the UI state file (0600) and read at the next start.
func TestHomeSortCyclesAndIsRemembered(t *testing.T) {
	st := testStore(t, seedData(6, 0))
	o := testOptions(okFetcher("X"), st)
	o.StateDir = filepath.Join(t.TempDir(), "state")
	m := newTestModel(o, 80, 24)
	wantFirst := map[sortMode]string{
		sortDue:     "DL00CB0000", // 10 Sep, overdue, first in store order
		sortAmount:  "DL05CB0005", // the largest
		sortLabel:   "DL00CB0000",
		sortFetched: "DL00CB0000", // fetched 1h ago, the newest
		sortManual:  "DL00CB0000",
	}
	for _, mode := range []sortMode{sortDue, sortAmount, sortLabel, sortFetched, sortManual} {
		var cmd tea.Cmd
		m, cmd = press(m, "ctrl+s")
		m = run(m, cmd)
		if m.home.sort != mode || shown(m)[0] != wantFirst[mode] || m.home.lists[tabSaved].Index() != 0 {
			t.Fatalf("ctrl+s: mode %v first %s", m.home.sort, shown(m)[0])
		}
	}
	if got := shown(m); got[1] != "DL01CB0001" {
		t.Fatalf("manual order %v", got)
	}
	m, cmd := press(m, "ctrl+s")
	m = run(m, cmd)
	due := shown(m)
	if due[0] != "DL00CB0000" || due[1] != "DL03CB0003" || due[len(due)-1] != "DL05CB0005" {
		t.Fatalf("due order %v", due)
	}
	path := filepath.Join(o.StateDir, uiStateName)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file %v %v", fi, err)
	}
	if m2 := newTestModel(o, 80, 24); m2.home.sort != sortDue || shown(m2)[1] != "DL03CB0003" {
		t.Fatalf("sort not remembered: %v", m2.home.sort)
	}
	mustContain(t, screen(m), "by due soonest")
}

// TestHomeAltArrowsReorder: alt+up/down move the account in manual order,
// persisted, and the cursor follows; not while sorted or filtered.
func TestHomeAltArrowsReorder(t *testing.T) {
	m, st := homeModel80(t, 5, 0)
	m, _ = press(m, "end")
	m, cmd1 := press(m, "alt+up")
	m, cmd2 := press(m, "alt+up")
	m = run(m, cmd1)
	m = run(m, cmd2)
	if got := st.Data().Accounts[2].ID; got != "acct-4" {
		t.Fatalf("after alt+up twice the third account is %s", got)
	}
	if e, _ := m.home.selected(); e.acct.ID != "acct-4" {
		t.Fatalf("cursor on %s", e.acct.ID)
	}
	m, cmd := press(m, "alt+down")
	m = run(m, cmd)
	if got := st.Data().Accounts[3].ID; got != "acct-4" {
		t.Fatalf("alt+down: %s", got)
	}
	m = typeText(m, "truck")
	if m.home.keys.MoveUp.Enabled() {
		t.Fatal("reorder enabled while filtered")
	}
	if _, cmd := press(m, "alt+up"); cmd != nil {
		t.Fatal("alt+up acted while filtered")
	}
}

// TestEscNeverQuits: esc clears, closes or goes back, on every view.
func TestEscNeverQuits(t *testing.T) {
	m, _ := homeModel80(t, 3, 1)
	for _, st := range []state{stateHome, stateForm, stateResult, stateError} {
		m.state = st
		for range 3 {
			var cmd tea.Cmd
			m, cmd = press(m, "esc")
			if isQuit(cmd) || m.quitting {
				t.Fatalf("esc quit from %v", st)
			}
		}
		if m.state != stateHome {
			t.Fatalf("esc from %v went to %v", st, m.state)
		}
	}
	// The first screen of a first run too: esc goes to (empty) home.
	f := newTestModel(testOptions(okFetcher("X"), testStore(t, store.Data{})), 80, 24)
	f, cmd := press(f, "esc")
	if isQuit(cmd) || f.state != stateHome {
		t.Fatalf("esc on the first form: quit %v state %v", isQuit(cmd), f.state)
	}
	mustContain(t, screen(f), "Nothing saved yet")
}

// TestHomeFilterKeptAfterOpenAndReturn: the filtered list is there when
// the agent comes back from a card, after the refresh rebuilt the rows.
func TestHomeFilterKeptAfterOpenAndReturn(t *testing.T) {
	m, _ := homeModel80(t, 30, 0)
	m = typeText(m, "truck 2")
	want := shown(m)
	m, cmd := press(m, "down", "enter")
	m = run(m, cmd)
	m, cmd = press(m, "esc")
	m = run(m, cmd)
	if got := shown(m); m.home.input.Value() != "truck 2" || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("after return: input %q rows %v, want %v", m.home.input.Value(), got, want)
	}
	if selectedVehicle(m) != want[1] {
		t.Fatalf("cursor on %s, want %s", selectedVehicle(m), want[1])
	}
	mustContain(t, screen(m), "Fleet truck 2")
}

// TestHomeCursorAfterDeletingTheLastRow: the row before takes the cursor
// and enter opens it.
func TestHomeCursorAfterDeletingTheLastRow(t *testing.T) {
	m, _ := homeModel80(t, 3, 0)
	m, _ = press(m, "end", "ctrl+d")
	m, cmd := press(m, "y")
	m = run(m, cmd)
	if selectedVehicle(m) != "DL01CB0001" {
		t.Fatalf("cursor on %q", selectedVehicle(m))
	}
	if m, _ := press(m, "enter"); m.state != stateResult {
		t.Fatal("enter after deleting the last row did nothing")
	}
}

// TestHomeLiveReload: a save by another session appears on the next poll
// with no key pressed, the cursor on the same account; a poll that finds
// nothing changes nothing.
func TestHomeLiveReload(t *testing.T) {
	st := testStore(t, seedData(3, 0))
	o := testOptions(okFetcher("X"), st)
	o.Poll = time.Millisecond
	m := newTestModel(o, 80, 24)
	m, _ = press(m, "down")
	m, cmd := m.start("")
	if cmd == nil {
		t.Fatal("home started without watching the store")
	}
	frame := screen(m)
	m2, next := m.update(pollMsg{seq: m.pollSeq})
	for _, msg := range collect(next) {
		if sm, ok := msg.(storeMsg); ok {
			m2, _ = m2.update(sm)
		}
	}
	if screen(m2) != frame {
		t.Fatal("a poll that found nothing changed the frame")
	}
	other, err := store.Open(st.Path(), store.Options{HistoryLimit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.SaveAccount(store.Account{Label: "From elsewhere", Operator: 311, CANumber: "KA01AB1234"}); err != nil {
		t.Fatal(err)
	}
	m, next = m.update(pollMsg{seq: m.pollSeq})
	var sawPoll bool
	for _, msg := range collect(next) {
		switch msg := msg.(type) {
		case storeMsg:
			m, _ = m.update(msg)
		case pollMsg:
			sawPoll = true
		}
	}
	mustContain(t, screen(m), "From elsewhere", "Saved (4)")
	if selectedVehicle(m) != "DL01CB0001" || !sawPoll {
		t.Fatalf("cursor on %s, next poll %v", selectedVehicle(m), sawPoll)
	}
	// Off home the poll stops.
	m, _ = press(m, "enter")
	if _, cmd := m.update(pollMsg{seq: m.pollSeq}); cmd != nil {
		t.Fatal("polling on the card")
	}
}

// TestHomePollWritesAChangeLeftPending: a save that found the lock held
// stays in memory; the first poll after the lock is free writes it, and
// the status says so.
func TestHomePollWritesAChangeLeftPending(t *testing.T) {
	p := testStore(t, seedData(2, 0)).Path()
	st, err := store.Open(p, store.Options{HistoryLimit: 200, LockTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	held := flock.New(st.LockPath())
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatalf("TryLock: %v %v", ok, err)
	}
	o := testOptions(okFetcher("X"), st)
	o.Poll = time.Millisecond
	m := newTestModel(o, 80, 24)
	m, _ = m.start("")
	for _, msg := range collect(saveCmd(st, store.Account{Label: "Kept", Operator: 311, CANumber: "KA01AB1234"})) {
		m, _ = m.update(msg)
	}
	if st.Pending() == 0 {
		t.Fatal("the save was written with the lock held")
	}
	mustContain(t, screen(m), "not saved to disk")
	held.Unlock()
	m, next := m.update(pollMsg{seq: m.pollSeq})
	for _, msg := range collect(next) {
		if sm, ok := msg.(storeMsg); ok {
			m, _ = m.update(sm)
		}
	}
	mustContain(t, screen(m), "now saved to disk", "Kept")
	fresh, err := store.Open(p, store.Options{HistoryLimit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fresh.Data().Account("KA01AB1234"); !ok || st.Pending() != 0 {
		t.Fatalf("on disk %v, pending %d", ok, st.Pending())
	}
}

// TestHomeKeysFollowTheStore: on a read-only store the keys that change
// it are neither in the help nor acted on.
func TestHomeKeysFollowTheStore(t *testing.T) {
	p := filepath.Join(t.TempDir(), "store.json")
	// A store of a newer schema opens read-only.
	content := `{"version":3,"accounts":[` +
		`{"id":"a","label":"One","operator":311,"canumber":"DL12CB4685","position":0},` +
		`{"id":"b","label":"Two","operator":311,"canumber":"DL12CB4686","position":1}],"recent":[]}`
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	ro, err := store.Open(p, store.Options{HistoryLimit: 200})
	if err != nil || !ro.ReadOnly() {
		t.Fatalf("open: %v, read-only %v", err, ro.ReadOnly())
	}
	m := newTestModel(testOptions(okFetcher("X"), ro), 200, 24)
	m, _ = press(m, "?")
	help := screen(m)
	for _, k := range []string{"ctrl+d", "ctrl+e", "alt+" + "↑"} {
		if strings.Contains(help, k) {
			t.Errorf("help lists %s on a read-only store", k)
		}
	}
	m, _ = press(m, "esc")
	for _, k := range []string{"ctrl+d", "ctrl+e", "alt+up"} {
		m2, cmd := press(m, k)
		if m2.home.dialog || m2.home.prompting || cmd != nil {
			t.Errorf("%s acted on a read-only store", k)
		}
	}
}

func TestStoreErrorBanner(t *testing.T) {
	m, _ := homeModel80(t, 2, 0)
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
	m = lookUp(m, "DL12CB4685")
	m, _ = press(m, "s")
	mustContain(t, screen(m), "cannot save")
	m, _ = press(m, "esc")
	if m.state != stateHome {
		t.Fatalf("esc without store: %v", m.state)
	}
	mustContain(t, screen(m), "store could not be opened")
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

// TestFirstRunFocusesTheVehicle: without any config the cursor is on the
// vehicle; the missing operator is asked for at submit.
func TestFirstRunFocusesTheVehicle(t *testing.T) {
	o := testOptions(okFetcher("X"), testStore(t, store.Data{}))
	o.Config = &config.Config{Timeout: 30 * time.Second}
	m := newTestModel(o, 80, 24)
	m = typeVehicle(t, m, "DL12CB4685", "DL12CB4685")
	m, _ = press(m, "enter")
	if m.state != stateForm || m.form.focus != fieldOperator || m.form.errs[fieldOperator] == "" {
		t.Fatalf("submit without operator: state %v focus %d err %q", m.state, m.form.focus, m.form.errs[fieldOperator])
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

// TestHomeCountsAndHeaders: the header counts the due accounts with the
// markers the rows use; the columns are named.
func TestHomeCountsAndHeaders(t *testing.T) {
	m, _ := homeModel80(t, 6, 0)
	mustContain(t, screen(m), "! 2 overdue · • 2 due within 7 days", "Label", "Vehicle", "Amount", "Due", "Fetched")
	m40 := newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(6, 0))), 40, 12)
	mustContain(t, screen(m40), "!2 · •2", "Vehicle", "Amount")
}

// TestHomeWideTerminalFeedsNameNotPadding: at 200 columns every column is
// shown at its natural width; the label column does not take the rest.
func TestHomeWideTerminalFeedsNameNotPadding(t *testing.T) {
	d := seedData(3, 0)
	d.Accounts[0].Last.Consumer.Bill.CellNumber = "98XXXXXX10"
	m := newTestModel(testOptions(okFetcher("X"), testStore(t, d)), 200, 60)
	lay := m.home.view(tabSaved).lay
	for _, c := range []int{colTitle, colName, colVehicle, colOperator, colPhone, colAmount, colDue, colFetched} {
		if lay.w[c] == 0 {
			t.Errorf("column %d left out at 200 columns", c)
		}
	}
	if lay.w[colTitle] > len("Fleet truck 0")+1 || lay.w[colName] != len("CONSUMER 0 SHARMA") {
		t.Errorf("widths %+v", lay.w)
	}
	mustContain(t, screen(m), "FASTag Axis", "98XXXXXX10", "CONSUMER 0 SHARMA")
}

// TestHomeCtrlNOpensTheForm: the full form, with the typed vehicle, and
// esc comes back to home as it was.
func TestHomeCtrlNOpensTheForm(t *testing.T) {
	m, _ := homeModel80(t, 3, 0)
	m = typeText(m, "mh 12 ab 3456")
	m, _ = press(m, "ctrl+n")
	if m.state != stateForm || m.form.focus != fieldVehicle || m.form.inputs[fieldVehicle].Value() != "MH12AB3456" {
		t.Fatalf("ctrl+n: state %v vehicle %q", m.state, m.form.inputs[fieldVehicle].Value())
	}
	m, _ = press(m, "esc")
	if m.state != stateHome || m.home.input.Value() != "mh 12 ab 3456" {
		t.Fatalf("esc: state %v input %q", m.state, m.home.input.Value())
	}
	// Without a vehicle typed the form's vehicle is empty.
	m, _ = press(m, "esc", "ctrl+n")
	if m.form.inputs[fieldVehicle].Value() != "" {
		t.Fatalf("ctrl+n with nothing typed: %q", m.form.inputs[fieldVehicle].Value())
	}
}

// TestASCIIPromptsKeepTheStoredText: under LANG=C a label shows as ?, but
// the prompts hold it as stored, so enter never saves the ? back.
func TestASCIIPromptsKeepTheStoredText(t *testing.T) {
	d := seedData(2, 0)
	d.Accounts[0].Label, d.Accounts[0].Note = "नितेश डिपो", "फोन सुबह"
	st := testStore(t, d)
	o := testOptions(okFetcher("X"), st)
	o.ASCII = true
	m := newTestModel(o, 80, 24)
	if s := screen(m); !isASCII(s) || !strings.Contains(s, "????? ????") {
		t.Fatalf("home under LANG=C:\n%s", s)
	}
	m, _ = press(m, "ctrl+e")
	if m.home.fields[0].Value() != "नितेश डिपो" || m.home.fields[1].Value() != "फोन सुबह" {
		t.Fatalf("prompt holds %q %q", m.home.fields[0].Value(), m.home.fields[1].Value())
	}
	if s := screen(m); !isASCII(s) {
		t.Fatalf("prompt under LANG=C is not ASCII:\n%s", s)
	}
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	if a := st.Data().Accounts[0]; a.Label != "नितेश डिपो" || a.Note != "फोन सुबह" {
		t.Fatalf("saved %q %q", a.Label, a.Note)
	}
	m, cmd = press(m, "enter")
	m = run(m, cmd)
	m, _ = press(m, "s")
	if m.result.prompt.Value() != "नितेश डिपो" {
		t.Fatalf("card prompt holds %q", m.result.prompt.Value())
	}
	m, cmd = press(m, "enter")
	run(m, cmd)
	if a := st.Data().Accounts[0]; a.Label != "नितेश डिपो" {
		t.Fatalf("card saved %q", a.Label)
	}
}

// TestHomeLookupWarnsLikeTheForm: a typed vehicle that does not match the
// default operator's vehicle_regex opens the form with the warning.
func TestHomeLookupWarnsLikeTheForm(t *testing.T) {
	o := testOptions(okFetcher("X"), testStore(t, seedData(2, 0)))
	o.Config.Operators[0].VehicleRegex = "^KA"
	m := newTestModel(o, 80, 24)
	m = typeText(m, "MH12AB3456")
	m, _ = press(m, "enter")
	if m.state != stateForm || m.form.warn == "" {
		t.Fatalf("state %v warn %q", m.state, m.form.warn)
	}
	mustContain(t, screen(m), "vehicle_regex", "press enter again")
}
