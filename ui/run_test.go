package ui

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/aopfetch/aopfetch/client"
)

// runOptions runs the program on pipes instead of a terminal.
func runOptions(t *testing.T, f Fetcher) (Options, string) {
	dir := filepath.Join(t.TempDir(), "state")
	o := testOptions(f, nil)
	o.Input = strings.NewReader("")
	o.Output = &bytes.Buffer{}
	o.StateDir = dir
	return o, dir
}

func TestRunDebugLog(t *testing.T) {
	o, dir := runOptions(t, okFetcher("X"))
	o.Debug = true
	o.Vehicle = "DL12CB4685"
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := Run(ctx, o); err != nil {
		t.Fatalf("Run: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "debug.log"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("debug log: %v %v", fi, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "debug.log"))
	if !strings.Contains(string(b), "fetch 1 start: DL12CB4685") {
		t.Fatalf("debug log: %q", b)
	}
}

func TestRunPanicIsLogged(t *testing.T) {
	boom := &fakeFetcher{fn: func(context.Context, client.Request) (*client.Result, error) { panic("boom in fetch") }}
	o, dir := runOptions(t, boom)
	assertCrashLogged(t, o, dir, "boom in fetch")
}

// TestRunPanicInUpdateIsLogged makes Update itself panic (the clock panics
// once the answer is in): the program must end with the crash error, not
// with Bubble Tea holding a nil model.
func TestRunPanicInUpdateIsLogged(t *testing.T) {
	var armed atomic.Bool
	f := &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		armed.Store(true)
		return sampleResult(r, "X", "1000.0", "2021-09-20"), nil
	}}
	o, dir := runOptions(t, f)
	o.Now = func() time.Time {
		if armed.Load() {
			panic("boom in update")
		}
		return testNow
	}
	assertCrashLogged(t, o, dir, "boom in update")
}

// assertCrashLogged runs o straight on a vehicle and checks that Run ends
// with an error naming the crash log in dir, and that the log holds want.
func assertCrashLogged(t *testing.T, o Options, dir, want string) {
	t.Helper()
	o.Vehicle = "DL12CB4685"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := Run(ctx, o)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "aopfetch.log")) {
		t.Fatalf("Run: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "aopfetch.log"))
	if !strings.Contains(string(b), want) {
		t.Fatalf("crash log: %q", b)
	}
}

func TestLogDirectoryOthersCanWriteIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := filepath.Join(t.TempDir(), "state")
	os.Mkdir(dir, 0o700)
	os.Chmod(dir, 0o777)
	victim := filepath.Join(t.TempDir(), "bash_aliases")
	os.WriteFile(victim, []byte("alias x=y\n"), 0o644)
	os.Symlink(victim, filepath.Join(dir, "debug.log"))
	if _, err := openLog(dir, "debug.log"); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Fatalf("openLog = %v", err)
	}
	os.Chmod(dir, 0o700)
	if _, err := openLog(dir, "debug.log"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("openLog through a link = %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "alias x=y\n" {
		t.Fatal("the link's target was written")
	}
	if info, _ := os.Stat(victim); info.Mode().Perm() != 0o644 {
		t.Fatalf("the link's target was chmod-ed to %#o", info.Mode().Perm())
	}
}

func TestCrashLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "aopfetch")
	err := crashError(dir, &crashInfo{value: "boom", stack: []byte("stack")})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "aopfetch.log")) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("crash error %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "aopfetch.log"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("log file %v %v", fi, err)
	}
	di, err := os.Stat(dir)
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("log dir %v %v", di, err)
	}
}

func TestPanicInUpdateQuits(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), nil), 80, 24)
	next, cmd := m.Update(crashMsg{info: &crashInfo{value: "boom"}})
	if next.(model).crashed == nil || !isQuit(cmd) {
		t.Fatal("a crash did not quit")
	}
	if got := guard(func() tea.Msg { panic("in a command") })(); got == nil {
		t.Fatal("guard let a panic through")
	}
}

// lockedBuffer is a bytes.Buffer safe for the program and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunOnAnotherTerminal is Run for a terminal that is not the process's
// (an SSH session): the sizes come from Sizes, the colours from Renderer's
// profile, TERM from Getenv.
func TestRunOnAnotherTerminal(t *testing.T) {
	out := &lockedBuffer{}
	o, _ := runOptions(t, okFetcher("X"))
	o.Output = out
	o.Renderer = lipgloss.NewRenderer(io.Discard)
	o.Renderer.SetColorProfile(termenv.TrueColor) // the process's own renderer is Ascii in tests
	sizes := make(chan tea.WindowSizeMsg)
	o.Sizes = sizes
	o.Getenv = func(k string) string { return map[string]string{"TERM": "dumb"}[k] } // a session's TERM: only the process's stops Run
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o) }()
	waitOutput := func(s string) {
		t.Helper()
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if strings.Contains(ansi.Strip(out.String()), s) {
				return
			}
		}
		t.Fatalf("%q not in the output:\n%s", s, ansi.Strip(out.String()))
	}
	sizes <- tea.WindowSizeMsg{Width: 80, Height: 24}
	waitOutput("Vehicle number")
	sizes <- tea.WindowSizeMsg{Width: 30, Height: 10}
	waitOutput("too small (need 40×12)")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(out.String(), "\x1b[38;2;") {
		t.Errorf("no true-colour sequence: the styles ignored the session's renderer")
	}
}
