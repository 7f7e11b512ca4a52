package store

import (
	"bytes"
	"encoding/json"
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
		if err := s.RecordLookups(lookupAt("AA11A1111", i+1)); err != nil {
			t.Fatal(err)
		}
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
	if err := s.RecordLookups(lookupAt("AA11A1111", 1)); err != nil {
		t.Fatal(err)
	}
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
	if err := s.RecordLookups(lookupAt("AA11A1111", 1)); err != nil {
		t.Fatal(err)
	}
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
	if err := s2.RecordLookups(lookupAt("BB22B2222", 2)); err != nil {
		t.Fatal(err)
	}
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
		if err := s.RecordLookups(lookupAt(v, i)); err != nil {
			t.Fatal(err)
		}
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
	if err := s.RecordLookups(lookupAt("AA11A1111", 1), lookupAt("AA11A1111", 2)); err != nil {
		t.Fatal(err)
	}
	a := mustSave(t, s, Account{CANumber: "AA11A1111"})
	if a.UseCount != 0 || a.Last == nil {
		t.Fatalf("saved after two lookups: %+v", a)
	}
	if err := s.RecordLookups(lookupAt("AA11A1111", 3)); err != nil {
		t.Fatal(err)
	}
	if a := openAt(t, p).Data().Accounts[0]; a.UseCount != 1 || !a.Last.FetchedAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("after one more: %+v", a)
	}
}

func TestRemovedAndRestoredAccountKeepsItsState(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311, Label: "van"})
	if err := s.RecordLookups(lookupAt("AA11A1111", 1)); err != nil {
		t.Fatal(err)
	}
	gone, _ := s.Data().Account("AA11A1111")
	if err := s.RemoveAccount("AA11A1111"); err != nil {
		t.Fatal(err)
	}
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
	if got := vehicles(openAt(t, p).Data()); !slices.Equal(got, []string{"DL12CB4685", "KA01A1234", "MH12AB1234"}) {
		t.Fatalf("after the directory is writable again: %v", got)
	}
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
	if err := off.RecordLookups(lookupAt("AA11A1111", 2)); err != nil {
		t.Fatal(err)
	}
	d := openAt(t, p).Data()
	if a := d.Accounts[0]; a.UseCount != 1 || a.Last == nil || len(d.Recent) != 0 {
		t.Fatalf("after a lookup of a saved vehicle with history off: %+v, %d recent", a, len(d.Recent))
	}
	if b, _ := os.ReadFile(historyPath(p)); bytes.Contains(b, []byte(`"canumber":"AA11A1111"`)) {
		t.Fatalf("history off recorded the lookup itself:\n%s", b)
	}
}
