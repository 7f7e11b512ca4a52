package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aopfetch/aopfetch/store"
)

// anotherStore writes a store other than e's (as the real store.json is
// beside the demo's): a saved account and a lookup in its history. It
// returns the store's path and its accounts file as written.
func anotherStore(t *testing.T, e *cliEnv) (path string, before []byte) {
	t.Helper()
	path = filepath.Join(e.dir, "real-store.json")
	s, err := store.Open(path, store.Options{HistoryLimit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAccount(store.Account{CANumber: "DL12CB4685", Operator: 311}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordLookups(store.Lookup{Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554"}); err != nil {
		t.Fatal(err)
	}
	if before, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	return path, before
}

// TestExportRefusesToReplaceAnotherStore: under --demo the current store
// is demo-store.json, but -o naming the real store.json (or any copy of a
// store, the README's way to back up history) must not replace it with an
// export that has no history.
func TestExportRefusesToReplaceAnotherStore(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	other, before := anotherStore(t, e)
	r := e.run(t, "", "export", "-o", other)
	if r.code != exitUsage || !strings.Contains(r.stderr, "store") {
		t.Fatalf("export -o another store: exit %d\n%s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(other); !bytes.Equal(after, before) {
		t.Fatalf("the other store was replaced:\n%s", after)
	}
	// An earlier export is replaced as before.
	exp := filepath.Join(e.dir, "accounts.json")
	for range 2 {
		if r := e.run(t, "", "export", "-o", exp); r.code != 0 {
			t.Fatalf("export -o %s: exit %d %s", exp, r.code, r.stderr)
		}
	}
}

// TestExportOutputPathErrors: a missing directory or a directory as -o is
// a usage error that names the file the user gave, not a temp file.
func TestExportOutputPathErrors(t *testing.T) {
	e := newCLIEnv(t, "")
	for out, want := range map[string]string{
		filepath.Join(e.dir, "nodir", "x.json"): "nodir",
		e.dir:                                   "is a directory",
	} {
		r := e.run(t, "", "export", "-o", out)
		if r.code != exitUsage || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, ".tmp-") {
			t.Errorf("export -o %s: exit %d\n%s", out, r.code, r.stderr)
		}
	}
	r := e.run(t, "", "export", "-o", filepath.Join(e.dir, "a\x1b[2J.json"))
	if r.code != 0 || strings.Contains(r.stderr, "\x1b") {
		t.Errorf("export -o with an escape in the name: exit %d %q", r.code, r.stderr)
	}
}

// TestExportOfANewerStoreWarns: an export of a newer store is written as
// this version's schema, so it says that fields may be missing.
func TestExportOfANewerStoreWarns(t *testing.T) {
	e := newCLIEnv(t, "")
	body := `{"version": 99, "accounts": [{"id": "a1", "canumber": "DL12CB4685", "operator": 311, "future": 1}], "recent": []}`
	if err := os.WriteFile(e.store, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "", "export")
	if r.code != 0 || !strings.Contains(r.stderr, "newer aopfetch: the export holds only") || !strings.Contains(r.stdout, "DL12CB4685") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestExportToAPipe: -o naming a FIFO (or /dev/stdout) writes into it; the
// atomic replace is for regular files only and must never swap a special
// file for a regular one.
func TestExportToAPipe(t *testing.T) {
	e := newCLIEnv(t, "")
	fifo := filepath.Join(e.dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	got := make(chan []byte)
	go func() {
		data, _ := os.ReadFile(fifo)
		got <- data
	}()
	if r := e.run(t, "", "export", "-o", fifo); r.code != 0 {
		t.Fatalf("export -o FIFO: exit %d %s", r.code, r.stderr)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced by a regular file: %v %v", fi.Mode(), err)
	}
	if data := <-got; !json.Valid(data) {
		t.Errorf("read from the FIFO: %q", data)
	}
}

// TestExportStopsOnInterrupt: export -o naming a FIFO nobody reads waits
// in open(2); ctrl+c must end it with exit 130.
func TestExportStopsOnInterrupt(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	fifo := filepath.Join(e.dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	var out, errb bytes.Buffer
	app := newApp(BuildInfo{Version: "test"}, strings.NewReader(""), &out, &errb, func(string) (string, bool) { return "", false })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code := run(ctx, app, []string{"--config", e.config, "--store", e.store, "export", "-o", fifo})
	// The writer left waiting goes on: read what it writes, so that it has
	// finished before the temp dir is removed.
	if data, err := os.ReadFile(fifo); err != nil || !json.Valid(data) {
		t.Errorf("the writer's output: %q %v", data, err)
	}
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s", code, exitInterrupted, errb.String())
	}
}

// TestWriteErrorNamesTheFileNotTheTemp: a failed write of -o FILE names
// FILE and the cause, never the temp file beside it.
func TestWriteErrorNamesTheFileNotTheTemp(t *testing.T) {
	for _, err := range []error{
		&fs.PathError{Op: "write", Path: "/d/.x.json.tmp-123", Err: syscall.ENOSPC},
		&os.LinkError{Op: "rename", Old: "/d/.x.json.tmp-123", New: "/d/x.json", Err: syscall.EROFS},
	} {
		got := writeError("/d/x.json", err).Error()
		if strings.Contains(got, ".tmp-") || !strings.HasPrefix(got, "cannot write /d/x.json: ") {
			t.Errorf("writeError(%v) = %q", err, got)
		}
	}
}

// TestImportOperatorNamesAndDuplicateRows: the operator column takes a
// configured name as batch and --operator do, and a vehicle given twice in
// one file (in two spellings) is pointed out with both lines.
func TestImportOperatorNamesAndDuplicateRows(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	csv := "label,operator,canumber\nFirst,fastag axis,DL12CB4685\nOther,,MH01AB1234\nSecond,,dl-12 cb 4685\n"
	r := e.run(t, csv, "import", "--format", "csv", "-")
	if r.code != 0 || !strings.Contains(r.stderr, "line 4") || !strings.Contains(r.stderr, "line 2") {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	d := mustStore(t, e).Data()
	if len(d.Accounts) != 2 || d.Accounts[0].Operator != 312 || d.Accounts[0].Label != "Second" {
		t.Fatalf("accounts %+v", d.Accounts)
	}
	r = e.run(t, "label,operator,canumber\nx,Airtel,KA01A1234\n", "import", "--format", "csv", "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, `line 2: unknown operator "Airtel"`) {
		t.Fatalf("unknown operator name: exit %d\n%s", r.code, r.stderr)
	}
}

// TestImportMissingDefaultsNameTheLine: a row left without an operator
// (no column, no default) is reported with its line, like other bad rows.
func TestImportMissingDefaultsNameTheLine(t *testing.T) {
	e := newCLIEnv(t, "")
	r := e.run(t, "canumber\nDL12CB4685\n", "import", "--format", "csv", "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, "line 2: DL12CB4685: no operator") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// A second row of the same vehicle does not slip through as a merge.
	r = e.run(t, "canumber\nDL12CB4685\ndl 12 cb 4685\n", "import", "--skip-invalid", "--format", "csv", "-")
	if r.code != 0 || !strings.Contains(r.stderr, "line 3: DL12CB4685: no operator") || len(mustStore(t, e).Data().Accounts) != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestImportKeepsSavedOperatorWhenTheRowHasNone: defaults are for new
// accounts; a row without an operator or registration ID that matches a
// saved account (say a label-only CSV) must not overwrite the saved ones
// with the config's.
func TestImportKeepsSavedOperatorWhenTheRowHasNone(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--operator", "312", "--registration-id", "OTHER-1"); r.code != 0 {
		t.Fatalf("add: exit %d %s", r.code, r.stderr)
	}
	r := e.run(t, "canumber,label\nDL12CB4685,Renamed\nKA01A1234,New\n", "import", "--format", "csv", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "added 1, updated 1") {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	d := mustStore(t, e).Data()
	if a := d.Accounts[0]; a.Label != "Renamed" || a.Operator != 312 || a.RegistrationID != "OTHER-1" {
		t.Fatalf("saved account changed: %+v", a)
	}
	if a := d.Accounts[1]; a.Operator != 311 || a.RegistrationID != "AOP-554" {
		t.Fatalf("new account without defaults: %+v", a)
	}
}

// TestImportSumsManyDuplicateRows: thousands of repeated vehicles are
// noted once each for the first few, then counted.
func TestImportSumsManyDuplicateRows(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	in := "canumber\n" + strings.Repeat("DL12CB4685\n", 500)
	r := e.run(t, in, "import", "--format", "csv", "-")
	if r.code != 0 || strings.Count(r.stderr, "\n") != maxDuplicateLines+1 || !strings.Contains(r.stderr, "and 489 more rows") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// TestImportStopsOnInterrupt: `aopfetch import -` waiting on a terminal
// (or a FIFO nobody writes) must end on ctrl+c, with exit 130.
func TestImportStopsOnInterrupt(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	pr, pw := io.Pipe()
	defer pw.Close()
	var out, errb bytes.Buffer
	app := newApp(BuildInfo{Version: "test"}, pr, &out, &errb, func(string) (string, bool) { return "", false })
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // ctrl+c while the read waits
	if code := run(ctx, app, []string{"--config", e.config, "--store", e.store, "import", "-"}); code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s", code, exitInterrupted, errb.String())
	}
}

// TestImportInputIsCapped: an endless input (/dev/zero, a runaway pipe)
// is refused past the limit instead of filling memory.
func TestImportInputIsCapped(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	app := newApp(BuildInfo{Version: "test"}, zeros{}, io.Discard, io.Discard, nil)
	_, err := readInput(context.Background(), app, "-", 1<<20)
	if exitCodeFor(err) != exitUsage || !strings.Contains(fmt.Sprint(err), "larger than 1 MiB") {
		t.Fatalf("endless stdin: %v", err)
	}
	small := filepath.Join(e.dir, "small.csv")
	if err := os.WriteFile(small, []byte("canumber\nDL12CB4685\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := readInput(context.Background(), app, small, 1<<20); err != nil || len(data) != 20 {
		t.Fatalf("small file: %q %v", data, err)
	}
}

// zeros is an endless reader, like /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestImportReadHints: the hint of an unreadable import names the likely cause.
func TestImportReadHints(t *testing.T) {
	dir := t.TempDir()
	for err, want := range map[error]string{
		&fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}: "permissions",
		&fs.PathError{Op: "read", Path: dir, Err: syscall.EISDIR}:   "not a directory",
		&fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}:   "file name",
	} {
		if got := readHint(err); !strings.Contains(got, want) {
			t.Errorf("readHint(%v) = %q, want it to mention %q", err, got, want)
		}
	}
	e := newCLIEnv(t, "")
	if r := e.run(t, "", "import", dir); r.code != exitUsage || !strings.Contains(r.stderr, "not a directory") {
		t.Errorf("import DIR: exit %d %s", r.code, r.stderr)
	}
}
