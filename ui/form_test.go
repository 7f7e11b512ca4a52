package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/internal/text"
)

// TestFormVehicleRegexWarning: a vehicle that does not look like the
// operator's vehicle_regex gets a warning under the field, like an unusual
// format does, and a second enter sends it anyway.
func TestFormVehicleRegexWarning(t *testing.T) {
	f := okFetcher("X")
	o := testOptions(f, nil)
	o.Config.Operators[0].VehicleRegex = "^[A-Z]{2}[0-9]{2}" // 311, the form's operator
	m := newTestModel(o, 80, 24)
	m = typeText(m, "22BH1234AA") // a known (Bharat series) format, not this operator's
	m, _ = press(m, "enter")
	want := "22BH1234AA does not match the vehicle_regex of operator 311 (FASTag Axis)"
	if m.state != stateForm || m.form.warn != want {
		t.Fatalf("state %v warn %q, want %q", m.state, m.form.warn, want)
	}
	mustContain(t, screen(m), "does not match the vehicle_regex of operator 311") // wraps under the field
	mustContain(t, screen(m), "press enter again")
	m, cmd := press(m, "enter")
	if m = run(m, cmd); m.state != stateResult || len(f.calls) != 1 || f.calls[0].CANumber != "22BH1234AA" {
		t.Fatalf("second enter: state %v calls %+v", m.state, f.calls)
	}

	m = newTestModel(o, 80, 24)
	m = typeText(m, "DL12CB4685")
	if m, _ = press(m, "enter"); m.state != stateLoading || m.form.warn != "" {
		t.Errorf("matching vehicle: state %v warn %q", m.state, m.form.warn)
	}
}

// TestFormOperatorByName: the operator field takes a configured name too,
// resolved as --operator resolves it.
func TestFormOperatorByName(t *testing.T) {
	f := okFetcher("X")
	m := newTestModel(testOptions(f, nil), 80, 24)
	m, _ = press(m, "shift+tab") // to the operator field
	for range 3 {
		m, _ = press(m, "backspace")
	}
	m = typeText(m, "icici")
	m, _ = press(m, "tab")
	m = typeText(m, "DL12CB4685")
	m, cmd := press(m, "enter")
	if m = run(m, cmd); len(f.calls) != 1 || f.calls[0].Operator != 402 {
		t.Fatalf("calls %+v, want operator 402", f.calls)
	}
	m = newTestModel(testOptions(f, nil), 80, 24)
	m, _ = press(m, "shift+tab")
	m = typeText(m, "x")
	m, _ = press(m, "enter")
	if got := m.form.errs[fieldOperator]; got != "operator code must be a whole number (got '311x')" {
		t.Errorf("operator error %q", got)
	}
}

func TestFormKeys(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), nil), 80, 24)
	m = typeVehicle(t, m, "dl 12-cb", "DL 12-CB") // upper-cased as typed
	m, _ = press(m, "tab")
	if m.form.focus != fieldRegistration {
		t.Fatalf("tab: focus %d", m.form.focus)
	}
	m, _ = press(m, "shift+tab", "shift+tab")
	if m.form.focus != fieldOperator {
		t.Fatalf("shift+tab: focus %d", m.form.focus)
	}
	m, _ = press(m, "ctrl+n")
	if got := m.form.inputs[fieldOperator].Value(); got != "402" {
		t.Fatalf("ctrl+n: operator %q", got)
	}
	mustContain(t, screen(m), "ICICI")
	m, _ = press(m, "ctrl+p")
	if got := m.form.inputs[fieldOperator].Value(); got != "311" {
		t.Fatalf("ctrl+p: operator %q", got)
	}
	// A pasted 10 KB line is cut to the character limit.
	m, _ = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("9", 10240)), Paste: true})
	if n := len(m.form.inputs[fieldOperator].Value()); n > operatorCharLimit {
		t.Fatalf("operator holds %d chars", n)
	}
	for _, line := range strings.Split(screen(m), "\n") {
		if w := text.Width(line); w > 80 {
			t.Fatalf("line wider than the terminal (%d): %q", w, line)
		}
	}
}

func TestFormValidation(t *testing.T) {
	f := okFetcher("X")
	m := newTestModel(testOptions(f, nil), 80, 24)
	m = typeText(m, "!!")
	m, _ = press(m, "enter")
	if m.state != stateForm || m.form.errs[fieldVehicle] == "" {
		t.Fatalf("invalid vehicle: state %v err %q", m.state, m.form.errs[fieldVehicle])
	}
	mustContain(t, screen(m), m.form.errs[fieldVehicle])
	m, _ = press(m, "backspace", "backspace")
	m = typeText(m, "ABC123")
	m, _ = press(m, "enter")
	if m.state != stateForm || m.form.warn == "" {
		t.Fatalf("unusual vehicle: state %v warn %q", m.state, m.form.warn)
	}
	mustContain(t, screen(m), "press enter again")
	m, cmd := press(m, "enter")
	if m.state != stateLoading {
		t.Fatalf("second enter: state %v", m.state)
	}
	m = run(m, cmd)
	if m.state != stateResult || len(f.calls) != 1 || f.calls[0].CANumber != "ABC123" {
		t.Fatalf("state %v calls %+v", m.state, f.calls)
	}
}
