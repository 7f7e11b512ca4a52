package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
