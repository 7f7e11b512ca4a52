package ui

import "testing"

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
