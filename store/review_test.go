package store

// Findings of an adversarial review of the store (accounts file + history
// file). Each test here fails on the code it was written against and
// describes the behaviour the store promises (doc.go, issue 11 and 14).

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// holdLock takes the store's cross-process lock from another file
// description (another process, as far as flock is concerned) and returns
// its release.
func holdLock(t *testing.T, p string) func() {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	held := flock.New(p + ".lock")
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatalf("TryLock: %v %v", ok, err)
	}
	return func() { held.Unlock(); held.Close() }
}

// failedLookupAt is a failed lookup of vehicle v at minute m after t0.
func failedLookupAt(v string, m int) Lookup {
	return Lookup{Operator: 311, CANumber: v, At: t0.Add(time.Duration(m) * time.Minute), ErrorKind: "api", ErrorMessage: "Vehicle not found"}
}

// openShortLock opens the store at p with a fixed clock, history limit 200
// and a lock timeout short enough to provoke a pending change.
func openShortLock(t *testing.T, p string) *Store {
	t.Helper()
	s, err := Open(p, Options{HistoryLimit: 200, LockTimeout: 30 * time.Millisecond, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A lookup that could not be written (lock timeout) and an account saved
// next are written in one commit. The account's seq is planned as
// "next line number + lines appended", but when that commit also creates
// the history file, the file's raw lines are numbered from newBase (the
// clock in nanoseconds), not from the 0 the plan assumed: the lookup made
// before the vehicle was saved then counts as a use once the files are read
// again (the session that wrote them says 0).
func TestReviewPendingLookupBeforeSaveIsNotAUseWhenTheHistoryFileIsNew(t *testing.T) {
	p := testPath(t)
	s := openShortLock(t, p)
	release := holdLock(t, p)
	var pe *PendingError
	if err := s.RecordLookups(lookupAt("AA11A1111", 1)); !errors.As(err, &pe) {
		release()
		t.Fatalf("RecordLookups under a held lock = %v, want a *PendingError", err)
	}
	release()
	a := mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311})
	if a.UseCount != 0 {
		t.Fatalf("in the session: use count %d right after saving, want 0", a.UseCount)
	}
	if got := openAt(t, p).Data().Accounts[0]; got.UseCount != a.UseCount {
		t.Fatalf("read again: use count %d, the session that wrote it says %d (the lookup made before saving counted as a use)", got.UseCount, a.UseCount)
	}
}

// The same plan is one line off when the history file ends in a torn line
// (a writer killed mid-append): appendJournal first ends that line, which
// takes the number the plan gave the first appended line, so the last
// appended line gets the new account's seq. A failed lookup written with
// the save then counts as the account's use.
func TestReviewTornLineShiftsTheSeqOfAnAccountSavedWithAPendingLookup(t *testing.T) {
	for _, torn := range []bool{false, true} {
		name := "clean file"
		if torn {
			name = "torn last line"
		}
		t.Run(name, func(t *testing.T) {
			p := testPath(t)
			if err := openAt(t, p).RecordLookups(lookupAt("BB22B2222", 0)); err != nil {
				t.Fatal(err)
			}
			if torn {
				f, err := os.OpenFile(historyPath(p), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				f.WriteString(`{"operator":311,"canumber":"CC33C3`) // a writer killed mid-append
				f.Close()
			}
			s := openShortLock(t, p)
			release := holdLock(t, p)
			if err := s.RecordLookups(failedLookupAt("AA11A1111", 1)); err == nil {
				release()
				t.Fatal("RecordLookups succeeded under a held lock")
			}
			release()
			a := mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311})
			if a.UseCount != 0 {
				t.Fatalf("in the session: use count %d right after saving, want 0", a.UseCount)
			}
			if got := openAt(t, p).Data().Accounts[0]; got.UseCount != 0 || !got.LastUsedAt.IsZero() {
				t.Fatalf("read again: use count %d, last used %v; want 0 and never (the lookup was made before saving)", got.UseCount, got.LastUsedAt)
			}
		})
	}
}

// "history clear" that hit a lock timeout is kept pending and replayed as
// "Recent = []" on whatever the next write sees, so it also wipes every
// lookup recorded after it: a clear followed by a lookup ends with no
// history at all.
func TestReviewPendingClearHistoryKeepsLookupsMadeAfterIt(t *testing.T) {
	p := testPath(t)
	s := openShortLock(t, p)
	if err := s.RecordLookups(lookupAt("AA11A1111", 1)); err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, p)
	if err := s.ClearHistory(); err == nil {
		release()
		t.Fatal("ClearHistory succeeded under a held lock")
	}
	release()
	if err := s.RecordLookups(lookupAt("BB22B2222", 2)); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string][]Lookup{"session": s.Data().Recent, "read again": openAt(t, p).Data().Recent} {
		if len(r) != 1 || r[0].CANumber != "BB22B2222" {
			t.Errorf("%s: recent = %v, want only the lookup made after the clear (BB22B2222)", name, vehiclesOf(r))
		}
	}
}

// vehiclesOf lists the vehicles of lookups.
func vehiclesOf(ls []Lookup) []string {
	var vs []string
	for _, l := range ls {
		vs = append(vs, l.CANumber)
	}
	return vs
}

// A history file that has to be started again (moved aside as unreadable,
// or deleted) is numbered from the clock. When the clock is behind the one
// that numbered the saved accounts (a clock stepped back, a VM restored,
// a store copied from another machine), every raw line of the new file is
// below every saved account's seq, and compactions carry that numbering
// on: the saved accounts never count a lookup again.
func TestReviewNewHistoryFileAfterTheClockSteppedBackStillCountsLookups(t *testing.T) {
	p := testPath(t)
	clock := t0
	open := func() *Store {
		s, err := Open(p, Options{HistoryLimit: 200, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	if err := s.RecordLookups(lookupAt("BB22B2222", 0)); err != nil { // the history file, numbered from t0
		t.Fatal(err)
	}
	mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311})
	writeRaw(t, historyPath(p), "\x00\x01 damaged \x00\n", 0o600) // moved aside by the next Open
	clock = t0.Add(-time.Hour)
	s = open()
	if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], ".corrupt-") {
		t.Fatalf("notices %q", n)
	}
	for i := range 3 {
		if err := s.RecordLookups(lookupAt("AA11A1111", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if a := open().Data().Accounts[0]; a.UseCount != 3 || a.Last == nil {
		t.Fatalf("after 3 lookups of the saved vehicle: use count %d, last %v; want 3 and a result", a.UseCount, a.Last)
	}
}

// A reader without the lock (ReloadIfChanged, Open) may see the complete
// lines of an append that then fails (a disk filling up mid-write) and is
// cut back by appendJournal. When another process then appends at least as
// many bytes, the reader sees the same file, grown, with the same
// generation, and reads on from its old offset, in the middle of the new
// line: it keeps the lookups that were cut back, loses the real one, and
// may write the phantom into the store (here: as a saved account's result).
func TestReviewReaderSeesTheCutBackOfAFailedAppend(t *testing.T) {
	p := testPath(t)
	reader := openAt(t, p)
	if err := reader.RecordLookups(lookupAt("AA11A1111", 1)); err != nil {
		t.Fatal(err)
	}
	hp := historyPath(p)
	info, err := os.Stat(hp)
	if err != nil {
		t.Fatal(err)
	}
	// Another process's append, visible for a moment before it fails and
	// is cut back to the old length (what appendJournal does on failure).
	lines, err := encodeEntries(nil, []entry{lookupEntry(lookupAt("PH00NTOM1", 2)), lookupEntry(lookupAt("PH00NTOM2", 3))})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(hp, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(lines)
	if _, _, err := reader.ReloadIfChanged(); err != nil {
		t.Fatal(err)
	}
	f.Truncate(info.Size())
	f.Close()
	// A third process then records a lookup (longer than the cut-back lines).
	long := failedLookupAt("RE00AL001", 4)
	long.ErrorMessage = strings.Repeat("m", len(lines))
	if err := openAt(t, p).RecordLookups(long); err != nil {
		t.Fatal(err)
	}
	d, _, err := reader.ReloadIfChanged()
	if err != nil {
		t.Fatal(err)
	}
	if got := vehiclesOf(d.Recent); len(got) != 2 || got[0] != "RE00AL001" || got[1] != "AA11A1111" {
		t.Errorf("reader's history = %v, want [RE00AL001 AA11A1111] as the file holds", got)
	}
	// The reader now saves a vehicle it "looked up": it takes the result of
	// a lookup that is in no file.
	reader.SaveAccount(Account{CANumber: "PH00NTOM1"})
	if b, _ := os.ReadFile(hp); bytes.Contains(b, []byte("NPH00NTOM1")) {
		t.Errorf("the result of a cut-back lookup was written to the history file")
	}
}

// An account of an old-layout store with no id (a hand-edited file, or one
// from a build that did not check) loses its use count and last result in
// the upgrade: its state is written as an entry without an id, which reads
// as a lookup without a vehicle and is dropped. Two accounts sharing an id
// end with both states added onto the last one.
func TestReviewOldLayoutWithOddIDsKeepsEachAccountsState(t *testing.T) {
	for name, ids := range map[string][2]string{"no id": {"", "a2"}, "the same id twice": {"a1", "a1"}} {
		t.Run(name, func(t *testing.T) {
			p := testPath(t)
			v1 := strings.Replace(v1Store, `"id":"a1"`, `"id":"`+ids[0]+`"`, 1)
			v1 = strings.Replace(v1, `"id":"a2"`, `"id":"`+ids[1]+`","use_count":7,"last_used_at":"2026-01-04T00:00:00Z"`, 1)
			v1 = strings.Replace(v1, `"last_used_at":"0001-01-01T00:00:00Z","use_count":0,`, "", 1)
			writeRaw(t, p, v1, 0o600)
			d := openAt(t, p).Data()
			if len(d.Accounts) != 2 {
				t.Fatalf("%d accounts after the upgrade", len(d.Accounts))
			}
			a, b := d.Accounts[0], d.Accounts[1]
			if a.UseCount != 4 || a.Last == nil || a.Last.Consumer.Name != "NITESH" {
				t.Errorf("DL12CB4685 after the upgrade: use count %d, last %v; want 4 and NITESH's bill", a.UseCount, a.Last)
			}
			if b.UseCount != 7 || b.Last != nil {
				t.Errorf("KA01A1234 after the upgrade: use count %d, last %v; want 7 and none", b.UseCount, b.Last)
			}
		})
	}
}

// The copy of an old-layout store ("store.json.bak-v1") is removed only at
// the very end of the upgrade. A crash after the new accounts file is in
// place and before that removal (the files as such a crash leaves them)
// keeps the copy forever: nothing removes it later, and with it every
// lookup of the old store survives "history clear".
func TestReviewLeftoverUpgradeCopyIsNotKeptForever(t *testing.T) {
	p := testPath(t)
	writeRaw(t, p, v1Store, 0o600)
	openAt(t, p) // upgraded
	writeRaw(t, p+backupSuffix, v1Store, 0o600)
	s := openAt(t, p)
	if err := s.ClearHistory(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(p), "*"))
	for _, f := range files {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte("MH01AB1234")) {
			t.Errorf("after history clear, %s still holds a lookup of the old store (MH01AB1234)", filepath.Base(f))
		}
	}
}

// With history off (history_limit = 0), a lookup of a vehicle that is not
// saved must record nothing, and one of a saved vehicle only its account's
// state. To find out which, RecordLookups goes through mutate, which reads
// and decodes both files whole (every saved account's last result in the
// history file, every lookup kept from before) on every "aopfetch fetch":
// turning history off makes the one-shot lookup far slower than with
// history on (here ~60 ms against ~2 ms at 5,000 saved accounts). The
// accounts file alone says which vehicles are saved, and an account entry
// is a delta that needs no current state. Measured in allocations, not
// time.
func TestReviewHistoryOffFetchDoesNotDecodeTheWholeHistory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "store.json")
	writeData(t, p, benchData(2000, 200))
	fetch := func(limit int) float64 {
		return testing.AllocsPerRun(3, func() {
			s, err := Open(p, Options{HistoryLimit: limit, Deferred: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RecordLookups(failedLookupAt("UNSAVED01", 1)); err != nil {
				t.Fatal(err)
			}
		})
	}
	on, off := fetch(200), fetch(0)
	if off > 10*on {
		t.Fatalf("a deferred lookup allocates %.0f times with history off, %.0f with history on: history off reads the whole store", off, on)
	}
}

// An old-layout accounts file next to a history file from a newer aopfetch
// (say, store.json restored from an old backup after an upgrade): the
// history file is not read beside an old-layout accounts file, so it is
// not seen to be newer, and the upgrade replaces it with the old store's
// history. A file from a newer aopfetch must be opened read-only, never
// overwritten.
func TestReviewUpgradeNeverOverwritesANewerHistoryFile(t *testing.T) {
	p := testPath(t)
	writeRaw(t, p, v1Store, 0o600)
	newer := `{"journal":3,"base":0,"folded":0}` + "\n" + `{"kind":"lookup","canumber":"NEWER0001"}` + "\n"
	writeRaw(t, historyPath(p), newer, 0o600)
	s := openAt(t, p)
	if b, _ := os.ReadFile(historyPath(p)); string(b) != newer {
		t.Errorf("the newer history file was replaced by the upgrade:\n%s", b)
	}
	if !s.ReadOnly() {
		t.Errorf("a store with a newer history file is writable")
	}
}

// Both files damaged at once (a disk error, a bad copy): refreshLocked
// moves aside the first corrupt file it is told of, reads again, and
// returns the second one's error instead of moving that one aside too, so
// Open fails; it takes a second Open to start again.
func TestReviewBothFilesCorruptAreMovedAsideInOneOpen(t *testing.T) {
	p := testPath(t)
	mustSave(t, openAt(t, p), Account{CANumber: "AA11A1111"})
	writeRaw(t, p, "{\x00\xde\xad broken", 0o600)
	writeRaw(t, historyPath(p), "\x00\xde\xad garbage\nmore\n", 0o600)
	s, err := Open(p, Options{HistoryLimit: 200})
	if err != nil {
		t.Fatalf("Open with both files damaged: %v", err)
	}
	if n := s.Notices(); len(n) != 2 {
		t.Fatalf("notices %q, want one for each file moved aside", n)
	}
}
