package e2e

import (
	"encoding/json"
	"os/exec"
	"slices"
	"testing"
)

// savedVehicles lists the vehicle numbers of the saved accounts, read with
// the CLI from the store the TUIs share.
func savedVehicles(t *testing.T, home string) []string {
	t.Helper()
	cmd := exec.Command(binPath, "--demo", "saved", "list", "--json")
	cmd.Env = env(home)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("saved list: %v", err)
	}
	var accts []struct {
		CANumber string `json:"canumber"`
	}
	if err := json.Unmarshal(out, &accts); err != nil {
		t.Fatalf("saved list --json: %v\n%s", err, out)
	}
	var vs []string
	for _, a := range accts {
		vs = append(vs, a.CANumber)
	}
	return vs
}

// lookUpAndSave types a vehicle on home, looks it up, saves the result
// under the consumer's name and returns home.
func lookUpAndSave(tm *term, vehicle string) {
	tm.t.Helper()
	m := tm.mark()
	tm.send("\x15" + vehicle) // ctrl+u empties the input first
	tm.waitFor(m, "looks up "+vehicle)
	m = tm.mark()
	tm.send("\r")
	tm.waitFor(m, "Amount")
	m = tm.mark()
	tm.send("s")
	tm.waitFor(m, "Save as:")
	m = tm.mark()
	tm.send("\r")
	tm.waitFor(m, "saved")
	m = tm.mark()
	tm.send("\x1b")
	tm.waitFor(m, "Saved (")
	tm.send("\x15") // the input kept the vehicle; clear it
}

// TestTwoSessionsShareTheStore runs two TUIs on one store, as an agent with
// two SSH sessions would: each saves accounts; the store keeps both sets and
// each session shows the other's on returning home.
func TestTwoSessionsShareTheStore(t *testing.T) {
	home := t.TempDir()
	seed := exec.Command(binPath, "--demo", "saved", "add", "DL12CB4685", "--label", "Seed")
	seed.Env = env(home)
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}

	a := start(t, home, 80, 24, "--demo")
	b := start(t, home, 80, 24, "--demo")
	a.waitFor(0, "Saved (1)")
	b.waitFor(0, "Saved (1)")

	lookUpAndSave(a, "MH01AA1111")
	lookUpAndSave(b, "KA02BB2222")
	lookUpAndSave(a, "TN03CC3333")
	lookUpAndSave(b, "GJ04DD4444")

	// Both show all five: each home watches the store, so A shows B's
	// latest save with no key pressed.
	b.waitFor(0, "Saved (5)")
	a.waitFor(0, "Saved (5)")
	a.waitFor(0, "GJ04DD4444")

	got := savedVehicles(t, home)
	for _, v := range []string{"DL12CB4685", "MH01AA1111", "KA02BB2222", "TN03CC3333", "GJ04DD4444"} {
		if !slices.Contains(got, v) {
			t.Errorf("store lacks %s: %v", v, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("store holds %d accounts, want 5: %v", len(got), got)
	}
	for _, tm := range []*term{a, b} {
		tm.send("\x03")
		if code := tm.wait(); code != 0 {
			t.Errorf("exit code %d", code)
		}
		tm.assertRestored()
	}
}
