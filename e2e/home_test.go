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
	tm.send("\x03")
	if code := tm.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	tm.assertRestored()
}

// TestTUIAltNOpensRow: alt+2 (ESC 2 from the terminal) opens the second
// row in one chord; typed digits alone go into the input.
func TestTUIAltNOpensRow(t *testing.T) {
	home := t.TempDir()
	seed(t, home, [2]string{"DL12CB4685", "Depot van"}, [2]string{"DL01AA0001", "Overdue one"}, [2]string{"MH01AA1111", "Pune office"})
	tm := start(t, home, 80, 24, "--demo")
	tm.waitFor(0, "Saved (3)")
	m := tm.mark()
	tm.send("\x1b2")
	tm.waitFor(m, "DL01AA0001 · operator 311")
	tm.waitFor(m, "Amount")
	m = tm.mark()
	tm.send("q")
	tm.waitFor(m, "Saved (3)")
	m = tm.mark()
	tm.send("3")
	tm.waitFor(m, "enter opens row 3")
	m = tm.mark()
	tm.send("\r")
	tm.waitFor(m, "MH01AA1111 · operator 311")
	tm.send("\x03")
	tm.wait()
	tm.assertRestored()
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
	m := tm.mark()
	tm.send("\x1b[B") // down, to the second row
	tm.send("\x04")   // ctrl+d
	tm.waitFor(m, "Delete this saved account?")
	tm.waitFor(m, "Pune office")
	m = tm.mark()
	tm.send("y")
	tm.waitFor(m, `Deleted "Pune office"`)
	if got := savedAccounts(t, home); len(got) != 2 {
		t.Fatalf("after delete %d accounts", len(got))
	}
	m = tm.mark()
	seed(t, home, [2]string{"KA02BB2222", "From elsewhere"})
	tm.waitFor(m, "From elsewhere")
	m = tm.mark()
	tm.send("\x1a") // ctrl+z
	tm.waitFor(m, `Restored "Pune office"`)
	after := savedAccounts(t, home)
	if len(after) != 4 || after[1] != before[1] {
		t.Fatalf("after undo %+v, want %+v second", after, before[1])
	}
	var vs []string
	for _, a := range after {
		vs = append(vs, a.CANumber)
	}
	if want := []string{"DL12CB4685", "MH01AA1111", "TN03CC3333", "KA02BB2222"}; !slices.Equal(vs, want) {
		t.Errorf("order %v, want %v", vs, want)
	}
	tm.send("\x03")
	tm.wait()
	tm.assertRestored()
}

// TestTUICLocaleIsASCII: under LANG=C the TUI writes ASCII only, home and
// card alike.
func TestTUICLocaleIsASCII(t *testing.T) {
	home := t.TempDir()
	seed(t, home, [2]string{"DL12CB4685", "Depot van"})
	environ := slices.DeleteFunc(env(home), func(s string) bool { return strings.HasPrefix(s, "LANG=") })
	tm := startEnv(t, append(environ, "LANG=C"), 80, 24, "--demo")
	tm.waitFor(0, "Saved (1)")
	m := tm.mark()
	tm.send("\r")
	tm.waitFor(m, "Rs 1,000.00")
	tm.waitFor(m, "DL12CB4685 - operator 311")
	m = tm.mark()
	tm.send("?")
	tm.waitFor(m, "copy JSON")
	tm.send("\x03")
	tm.wait()
	for i, b := range []byte(tm.raw()) {
		if b >= 0x80 {
			t.Fatalf("byte %#x at %d under LANG=C: %q", b, i, tm.raw()[max(0, i-40):min(len(tm.raw()), i+40)])
		}
	}
}
