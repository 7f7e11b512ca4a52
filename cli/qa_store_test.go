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
	"time"

	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// qaConfig is a config with defaults and one named operator.
const qaConfig = "registration_id = \"AOP-554\"\noperator = 311\n[[operators]]\ncode = 312\nname = \"FASTag Axis\"\n"

// TestQAExportRefusesToReplaceAnotherStore: under --demo the current store
// is demo-store.json, but -o naming the real store.json (or any copy of a
// store, the README's way to back up history) must not replace it with an
// export that has no history.
func TestQAExportRefusesToReplaceAnotherStore(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	other := filepath.Join(e.dir, "real-store.json")
	s, err := store.Open(other, store.Options{HistoryLimit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordLookups(store.Lookup{Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554"}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(other)
	r := e.run(t, "", "export", "-o", other)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "store") {
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

// TestQAExportOutputPathErrors: a missing directory or a directory as -o is
// a usage error that names the file the user gave, not a temp file.
func TestQAExportOutputPathErrors(t *testing.T) {
	e := newCLIEnv(t, "")
	for out, want := range map[string]string{
		filepath.Join(e.dir, "nodir", "x.json"): "nodir",
		e.dir:                                   "is a directory",
	} {
		r := e.run(t, "", "export", "-o", out)
		if r.code != ExitUsage || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, ".tmp-") {
			t.Errorf("export -o %s: exit %d\n%s", out, r.code, r.stderr)
		}
	}
	r := e.run(t, "", "export", "-o", filepath.Join(e.dir, "a\x1b[2J.json"))
	if r.code != 0 || strings.Contains(r.stderr, "\x1b") {
		t.Errorf("export -o with an escape in the name: exit %d %q", r.code, r.stderr)
	}
}

// TestQAJSONOutputEscapesTerminalControls: labels are the user's but may
// hold anything (an import, another tool); --json output and the JSON export
// keep the values yet must not emit raw bidi or C1 controls to a terminal.
func TestQAJSONOutputEscapesTerminalControls(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	label := "evil\u202egnp.exe\u009b2J\u2066x"
	in := `[{"canumber": "DL12CB4685", "label": "evil\u202egnp.exe\u009b2J\u2066x"}]`
	if r := e.run(t, in, "import", "-"); r.code != 0 {
		t.Fatalf("import: exit %d %s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"saved", "list", "--json"}, {"export"}} {
		r := e.run(t, "", args...)
		if r.code != 0 || strings.ContainsAny(r.stdout, "\u202e\u009b\u2066") || !strings.Contains(r.stdout, `\u202e`) {
			t.Errorf("%v: exit %d %q", args, r.code, r.stdout)
		}
	}
	r := e.run(t, "", "saved", "list", "--json")
	var accts []store.Account
	if err := json.Unmarshal([]byte(r.stdout), &accts); err != nil || len(accts) != 1 || accts[0].Label != label {
		t.Fatalf("the label changed: %v %+v", err, accts)
	}
}

// TestQAImportOperatorNamesAndDuplicateRows: the operator column takes a
// configured name as batch and --operator do, and a vehicle given twice in
// one file (in two spellings) is pointed out with both lines.
func TestQAImportOperatorNamesAndDuplicateRows(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
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
	if r.code != ExitUsage || !strings.Contains(r.stderr, `line 2: unknown operator "Airtel"`) {
		t.Fatalf("unknown operator name: exit %d\n%s", r.code, r.stderr)
	}
}

// TestQAImportMissingDefaultsNameTheLine: a row left without an operator
// (no column, no default) is reported with its line, like other bad rows.
func TestQAImportMissingDefaultsNameTheLine(t *testing.T) {
	e := newCLIEnv(t, "")
	r := e.run(t, "canumber\nDL12CB4685\n", "import", "--format", "csv", "-")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "line 2: DL12CB4685: no operator") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// A second row of the same vehicle does not slip through as a merge.
	r = e.run(t, "canumber\nDL12CB4685\ndl 12 cb 4685\n", "import", "--skip-invalid", "--format", "csv", "-")
	if r.code != 0 || !strings.Contains(r.stderr, "line 3: DL12CB4685: no operator") || len(mustStore(t, e).Data().Accounts) != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestQASavedAddEmptyFlagClears: "the flags you pass replace its values",
// so --note "" clears the note (and --label "" the label).
func TestQASavedAddEmptyFlagClears(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--label", "L", "--note", "N"); r.code != 0 {
		t.Fatalf("add: exit %d %s", r.code, r.stderr)
	}
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--note", ""); r.code != 0 {
		t.Fatalf("update: exit %d %s", r.code, r.stderr)
	}
	d := mustStore(t, e).Data()
	if len(d.Accounts) != 1 || d.Accounts[0].Note != "" || d.Accounts[0].Label != "L" {
		t.Fatalf("accounts %+v", d.Accounts)
	}
}

// mustStore opens the env's store.
func mustStore(t *testing.T, e *cliEnv) *store.Store {
	t.Helper()
	s, err := store.Open(e.store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestQAImportKeepsSavedOperatorWhenTheRowHasNone: defaults are for new
// accounts; a row without an operator or registration ID that matches a
// saved account (say a label-only CSV) must not overwrite the saved ones
// with the config's.
func TestQAImportKeepsSavedOperatorWhenTheRowHasNone(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
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

// TestQALabelsAreTextOnly: a label or note typed with escape sequences or
// control characters is stored as the text it shows; a label that is
// nothing but such characters is an empty label.
func TestQALabelsAreTextOnly(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--label", " \x1b[31mRed\x1b[0m\u202e ", "--note", "a\nb\x1b]0;t\a"); r.code != 0 {
		t.Fatalf("add: exit %d %s", r.code, r.stderr)
	}
	if a := mustStore(t, e).Data().Accounts[0]; a.Label != "Red" || a.Note != "a\nb" {
		t.Fatalf("stored %q %q", a.Label, a.Note)
	}
	r := e.run(t, "", "saved", "rename", "DL12CB4685", "\x1b]0;title\a")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "empty") {
		t.Fatalf("rename to escapes only: exit %d %s", r.code, r.stderr)
	}
}

// TestQAManyDuplicateRowsAreSummed: thousands of repeated vehicles are
// noted once each for the first few, then counted.
func TestQAManyDuplicateRowsAreSummed(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	in := "canumber\n" + strings.Repeat("DL12CB4685\n", 500)
	r := e.run(t, in, "import", "--format", "csv", "-")
	if r.code != 0 || strings.Count(r.stderr, "\n") != maxDuplicateLines+1 || !strings.Contains(r.stderr, "and 489 more rows") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// TestQABatchRefusesToReplaceAnotherStore: as with export, batch -o
// --overwrite naming a store other than the current one (the real
// store.json under --demo) must not replace it.
func TestQABatchRefusesToReplaceAnotherStore(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	other := filepath.Join(e.dir, "real-store.json")
	s, err := store.Open(other, store.Options{HistoryLimit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAccount(store.Account{CANumber: "DL12CB4685", Operator: 311}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(other)
	r := e.run(t, "DL12CB4685\n", "--demo", "batch", "-", "--overwrite", "-o", other)
	if after, _ := os.ReadFile(other); r.code != ExitUsage || !bytes.Equal(after, before) {
		t.Fatalf("batch -o another store: exit %d, file now:\n%s\nstderr:\n%s", r.code, after, r.stderr)
	}
}

// TestQAImportStopsOnInterrupt: `aopfetch import -` waiting on a terminal
// (or a FIFO nobody writes) must end on ctrl+c, with exit 130.
func TestQAImportStopsOnInterrupt(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	pr, pw := io.Pipe()
	defer pw.Close()
	var out, errb bytes.Buffer
	app := newApp(BuildInfo{Version: "test"}, pr, &out, &errb, func(string) (string, bool) { return "", false })
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // ctrl+c while the read waits
	if code := run(ctx, app, []string{"--config", e.config, "--store", e.store, "import", "-"}); code != ExitInterrupted {
		t.Fatalf("exit %d, want %d\n%s", code, ExitInterrupted, errb.String())
	}
}

// TestQAImportInputIsCapped: an endless input (/dev/zero, a runaway pipe)
// is refused past the limit instead of filling memory.
func TestQAImportInputIsCapped(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	app := newApp(BuildInfo{Version: "test"}, zeros{}, io.Discard, io.Discard, nil)
	_, err := readInput(context.Background(), app, "-", 1<<20)
	if ExitCodeFor(err) != ExitUsage || !strings.Contains(fmt.Sprint(err), "larger than 1 MiB") {
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

// TestQAExportStopsOnInterrupt: export -o naming a FIFO nobody reads waits
// in open(2); ctrl+c must end it with exit 130.
func TestQAExportStopsOnInterrupt(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
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
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want %d\n%s", code, ExitInterrupted, errb.String())
	}
}

// TestQAReadHints: the hint of an unreadable import names the likely cause.
func TestQAReadHints(t *testing.T) {
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
	if r := e.run(t, "", "import", dir); r.code != ExitUsage || !strings.Contains(r.stderr, "not a directory") {
		t.Errorf("import DIR: exit %d %s", r.code, r.stderr)
	}
}

// TestQAHistorySaysWhenItIsOff: with history_limit = 0 an empty history is
// explained, not just reported empty.
func TestQAHistorySaysWhenItIsOff(t *testing.T) {
	e := newCLIEnv(t, "history_limit = 0\n")
	if r := e.run(t, "", "history"); r.code != 0 || !strings.Contains(r.stderr, "history is off") {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
	if r := e.run(t, "", "history", "--json"); r.code != 0 || r.stderr != "" || strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("--json: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	s, err := store.Open(e.store, store.Options{HistoryLimit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordLookups(store.Lookup{Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554"}); err != nil {
		t.Fatal(err)
	}
	if r := e.run(t, "", "history"); r.code != 0 || !strings.Contains(r.stderr, "history clear") || !strings.Contains(r.stdout, "DL12CB4685") {
		t.Fatalf("stale history: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestQAWriteErrorNamesTheFileNotTheTemp: a failed write of -o FILE names
// FILE and the cause, never the temp file beside it.
func TestQAWriteErrorNamesTheFileNotTheTemp(t *testing.T) {
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

// TestQASafeJSONCoversSanitize: every character text.Sanitize drops is
// escaped by safeJSON (U+2028/9 encoding/json escapes itself).
func TestQASafeJSONCoversSanitize(t *testing.T) {
	for r := rune(0x7f); r <= 0xffff; r++ {
		if r >= 0xd800 && r <= 0xdfff || r == 0x2028 || r == 0x2029 {
			continue
		}
		if s := string(r); text.Sanitize(s) != s && !unsafeRune(r) {
			t.Errorf("U+%04X is dropped by Sanitize but left raw in JSON", r)
		}
	}
	if got := string(safeJSON([]byte("\"a\u202eb\u0085\U0001F600\"\n"))); got != `"a\u202eb\u0085`+"\U0001F600\"\n" {
		t.Errorf("safeJSON = %q", got)
	}
}

// TestQABatchToAFIFOStopsOnInterrupt: batch -o naming a FIFO nobody reads
// waits in open(2); ctrl+c (even twice) must end it, as it does for export.
func TestQABatchToAFIFOStopsOnInterrupt(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	fifo := filepath.Join(e.dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	app := newApp(BuildInfo{Version: "test"}, strings.NewReader("DL12CB4685\n"), io.Discard, io.Discard, func(string) (string, bool) { return "", false })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, app, []string{"--config", e.config, "--store", e.store, "--demo", "batch", "-", "-o", fifo})
	}()
	select {
	case code := <-done:
		if code != ExitInterrupted {
			t.Errorf("exit %d, want %d", code, ExitInterrupted)
		}
	case <-time.After(5 * time.Second): // a hang, not a speed limit
		t.Error("batch still waits on the FIFO after ctrl+c")
	}
	os.ReadFile(fifo) // release the writer
}

// TestQAFetchOnReadOnlyStoreSaysItOnce: as for saved add, a fetch whose
// history cannot be recorded in a newer (read-only) store gives the reason
// once, not as a notice and again in the warning.
func TestQAFetchOnReadOnlyStoreSaysItOnce(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	if err := os.WriteFile(e.store, []byte(`{"version": 99, "accounts": [], "recent": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "", "--demo", "fetch", "DL12CB4685")
	if r.code != 0 || strings.Count(r.stderr, "written by a newer aopfetch") != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// TestQASavedAddTakesAVehicleNotAnID: `saved add` of an account's id (copied
// from `saved list`) must not update "it" under the id as a vehicle number,
// cloning its label into a bogus second account.
func TestQASavedAddTakesAVehicleNotAnID(t *testing.T) {
	e := newCLIEnv(t, qaConfig)
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--label", "Sharma"); r.code != 0 {
		t.Fatalf("add: exit %d %s", r.code, r.stderr)
	}
	id := mustStore(t, e).Data().Accounts[0].ID
	r := e.run(t, "", "saved", "add", id, "--note", "x")
	d := mustStore(t, e).Data()
	for _, a := range d.Accounts[1:] {
		if a.Label == "Sharma" {
			t.Fatalf("saved add ID cloned the account: exit %d %s%s %+v", r.code, r.stdout, r.stderr, d.Accounts)
		}
	}
	if strings.Contains(r.stdout, "updated") {
		t.Fatalf("saved add ID said %q", r.stdout)
	}
}

// TestQAExportOfANewerStoreWarns: an export of a newer store is written as
// this version's schema, so it says that fields may be missing.
func TestQAExportOfANewerStoreWarns(t *testing.T) {
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
