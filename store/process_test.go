//go:build unix

package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// The subprocess tests re-execute the test binary as a helper process that
// runs one store operation; helperEnv selects it.
const (
	helperEnv     = "AOPFETCH_STORE_TEST_HELPER"
	helperPathEnv = "AOPFETCH_STORE_TEST_PATH"
	helperArgEnv  = "AOPFETCH_STORE_TEST_ARG"
)

// TestHelperProcess is not a real test: it is the body of the helper
// processes started by the subprocess tests.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("runs only as a helper process")
	}
	if err := runHelper(mode, os.Getenv(helperPathEnv), os.Getenv(helperArgEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runHelper performs one helper mode.
func runHelper(mode, path, arg string) error {
	switch mode {
	case "add": // arg "PREFIX COUNT": save COUNT distinct vehicles
		prefix, count, _ := strings.Cut(arg, " ")
		n, _ := strconv.Atoi(count)
		return helperAdd(path, prefix, n)
	case "loop": // save K000000, K000001, ... after the last one saved, until killed
		return helperLoop(path)
	case "hold": // hold the lock until killed
		return helperHold(path)
	case "umask": // arg: octal umask; create the store from scratch under it
		u, _ := strconv.ParseUint(arg, 8, 32)
		syscall.Umask(int(u))
		return helperAdd(path, "U", 1)
	case "diskfull":
		return helperDiskFull(path)
	case "lookups": // arg "PREFIX COUNT": record COUNT lookups, one a call, on a store opened deferred
		prefix, count, _ := strings.Cut(arg, " ")
		n, _ := strconv.Atoi(count)
		return helperLookups(path, prefix, n)
	case "lookuploop": // record lookups L000000, L000001, ... until killed
		return helperLookupLoop(path)
	case "upgrade-nearly-full": // arg: the size limit in bytes
		n, _ := strconv.ParseUint(arg, 10, 64)
		return helperUpgradeNearlyFull(path, n)
	case "open-nearly-full": // open (and so upgrade) the store with files capped at arg bytes
		n, _ := strconv.ParseUint(arg, 10, 64)
		if _, err := limitFileSize(n); err != nil {
			return err
		}
		_, err := Open(path, Options{HistoryLimit: 1000})
		return err
	case "open": // open (and so upgrade) the store, after saying ready
		fmt.Println("ready")
		_, err := Open(path, Options{HistoryLimit: 1000})
		return err
	case "compactloop": // record lookups of the saved vehicle S0 with a small limit until killed
		return helperCompactLoop(path)
	}
	return fmt.Errorf("unknown helper mode %q", mode)
}

// limitFileSize lowers RLIMIT_FSIZE to n bytes, so that a write past it
// fails like a full disk, and returns the call that puts the old limit back.
func limitFileSize(n uint64) (restore func() error, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return nil, err
	}
	small := lim
	small.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &small); err != nil {
		return nil, err
	}
	return func() error { return syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim) }, nil
}

func helperAdd(path, prefix string, n int) error {
	s, err := Open(path, Options{LockTimeout: time.Minute})
	if err != nil {
		return err
	}
	for i := range n {
		if _, err := s.SaveAccount(Account{CANumber: fmt.Sprintf("%s%04d", prefix, i)}); err != nil {
			return err
		}
	}
	return nil
}

// lookupOptions keep every lookup of the lookup helpers in the history file
// without a compaction.
var lookupOptions = Options{HistoryLimit: 100000, LockTimeout: time.Minute, Deferred: true}

func helperLookups(path, prefix string, n int) error {
	s, err := Open(path, lookupOptions)
	if err != nil {
		return err
	}
	for i := range n {
		v := fmt.Sprintf("%s%04d", prefix, i)
		l := Lookup{Operator: 311, CANumber: v, OK: true, Snapshot: &Snapshot{Consumer: client.Consumer{Name: "N " + v}, FetchedAt: time.Now()}}
		if err := s.RecordLookups(l); err != nil {
			return err
		}
	}
	return nil
}

func helperLookupLoop(path string) error {
	read, err := Open(path, Options{HistoryLimit: lookupOptions.HistoryLimit})
	if err != nil {
		return err
	}
	s, err := Open(path, lookupOptions) // appends without reading
	if err != nil {
		return err
	}
	fmt.Println("ready")
	for i := len(read.Data().Recent); ; i++ {
		v := fmt.Sprintf("L%06d", i)
		if err := s.RecordLookups(Lookup{Operator: 311, CANumber: v, ErrorKind: "api", ErrorMessage: strings.Repeat("m", i%97)}); err != nil {
			return err
		}
	}
}

func helperLoop(path string) error {
	s, err := Open(path, Options{})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	for i := len(s.Data().Accounts); ; i++ {
		if _, err := s.SaveAccount(Account{CANumber: fmt.Sprintf("K%06d", i), Note: strings.Repeat("n", i%97)}); err != nil {
			return err
		}
	}
}

func helperHold(path string) error {
	s, err := Open(path, Options{})
	if err != nil {
		return err
	}
	_, err = s.Update(func(*Data) error {
		fmt.Println("locked")
		select {}
	})
	return err
}

// helperDiskFull lowers RLIMIT_FSIZE so the next write fails like a full
// disk, and checks the file, the temp files and the in-memory state.
func helperDiskFull(path string) error {
	s, err := Open(path, Options{})
	if err != nil {
		return err
	}
	if _, err := s.SaveAccount(Account{CANumber: "AA11A1111"}); err != nil {
		return err
	}
	before, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	restore, err := limitFileSize(uint64(len(before)) + 100)
	if err != nil {
		return err
	}
	a, err := s.SaveAccount(Account{CANumber: "BB22B2222", Note: strings.Repeat("x", 4096)})
	var pe *PendingError
	if !errors.Is(err, syscall.EFBIG) || !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "could not save "+path+", it is unchanged: ") {
		return fmt.Errorf("write past the size limit: err = %v, want a *PendingError for EFBIG", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		return errors.New("the store file changed after a failed write")
	}
	if tmp := s.tempFiles(); len(tmp) != 0 {
		return fmt.Errorf("temp files left after a failed write: %v", tmp)
	}
	if a.CANumber != "BB22B2222" || len(s.Data().Accounts) != 2 || s.Pending() != 1 {
		return fmt.Errorf("in-memory state lost: account %+v, %d accounts, %d pending", a, len(s.Data().Accounts), s.Pending())
	}
	if err := restore(); err != nil {
		return err
	}
	if _, err := s.SaveAccount(Account{CANumber: "CC33C3333"}); err != nil {
		return err
	}
	d, _, err := readStore(path)
	if err != nil || len(d.Accounts) != 3 || s.Pending() != 0 {
		return fmt.Errorf("after the disk has room again: %d accounts, %d pending, %v", len(d.Accounts), s.Pending(), err)
	}
	return nil
}

// dataAt opens the store at p with o, as the next process would, and
// returns what it holds; a failure to open fails the test, saying when.
func dataAt(t *testing.T, p string, o Options, when string) Data {
	t.Helper()
	s, err := Open(p, o)
	if err != nil {
		t.Fatalf("%s: Open: %v", when, err)
	}
	return s.Data()
}

// helperCmd builds a helper process running mode on the store at path.
func helperCmd(mode, path, arg string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperPathEnv+"="+path, helperArgEnv+"="+arg)
	return cmd
}

// runHelperOK runs a helper to completion and fails the test if it fails.
func runHelperOK(t *testing.T, mode, path, arg string) {
	t.Helper()
	if out, err := helperCmd(mode, path, arg).CombinedOutput(); err != nil {
		t.Fatalf("helper %s %q: %v\n%s", mode, arg, err, out)
	}
}

// startUntil starts a helper and waits until it prints line.
func startUntil(t *testing.T, mode, path, line string) *exec.Cmd {
	t.Helper()
	cmd := helperCmd(mode, path, "")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(got) != line {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper %s printed %q (%v), want %q; stderr:\n%s", mode, got, err, line, stderr.String())
	}
	go io.Copy(io.Discard, out)
	return cmd
}

func TestConcurrentProcessesKeepEveryAdd(t *testing.T) {
	procs, adds := 4, 250
	if raceEnabled {
		// Every helper runs under the race detector, which cannot see
		// across processes but makes each write many times slower.
		adds = 60
	}
	p := testPath(t)
	done := make(chan struct{})
	var reads int
	var checkErr error
	var wg sync.WaitGroup
	wg.Go(func() { reads, checkErr = watchParses(p, done) })
	var helpers sync.WaitGroup
	for i := range procs {
		helpers.Go(func() { runHelperOK(t, "add", p, fmt.Sprintf("P%d %d", i, adds)) })
	}
	helpers.Wait()
	close(done)
	wg.Wait()
	if checkErr != nil {
		t.Fatal(checkErr)
	}
	d := openAt(t, p).Data()
	seen := map[string]bool{}
	for _, a := range d.Accounts {
		seen[a.CANumber] = true
	}
	if len(d.Accounts) != procs*adds || len(seen) != procs*adds {
		t.Fatalf("%d accounts (%d distinct), want %d", len(d.Accounts), len(seen), procs*adds)
	}
	checkPositions(t, d)
	t.Logf("the file parsed on each of %d reads during the writes", reads)
}

// watchParses reads the store file until done, failing if a read does not
// parse or shows fewer accounts than an earlier one.
func watchParses(p string, done <-chan struct{}) (int, error) {
	reads, last := 0, 0
	for {
		select {
		case <-done:
			return reads, nil
		default:
		}
		d, info, err := readStore(p)
		if err != nil {
			return reads, fmt.Errorf("read %d: %v", reads, err)
		}
		time.Sleep(time.Millisecond) // leave the CPUs to the writers
		if info != nil {
			reads++
			if len(d.Accounts) < last {
				return reads, fmt.Errorf("read %d: %d accounts after %d", reads, len(d.Accounts), last)
			}
			last = len(d.Accounts)
		}
	}
}

// killRepeatedly starts the helper mode on the store at p kills times,
// killing it with SIGKILL at a random moment within pause of its "ready"
// each time, and after each kill calls committed, which checks what the
// store holds and returns how many writes it shows: a number that never
// goes down.
func killRepeatedly(t *testing.T, mode, p string, kills int, seed uint64, pause time.Duration, committed func(kill int) int) int {
	t.Helper()
	if raceEnabled {
		// The race detector cannot see across processes, and makes each
		// helper start slowly: a -race run kills fewer writers.
		kills = max(kills/7, 8)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	prev := 0
	for i := range kills {
		cmd := startUntil(t, mode, p, "ready")
		time.Sleep(time.Duration(rng.Int64N(int64(pause))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		n := committed(i)
		if n < prev {
			t.Fatalf("kill %d: %d writes, %d before: a committed write was lost", i, n, prev)
		}
		prev = n
	}
	if prev == 0 {
		t.Fatal("the writer never committed a write")
	}
	t.Logf("%d writes committed across %d kills", prev, kills)
	return prev
}

func TestKilledWriterLeavesOldOrNewState(t *testing.T) {
	p := testPath(t)
	killRepeatedly(t, "loop", p, 100, 1, 5*time.Millisecond, func(i int) int {
		d, _, err := readStore(p)
		if err != nil {
			t.Fatalf("kill %d: the store does not parse: %v", i, err)
		}
		// The writer only appends K000000, K000001, ...: any state it ever
		// wrote is such a prefix.
		for j, a := range d.Accounts {
			if want := fmt.Sprintf("K%06d", j); a.CANumber != want || len(a.Note) != j%97 {
				t.Fatalf("kill %d: account %d is %+v, want %s: not a state the writer wrote", i, j, a, want)
			}
		}
		return len(d.Accounts)
	})
	s := openAt(t, p)
	if tmp := s.tempFiles(); len(tmp) != 0 {
		t.Fatalf("temp files left after Open: %v", tmp)
	}
}

// TestConcurrentProcessesKeepEveryLookup: four processes recording 250
// lookups each append exactly 1,000 history lines, none torn, and a
// saved account counts the lookups of its vehicle from all of them.
func TestConcurrentProcessesKeepEveryLookup(t *testing.T) {
	procs, lookups := 4, 250
	if raceEnabled {
		lookups = 60
	}
	p := testPath(t)
	s, err := Open(p, lookupOptions)
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, Account{CANumber: "P00003", Operator: 311})
	var helpers sync.WaitGroup
	for i := range procs {
		helpers.Go(func() { runHelperOK(t, "lookups", p, fmt.Sprintf("P%d %d", i, lookups)) })
	}
	helpers.Wait()
	b, err := os.ReadFile(historyPath(p))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if last := lines[len(lines)-1]; last != "" {
		t.Fatalf("the history file ends in a torn line %q", last)
	}
	lines = lines[1 : len(lines)-1] // the header, and the empty string after the last newline
	if len(lines) != procs*lookups {
		t.Fatalf("%d history lines, want %d", len(lines), procs*lookups)
	}
	for i, line := range lines {
		if !json.Valid([]byte(line)) {
			t.Fatalf("line %d is not JSON: %q", i+2, line)
		}
	}
	d, _, err := readStore(p)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Open(p, Options{HistoryLimit: procs * lookups})
	if err != nil {
		t.Fatal(err)
	}
	if r := s2.Data().Recent; len(r) != procs*lookups {
		t.Fatalf("%d recent lookups, want %d", len(r), procs*lookups)
	}
	if a := d.Accounts[0]; a.UseCount != 1 || a.Last == nil || a.Last.Consumer.Name != "N P00003" {
		t.Fatalf("saved account %+v (last %+v), want the one lookup of its vehicle", a, a.Last)
	}
}

// TestKilledLookupWriterLosesNoCommittedLookup: a process killed at any
// moment while appending lookups leaves at most a torn last line, which
// is skipped, and the next writer ends it and goes on.
func TestKilledLookupWriterLosesNoCommittedLookup(t *testing.T) {
	p := testPath(t)
	killRepeatedly(t, "lookuploop", p, 60, 3, 5*time.Millisecond, func(i int) int {
		r := dataAt(t, p, Options{HistoryLimit: 100000}, fmt.Sprintf("kill %d", i)).Recent
		for j, l := range r { // newest first: L(n-1) ... L000000
			if want := fmt.Sprintf("L%06d", len(r)-1-j); l.CANumber != want || len(l.ErrorMessage) != (len(r)-1-j)%97 {
				t.Fatalf("kill %d: lookup %d is %+v, want %s: not one the writer wrote", i, j, l, want)
			}
		}
		return len(r)
	})
}

func TestKilledLockHolderDoesNotBlock(t *testing.T) {
	p := testPath(t)
	cmd := startUntil(t, "hold", p, "locked")
	s, err := Open(p, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var lt *LockTimeoutError
	if _, err := s.SaveAccount(Account{CANumber: "AA11A1111"}); !errors.As(err, &lt) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("SaveAccount while another process holds the lock = %v, want a lock timeout", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	next, err := Open(p, Options{LockTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := next.SaveAccount(Account{CANumber: "BB22B2222"}); err != nil {
		t.Fatalf("SaveAccount after the lock holder was killed: %v", err)
	}
}

func TestPermissionsWhateverTheUmask(t *testing.T) {
	for _, u := range []string{"000", "022", "077"} {
		t.Run("umask "+u, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, "x", "y", "store.json")
			runHelperOK(t, "umask", p, u)
			for path, want := range map[string]os.FileMode{
				filepath.Join(root, "x"):      0o700,
				filepath.Join(root, "x", "y"): 0o700,
				p:                             0o600,
				p + ".lock":                   0o600,
			} {
				if got := mode(t, path); got != want {
					t.Errorf("%s: mode %#o, want %#o", path, got, want)
				}
			}
		})
	}
}

func TestDiskFullKeepsFileAndSessionState(t *testing.T) {
	runHelperOK(t, "diskfull", testPath(t), "")
}
