//go:build unix

package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/safefile"
)

// TestStoreInAnotherUsersDirectoryIsRefused: with XDG_DATA_HOME inside a
// directory another user owns and can write, that user's planted links
// (the store to a victim file, the lock to a new file) are not followed:
// the store is refused with the directory's owner named, and the victim is
// neither renamed, replaced nor created.
func TestStoreInAnotherUsersDirectoryIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a directory to another user")
	}
	base := t.TempDir()
	shared := filepath.Join(base, "shared", "aopfetch")
	os.MkdirAll(shared, 0o777)
	os.Chown(filepath.Join(base, "shared"), 65534, 65534)
	os.Chown(shared, 65534, 65534)
	os.Chmod(shared, 0o777)
	victim := filepath.Join(base, "victim")
	os.WriteFile(victim, []byte("\x00binary victim"), 0o644)
	os.Symlink(victim, filepath.Join(shared, "store.json"))
	created := filepath.Join(base, "created")
	os.Symlink(created, filepath.Join(shared, "store.json.lock"))
	for _, o := range []Options{{}, {Deferred: true}} {
		_, err := Open(filepath.Join(shared, "store.json"), o)
		if err == nil || !strings.Contains(err.Error(), "owned by") || !strings.Contains(err.Error(), shared) {
			t.Fatalf("Open = %v, want a refusal naming %s and its owner", err, shared)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "\x00binary victim" {
		t.Fatal("the victim changed")
	}
	if m, _ := filepath.Glob(victim + ".corrupt-*"); len(m) != 0 {
		t.Fatalf("the victim was moved aside: %v", m)
	}
	if _, err := os.Lstat(created); !os.IsNotExist(err) {
		t.Fatal("the planted lock link created a file")
	}
}

func TestWorldWritableStoreDirectoryIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "open")
	os.Mkdir(dir, 0o700)
	os.Chmod(dir, 0o777)
	if _, err := Open(filepath.Join(dir, "store.json"), Options{}); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Fatalf("Open = %v", err)
	}
}

// TestPipeAndDeviceStoresEndPromptly: a named pipe or /dev/zero given as
// the store is refused at once, with bounded memory, for every command's
// way in (reading, recording a lookup).
func TestPipeAndDeviceStoresEndPromptly(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan []error, 1)
	go func() {
		var errs []error
		for _, path := range []string{fifo, "/dev/zero"} {
			_, err := Open(path, Options{HistoryLimit: 200})
			errs = append(errs, err)
			if s, err := Open(path, Options{HistoryLimit: 200, Deferred: true}); err != nil {
				errs = append(errs, err)
			} else {
				errs = append(errs, s.RecordLookups(Lookup{Operator: 1, CANumber: "AA11A1111", OK: true}))
			}
		}
		done <- errs
	}()
	select {
	case errs := <-done:
		for i, want := range []string{"named pipe", "named pipe", "a device", "a device"} {
			if errs[i] == nil || !strings.Contains(errs[i].Error(), want) {
				t.Errorf("case %d: %v, want an error saying %q", i, errs[i], want)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a pipe or device store blocked")
	}
}

func TestLinkedLockFileIsNotFollowed(t *testing.T) {
	p := testPath(t)
	os.MkdirAll(filepath.Dir(p), 0o700)
	target := filepath.Join(t.TempDir(), "elsewhere")
	os.Symlink(target, p+".lock")
	s := openAt(t, p)
	if _, err := s.SaveAccount(Account{CANumber: "AA11A1111"}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("SaveAccount with a linked lock file = %v", err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatal("the lock link's target was created")
	}
}

// The tests from here on are findings of an adversarial review of the
// store that need a Unix system: helper processes (a size limit, kill -9),
// modes and symbolic links.

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
	d := dataAt(t, p, Options{HistoryLimit: 1000}, what)
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
	if _, err := limitFileSize(limit); err != nil {
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
	out, err := helperCmd("upgrade-nearly-full", p, "4096").CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	t.Logf("helper: %s", out)
	checkV1Kept(t, p, n, "after a failed upgrade and one lookup")
	// Room for the new files but not for a copy of the old one: the copy
	// is a second name for the old file, and the upgrade goes through.
	p2 := testPath(t)
	writeRaw(t, p2, string(v1), 0o600)
	runHelperOK(t, "open-nearly-full", p2, strconv.Itoa(len(v1)-1))
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
		cmd := startUntil(t, "open", p, "ready")
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
	killRepeatedly(t, "compactloop", p, 40, 5, 20*time.Millisecond, func(i int) int {
		d := dataAt(t, p, Options{HistoryLimit: 5}, fmt.Sprintf("kill %d", i))
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
