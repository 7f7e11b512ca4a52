package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// lookupAt is an ok lookup of vehicle v at minute m after t0.
func lookupAt(v string, m int) Lookup {
	at := t0.Add(time.Duration(m) * time.Minute)
	return Lookup{Operator: 311, CANumber: v, RegistrationID: "R", At: at, OK: true, Snapshot: snap("N"+v, at)}
}

// historyLines returns the lines of the history file at p (without the
// header), failing the test if one is not JSON.
func historyLines(t *testing.T, p string) []string {
	t.Helper()
	b, err := os.ReadFile(historyPath(p))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("history line %q is not JSON", l)
		}
	}
	return lines[1:]
}

func TestALookupAppendsOneLineAndLeavesTheAccountsFile(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311})
	before, _ := os.Stat(p)
	beforeBytes, _ := os.ReadFile(p)
	n := len(historyLines(t, p))
	for i := range 3 {
		mustRecord(t, s, lookupAt("AA11A1111", i+1))
	}
	if after, _ := os.Stat(p); !sameFile(before, after) {
		t.Fatal("a lookup rewrote the accounts file")
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, beforeBytes) {
		t.Fatal("a lookup changed the accounts file")
	}
	if got := len(historyLines(t, p)); got != n+3 {
		t.Fatalf("%d history lines after 3 lookups, want %d", got, n+3)
	}
	a := openAt(t, p).Data().Accounts[0]
	if a.UseCount != 3 || a.Last == nil || a.Last.Consumer.Name != "NAA11A1111" || !a.LastUsedAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("account after 3 lookups: %+v", a)
	}
}

func TestDeferredStoreRecordsWithoutReading(t *testing.T) {
	p := testPath(t)
	mustSave(t, openAt(t, p), Account{CANumber: "AA11A1111", Operator: 311})
	// An accounts file that is not even JSON after its first bytes: a
	// deferred store must not read it to record a lookup.
	b, _ := os.ReadFile(p)
	broken := append(b[:len(accountsPrefix)], "\x00 not read \x00"...)
	writeRaw(t, p, string(broken), 0o600)
	s, err := Open(p, Options{HistoryLimit: 200, Deferred: true})
	if err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, lookupAt("AA11A1111", 1))
	if got, _ := os.ReadFile(p); !bytes.Equal(got, broken) || len(s.Notices()) != 0 {
		t.Fatalf("the accounts file was read or changed (notices %q)", s.Notices())
	}
	if got := historyLines(t, p); len(got) != 1 {
		t.Fatalf("history = %q", got)
	}
}

func TestTornLastLineIsSkippedAndEnded(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311})
	mustRecord(t, s, lookupAt("AA11A1111", 1))
	f, err := os.OpenFile(historyPath(p), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"operator":311,"canumber":"AA11A1111","at":"2026-01-0`) // a crash mid-append
	f.Close()
	d := openAt(t, p).Data()
	if len(d.Recent) != 1 || d.Accounts[0].UseCount != 1 {
		t.Fatalf("with a torn line: %d recent, use count %d", len(d.Recent), d.Accounts[0].UseCount)
	}
	s2 := openAt(t, p)
	mustRecord(t, s2, lookupAt("BB22B2222", 2))
	b, _ := os.ReadFile(historyPath(p))
	if !bytes.HasSuffix(b, []byte("\n")) || bytes.Count(b, []byte(`"BB22B2222"`)) != 1 {
		t.Fatalf("history after a torn line:\n%s", b)
	}
	if r := openAt(t, p).Data().Recent; len(r) != 2 || r[0].CANumber != "BB22B2222" {
		t.Fatalf("recent = %+v", r)
	}
	// The next compaction drops the torn line.
	if err := s2.ClearHistory(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(historyPath(p)); bytes.Contains(b, []byte(`"at":"2026-01-0`+"\n")) {
		t.Fatalf("the torn line survived a compaction:\n%s", b)
	}
}

func TestHistoryIsCompactedPastTwiceTheLimit(t *testing.T) {
	p := testPath(t)
	s, err := Open(p, Options{HistoryLimit: 100, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, Account{CANumber: "SAVED1", Operator: 311})
	mustSave(t, s, Account{CANumber: "SAVED2"})
	accountsBefore, _ := os.Stat(p)
	maxLines := 0
	for i := range 700 {
		v := []string{"SAVED1", "SAVED2", "OTHER" + strings.Repeat("X", i%7)}[i%3]
		mustRecord(t, s, lookupAt(v, i))
		maxLines = max(maxLines, len(historyLines(t, p)))
	}
	if maxLines > 2*200+3 {
		t.Fatalf("the history file grew to %d lines with a limit of 100", maxLines)
	}
	if after, _ := os.Stat(p); !sameFile(accountsBefore, after) {
		t.Fatal("a compaction rewrote the accounts file")
	}
	d := openAt(t, p).Data()
	a1, a2 := d.Accounts[0], d.Accounts[1]
	if a1.UseCount != 234 || a2.UseCount != 233 || !a1.LastUsedAt.Equal(t0.Add(699*time.Minute)) || a2.Last.Consumer.Name != "NSAVED2" {
		t.Fatalf("accounts after compactions: %+v / %+v", a1, a2)
	}
	s100, _ := Open(p, Options{HistoryLimit: 100})
	if r := s100.Data().Recent; len(r) != 9 || !r[0].At.Equal(t0.Add(699*time.Minute)) {
		t.Fatalf("recent = %d entries (newest %v), want the 9 distinct keys", len(r), r[0].At)
	}
}

func TestALookupBeforeSavingIsNotAUse(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	mustRecord(t, s, lookupAt("AA11A1111", 1), lookupAt("AA11A1111", 2))
	a := mustSave(t, s, Account{CANumber: "AA11A1111"})
	if a.UseCount != 0 || a.Last == nil {
		t.Fatalf("saved after two lookups: %+v", a)
	}
	mustRecord(t, s, lookupAt("AA11A1111", 3))
	if a := openAt(t, p).Data().Accounts[0]; a.UseCount != 1 || !a.Last.FetchedAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("after one more: %+v", a)
	}
}

func TestRemovedAndRestoredAccountKeepsItsState(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311, Label: "van"})
	mustRecord(t, s, lookupAt("AA11A1111", 1))
	gone, _ := s.Data().Account("AA11A1111")
	mustRemove(t, s, "AA11A1111")
	if err := s.ClearHistory(); err != nil { // a compaction while it is gone
		t.Fatal(err)
	}
	back := mustSave(t, s, gone)
	if back.ID != gone.ID || back.UseCount != 1 || !sameSnapshot(back.Last, gone.Last) || back.Label != "van" {
		t.Fatalf("restored %+v, want %+v", back, gone)
	}
	if a := openAt(t, p).Data().Accounts[0]; a.UseCount != 1 || !sameSnapshot(a.Last, gone.Last) {
		t.Fatalf("reopened: %+v", a)
	}
}

// v1Store is a store file of the old layout: two accounts, one with a
// result, and two recent lookups.
const v1Store = `{"version":1,"accounts":[
{"id":"a1","label":"Van","operator":311,"canumber":"DL12CB4685","registration_id":"AOP-554","note":"n","created_at":"2026-01-02T03:04:05Z","last_used_at":"2026-01-03T00:00:00Z","use_count":4,"position":0,"last":{"consumer":{"response_code":1,"status":true,"message":"ok","name":"NITESH","amount":"1000.0","due_date":"2021-09-20","bill":{"bill_amount":"1000.0","bill_net_amount":"","due_date":"","max_bill_amount":"","accept_payment":true,"accept_part_pay":false,"cell_number":"","user_name":"NITESH"}},"fetched_at":"2026-01-03T00:00:00Z"}},
{"id":"a2","label":"","operator":0,"canumber":"KA01A1234","registration_id":"","note":"","created_at":"2026-01-02T03:04:05Z","last_used_at":"0001-01-01T00:00:00Z","use_count":0,"position":1}
],"recent":[
{"operator":311,"canumber":"DL12CB4685","registration_id":"AOP-554","at":"2026-01-03T00:00:00Z","ok":true,"snapshot":{"consumer":{"response_code":1,"status":true,"message":"ok","name":"NITESH","amount":"1000.0","due_date":"2021-09-20"},"fetched_at":"2026-01-03T00:00:00Z"}},
{"operator":311,"canumber":"MH01AB1234","registration_id":"AOP-554","at":"2026-01-02T00:00:00Z","ok":false,"error_kind":"api","error_message":"Vehicle not found"}
]}
`

func TestOldLayoutIsUpgradedOnOpen(t *testing.T) {
	p := testPath(t)
	writeRaw(t, p, v1Store, 0o600)
	var want Data
	if err := json.Unmarshal([]byte(v1Store), &want); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, p)
	if got := s.Data(); !sameData(got, Data{Version: SchemaVersion, Accounts: want.Accounts, Recent: want.Recent}) {
		t.Fatalf("upgraded store:\n got %+v\nwant %+v", got, want)
	}
	if len(s.Notices()) != 0 {
		t.Fatalf("notices %q", s.Notices())
	}
	b, _ := os.ReadFile(p)
	if !bytes.HasPrefix(b, []byte(accountsPrefix)) || bytes.Contains(b, []byte("NITESH")) {
		t.Fatalf("accounts file after the upgrade:\n%s", b)
	}
	if _, err := os.Stat(p + backupSuffix); !os.IsNotExist(err) {
		t.Fatalf("the backup is still there after a successful upgrade (%v)", err)
	}
	if m := mode(t, historyPath(p)); m != 0o600 {
		t.Fatalf("history file mode %#o", m)
	}
	// Export keeps its format: schema 1, every field.
	var out bytes.Buffer
	if err := Export(&out, "json", s.Data()); err != nil || !strings.Contains(out.String(), `"version": 1`) || !strings.Contains(out.String(), `"use_count": 4`) {
		t.Fatalf("export after the upgrade (%v):\n%s", err, out.String())
	}
}

func TestFailedUpgradeLeavesTheOldFile(t *testing.T) {
	skipOnWindows(t)
	if os.Geteuid() == 0 {
		t.Skip("root writes into a read-only directory")
	}
	p := testPath(t)
	writeRaw(t, p, v1Store, 0o600)
	dir := filepath.Dir(p)
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	s := openAt(t, p)
	if got := vehicles(s.Data()); !slices.Equal(got, []string{"DL12CB4685", "KA01A1234"}) || len(s.Data().Recent) != 2 {
		t.Fatalf("store read without its upgrade: %v", got)
	}
	if b, _ := os.ReadFile(p); string(b) != v1Store {
		t.Fatal("the old file changed")
	}
	if _, err := s.SaveAccount(Account{CANumber: "MH12AB1234"}); err == nil {
		t.Fatal("a save into a read-only directory succeeded")
	}
	os.Chmod(dir, 0o700)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	checkStored(t, p, "after the directory is writable again", "DL12CB4685", "KA01A1234", "MH12AB1234")
}

func TestAnUpgradeCutShortIsDoneAgain(t *testing.T) {
	p := testPath(t)
	writeRaw(t, p, v1Store, 0o600)
	// A crash after the history file was written, before the accounts file.
	writeRaw(t, historyPath(p), `{"journal":2,"base":0,"folded":0}`+"\n", 0o600)
	writeRaw(t, p+backupSuffix, v1Store, 0o600)
	d := openAt(t, p).Data()
	if len(d.Accounts) != 2 || d.Accounts[0].UseCount != 4 || len(d.Recent) != 2 {
		t.Fatalf("after the repeated upgrade: %+v", d)
	}
}

func TestNewerHistoryFileOpensReadOnly(t *testing.T) {
	p := testPath(t)
	mustSave(t, openAt(t, p), Account{CANumber: "AA11A1111"})
	writeRaw(t, historyPath(p), `{"journal":3,"whatever":true}`+"\n{}\n", 0o600)
	s := openAt(t, p)
	if !s.ReadOnly() {
		t.Fatal("a newer history file did not make the store read-only")
	}
	if err := s.RecordLookups(lookupAt("AA11A1111", 1)); err == nil {
		t.Fatal("a lookup was recorded into a newer history file")
	}
	d, _ := Open(p, Options{HistoryLimit: 200, Deferred: true})
	if err := d.RecordLookups(lookupAt("AA11A1111", 1)); err == nil {
		t.Fatal("a deferred store recorded into a newer history file")
	}
	if b, _ := os.ReadFile(historyPath(p)); string(b) != `{"journal":3,"whatever":true}`+"\n{}\n" {
		t.Fatalf("the newer history file changed:\n%s", b)
	}
}

func TestGarbageHistoryFileIsMovedAside(t *testing.T) {
	p := testPath(t)
	mustSave(t, openAt(t, p), Account{CANumber: "AA11A1111"})
	writeRaw(t, historyPath(p), "\x00\xde\xad garbage\nmore\n", 0o600)
	s := openAt(t, p)
	if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], "history") || !strings.Contains(n[0], ".corrupt-") {
		t.Fatalf("notices %q", n)
	}
	if len(s.Data().Accounts) != 1 {
		t.Fatal("the accounts were lost with the history")
	}
}

func TestHistoryOffDeferredLookupRefreshesOnlySavedAccounts(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311, Note: `looks like "canumber":"BB22B2222"`})
	mustSave(t, s, Account{CANumber: "CC33C3333", Label: `"canumber":"BB22B2222"`})
	before, _ := os.ReadFile(historyPath(p))
	off, err := Open(p, Options{HistoryLimit: 0, Deferred: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := off.RecordLookups(lookupAt("BB22B2222", 1)); err != nil { // not saved: a vehicle named only inside values
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(historyPath(p)); !bytes.Equal(after, before) {
		t.Fatalf("a lookup of an unsaved vehicle was recorded with history off:\n%s", after)
	}
	mustRecord(t, off, lookupAt("AA11A1111", 2))
	d := openAt(t, p).Data()
	if a := d.Accounts[0]; a.UseCount != 1 || a.Last == nil || len(d.Recent) != 0 {
		t.Fatalf("after a lookup of a saved vehicle with history off: %+v, %d recent", a, len(d.Recent))
	}
	if b, _ := os.ReadFile(historyPath(p)); bytes.Contains(b, []byte(`"canumber":"AA11A1111"`)) {
		t.Fatalf("history off recorded the lookup itself:\n%s", b)
	}
}

// The tests from here on are findings of an adversarial review of the
// store (accounts file + history file). Each fails on the code it was
// written against and describes the behaviour the store promises (doc.go,
// issue 11 and 14).

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
	mustRecord(t, s, lookupAt("AA11A1111", 1))
	release := holdLock(t, p)
	if err := s.ClearHistory(); err == nil {
		release()
		t.Fatal("ClearHistory succeeded under a held lock")
	}
	release()
	mustRecord(t, s, lookupAt("BB22B2222", 2))
	for name, r := range map[string][]Lookup{"session": s.Data().Recent, "read again": openAt(t, p).Data().Recent} {
		if len(r) != 1 || r[0].CANumber != "BB22B2222" {
			t.Errorf("%s: recent = %v, want only the lookup made after the clear (BB22B2222)", name, vehiclesOf(r))
		}
	}
}

// vehiclesOf lists the vehicles of lookups.
func vehiclesOf(ls []Lookup) []string {
	return pluck(ls, func(l Lookup) string { return l.CANumber })
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
		mustRecord(t, s, lookupAt("AA11A1111", i+1))
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
	mustRecord(t, reader, lookupAt("AA11A1111", 1))
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
			mustRecord(t, s, failedLookupAt("UNSAVED01", 1))
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
