package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/adrg/xdg"
	"github.com/aopfetch/aopfetch/client"
	"github.com/gofrs/flock"
)

// t0 is the fixed time of the test clock.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// testPath returns a store path in a fresh directory that does not exist yet.
func testPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "data", "store.json")
}

// readStore reads and decodes the store's files at path as a new process
// would, without taking the lock or changing anything. A missing accounts
// file is no accounts with a nil FileInfo.
func readStore(path string) (Data, os.FileInfo, error) {
	d, err := (disk{}).read(path, historyPath(path))
	if err != nil {
		return emptyData(), nil, err
	}
	v := d.view(d.j, 200)
	normalize(&v)
	return v, d.accInfo, nil
}

// openAt opens the store at path with a fixed clock and history limit 200.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{HistoryLimit: 200, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// mustSave saves an account with vehicle v.
func mustSave(t *testing.T, s *Store, a Account) Account {
	t.Helper()
	got, err := s.SaveAccount(a)
	if err != nil {
		t.Fatalf("SaveAccount(%s): %v", a.CANumber, err)
	}
	return got
}

// mustRemove removes the account id (or vehicle) from s.
func mustRemove(t *testing.T, s *Store, id string) {
	t.Helper()
	if err := s.RemoveAccount(id); err != nil {
		t.Fatalf("RemoveAccount(%s): %v", id, err)
	}
}

// checkStored fails the test, saying when, unless the store at p holds
// the accounts of vehicles want, in order.
func checkStored(t *testing.T, p, when string, want ...string) {
	t.Helper()
	if got := vehicles(openAt(t, p).Data()); !slices.Equal(got, want) {
		t.Fatalf("store %s = %v, want %v", when, got, want)
	}
}

// checkFlushed fails the test unless s writes its pending changes.
func checkFlushed(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Flush(); err != nil || s.Pending() != 0 {
		t.Fatalf("Flush = %v, pending %d", err, s.Pending())
	}
}

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

// mustRecord records lookups ls in s.
func mustRecord(t *testing.T, s *Store, ls ...Lookup) {
	t.Helper()
	if err := s.RecordLookups(ls...); err != nil {
		t.Fatalf("RecordLookups: %v", err)
	}
}

// pluck lists f of each of xs, in order.
func pluck[T, U any](xs []T, f func(T) U) []U {
	var us []U
	for _, x := range xs {
		us = append(us, f(x))
	}
	return us
}

// vehicles lists the CANumbers of d's accounts in order.
func vehicles(d Data) []string {
	return pluck(d.Accounts, func(a Account) string { return a.CANumber })
}

// checkPositions asserts positions are 0..n-1 in order.
func checkPositions(t *testing.T, d Data) {
	t.Helper()
	for i, a := range d.Accounts {
		if a.Position != i {
			t.Fatalf("account %s at index %d has position %d", a.CANumber, i, a.Position)
		}
	}
}

// skipOnWindows skips a test of Unix permission bits.
func skipOnWindows(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
}

// mode returns the permission bits of path (skipping the test on Windows).
func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	skipOnWindows(t)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func TestOpenMissingStoreIsEmptyAndCreatesNothing(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	d := s.Data()
	if d.Version != SchemaVersion || len(d.Accounts) != 0 || len(d.Recent) != 0 || d.Accounts == nil {
		t.Fatalf("Data() = %+v, want an empty store", d)
	}
	if _, err := os.Stat(filepath.Dir(p)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open created the directory (stat err %v)", err)
	}
	if s.ReadOnly() || len(s.Notices()) != 0 || s.Path() != p {
		t.Fatalf("ReadOnly=%v Notices=%q Path=%q", s.ReadOnly(), s.Notices(), s.Path())
	}
}

func TestSaveAccountAddsThenUpdatesByVehicle(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	a := mustSave(t, s, Account{CANumber: "DL12CB4685", Label: "van", Operator: 311})
	b := mustSave(t, s, Account{CANumber: "KA01A1234", Note: "n"})
	if len(a.ID) != 16 || a.ID == b.ID || !a.CreatedAt.Equal(t0) || a.Position != 0 || b.Position != 1 {
		t.Fatalf("new accounts: %+v %+v", a, b)
	}
	// Re-adding updates the non-empty fields and keeps id, created_at, position.
	u := mustSave(t, s, Account{CANumber: "DL12CB4685", Note: "night shift", RegistrationID: "AOP-1"})
	if u.ID != a.ID || u.Label != "van" || u.Note != "night shift" || u.Operator != 311 || u.RegistrationID != "AOP-1" || u.Position != 0 {
		t.Fatalf("updated account: %+v", u)
	}
	d := openAt(t, p).Data()
	if got := vehicles(d); !slices.Equal(got, []string{"DL12CB4685", "KA01A1234"}) {
		t.Fatalf("reopened store vehicles = %v", got)
	}
	if d.Accounts[0].Note != "night shift" {
		t.Fatalf("reopened account = %+v", d.Accounts[0])
	}
	if m := mode(t, p); m != 0o600 {
		t.Errorf("store file mode %#o, want 0600", m)
	}
	if m := mode(t, filepath.Dir(p)); m != 0o700 {
		t.Errorf("store dir mode %#o, want 0700", m)
	}
	if _, err := s.SaveAccount(Account{CANumber: " "}); err == nil {
		t.Error("SaveAccount without a vehicle number succeeded")
	}
}

func TestRemoveRenameMove(t *testing.T) {
	s := openAt(t, testPath(t))
	var ids []string
	for _, v := range []string{"AA11A1111", "BB22B2222", "CC33C3333", "DD44D4444"} {
		ids = append(ids, mustSave(t, s, Account{CANumber: v}).ID)
	}
	if err := s.MoveAccount(ids[3], -2); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveAccount("AA11A1111", 99); err != nil { // by vehicle, clamped
		t.Fatal(err)
	}
	d := s.Data()
	if got := vehicles(d); !slices.Equal(got, []string{"DD44D4444", "BB22B2222", "CC33C3333", "AA11A1111"}) {
		t.Fatalf("after moves: %v", got)
	}
	checkPositions(t, d)
	a, err := s.UpdateAccount(ids[2], "depot", "")
	if err != nil || a.Label != "depot" || a.CANumber != "CC33C3333" {
		t.Fatalf("UpdateAccount = %+v, %v", a, err)
	}
	mustRemove(t, s, "DD44D4444")
	mustRemove(t, s, ids[1])
	d = s.Data()
	if got := vehicles(d); !slices.Equal(got, []string{"CC33C3333", "AA11A1111"}) {
		t.Fatalf("after removes: %v", got)
	}
	checkPositions(t, d)
	if err := s.RemoveAccount("ZZ99Z9999"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RemoveAccount(unknown) = %v, want ErrNotFound", err)
	}
	if s.Pending() != 0 {
		t.Fatalf("a failed callback left %d pending changes", s.Pending())
	}
	if _, err := s.UpdateAccount("nope", "x", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("UpdateAccount(unknown) = %v", err)
	}
}

func TestUpdateCallbackErrorWritesNothing(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	mustSave(t, s, Account{CANumber: "AA11A1111"})
	before, _ := os.ReadFile(p)
	boom := errors.New("boom")
	_, err := s.Update(func(d *Data) error {
		d.Accounts = nil
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v, want boom", err)
	}
	after, _ := os.ReadFile(p)
	if string(before) != string(after) || len(s.Data().Accounts) != 1 || s.Pending() != 0 {
		t.Fatal("a failed callback changed the store")
	}
}

// writeRaw writes content as the store file (creating its directory).
func writeRaw(t *testing.T, p, content string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
}

func TestUnreadableStoreIsMovedAside(t *testing.T) {
	valid := `{"version":1,"accounts":[{"id":"a","canumber":"DL12CB4685","position":0}],"recent":[]}`
	cases := map[string]string{
		"corrupt":    "{not json",
		"empty":      "",
		"whitespace": " \n\t\n",
		"truncated":  valid[:len(valid)/2],
		"array":      "[]",
		"null":       "null",
		"no version": `{"accounts":[]}`,
		"trailing":   valid + "x",
		"wrong type": `{"version":1,"accounts":{}}`,
		"zeros":      "\x00\x00\x00\x00",
		"binary":     "\xde\xad\xbe\xef garbage",
		"a string":   `"store"`,
		"stray key":  "i" + valid,
		"conflict":   "<<<<<<< HEAD\n" + valid + "\n=======\n" + valid + "\n>>>>>>> other\n",
		"no brace":   valid[1:],
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPath(t)
			writeRaw(t, p, content, 0o600)
			s := openAt(t, p)
			backup := p + ".corrupt-20260102T030405Z"
			got, err := os.ReadFile(backup)
			if err != nil || string(got) != content {
				t.Fatalf("backup %s = %q, %v; want the original content", backup, got, err)
			}
			n := s.Notices()
			if len(n) != 1 || !strings.Contains(n[0], backup) || !strings.Contains(n[0], "empty store") {
				t.Fatalf("Notices = %q, want one naming %s", n, backup)
			}
			if d := s.Data(); len(d.Accounts) != 0 {
				t.Fatalf("Data after corruption = %+v", d)
			}
			mustSave(t, s, Account{CANumber: "KA01A1234"})
			if got, _ := os.ReadFile(backup); string(got) != content {
				t.Fatal("the backup changed after a write")
			}
		})
	}
}

func TestSecondCorruptionKeepsFirstBackup(t *testing.T) {
	p := testPath(t)
	writeRaw(t, p, "{one", 0o600)
	openAt(t, p)
	writeRaw(t, p, "{two", 0o600)
	s := openAt(t, p)
	for name, want := range map[string]string{p + ".corrupt-20260102T030405Z": "{one", p + ".corrupt-20260102T030405Z-1": "{two"} {
		if got, err := os.ReadFile(name); err != nil || string(got) != want {
			t.Fatalf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	if !strings.Contains(s.Notices()[0], "-1") {
		t.Fatalf("notice %q does not name the second backup", s.Notices()[0])
	}
}

func TestCorruptionFoundByUpdateIsMovedAside(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	mustSave(t, s, Account{CANumber: "AA11A1111"})
	writeRaw(t, p, "{garbage\x00", 0o600)
	mustSave(t, s, Account{CANumber: "BB22B2222"})
	if got, _ := os.ReadFile(p + ".corrupt-20260102T030405Z"); string(got) != "{garbage\x00" {
		t.Fatalf("backup = %q", got)
	}
	checkStored(t, p, "after recovery", "BB22B2222")
	if len(s.Notices()) != 1 {
		t.Fatalf("Notices = %q", s.Notices())
	}
}

func TestNewerSchemaOpensReadOnly(t *testing.T) {
	p := testPath(t)
	content := `{"version":3,"accounts":[{"id":"a","canumber":"DL12CB4685","position":0,"shiny":true}],"recent":[],"extra":{}}`
	writeRaw(t, p, content, 0o600)
	s := openAt(t, p)
	if !s.ReadOnly() {
		t.Fatal("ReadOnly() = false for a schema 3 file")
	}
	if got := vehicles(s.Data()); !slices.Equal(got, []string{"DL12CB4685"}) {
		t.Fatalf("Data() = %v", got)
	}
	want := p + " was written by a newer aopfetch (schema 3); it is opened read-only; upgrade aopfetch"
	if n := s.Notices(); len(n) != 1 || n[0] != want {
		t.Fatalf("Notices = %q, want %q", n, want)
	}
	_, err := s.SaveAccount(Account{CANumber: "KA01A1234"})
	if err == nil || err.Error() != want {
		t.Fatalf("SaveAccount error = %v, want %q", err, want)
	}
	if err := s.ClearHistory(); err == nil {
		t.Fatal("ClearHistory on a read-only store succeeded")
	}
	if got, _ := os.ReadFile(p); string(got) != content {
		t.Fatal("a read-only store was written")
	}
	if s.Pending() != 0 {
		t.Fatal("a refused change is pending")
	}
}

// TestNewerSchemaWithChangedTypesOpensReadOnly: a newer schema that changed
// a field's type is not "corrupt": the file is opened read-only, never
// moved aside or overwritten.
func TestNewerSchemaWithChangedTypesOpensReadOnly(t *testing.T) {
	p := testPath(t)
	content := `{"version":3,"accounts":[{"id":"a","canumber":"DL12CB4685","operator":{"code":311}}],"recent":[]}`
	writeRaw(t, p, content, 0o600)
	s := openAt(t, p)
	if !s.ReadOnly() {
		t.Fatal("ReadOnly() = false for a schema 3 file")
	}
	if _, err := s.SaveAccount(Account{CANumber: "KA01A1234"}); err == nil || !strings.Contains(err.Error(), "schema 3") {
		t.Fatalf("SaveAccount error = %v", err)
	}
	if got, _ := os.ReadFile(p); string(got) != content {
		t.Fatal("the newer store was changed")
	}
	if m, _ := filepath.Glob(p + ".corrupt-*"); len(m) != 0 {
		t.Fatalf("the newer store was moved aside: %v", m)
	}
}

func TestNewerSchemaWrittenMeanwhileTurnsReadOnly(t *testing.T) {
	p := testPath(t)
	s := openAt(t, p)
	mustSave(t, s, Account{CANumber: "AA11A1111"})
	writeRaw(t, p, `{"version":3,"accounts":[],"recent":[]}`, 0o600)
	if _, err := s.SaveAccount(Account{CANumber: "BB22B2222"}); err == nil || !strings.Contains(err.Error(), "schema 3") {
		t.Fatalf("SaveAccount error = %v", err)
	}
	if !s.ReadOnly() {
		t.Fatal("store did not turn read-only")
	}
}

func TestLoosePermissionsAreTightened(t *testing.T) {
	skipOnWindows(t)
	p := testPath(t)
	writeRaw(t, p, `{"version":1,"accounts":[],"recent":[]}`, 0o644)
	if err := os.Chmod(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, p)
	want := fmt.Sprintf("tightened permissions of %s from 0644 to 0600", p)
	if n := s.Notices(); len(n) != 1 || n[0] != want {
		t.Fatalf("Notices = %q, want %q", n, want)
	}
	if m := mode(t, p); m != 0o600 {
		t.Fatalf("mode %#o after Open", m)
	}
	if m := mode(t, filepath.Dir(p)); m != 0o755 {
		t.Fatalf("a directory chosen by the user was changed to %#o", m)
	}
}

func TestDefaultDirIsTightened(t *testing.T) {
	skipOnWindows(t)
	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", home)
	xdg.Reload()
	t.Cleanup(xdg.Reload)
	p, err := DefaultPath()
	if err != nil || p != filepath.Join(home, "aopfetch", "store.json") {
		t.Fatalf("DefaultPath() = %q, %v", p, err)
	}
	if err := os.Mkdir(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(p), 0o755)
	s := openAt(t, p)
	want := fmt.Sprintf("tightened permissions of %s from 0755 to 0700", filepath.Dir(p))
	if n := s.Notices(); len(n) != 1 || n[0] != want {
		t.Fatalf("Notices = %q, want %q", n, want)
	}
	if m := mode(t, filepath.Dir(p)); m != 0o700 {
		t.Fatalf("dir mode %#o", m)
	}
}

func TestStaleTempFilesRemovedOnOpen(t *testing.T) {
	p := testPath(t)
	writeRaw(t, p, `{"version":1,"accounts":[],"recent":[]}`, 0o600)
	tmp := p + ".tmp-12345"
	writeRaw(t, tmp, `{"version":1,"accou`, 0o600)
	other := filepath.Join(filepath.Dir(p), "other.json.tmp-1")
	writeRaw(t, other, "x", 0o600)

	// While another process holds the lock (it may be writing that temp
	// file right now) the temp file stays.
	release := holdLock(t, p)
	openAt(t, p)
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("temp file removed while the lock was held: %v", err)
	}
	release()

	openAt(t, p)
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale temp file not removed: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("another file's temp was removed: %v", err)
	}
}

func TestLockTimeoutNamesLockFileAndKeepsChange(t *testing.T) {
	p := testPath(t)
	s, err := Open(p, Options{LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, Account{CANumber: "AA11A1111"})
	release := holdLock(t, p)
	a, err := s.SaveAccount(Account{CANumber: "BB22B2222", Label: "kept"})
	var lt *LockTimeoutError
	if !errors.As(err, &lt) || lt.LockFile != p+".lock" {
		t.Fatalf("SaveAccount error = %v, want a *LockTimeoutError", err)
	}
	want := fmt.Sprintf("store is locked by another aopfetch (lock file %s.lock); try again, or remove it if no aopfetch is running", p)
	var pe *PendingError
	if err.Error() != want || !errors.As(err, &pe) {
		t.Fatalf("error %q (%T), want %q as a *PendingError", err, err, want)
	}
	if a.Label != "kept" || s.Pending() != 1 || len(s.Data().Accounts) != 2 {
		t.Fatalf("the change was not kept in memory: %+v pending=%d", a, s.Pending())
	}
	if got := vehicles(openAt(t, p).Data()); len(got) != 1 {
		t.Fatalf("file changed while locked: %v", got)
	}
	release()
	mustSave(t, s, Account{CANumber: "CC33C3333"})
	if s.Pending() != 0 {
		t.Fatalf("Pending = %d after a successful write", s.Pending())
	}
	checkStored(t, p, "with the pending change written too", "AA11A1111", "BB22B2222", "CC33C3333")
}

func TestFlushWritesPendingChanges(t *testing.T) {
	p := testPath(t)
	s, err := Open(p, Options{LockTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatalf("Flush with nothing pending: %v", err)
	}
	release := holdLock(t, p)
	if _, err := s.SaveAccount(Account{CANumber: "AA11A1111"}); err == nil {
		t.Fatal("SaveAccount succeeded under a held lock")
	}
	if err := s.Flush(); err == nil {
		t.Fatal("Flush succeeded under a held lock")
	}
	release()
	checkFlushed(t, s)
	checkStored(t, p, "after Flush", "AA11A1111")
}

func TestPendingChangesReplayOnFreshState(t *testing.T) {
	p := testPath(t)
	s1, err := Open(p, Options{LockTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	a := mustSave(t, s1, Account{CANumber: "AA11A1111"})
	release := holdLock(t, p)
	if _, err := s1.UpdateAccount(a.ID, "renamed", ""); err == nil {
		t.Fatal("UpdateAccount succeeded under a held lock")
	}
	if _, err := s1.SaveAccount(Account{CANumber: "BB22B2222"}); err == nil {
		t.Fatal("SaveAccount succeeded under a held lock")
	}
	if d := s1.Data(); d.Accounts[0].Label != "renamed" || len(d.Accounts) != 2 || s1.Pending() != 2 {
		t.Fatalf("in memory: %+v, pending %d", d.Accounts, s1.Pending())
	}
	release()

	// Another process removes the renamed account meanwhile.
	if err := openAt(t, p).RemoveAccount("AA11A1111"); err != nil {
		t.Fatal(err)
	}
	d, changed, err := s1.ReloadIfChanged()
	if err != nil || !changed || !slices.Equal(vehicles(d), []string{"BB22B2222"}) {
		t.Fatalf("after reload: %v changed=%v err=%v; want the pending add on the new state", vehicles(d), changed, err)
	}
	checkFlushed(t, s1)
	checkStored(t, p, "after Flush", "BB22B2222")
}

func TestReloadIfChanged(t *testing.T) {
	p := testPath(t)
	s1, s2 := openAt(t, p), openAt(t, p)
	if _, changed, err := s1.ReloadIfChanged(); changed || err != nil {
		t.Fatalf("ReloadIfChanged on a missing file = %v, %v", changed, err)
	}
	mustSave(t, s2, Account{CANumber: "AA11A1111"})
	d, changed, err := s1.ReloadIfChanged()
	if !changed || err != nil || len(d.Accounts) != 1 {
		t.Fatalf("ReloadIfChanged = %v, %v, %v", vehicles(d), changed, err)
	}
	if _, changed, _ := s1.ReloadIfChanged(); changed {
		t.Fatal("ReloadIfChanged reported a change twice")
	}
	if _, changed, _ := s2.ReloadIfChanged(); changed {
		t.Fatal("the writer's own write counted as a change")
	}
	os.Remove(p)
	if d, changed, _ := s1.ReloadIfChanged(); !changed || len(d.Accounts) != 0 {
		t.Fatalf("removed file: changed=%v accounts=%d", changed, len(d.Accounts))
	}
}

func snap(name string, at time.Time) *Snapshot {
	return &Snapshot{Consumer: client.Consumer{Status: true, Name: name, Amount: "100.00", Bill: &client.Bill{UserName: name}}, FetchedAt: at}
}

func TestHistoryIsNewestFirstDedupedAndCapped(t *testing.T) {
	s, err := Open(testPath(t), Options{HistoryLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	mustRecord(t, s, Lookup{Operator: 1, CANumber: "A", At: at(1), OK: true, Snapshot: snap("a1", at(1))})
	mustRecord(t, s, Lookup{Operator: 1, CANumber: "B", At: at(2), ErrorKind: "network", ErrorMessage: "reset"})
	mustRecord(t, s, Lookup{Operator: 1, CANumber: "A", At: at(3), OK: true, Snapshot: snap("a3", at(3))}) // replaces the first
	mustRecord(t, s, Lookup{Operator: 2, CANumber: "A", At: at(4)})                                        // another operator: distinct
	mustRecord(t, s, Lookup{Operator: 1, CANumber: "B", RegistrationID: "R", At: at(5)})                   // another registration id: distinct
	r := s.Data().Recent
	type key struct {
		op int
		ca string
		m  int
	}
	var got []key
	for _, l := range r {
		got = append(got, key{l.Operator, l.CANumber, int(l.At.Sub(t0).Minutes())})
	}
	want := []key{{1, "B", 5}, {2, "A", 4}, {1, "A", 3}}
	if !slices.Equal(got, want) {
		t.Fatalf("Recent = %v, want %v", got, want)
	}
	if r[2].Snapshot == nil || r[2].Snapshot.Consumer.Name != "a3" {
		t.Fatalf("kept entry = %+v, want the newest", r[2])
	}
	// Several lookups in one call: later ones are newer on equal times.
	mustRecord(t, s, Lookup{Operator: 9, CANumber: "X", At: at(9), ErrorKind: "api"}, Lookup{Operator: 9, CANumber: "X", At: at(9), OK: true})
	if r := s.Data().Recent; len(r) != 3 || r[0].CANumber != "X" || !r[0].OK || r[1].CANumber != "B" {
		t.Fatalf("Recent = %+v", r)
	}
	if err := s.ClearHistory(); err != nil || len(s.Data().Recent) != 0 {
		t.Fatalf("ClearHistory: %v, %d left", err, len(s.Data().Recent))
	}
}

func TestRecordLookupsRefreshesSavedAccounts(t *testing.T) {
	for _, limit := range []int{0, 200} {
		t.Run(fmt.Sprint("history_limit=", limit), func(t *testing.T) {
			p := testPath(t)
			s, err := Open(p, Options{HistoryLimit: limit, Now: func() time.Time { return t0 }})
			if err != nil {
				t.Fatal(err)
			}
			mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311})
			mustSave(t, s, Account{CANumber: "BB22B2222"}) // no operator: matches any
			ok := Lookup{Operator: 311, CANumber: "AA11A1111", At: t0.Add(time.Hour), OK: true, Snapshot: snap("Ravi", t0.Add(time.Hour))}
			failed := Lookup{Operator: 311, CANumber: "AA11A1111", ErrorKind: "timeout", ErrorMessage: "timed out"} // At = now
			other := Lookup{Operator: 5, CANumber: "AA11A1111", At: t0.Add(2 * time.Hour), OK: true, Snapshot: snap("Other", t0)}
			any := Lookup{Operator: 7, CANumber: "BB22B2222", At: t0.Add(time.Minute), OK: true, Snapshot: snap("Asha", t0)}
			mustRecord(t, s, ok, failed, other, any)
			d := openAt(t, p).Data()
			a, b := d.Accounts[0], d.Accounts[1]
			if a.UseCount != 2 || !a.LastUsedAt.Equal(t0.Add(time.Hour)) || a.Last == nil || a.Last.Consumer.Name != "Ravi" {
				t.Fatalf("account A = %+v (last %+v)", a, a.Last)
			}
			if b.UseCount != 1 || b.Last == nil || b.Last.Consumer.Name != "Asha" {
				t.Fatalf("account B = %+v", b)
			}
			wantRecent := 3 // ok and failed share a key
			if limit == 0 {
				wantRecent = 0
			}
			if len(d.Recent) != wantRecent {
				t.Fatalf("history has %d entries, want %d", len(d.Recent), wantRecent)
			}
		})
	}
}

func TestSavingALookedUpVehicleTakesItsSnapshot(t *testing.T) {
	s := openAt(t, testPath(t))
	older := Lookup{Operator: 311, CANumber: "AA11A1111", RegistrationID: "R1", At: t0, OK: true, Snapshot: snap("Old", t0)}
	newer := Lookup{Operator: 311, CANumber: "AA11A1111", RegistrationID: "R2", At: t0.Add(time.Hour), OK: true, Snapshot: snap("Ravi", t0.Add(time.Hour))}
	failed := Lookup{Operator: 311, CANumber: "AA11A1111", RegistrationID: "R3", At: t0.Add(2 * time.Hour), ErrorKind: "timeout"}
	otherOp := Lookup{Operator: 5, CANumber: "BB22B2222", At: t0, OK: true, Snapshot: snap("Other", t0)}
	mustRecord(t, s, older, newer, failed, otherOp)
	a := mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311})
	if a.Last == nil || a.Last.Consumer.Name != "Ravi" || !a.LastUsedAt.Equal(t0.Add(time.Hour)) || a.UseCount != 0 {
		t.Fatalf("saved after lookups: %+v (last %+v), want the newest ok lookup's snapshot", a, a.Last)
	}
	if r := mustSave(t, s, Account{CANumber: "CC33C3333", Operator: 311}); r.Last != nil {
		t.Fatalf("a vehicle never looked up got a snapshot: %+v", r.Last)
	}
	if b := mustSave(t, s, Account{CANumber: "BB22B2222", Operator: 311}); b.Last != nil {
		t.Fatalf("a lookup with another operator gave its snapshot: %+v", b.Last)
	}
	if r := mustSave(t, s, Account{CANumber: "AA11A1111", RegistrationID: "R1"}); r.Last == nil || r.Last.Consumer.Name != "Ravi" {
		t.Fatalf("an older snapshot replaced a newer one: %+v", r.Last)
	}
}

func TestHistoryOffWithoutSavedMatchWritesNothing(t *testing.T) {
	p := testPath(t)
	s, err := Open(p, Options{HistoryLimit: 0})
	if err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, Lookup{Operator: 1, CANumber: "AA11A1111", OK: true})
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a lookup with history off created the store (stat: %v)", err)
	}
	mustSave(t, s, Account{CANumber: "BB22B2222"})
	before, _ := os.Stat(p)
	mustRecord(t, s, Lookup{Operator: 1, CANumber: "AA11A1111", OK: true})
	if after, _ := os.Stat(p); !sameFile(before, after) {
		t.Fatal("a lookup with history off and no saved match rewrote the store")
	}
}

func TestConcurrentGoroutinesAndHandles(t *testing.T) {
	p := testPath(t)
	s1, s2 := openAt(t, p), openAt(t, p)
	var wg sync.WaitGroup
	for g := range 8 {
		s := s1
		if g%2 == 1 {
			s = s2
		}
		wg.Go(func() {
			for i := range 10 {
				if _, err := s.SaveAccount(Account{CANumber: fmt.Sprintf("G%dV%d", g, i)}); err != nil {
					t.Error(err)
				}
				s.Data()
				s.ReloadIfChanged()
			}
		})
	}
	wg.Wait()
	d := openAt(t, p).Data()
	if len(d.Accounts) != 80 {
		t.Fatalf("%d accounts, want 80", len(d.Accounts))
	}
	checkPositions(t, d)
}

func TestDataIsADeepCopy(t *testing.T) {
	s := openAt(t, testPath(t))
	mustSave(t, s, Account{CANumber: "AA11A1111", Last: snap("x", t0)})
	d := s.Data()
	d.Accounts[0].Last.Consumer.Bill.UserName = "changed"
	d.Accounts[0].Label = "changed"
	if a := s.Data().Accounts[0]; a.Label != "" || a.Last.Consumer.Bill.UserName != "x" {
		t.Fatal("changing a copy from Data changed the store")
	}
}

func TestSymlinkedStoreIsWrittenThrough(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "store.json")
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	writeRaw(t, real, `{"version":1,"accounts":[],"recent":[]}`, 0o600)
	s := openAt(t, link)
	mustSave(t, s, Account{CANumber: "AA11A1111"})
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced")
	}
	if len(openAt(t, real).Data().Accounts) != 1 {
		t.Fatal("the target was not written")
	}
}

// TestReadOnlyDoesNotWaitForAWrite: the UI asks ReadOnly while drawing; it
// must answer while another write waits for the lock file.
func TestReadOnlyDoesNotWaitForAWrite(t *testing.T) {
	p := filepath.Join(t.TempDir(), "store.json")
	s, err := Open(p, Options{LockTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, p)
	defer release()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.SaveAccount(Account{CANumber: "DL12CB4685"})
	}()
	time.Sleep(100 * time.Millisecond) // let the write take the store and wait for the file lock
	if s.ReadOnly() {
		t.Fatal("store is read-only")
	}
	select {
	case <-done:
		t.Fatal("ReadOnly answered only after the blocked write gave up")
	default:
	}
	release()
	<-done
}

// TestRenameKeepsANoteChangedElsewhere: a rename from one session does not
// overwrite the note another session wrote after this one last read.
func TestRenameKeepsANoteChangedElsewhere(t *testing.T) {
	p := testPath(t)
	a, b := openAt(t, p), openAt(t, p)
	mustSave(t, a, Account{CANumber: "DL12CB4685", Label: "old", Note: "first"})
	b.ReloadIfChanged()
	if _, err := a.UpdateAccount("DL12CB4685", "old", "changed by a"); err != nil {
		t.Fatal(err)
	}
	got, err := b.RenameAccount("DL12CB4685", "new")
	if err != nil {
		t.Fatal(err)
	}
	if got.Label != "new" || got.Note != "changed by a" {
		t.Fatalf("after rename: label %q note %q", got.Label, got.Note)
	}
}

func TestStorePathThatIsADirectoryIsRefused(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), filepath.Join(dir, "store.json")) {
		t.Fatalf("Open(directory) = %v, want an error suggesting a file in it", err)
	}
}

func TestSavingASavedVehicleTakesOnlyItsOwnOperatorsSnapshot(t *testing.T) {
	s := openAt(t, testPath(t))
	mustSave(t, s, Account{CANumber: "AA11A1111", Operator: 311})
	other := Lookup{Operator: 500, CANumber: "AA11A1111", At: t0, OK: true, Snapshot: snap("Other operator's", t0)}
	mustRecord(t, s, other)
	if a := mustSave(t, s, Account{CANumber: "AA11A1111", Label: "Van"}); a.Last != nil || a.Operator != 311 {
		t.Fatalf("a label change took another operator's result: %+v (last %+v)", a, a.Last)
	}
}

func TestDanglingRelativeLinkIsFollowedFromWhereItIs(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(root, "real", "d")
	if err := os.MkdirAll(real, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "a"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(root, "a", "b")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../x/store.json", filepath.Join(real, "store.json")); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, filepath.Join(root, "a", "b", "store.json"))
	if want := filepath.Join(root, "real", "x", "store.json"); s.Path() != want {
		t.Fatalf("Path = %s, want %s (where the kernel follows the link)", s.Path(), want)
	}
}

func TestStoreWithBOMIsRead(t *testing.T) {
	src := openAt(t, testPath(t))
	mustSave(t, src, Account{CANumber: "DL12CB4685", Label: "Van"})
	raw, err := os.ReadFile(src.Path())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "store.json")
	if err := os.WriteFile(path, append([]byte("\uFEFF"), raw...), 0o600); err != nil {
		t.Fatal(err)
	}
	if !IsStoreFile(path) { // so that no -o replaces it
		t.Fatal("a store with a BOM is not recognised by IsStoreFile")
	}
	s := openAt(t, path)
	if n := s.Notices(); len(n) != 0 {
		t.Fatalf("notices %q", n)
	}
	if d := s.Data(); len(d.Accounts) != 1 || d.Accounts[0].Label != "Van" {
		t.Fatalf("accounts %+v", d.Accounts)
	}
}

func TestDanglingSymlinkStoreIsWrittenThrough(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "disk2", "store.json")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "store.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	mustSave(t, openAt(t, link), Account{CANumber: "DL12CB4685"})
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if raw, err := os.ReadFile(target); err != nil || !strings.Contains(string(raw), "DL12CB4685") {
		t.Fatalf("target not written: %v", err)
	}
}

func TestNotAStoreIsNotMovedAside(t *testing.T) {
	for _, text := range []string{"label,canumber\nx,DL12CB4685\n", "operator = 311\n"} {
		path := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(path, Options{}); err == nil {
			t.Errorf("Open(%q) accepted it", text)
		}
		if raw, err := os.ReadFile(path); err != nil || string(raw) != text {
			t.Errorf("the file was moved or changed: %v", err)
		}
	}
}

func TestIsStoreFile(t *testing.T) {
	s := openAt(t, testPath(t))
	mustSave(t, s, Account{CANumber: "DL12CB4685"})
	dir := t.TempDir()
	files := map[string]string{
		"export.json":                         `{"version": 1, "accounts": [{"canumber": "DL12CB4685"}]}`,
		"other.json":                          `[1, 2]`,
		"store.json.corrupt-20261126T130620Z": `{"version": 1, "accou`,
		"notes.txt":                           "recent",
		"copy.json":                           `{"version": 1, "accounts": [], "recent": []}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]bool{
		s.Path(): true, filepath.Join(dir, "copy.json"): true, filepath.Join(dir, "store.json.corrupt-20261126T130620Z"): true,
		filepath.Join(dir, "export.json"): false, filepath.Join(dir, "other.json"): false, filepath.Join(dir, "notes.txt"): false,
		filepath.Join(dir, "missing.json"): false, dir: false,
	} {
		if got := IsStoreFile(path); got != want {
			t.Errorf("IsStoreFile(%s) = %v, want %v", filepath.Base(path), got, want)
		}
	}
}

func TestForeignFileErrorQuotesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("auth.jwt_secret = \"s3cr3t-abc\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open = %v", err)
	}
}
