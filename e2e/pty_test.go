// Package e2e drives the real aopfetch binary in a pseudo-terminal against
// the built-in sandbox, as an agent would.
package e2e

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	// The binary under test is built from these packages: importing them
	// makes go test's result cache notice when they change.
	_ "github.com/aopfetch/aopfetch/cli"
)

// binPath is the aopfetch binary built once by TestMain.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aopfetch-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "aopfetch")
	build := exec.Command("go", "build", "-o", binPath, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building aopfetch:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// term is a running aopfetch in a pseudo-terminal.
type term struct {
	t    testing.TB
	cmd  *exec.Cmd
	ptmx *os.File
	tty  *os.File

	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	err  error
}

// env returns an environment with every XDG directory inside home and a
// UTF-8 locale.
func env(home string) []string {
	return []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
	}
}

// start runs the binary with args in a cols×rows pseudo-terminal.
func start(t testing.TB, home string, cols, rows uint16, args ...string) *term {
	t.Helper()
	return startEnv(t, env(home), cols, rows, args...)
}

// startEnv is start with the environment given.
func startEnv(t testing.TB, environ []string, cols, rows uint16, args ...string) *term {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = environ
	return startIn(t, cmd, cols, rows)
}

// startIn starts cmd in a new session whose controlling terminal is a
// cols×rows pseudo-terminal.
func startIn(t testing.TB, cmd *exec.Cmd, cols, rows uint16) *term {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: cols, Rows: rows}); err != nil {
		t.Fatalf("set size: %v", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", filepath.Base(cmd.Path), err)
	}
	tm := &term{t: t, cmd: cmd, ptmx: ptmx, tty: tty, done: make(chan struct{})}
	go tm.copy()
	t.Cleanup(tm.close)
	return tm
}

// copy records the program's output and answers the terminal queries a
// real terminal answers (background colour, cursor position), so start-up
// does not wait for termenv's query timeout.
func (tm *term) copy() {
	buf := make([]byte, 4096)
	from := 0 // output before this offset has been scanned for queries
	for {
		n, err := tm.ptmx.Read(buf)
		tm.mu.Lock()
		tm.out.Write(buf[:n])
		out := tm.out.String()
		tm.mu.Unlock()
		from = tm.answerQueries(out, from)
		if err != nil {
			return
		}
	}
}

// answerQueries replies to every query that starts at or after from and
// returns the offset up to which out is settled (a query may still be cut
// in half at the end).
func (tm *term) answerQueries(out string, from int) int {
	replies := [][2]string{
		{"\x1b]11;?", "\x1b]11;rgb:0000/0000/0000\x1b\\"}, // background colour
		{"\x1b[6n", "\x1b[1;1R"},                          // cursor position
		{"\x1b[c", "\x1b[?62;22c"},                        // device attributes (serve asks after the background)
	}
	next := max(from, len(out)-7)
	for _, r := range replies {
		q, reply := r[0], r[1]
		for i := from; ; {
			j := strings.Index(out[i:], q)
			if j < 0 {
				break
			}
			_, _ = io.WriteString(tm.ptmx, reply)
			i += j + len(q)
			next = max(next, i)
		}
	}
	return next
}

// close kills the program if it still runs and releases the terminal.
func (tm *term) close() {
	if tm.cmd.ProcessState == nil {
		_ = tm.cmd.Process.Kill()
		_ = tm.cmd.Wait()
	}
	tm.tty.Close()
	tm.ptmx.Close()
}

// raw returns everything the program wrote so far.
func (tm *term) raw() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// mark returns the current output length, to wait for text written after it.
func (tm *term) mark() int { return len(tm.raw()) }

// eventually reports whether cond holds within wait, asking every 20 ms.
func eventually(wait time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

// waitFor waits until text appears in the output written after mark, with
// escape sequences removed.
func (tm *term) waitFor(mark int, text string) {
	tm.t.Helper()
	if !eventually(15*time.Second, func() bool { return strings.Contains(ansi.Strip(tm.raw()[mark:]), text) }) {
		tm.t.Fatalf("%q did not appear; screen output since mark:\n%s", text, ansi.Strip(tm.raw()[mark:]))
	}
}

// press types keys and waits until each of wants appears in what the
// program writes after them.
func (tm *term) press(keys string, wants ...string) {
	tm.t.Helper()
	m := tm.mark()
	tm.send(keys)
	for _, w := range wants {
		tm.waitFor(m, w)
	}
}

// send types keys into the terminal.
func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.ptmx, s); err != nil {
		tm.t.Fatalf("send: %v", err)
	}
}

// wait waits for the program to exit and returns its exit code.
func (tm *term) wait() int {
	tm.t.Helper()
	if ended, _ := waitExit(tm.cmd, 15*time.Second); !ended {
		tm.t.Fatalf("program did not exit; output:\n%s", ansi.Strip(tm.raw()))
	}
	return tm.cmd.ProcessState.ExitCode()
}

// waitExit waits up to limit for the started cmd to end; ended is false if
// it still runs, and err is what Wait returned.
func waitExit(cmd *exec.Cmd, limit time.Duration) (ended bool, err error) {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return true, err
	case <-time.After(limit):
		return false, nil
	}
}

// quit ends the program with ctrl+c and checks that it exits 0 and
// leaves the terminal restored.
func (tm *term) quit() {
	tm.t.Helper()
	tm.send("\x03")
	if code := tm.wait(); code != 0 {
		tm.t.Errorf("exit code after ctrl+c = %d, want 0", code)
	}
	tm.assertRestored()
}

// assertRestored checks that the terminal is back in cooked mode with the
// main screen and a visible cursor.
func (tm *term) assertRestored() {
	tm.t.Helper()
	tios, err := unix.IoctlGetTermios(int(tm.tty.Fd()), unix.TCGETS)
	if err != nil {
		tm.t.Fatalf("get termios: %v", err)
	}
	if tios.Lflag&unix.ECHO == 0 || tios.Lflag&unix.ICANON == 0 {
		tm.t.Errorf("terminal left in raw mode: lflag=%#x", tios.Lflag)
	}
	time.Sleep(100 * time.Millisecond) // let the reader drain the last bytes
	out := tm.raw()
	if i, j := strings.LastIndex(out, "\x1b[?1049h"), strings.LastIndex(out, "\x1b[?1049l"); i >= 0 && j < i {
		tm.t.Errorf("alternate screen not left")
	}
	if i, j := strings.LastIndex(out, "\x1b[?25l"), strings.LastIndex(out, "\x1b[?25h"); i >= 0 && j < i {
		tm.t.Errorf("cursor left hidden")
	}
}
