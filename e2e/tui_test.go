package e2e

import (
	"syscall"
	"testing"
)

// TestTUILookupCancelAndQuit is the agent's path through the real binary:
// type a vehicle, see the consumer, start a slow lookup, cancel it, get the
// form back, and leave with ctrl+c to a restored terminal.
func TestTUILookupCancelAndQuit(t *testing.T) {
	home := t.TempDir()
	tm := start(t, home, 80, 24, "--demo")

	tm.waitFor(0, "DEMO")
	tm.waitFor(0, "Vehicle")
	tm.press("dl12cb4685\r", "NITESH", "₹1,000.00")

	// A new lookup from the result view: the form comes back prefilled;
	// clear the vehicle and ask for the slow scenario.
	m := tm.mark()
	tm.send("n")
	tm.waitFor(m, "Vehicle")
	tm.send("\x15DL01AA5000\r") // ctrl+u clears the field
	tm.waitFor(m, "DL01AA5000 · operator 311")

	tm.press("\x1b", "cancelled", "Vehicle")
	tm.quit()
}

// TestTUISmallTerminal checks the 40×12 layout still shows the form, and
// that a terminal below the minimum gets the one-line message.
func TestTUISmallTerminal(t *testing.T) {
	home := t.TempDir()
	tm := start(t, home, 40, 12, "--demo")
	tm.waitFor(0, "Vehicle")
	tm.press("DL12CB4685\r", "NITESH")
	tm.press("q", "Recent (1)") // q on the card goes back home (as in less); it never quits
	tm.quit()

	small := start(t, home, 36, 10, "--demo")
	small.waitFor(0, "terminal too small (need 40×12)")
	small.send("\x03")
	small.wait()
	small.assertRestored()
}

// TestTUISIGTERMRestoresTerminal: a TUI stopped by SIGTERM (a shutdown, a
// supervisor) leaves the terminal as it found it.
func TestTUISIGTERMRestoresTerminal(t *testing.T) {
	tm := start(t, t.TempDir(), 80, 24, "--demo")
	tm.waitFor(0, "Vehicle")
	if err := tm.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := tm.wait(); code != 130 {
		t.Errorf("exit code after SIGTERM = %d, want 130 (interrupted)", code)
	}
	tm.assertRestored()
}
