package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/store"
)

// fleet writes n vehicles that the sandbox answers successfully to a file
// and returns its path.
func fleet(t *testing.T, e *cliEnv, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "DL%02dCB%03d7\n", i%90+10, i)
	}
	p := filepath.Join(e.dir, "fleet.txt")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// savedAccounts returns the env's saved accounts.
func savedAccounts(t *testing.T, e *cliEnv) []store.Account {
	t.Helper()
	s, err := store.Open(e.store, store.Options{HistoryLimit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return s.Data().Accounts
}

// startBatchUntil starts cmd and waits until path holds at least n lines.
func startBatchUntil(t *testing.T, cmd *exec.Cmd, path string, n int) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if data, _ := os.ReadFile(path); bytes.Count(data, []byte("\n")) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %d lines in %s within 30 s\n%s", n, path, stderr.String())
		}
	}
}

// startReady starts cmd, run with --demo, and returns once it printed its
// DEMO line: then its signal handlers are in place (a signal sooner ends
// the process as the default action does). The rest of stderr goes to the
// returned buffer, complete once cmd has been waited for.
func startReady(t *testing.T, cmd *exec.Cmd) *syncBuffer {
	t.Helper()
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	rest, ready := &syncBuffer{}, make(chan bool, 1)
	go func() {
		br := bufio.NewReader(pipe)
		line, err := br.ReadString('\n')
		rest.Write([]byte(line))
		ready <- err == nil && strings.HasPrefix(line, "DEMO")
		io.Copy(rest, br)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("%v: no DEMO line first: %q", cmd.Args, rest.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%v: no DEMO line within 30 s", cmd.Args)
	}
	return rest
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
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

// TestBatchSIGHUPThenResumeSavesEveryRow: an SSH disconnect (SIGHUP) in
// the middle of `batch --save` stops it as ctrl+c does (rows written,
// what was answered saved, exit 130), and `--resume --save` then saves
// every row, the kept ones included.
func TestBatchSIGHUPThenResumeSavesEveryRow(t *testing.T) {
	if signal.Ignored(syscall.SIGHUP) {
		t.Skip("SIGHUP is ignored here (nohup?), and so in the child")
	}
	e := newCLIEnv(t, namedOperatorConfig)
	url, in := sandboxURL(t), fleet(t, e, 400)
	out := filepath.Join(e.dir, "out.csv")
	cmd := e.command(t, "--base-url", url, "batch", in, "-o", out, "--save", "--rate", "200")
	startBatchUntil(t, cmd, out, 100)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if code := exitOf(cmd.Wait()); code != exitInterrupted {
		t.Fatalf("after SIGHUP: exit %d, want %d (a signal's end is -1)", code, exitInterrupted)
	}
	written := len(readCSVFile(t, out))
	if n := len(savedAccounts(t, e)); written == 400 || n != written {
		t.Fatalf("after SIGHUP: %d rows written, %d saved; want every written row saved, and not all 400", written, n)
	}
	r := e.run(t, "", "--base-url", url, "batch", in, "-o", out, "--resume", "--save")
	if r.code != 0 {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	if n := len(savedAccounts(t, e)); n != 400 {
		t.Fatalf("after --resume --save %d of 400 saved\n%s", n, r.stderr)
	}
}

// TestBatchKilledKeepsWhatItSaved: kill -9 (or the OOM killer) gives no
// chance to save at the end: what was saved as the batch went is kept,
// and --resume --save saves the rest, the rows it keeps included.
func TestBatchKilledKeepsWhatItSaved(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	url, in := sandboxURL(t), fleet(t, e, 300)
	out := filepath.Join(e.dir, "out.csv")
	cmd := e.command(t, "--base-url", url, "batch", in, "-o", out, "--save", "--rate", "100")
	startBatchUntil(t, cmd, out, 100)
	time.Sleep(1200 * time.Millisecond) // past the saver's second
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	written, saved := len(readCSVFile(t, out)), len(savedAccounts(t, e))
	if written == 300 || saved == 0 {
		t.Fatalf("kill -9 after %d of 300 rows: %d saved; want some saved, and the kill before the end", written, saved)
	}
	if r := e.run(t, "", "--base-url", url, "batch", in, "-o", out, "--resume", "--save"); r.code != 0 {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	if n := len(savedAccounts(t, e)); n != 300 {
		t.Fatalf("after --resume --save %d of 300 saved", n)
	}
}

// TestBatchResumeSaveSavesKeptRows: --resume --save saves the rows it
// keeps from the earlier output (which may never have been saved), with
// their result and the input's label, in CSV and JSONL.
func TestBatchResumeSaveSavesKeptRows(t *testing.T) {
	for _, name := range []string{"out.csv", "out.jsonl"} {
		t.Run(name, func(t *testing.T) {
			e := newCLIEnv(t, namedOperatorConfig)
			url := sandboxURL(t)
			in := filepath.Join(e.dir, "fleet.csv")
			if err := os.WriteFile(in, []byte("canumber,label\nDL12CB4685,Sharma\nDL01AA0404,\nMH12AB1234,\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(e.dir, name)
			if r := e.run(t, "", "--base-url", url, "batch", in, "-o", out); r.code != exitAPI {
				t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
			}
			if n := len(savedAccounts(t, e)); n != 0 {
				t.Fatalf("%d saved without --save", n)
			}
			if r := e.run(t, "", "--base-url", url, "batch", in, "-o", out, "--resume", "--save"); r.code != exitAPI {
				t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
			}
			accts := savedAccounts(t, e)
			if len(accts) != 2 || accts[0].CANumber != "DL12CB4685" || accts[0].Label != "Sharma" || accts[1].CANumber != "MH12AB1234" {
				b, _ := json.Marshal(accts)
				t.Fatalf("saved %s; want the two kept rows that succeeded", b)
			}
			if l := accts[0].Last; l == nil || l.Consumer.Name != "NITESH  KUMAR SHARMA" || l.FetchedAt.IsZero() || l.Consumer.Bill == nil || l.Consumer.Bill.CellNumber == "" {
				t.Errorf("kept row's result %+v", l)
			}
		})
	}
}

// readCSVFile returns the data rows of a batch CSV output.
func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, recs := parseCSV(t, string(data))
	return recs
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
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if code := exitOf(err); code != exitInterrupted {
				t.Errorf("%v: exit %d after SIGHUP, want %d", args, code, exitInterrupted)
			}
		case <-time.After(10 * time.Second): // a hang, not a speed limit
			cmd.Process.Kill()
			t.Errorf("%v still runs after SIGHUP", args)
		}
	}
}

// TestBatchInputIsBoundedAndInterruptible: an endless input (/dev/zero) is
// refused at the cap import has, in bounded memory, and SIGTERM ends it
// sooner; a FIFO nobody writes, or a stdin that never ends, waits until
// SIGTERM or SIGINT, which end it at once.
func TestBatchInputIsBoundedAndInterruptible(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	fifo := filepath.Join(e.dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	defer releaseFIFO(fifo)
	for _, tc := range []struct {
		input string
		sig   os.Signal // nil: none
		codes []int
	}{
		{"/dev/zero", nil, []int{exitUsage}},
		{"/dev/zero", syscall.SIGTERM, []int{exitInterrupted, exitUsage}}, // the cap may come first
		{fifo, syscall.SIGTERM, []int{exitInterrupted}},
		{fifo, syscall.SIGINT, []int{exitInterrupted}},
		{"-", syscall.SIGINT, []int{exitInterrupted}},
	} {
		cmd := e.command(t, "--demo", "batch", tc.input)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		defer stdin.Close()
		stderr := startReady(t, cmd)
		if tc.sig != nil {
			time.Sleep(100 * time.Millisecond) // into the read, most likely
			cmd.Process.Signal(tc.sig)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			code := exitOf(err)
			if !slices.Contains(tc.codes, code) {
				t.Errorf("batch %s, %v: exit %d, want one of %v\n%s", tc.input, tc.sig, code, tc.codes, stderr.String())
			}
			if code == exitUsage && !strings.Contains(stderr.String(), "larger than 128 MiB") {
				t.Errorf("batch %s: %s", tc.input, stderr.String())
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > maxInputRSS>>10 { // Maxrss is in KiB
				t.Errorf("batch %s, %v: %d MiB resident at most", tc.input, tc.sig, ru.Maxrss>>10)
			}
		case <-time.After(2 * time.Minute): // a hang, not a speed limit (-race reads 128 MiB in seconds)
			cmd.Process.Kill()
			t.Errorf("batch %s still runs after %v", tc.input, tc.sig)
		}
	}
}

// TestBatchSaveRecordsEachAccountsLookup: an account batch --save adds
// holds its result and counts the lookup that found it, as one write of
// both did before saving went in batches.
func TestBatchSaveRecordsEachAccountsLookup(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	in := fleet(t, e, 120) // more than one batch of saves
	if r := e.run(t, "", "--base-url", sandboxURL(t), "batch", in, "--save", "--concurrency", "8"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	accts := savedAccounts(t, e)
	if len(accts) != 120 {
		t.Fatalf("%d accounts saved, want 120", len(accts))
	}
	for i, a := range accts {
		if want := fmt.Sprintf("DL%02dCB%03d7", i%90+10, i); a.CANumber != want || a.UseCount != 1 || a.Last == nil || a.LastUsedAt.IsZero() {
			t.Fatalf("account %d: %s, %d uses, last %v, used %v; want %s, used once, with its result", i, a.CANumber, a.UseCount, a.Last != nil, a.LastUsedAt, want)
		}
	}
}
