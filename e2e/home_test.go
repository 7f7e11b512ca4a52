package e2e

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// cli runs the binary (under --demo) with args and returns its stdout.
func cli(t *testing.T, home string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"--demo"}, args...)...)
	cmd.Env = env(home)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aopfetch %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// seed saves accounts with labels and no lookup (so no age on screen
// changes while the test waits).
func seed(t *testing.T, home string, accounts ...[2]string) {
	t.Helper()
	for _, a := range accounts {
		cli(t, home, "saved", "add", a[0], "--label", a[1])
	}
}

// savedAccount is what `saved list --json` says of an account.
type savedAccount struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Note     string `json:"note"`
	CANumber string `json:"canumber"`
}

// vehicles lists the vehicle numbers of accts, in their order.
func vehicles(accts []savedAccount) []string {
	var vs []string
	for _, a := range accts {
		vs = append(vs, a.CANumber)
	}
	return vs
}

// savedAccounts lists the saved accounts in their order.
func savedAccounts(t *testing.T, home string) []savedAccount {
	t.Helper()
	var accts []savedAccount
	out := cli(t, home, "saved", "list", "--json")
	if err := json.Unmarshal([]byte(out), &accts); err != nil {
		t.Fatalf("saved list --json: %v\n%s", err, out)
	}
	return accts
}

// lookUpAndSave types a vehicle on home, looks it up, saves the result
// under the consumer's name and returns home.
func lookUpAndSave(tm *term, vehicle string) {
	tm.t.Helper()
	tm.press("\x15"+vehicle, "looks up "+vehicle) // ctrl+u empties the input first
	tm.press("\r", "Amount")
	tm.press("s", "Save as:")
	tm.press("\r", "saved")
	tm.press("\x1b", "Saved (")
	tm.send("\x15") // the input kept the vehicle; clear it
}

// quiet waits until the program has written nothing for settle, then
// reports whether it writes anything in the next idle period.
func (tm *term) quiet(settle, idle time.Duration) (wrote string) {
	tm.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for last := tm.mark(); ; {
		time.Sleep(settle)
		now := tm.mark()
		if now == last {
			break
		}
		last = now
		if time.Now().After(deadline) {
			tm.t.Fatal("the program never went quiet")
		}
	}
	m := tm.mark()
	time.Sleep(idle)
	return tm.raw()[m:]
}

// TestTUIHomeLiveReload: a save from another session appears on home with
// no key pressed, and an idle home writes nothing to the terminal.
func TestTUIHomeLiveReload(t *testing.T) {
	home := t.TempDir()
	seed(t, home, [2]string{"DL12CB4685", "Depot van"}, [2]string{"MH01AA1111", "Pune office"})
	tm := start(t, home, 80, 24, "--demo")
	tm.waitFor(0, "Saved (2)")
	if out := tm.quiet(500*time.Millisecond, 3*time.Second); out != "" {
		t.Errorf("idle home wrote %d bytes: %q", len(out), out)
	}
	m := tm.mark()
	seed(t, home, [2]string{"KA02BB2222", "From elsewhere"})
	tm.waitFor(m, "From elsewhere")
	tm.waitFor(m, "Saved (3)")
	tm.quit()
}

// TestTwoSessionsShareTheStore runs two TUIs on one store, as an agent with
// two SSH sessions would: each saves accounts; the store keeps both sets and
// each session shows the other's on returning home.
func TestTwoSessionsShareTheStore(t *testing.T) {
	home := t.TempDir()
	seed(t, home, [2]string{"DL12CB4685", "Seed"})

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

	got := vehicles(savedAccounts(t, home))
	for _, v := range []string{"DL12CB4685", "MH01AA1111", "KA02BB2222", "TN03CC3333", "GJ04DD4444"} {
		if !slices.Contains(got, v) {
			t.Errorf("store lacks %s: %v", v, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("store holds %d accounts, want 5: %v", len(got), got)
	}
	for _, tm := range []*term{a, b} {
		tm.quit()
	}
}

// TestTUIAltNOpensRow: alt+2 (ESC 2 from the terminal) opens the second
// row in one chord; typed digits alone go into the input.
func TestTUIAltNOpensRow(t *testing.T) {
	home := t.TempDir()
	seed(t, home, [2]string{"DL12CB4685", "Depot van"}, [2]string{"DL01AA0001", "Overdue one"}, [2]string{"MH01AA1111", "Pune office"})
	tm := start(t, home, 80, 24, "--demo")
	tm.waitFor(0, "Saved (3)")
	tm.press("\x1b2", "DL01AA0001 · operator 311", "Amount")
	tm.press("q", "Saved (3)")
	tm.press("3", "enter opens row 3")
	tm.press("\r", "MH01AA1111 · operator 311")
	tm.quit()
}

// TestTUIUndoAcrossStoreReload: ctrl+d then y deletes; another session
// changes the store (home reloads it); ctrl+z still puts the account back
// where it was, with its label and note.
func TestTUIUndoAcrossStoreReload(t *testing.T) {
	home := t.TempDir()
	seed(t, home, [2]string{"DL12CB4685", "Depot van"})
	cli(t, home, "saved", "add", "MH01AA1111", "--label", "Pune office", "--note", "call after 5pm")
	seed(t, home, [2]string{"TN03CC3333", "Chennai"})
	before := savedAccounts(t, home)
	tm := start(t, home, 80, 24, "--demo")
	tm.waitFor(0, "Saved (3)")
	tm.send("\x1b[B")                                             // down, to the second row
	tm.press("\x04", "Delete this saved account?", "Pune office") // ctrl+d
	tm.press("y", `Deleted "Pune office"`)
	if got := savedAccounts(t, home); len(got) != 2 {
		t.Fatalf("after delete %d accounts", len(got))
	}
	m := tm.mark()
	seed(t, home, [2]string{"KA02BB2222", "From elsewhere"})
	tm.waitFor(m, "From elsewhere")
	tm.press("\x1a", `Restored "Pune office"`) // ctrl+z
	after := savedAccounts(t, home)
	if len(after) != 4 || after[1] != before[1] {
		t.Fatalf("after undo %+v, want %+v second", after, before[1])
	}
	if vs, want := vehicles(after), []string{"DL12CB4685", "MH01AA1111", "TN03CC3333", "KA02BB2222"}; !slices.Equal(vs, want) {
		t.Errorf("order %v, want %v", vs, want)
	}
	tm.quit()
}

// TestTUICLocaleIsASCII: under LANG=C the TUI writes ASCII only, home and
// card alike.
func TestTUICLocaleIsASCII(t *testing.T) {
	home := t.TempDir()
	seed(t, home, [2]string{"DL12CB4685", "Depot van"})
	environ := slices.DeleteFunc(env(home), func(s string) bool { return strings.HasPrefix(s, "LANG=") })
	tm := startEnv(t, append(environ, "LANG=C"), 80, 24, "--demo")
	tm.waitFor(0, "Saved (1)")
	tm.press("\r", "Rs 1,000.00", "DL12CB4685 - operator 311")
	tm.press("?", "copy JSON")
	tm.send("\x03")
	tm.wait()
	for i, b := range []byte(tm.raw()) {
		if b >= 0x80 {
			t.Fatalf("byte %#x at %d under LANG=C: %q", b, i, tm.raw()[max(0, i-40):min(len(tm.raw()), i+40)])
		}
	}
}
