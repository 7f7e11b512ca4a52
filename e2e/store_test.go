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

// lookUpAndSave types a new lookup, saves the result and returns home.
func lookUpAndSave(tm *term, vehicle string) {
	tm.t.Helper()
	m := tm.mark()
	tm.send("n")
	tm.waitFor(m, "Vehicle")
	m = tm.mark()
	tm.send("\x15" + vehicle + "\r")
	tm.waitFor(m, "Amount")
	m = tm.mark()
	tm.send("s")
	tm.waitFor(m, "saved")
	m = tm.mark()
	tm.send("\x1b")
	tm.waitFor(m, "Saved (")
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

	// B came home last and shows all five. A shows B's latest save after
	// it comes home again (a new lookup form, then esc).
	b.waitFor(0, "Saved (5)")
	m := a.mark()
	a.send("n")
	a.waitFor(m, "Vehicle")
	m = a.mark()
	a.send("\x1b")
	a.waitFor(m, "Saved (5)")
	a.waitFor(m, "GJ04DD4444")

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
		tm.send("q")
		if code := tm.wait(); code != 0 {
			t.Errorf("exit code %d", code)
		}
		tm.assertRestored()
	}
}
