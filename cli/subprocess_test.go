package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// executeEnv, set in the environment of the test binary, makes it run
// Execute with its arguments instead of the tests: the real process, with
// its signal handling, for tests that signal or kill it.
const executeEnv = "AOPFETCH_TEST_EXECUTE"

func TestMain(m *testing.M) {
	if os.Getenv(executeEnv) == "1" {
		os.Exit(Execute(BuildInfo{Version: "test", Commit: "none", Date: "unknown"}))
	}
	os.Exit(m.Run())
}

// command is aopfetch args as a process (not started), with the env's
// config and store and nothing else from the machine's settings.
func (e *cliEnv) command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--config", e.config, "--store", e.store}, args...)...)
	cmd.Env = []string{executeEnv + "=1", "HOME=" + e.dir, "XDG_DATA_HOME=" + e.dir, "XDG_STATE_HOME=" + e.dir, "XDG_CONFIG_HOME=" + e.dir, "PATH=" + os.Getenv("PATH")}
	for k, v := range e.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// outputFile is a file a command writes: its stderr (startLogged), or an
// output it was given (-o).
type outputFile string

// String is what the file holds so far ("" if it does not exist).
func (f outputFile) String() string {
	b, _ := os.ReadFile(string(f))
	return string(b)
}

// startLogged starts cmd with its stderr in a new file (complete at any
// moment: no goroutine copies it) and kills cmd when the test ends.
func startLogged(t *testing.T, cmd *exec.Cmd) outputFile {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return outputFile(f.Name())
}

// waitLines waits up to 30 s until path holds at least n lines; stderr is
// shown if it does not.
func waitLines(t *testing.T, path string, n int, stderr outputFile) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if data, _ := os.ReadFile(path); bytes.Count(data, []byte("\n")) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %d lines in %s within 30 s\n%s", n, path, stderr)
		}
	}
}

// startReady starts cmd, run with --demo, and returns once it printed its
// DEMO line: then its signal handlers are in place (a signal sooner ends
// the process as the default action does). The returned file holds its
// stderr, complete once cmd has been waited for.
func startReady(t *testing.T, cmd *exec.Cmd) outputFile {
	t.Helper()
	stderr := startLogged(t, cmd)
	waitLines(t, string(stderr), 1, stderr)
	if first := stderr.String(); !strings.HasPrefix(first, "DEMO") {
		t.Fatalf("%v: no DEMO line first: %q", cmd.Args, first)
	}
	return stderr
}

// exitOf is the exit code of a waited-for process, or -1 when a signal
// ended it.
func exitOf(err error) int {
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -2
	}
	return 0
}

// waitExit waits up to limit for the started cmd to end and returns its
// exit code (see exitOf); ended is false, and cmd killed, if it still runs.
func waitExit(cmd *exec.Cmd, limit time.Duration) (code int, ended bool) {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitOf(err), true
	case <-time.After(limit):
		cmd.Process.Kill()
		return 0, false
	}
}

// TestSIGHUPStopsLikeSIGTERM: a hang-up ends a lookup in flight and a read
// that waits (fetch, import) with exit 130, as SIGTERM does.
func TestSIGHUPStopsLikeSIGTERM(t *testing.T) {
	if signal.Ignored(syscall.SIGHUP) {
		t.Skip("SIGHUP is ignored here (nohup?), and so in the child")
	}
	e := newCLIEnv(t, namedOperatorConfig)
	for _, args := range [][]string{
		{"--demo", "fetch", "DL01AA5000"}, // answers after 5 s
		{"--demo", "import", "-"},         // stdin stays open
	} {
		cmd := e.command(t, args...)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		defer stdin.Close()
		startReady(t, cmd)
		time.Sleep(100 * time.Millisecond) // into the lookup or the read, most likely
		cmd.Process.Signal(syscall.SIGHUP)
		switch code, ended := waitExit(cmd, 10*time.Second); { // a hang, not a speed limit
		case !ended:
			t.Errorf("%v still runs after SIGHUP", args)
		case code != exitInterrupted:
			t.Errorf("%v: exit %d after SIGHUP, want %d", args, code, exitInterrupted)
		}
	}
}
