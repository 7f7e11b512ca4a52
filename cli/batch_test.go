package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/aopfetch/aopfetch/client/sandbox"
	"github.com/aopfetch/aopfetch/store"
)

// utf16LE encodes s as UTF-16LE with a byte order mark, as Windows tools
// save "Unicode" text.
func utf16LE(s string) string {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// batchCSVRows runs batch over input (a file named name) with -o - and
// returns the CSV rows written, header first.
func batchCSVRows(t *testing.T, e *cliEnv, name, input string, args ...string) (cliResult, [][]string) {
	t.Helper()
	in := filepath.Join(e.dir, name)
	if err := os.WriteFile(in, []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "", append([]string{"--base-url", sandboxURL(t), "batch", in, "-o", "-"}, args...)...)
	recs, _ := parseCSV(t, r.stdout)
	return r, recs
}

// parseCSV parses a batch CSV output: all of its records (header first),
// and the data rows.
func parseCSV(t *testing.T, out string) (all, data [][]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, out)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	return recs, recs[1:]
}

// TestBatchFlagErrors: flags that cannot work are usage errors before
// anything is read or sent.
func TestBatchFlagErrors(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--concurrency", "33"}, "between 1 and 32"},
		{[]string{"--concurrency", "0"}, "between 1 and 32"},
		{[]string{"--rate", "-1"}, "--rate"},
		{[]string{"--rate", "NaN"}, "--rate"},
		{[]string{"--rate", "+Inf"}, "--rate"},
		{[]string{"--resume"}, "--resume needs -o FILE"},
		{[]string{"-o", "-", "--format", "xml"}, "unknown --format"},
		{[]string{"--saved", "extra.txt"}, "takes no FILE"},
		{nil, "give FILE"},
	} {
		args := append([]string{"--demo", "batch"}, tc.args...)
		if len(tc.args) == 0 || tc.args[0] != "--saved" {
			if tc.args != nil {
				args = append(args, "-")
			}
		}
		r := e.run(t, "DL12CB4685\n", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want a usage error with %q", args, r.code, r.stderr, tc.want)
		}
	}
}

// TestBatchInputEncodings: a UTF-16 file (as Windows tools save
// "Unicode" text) and a UTF-8 byte order mark read as plain UTF-8, on
// stdin too.
func TestBatchInputEncodings(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	for name, input := range map[string]string{
		"fleet.csv":   utf16LE("canumber,label\r\nDL12CB4685,ट्रक\r\nMH12AB1234,\r\n"),
		"fleet8.csv":  "\ufeffLabel,CANUMBER\nट्रक,DL12CB4685\n,MH12AB1234\n",
		"list.txt":    utf16LE("DL12CB4685\r\nMH12AB1234\r\n"),
		"list8.txt":   "\ufeffDL12CB4685\nMH12AB1234\n",
		"noext-utf16": utf16LE("canumber,label\r\nDL12CB4685,ट्रक\r\nMH12AB1234,\r\n"),
	} {
		r, recs := batchCSVRows(t, e, name, input, "--no-history")
		if r.code != 0 || len(recs) != 3 || recs[1][0] != "DL12CB4685" || recs[2][0] != "MH12AB1234" {
			t.Errorf("%s: exit %d, rows %q\n%s", name, r.code, recs, r.stderr)
			continue
		}
		if strings.HasSuffix(name, ".csv") || name == "noext-utf16" {
			if recs[1][3] != "ट्रक" {
				t.Errorf("%s: label %q", name, recs[1][3])
			}
		}
	}
}

// TestBatchRowOperatorNames: a row's operator is a code or a configured
// operator's name, resolved as fetch resolves --operator.
func TestBatchRowOperatorNames(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	for op, want := range map[string]string{
		"fastag axis": "",
		"312":         "",
		"Airtel":      `line 2: unknown operator "Airtel"`,
		"311.0":       "line 2: operator code must be a whole number (got '311.0')",
	} {
		r, recs := batchCSVRows(t, e, "fleet.csv", "canumber,operator\nDL12CB4685,"+op+"\n", "--no-history")
		switch {
		case want == "" && (r.code != 0 || len(recs) != 2 || recs[1][1] != "312"):
			t.Errorf("operator %q: exit %d, rows %q\n%s", op, r.code, recs, r.stderr)
		case want != "" && (r.code != exitUsage || !strings.Contains(r.stderr, want)):
			t.Errorf("operator %q: exit %d, stderr %q; want %q", op, r.code, r.stderr, want)
		}
	}
}

// TestBatchExitCodesAndHints: the most severe outcome is the exit code, and
// a stop says how to go on.
func TestBatchExitCodesAndHints(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	for _, tc := range []struct {
		in   []string
		want int
		hint string
	}{
		{[]string{sandbox.VehicleSuccess}, exitOK, ""},
		{[]string{sandbox.VehicleSuccess, sandbox.VehicleNotFound}, exitAPI, ""},
		{[]string{sandbox.VehicleNotFound, sandbox.VehicleUpstream, sandbox.VehicleSuccess}, exitNetwork, ""},
		{[]string{sandbox.VehicleAuth, sandbox.VehicleSuccess}, exitAuth, "--resume"},
	} {
		r, _ := batchCSVRows(t, e, "in.txt", strings.Join(tc.in, "\n")+"\n", "--no-history", "--concurrency", "1")
		if r.code != tc.want || !strings.Contains(r.stderr, tc.hint) {
			t.Errorf("%v: exit %d, want %d (hint %q)\n%s", tc.in, r.code, tc.want, tc.hint, r.stderr)
		}
	}
	r, _ := batchCSVRows(t, e, "bad.txt", "DL12CB4685\nDL12/CB!4685\n", "--no-history")
	if r.code != exitUsage || !strings.Contains(r.stderr, "line 2: ") || !strings.Contains(r.stderr, "--skip-invalid") {
		t.Errorf("invalid row: exit %d\n%s", r.code, r.stderr)
	}
}

// TestBatchRefusesToReplaceAnotherStore: as with export, batch -o
// --overwrite naming a store other than the current one (the real
// store.json under --demo) must not replace it.
func TestBatchRefusesToReplaceAnotherStore(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	other, before := anotherStore(t, e)
	r := e.run(t, "DL12CB4685\n", "--demo", "batch", "-", "--overwrite", "-o", other)
	if after, _ := os.ReadFile(other); r.code != exitUsage || !bytes.Equal(after, before) {
		t.Fatalf("batch -o another store: exit %d, file now:\n%s\nstderr:\n%s", r.code, after, r.stderr)
	}
}

// TestBatchToAFIFOStopsOnInterrupt: batch -o naming a FIFO nobody reads
// waits in open(2); ctrl+c (even twice) must end it, as it does for export.
func TestBatchToAFIFOStopsOnInterrupt(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	fifo := filepath.Join(e.dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	app := newApp(BuildInfo{Version: "test"}, strings.NewReader("DL12CB4685\n"), io.Discard, io.Discard, func(string) (string, bool) { return "", false })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, app, []string{"--config", e.config, "--store", e.store, "--demo", "batch", "-", "-o", fifo})
	}()
	time.Sleep(100 * time.Millisecond) // into the wait in open(2), most likely
	cancel()
	select {
	case code := <-done:
		if code != exitInterrupted {
			t.Errorf("exit %d, want %d", code, exitInterrupted)
		}
	case <-time.After(5 * time.Second): // a hang, not a speed limit
		t.Error("batch still waits on the FIFO after ctrl+c")
	}
	releaseFIFO(fifo)
}

// releaseFIFO ends a wait in open(2) of a writer of fifo, if any, without
// waiting itself.
func releaseFIFO(fifo string) {
	if fd, err := syscall.Open(fifo, syscall.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		syscall.Close(fd)
	}
}

// TestBatchOutputIsPrivate: the -o file is 0600 whatever its mode was,
// when it is overwritten and when a run is resumed, as the README says.
func TestBatchOutputIsPrivate(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	url := sandboxURL(t)
	in := filepath.Join(e.dir, "in.txt")
	if err := os.WriteFile(in, []byte("DL12CB4685\nMH12AB1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "out.csv")
	for _, args := range [][]string{{"--overwrite"}, {"--resume"}, nil} {
		old := strings.Join(batchCSVHeaderRow, ",") + "\n"
		if args == nil {
			old = "" // an empty file is written without --overwrite
		}
		if err := os.WriteFile(out, []byte(old), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(out, 0o644); err != nil { // whatever the umask
			t.Fatal(err)
		}
		r := e.run(t, "", append([]string{"--base-url", url, "batch", in, "-o", out, "--no-history"}, args...)...)
		fi, err := os.Stat(out)
		if r.code != 0 || err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%v over a 0644 file: exit %d, mode %v %v\n%s", args, r.code, fi.Mode().Perm(), err, r.stderr)
		}
		if recs := readCSVFile(t, out); len(recs) != 2 {
			t.Errorf("%v: %d rows, want 2", args, len(recs))
		}
	}
}

// batchCSVHeaderRow is the header of batch's CSV output.
var batchCSVHeaderRow = []string{"canumber", "operator", "registration_id", "label", "ok", "error_kind", "message",
	"name", "amount", "due_date", "bill_net_amount", "max_bill_amount",
	"accept_payment", "accept_part_pay", "cell_number", "fetched_at"}

// TestBatchUsesTheSavedAccountsOperator: a vehicle of a plain list, or of a
// CSV row without an operator or registration id, that is saved is looked
// up with the saved account's (not the defaults': 312 was looked up as
// 311); a row's own values, and --operator for vehicles not saved, still
// apply.
func TestBatchUsesTheSavedAccountsOperator(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	for _, args := range [][]string{
		{"saved", "add", "DL12CB4685", "--operator", "312", "--registration-id", "REG-9"},
		{"saved", "add", "KA01AB1234", "--operator", "312", "--registration-id", "REG-7"},
	} {
		if r := e.run(t, "", args...); r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
	}
	type lookup struct{ vehicle, op, regID string }
	for _, tc := range []struct {
		name, input string
		args        []string
		want        []lookup
	}{
		{"list.txt", "dl 12 cb 4685\nMH12AB1234\n", nil,
			[]lookup{{"DL12CB4685", "312", "REG-9"}, {"MH12AB1234", "311", "AOP-554"}}},
		{"list2.txt", "DL12CB4685\nMH12AB1234\n", []string{"--operator", "313"},
			[]lookup{{"DL12CB4685", "312", "REG-9"}, {"MH12AB1234", "313", "AOP-554"}}},
		{"fleet.csv", "canumber,operator,registration_id\nDL12CB4685,,\nKA01AB1234,,R-ROW\nMH12AB1234,,\nDL12CB4685,311,\n", nil,
			[]lookup{{"DL12CB4685", "312", "REG-9"}, {"KA01AB1234", "312", "R-ROW"}, {"MH12AB1234", "311", "AOP-554"}, {"DL12CB4685", "311", "REG-9"}}},
	} {
		r, recs := batchCSVRows(t, e, tc.name, tc.input, append([]string{"--no-history"}, tc.args...)...)
		var got []lookup
		for _, rec := range recs[1:] {
			got = append(got, lookup{rec[0], rec[1], rec[2]})
		}
		if r.code != 0 || !slices.Equal(got, tc.want) {
			t.Errorf("%s: exit %d, lookups %v, want %v\n%s", tc.name, r.code, got, tc.want, r.stderr)
		}
	}
}

// TestBatchSaved: batch --saved looks up every saved account in saved
// order, with its operator, registration id and label, writes rows as
// batch does and refreshes the accounts (--save implied).
func TestBatchSaved(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	url := sandboxURL(t)
	if r := e.run(t, "", "--base-url", url, "batch", "--saved"); r.code != exitUsage || !strings.Contains(r.stderr, "no saved accounts") {
		t.Fatalf("--saved with none saved: exit %d\n%s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"saved", "add", "MH12AB1234", "--operator", "312", "--registration-id", "REG-9", "--label", "Sharma"},
		{"saved", "add", sandbox.VehicleNotFound, "--operator", "311", "--registration-id", "AOP-554"},
		{"saved", "add", "DL12CB4685", "--operator", "311", "--registration-id", "AOP-554", "--label", "Doc"},
	} {
		if r := e.run(t, "", args...); r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
	}
	before := time.Now()
	r := e.run(t, "", "--base-url", url, "batch", "--saved", "-o", "-")
	if r.code != exitAPI { // one saved vehicle is not found
		t.Fatalf("batch --saved: exit %d\n%s", r.code, r.stderr)
	}
	_, recs := parseCSV(t, r.stdout)
	var got []string
	for _, rec := range recs {
		got = append(got, strings.Join([]string{rec[0], rec[1], rec[2], rec[3], rec[4]}, " "))
	}
	want := []string{"MH12AB1234 312 REG-9 Sharma true", sandbox.VehicleNotFound + " 311 AOP-554  false", "DL12CB4685 311 AOP-554 Doc true"}
	if !slices.Equal(got, want) {
		t.Fatalf("rows\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(r.stderr, "saved accounts: 0 added, 2 updated") {
		t.Errorf("summary does not say the accounts were refreshed:\n%s", r.stderr)
	}
	accts := savedAccounts(t, e)
	if len(accts) != 3 || accts[0].Operator != 312 || accts[0].Label != "Sharma" {
		t.Fatalf("accounts after --saved: %+v", accts)
	}
	for _, i := range []int{0, 2} {
		if l := accts[i].Last; l == nil || l.FetchedAt.Before(before.Add(-time.Second)) {
			t.Errorf("%s not refreshed: %+v", accts[i].CANumber, l)
		}
	}
}

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
	waitLines(t, path, n, startLogged(t, cmd))
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
	out := outputFile(path).String()
	if out == "" {
		t.Fatalf("%s is missing or empty", path)
	}
	_, recs := parseCSV(t, out)
	return recs
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
		code, ended := waitExit(cmd, 2*time.Minute) // a hang, not a speed limit (-race reads 128 MiB in seconds)
		if !ended {
			t.Errorf("batch %s still runs after %v", tc.input, tc.sig)
			continue
		}
		if !slices.Contains(tc.codes, code) {
			t.Errorf("batch %s, %v: exit %d, want one of %v\n%s", tc.input, tc.sig, code, tc.codes, stderr.String())
		}
		if code == exitUsage && !strings.Contains(stderr.String(), "larger than 128 MiB") {
			t.Errorf("batch %s: %s", tc.input, stderr.String())
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > maxInputRSS>>10 { // Maxrss is in KiB
			t.Errorf("batch %s, %v: %d MiB resident at most", tc.input, tc.sig, ru.Maxrss>>10)
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
