//go:build unix

package store

// Findings of an adversarial review of the store that need a Unix system:
// helper processes (a size limit, kill -9), modes and symbolic links.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/safefile"
)

// reviewHelperEnv selects the mode of the review's helper process (the
// path and argument are passed as for the other helpers).
const reviewHelperEnv = "AOPFETCH_STORE_REVIEW_HELPER"

// TestReviewHelperProcess is not a real test: it is the body of the helper
// processes of the review tests.
func TestReviewHelperProcess(t *testing.T) {
	mode := os.Getenv(reviewHelperEnv)
	if mode == "" {
		t.Skip("runs only as a helper process")
	}
	if err := runReviewHelper(mode, os.Getenv(helperPathEnv), os.Getenv(helperArgEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runReviewHelper(mode, path, arg string) error {
	switch mode {
	case "upgrade-nearly-full": // arg: the size limit in bytes
		n, _ := strconv.ParseUint(arg, 10, 64)
		return helperUpgradeNearlyFull(path, n)
	case "open-nearly-full": // open (and so upgrade) the store with files capped at arg bytes
		n, _ := strconv.ParseUint(arg, 10, 64)
		var lim syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim)
		lim.Cur = n
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
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
	return fmt.Errorf("unknown review helper mode %q", mode)
}

// reviewHelperCmd builds a review helper process.
func reviewHelperCmd(mode, path, arg string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestReviewHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), reviewHelperEnv+"="+mode, helperPathEnv+"="+path, helperArgEnv+"="+arg)
	return cmd
}

// bigV1 is a store file of the old layout: two saved accounts (the first
// with 4 uses and a result) and n recent lookups with results.
func bigV1(t *testing.T, n int) []byte {
	t.Helper()
	var d Data
	if err := json.Unmarshal([]byte(v1Store), &d); err != nil {
		t.Fatal(err)
	}
	d.Recent = nil
	for i := range n {
		at := t0.Add(time.Duration(-i) * time.Minute)
		v := fmt.Sprintf("HR%02dX%04d", i%100, i)
		d.Recent = append(d.Recent, Lookup{Operator: 311, CANumber: v, At: at, OK: true,
			Snapshot: &Snapshot{Consumer: client.Consumer{ResponseCode: 1, Status: true, Message: "ok", Name: "NAME " + v, Amount: "1000.0", DueDate: "2021-09-20"}, FetchedAt: at}})
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkV1Kept fails unless the store at p holds the content of bigV1(n).
func checkV1Kept(t *testing.T, p string, n int, what string) {
	t.Helper()
	s, err := Open(p, Options{HistoryLimit: 1000})
	if err != nil {
		t.Fatalf("%s: Open: %v", what, err)
	}
	d := s.Data()
	if len(d.Accounts) != 2 {
		t.Fatalf("%s: %d accounts, want 2", what, len(d.Accounts))
	}
	if a := d.Accounts[0]; a.UseCount != 4 || a.Last == nil || a.Last.Consumer.Name != "NITESH" {
		t.Fatalf("%s: DL12CB4685 has use count %d and last %v; want the 4 uses and NITESH's bill of the old store", what, a.UseCount, a.Last)
	}
	if got, want := len(d.Recent), min(n, 1000); got != want {
		t.Fatalf("%s: %d recent lookups, want the old store's %d", what, got, want)
	}
}

// helperUpgradeNearlyFull opens an old-layout store on a "disk" with room
// for limit bytes a file (RLIMIT_FSIZE): the copy kept during the upgrade,
// as large as the old store, does not fit, so the upgrade fails; then one
// lookup is recorded, which the store writes as plain appends and a new
// accounts file, both small enough to fit.
func helperUpgradeNearlyFull(path string, limit uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		return err
	}
	small := lim
	small.Cur = limit
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &small); err != nil {
		return err
	}
	s, err := Open(path, Options{HistoryLimit: 1000})
	if err != nil {
		return err
	}
	if n := s.Notices(); len(n) == 0 || !strings.Contains(n[0], "could not upgrade") {
		return fmt.Errorf("notices %q, want one saying the upgrade failed", n)
	}
	l := Lookup{Operator: 311, CANumber: "ZZ99Z9999", At: t0.Add(time.Hour), ErrorKind: "api", ErrorMessage: "Vehicle not found"}
	if err := s.RecordLookups(l); err != nil {
		fmt.Println("the lookup was not written:", err)
	}
	return nil
}

// On a nearly full disk (or a quota), the upgrade of an old-layout store
// fails at its first and largest write, the copy of the old file. The
// store then runs on the old content in memory and the next write takes
// the ordinary path: plan sees no history change, appends the new entries
// to a history file that holds none of the old ones, and rewrites the
// accounts file in the new layout. The old store's results, use counts
// and history are then gone, with no copy left.
func TestReviewFailedUpgradeThenAWriteKeepsTheOldResults(t *testing.T) {
	p := testPath(t)
	n := 300
	v1 := bigV1(t, n)
	writeRaw(t, p, string(v1), 0o600)
	// Too little room for the history file: the upgrade fails, and the
	// lookup after it must not take the ordinary path.
	out, err := reviewHelperCmd("upgrade-nearly-full", p, "4096").CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	t.Logf("helper: %s", out)
	checkV1Kept(t, p, n, "after a failed upgrade and one lookup")
	// Room for the new files but not for a copy of the old one: the copy
	// is a second name for the old file, and the upgrade goes through.
	p2 := testPath(t)
	writeRaw(t, p2, string(v1), 0o600)
	if out, err := reviewHelperCmd("open-nearly-full", p2, strconv.Itoa(len(v1)-1)).CombinedOutput(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(p2); !strings.HasPrefix(string(b), accountsPrefix) {
		t.Fatal("the upgrade did not go through with room for the new files only")
	}
	checkV1Kept(t, p2, n, "after an upgrade on a nearly full disk")
}

// Held up: the upgrade killed at any moment (after the copy, after the
// history file, after the accounts file) leaves a store that opens with
// everything the old one held.
func TestReviewKilledUpgradeKeepsTheOldStore(t *testing.T) {
	n := 1000
	if raceEnabled {
		n = 200 // every helper runs under the race detector
	}
	v1 := bigV1(t, n)
	p := testPath(t)
	// How long an upgrade takes here, to kill within it.
	writeRaw(t, p, string(v1), 0o600)
	start := time.Now()
	checkV1Kept(t, p, n, "upgrade not killed")
	took := time.Since(start)
	kills := 20
	if raceEnabled {
		kills = 8
	}
	rng := rand.New(rand.NewPCG(11, 7))
	seen := map[string]int{} // the states the kills left
	for i := range kills {
		p := filepath.Join(t.TempDir(), "data", "store.json")
		writeRaw(t, p, string(v1), 0o600)
		cmd := reviewHelperCmd("open", p, "")
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 6)
		stdout.Read(buf)
		time.Sleep(time.Duration(rng.Int64N(int64(3*took) + 1)))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		seen[upgradeState(p)]++
		checkV1Kept(t, p, n, fmt.Sprintf("kill %d", i))
	}
	t.Logf("an upgrade takes %v; the kills left: %v", took, seen)
}

// upgradeState names how far an upgrade of the store at p got.
func upgradeState(p string) string {
	var st []string
	if b, _ := os.ReadFile(p); strings.HasPrefix(string(b), accountsPrefix) {
		st = append(st, "new accounts")
	} else {
		st = append(st, "old file")
	}
	if _, err := os.Stat(p + backupSuffix); err == nil {
		st = append(st, "copy")
	}
	if _, err := os.Stat(historyPath(p)); err == nil {
		st = append(st, "history")
	}
	return strings.Join(st, "+")
}

func helperCompactLoop(path string) error {
	s, err := Open(path, Options{HistoryLimit: 5})
	if err != nil {
		return err
	}
	d := s.Data()
	if len(d.Accounts) == 0 {
		if _, err := s.SaveAccount(Account{CANumber: "S0", Operator: 311}); err != nil {
			return err
		}
		d = s.Data()
	}
	fmt.Println("ready")
	for i := d.Accounts[0].UseCount; ; i += 20 { // 20 lines an append, one fsync
		ls := make([]Lookup, 20)
		for j := range ls {
			ls[j] = Lookup{Operator: 311, CANumber: "S0", ErrorKind: "api", ErrorMessage: strconv.Itoa(i + j)}
		}
		if err := s.RecordLookups(ls...); err != nil {
			return err
		}
	}
}

// Held up: a writer killed at any moment while recording lookups of a saved
// vehicle with a small history limit (so that it compacts every 200 lines)
// leaves a use count that never goes down and agrees with the newest lookup
// in the history.
func TestReviewKilledCompactingWriterKeepsCountsAndHistoryInStep(t *testing.T) {
	p := testPath(t)
	compactions := 0
	lastGen := ""
	killRepeatedlyReview(t, "compactloop", p, 40, func(i int) int {
		s, err := Open(p, Options{HistoryLimit: 5})
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		d := s.Data()
		if len(d.Accounts) != 1 {
			t.Fatalf("kill %d: %d accounts", i, len(d.Accounts))
		}
		a := d.Accounts[0]
		if a.UseCount > 0 && (len(d.Recent) == 0 || d.Recent[0].ErrorMessage != strconv.Itoa(a.UseCount-1)) {
			t.Fatalf("kill %d: use count %d, newest lookup %+v", i, a.UseCount, d.Recent)
		}
		if g := journalGen(historyPath(p)); g != lastGen {
			compactions++
			lastGen = g
		}
		return a.UseCount
	})
	t.Logf("%d history files seen", compactions)
}

// killRepeatedlyReview is killRepeatedly for the review's helper modes.
func killRepeatedlyReview(t *testing.T, mode, p string, kills int, committed func(kill int) int) {
	t.Helper()
	if raceEnabled {
		kills = max(kills/5, 8)
	}
	rng := rand.New(rand.NewPCG(5, 9))
	prev := 0
	for i := range kills {
		cmd := reviewHelperCmd(mode, p, "")
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 6)
		if _, err := stdout.Read(buf); err != nil || string(buf) != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper printed %q (%v)", buf, err)
		}
		time.Sleep(time.Duration(rng.IntN(20000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		n := committed(i)
		if n < prev {
			t.Fatalf("kill %d: %d uses, %d before", i, n, prev)
		}
		prev = n
	}
	if prev == 0 {
		t.Fatal("the writer never committed a lookup")
	}
	t.Logf("%d lookups committed across %d kills", prev, kills)
}

// A store whose directory does not exist yet, reached through the user's
// own symbolic link (a linked data directory, or a link to a store not
// created yet), is accepted even when the link leads into a directory
// others may write: CheckPath resolves the link only when the store file
// already exists. The first run writes the store, lock and history there;
// every later run refuses the very same path.
func TestReviewUnsafeDirectoryBehindALinkIsRefusedBeforeTheStoreExists(t *testing.T) {
	for _, layout := range []string{"linked directory", "linked store file"} {
		t.Run(layout, func(t *testing.T) {
			base := t.TempDir()
			os.Chmod(base, 0o700)
			open := filepath.Join(base, "open") // others may replace what is in it
			os.Mkdir(open, 0o700)
			os.Chmod(open, 0o777)
			real := filepath.Join(open, "aopfetch")
			os.Mkdir(real, 0o700)
			home := filepath.Join(base, "home")
			os.Mkdir(home, 0o700)
			var p string
			if layout == "linked directory" {
				os.Symlink(real, filepath.Join(home, "aopfetch"))
				p = filepath.Join(home, "aopfetch", "store.json")
			} else {
				p = filepath.Join(home, "store.json")
				os.Symlink(filepath.Join(real, "store.json"), p)
			}
			first, err := Open(p, Options{HistoryLimit: 10})
			if err == nil {
				_, err = first.SaveAccount(Account{CANumber: "AA11A1111"})
			}
			_, again := Open(p, Options{HistoryLimit: 10})
			var ue *safefile.UnsafeError
			if !errors.As(err, &ue) {
				t.Errorf("first run: %v; want the refusal a later run gives (%v)", err, again)
			}
			if _, err := os.Stat(filepath.Join(real, "store.json")); err == nil {
				t.Errorf("the store was written into %s, which others may write", open)
			}
		})
	}
}

// A store kept directly in a sticky directory others may write (as /tmp;
// --store /tmp/store.json) passes CheckPath, as the rule allows sticky
// directories. But another user may create the files beside it first: the
// history file, which the agent never names. safefile opens an existing
// regular file whoever owns it, so every lookup (consumer name, phone) is
// appended to a file the other user owns and reads. OpenSSH's StrictModes
// also refuses a file owned by someone else.
func TestReviewHistoryFileOwnedByAnotherUserIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user")
	}
	for _, deferred := range []bool{true, false} {
		t.Run(fmt.Sprintf("deferred=%v", deferred), func(t *testing.T) {
			sticky := filepath.Join(t.TempDir(), "shared")
			os.Mkdir(sticky, 0o700)
			os.Chmod(sticky, 0o777|os.ModeSticky)
			planted := filepath.Join(sticky, "store.history.jsonl")
			if err := os.WriteFile(planted, nil, 0o666); err != nil {
				t.Fatal(err)
			}
			os.Chmod(planted, 0o666)
			if err := os.Chown(planted, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(sticky, "store.json")
			s, err := Open(p, Options{HistoryLimit: 10, Deferred: deferred})
			if err == nil {
				l := lookupAt("DL12CB4685", 1)
				l.Snapshot.Consumer.Name, l.Snapshot.Consumer.Bill.CellNumber = "NITESH KUMAR", "9876543210"
				err = s.RecordLookups(l)
			}
			b, _ := os.ReadFile(planted)
			if strings.Contains(string(b), "9876543210") {
				t.Errorf("a lookup was appended to a history file owned by another user (err %v):\n%s", err, b)
			}
		})
	}
}
