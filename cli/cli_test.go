package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
	"github.com/aopfetch/aopfetch/internal/batch"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// docSuccess is the provider's documented 200 answer.
const docSuccess = `{"response_code":1,"status":true,"amount":"1000.0","name":"NITESH  KUMAR SHARMA","duedate":"2021-09-20",
"bill_fetch":{"billAmount":"1000.0","billnetamount":"1000.0","dueDate":"2021-09-20","maxBillAmount":"1000",
"acceptPayment":true,"acceptPartPay":true,"cellNumber":"DL12CB4685","userName":"NITESH  KUMAR SHARMA"},
"message":"Bill Fetched Success."}`

var testReq = client.Request{Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554"}

func TestExitCodeFor(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"exit error", &exitError{code: exitAuth}, exitAuth},
		{"validation", &client.ValidationError{Field: client.FieldCANumber, Message: "bad"}, exitUsage},
		{"api", &client.Error{Kind: client.KindAPI}, exitAPI},
		{"auth", &client.Error{Kind: client.KindAuth}, exitAuth},
		{"upstream", &client.Error{Kind: client.KindUpstream}, exitNetwork},
		{"network", &client.Error{Kind: client.KindNetwork}, exitNetwork},
		{"timeout", &client.Error{Kind: client.KindTimeout}, exitNetwork},
		{"cancelled", &client.Error{Kind: client.KindCancelled}, exitInterrupted},
		{"wrapped", fmt.Errorf("lookup: %w", &client.Error{Kind: client.KindAuth}), exitAuth},
		{"context cancelled", context.Canceled, exitInterrupted},
		{"deadline", context.DeadlineExceeded, exitNetwork},
		{"other", errors.New("disk full"), exitAPI},
	}
	for _, c := range cases {
		if got := exitCodeFor(c.err); got != c.want {
			t.Errorf("%s: exitCodeFor = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestWorstExitCode(t *testing.T) {
	cases := []struct {
		codes []int
		want  int
	}{
		{nil, exitOK},
		{[]int{exitOK, exitOK}, exitOK},
		{[]int{exitOK, exitAPI}, exitAPI},
		{[]int{exitAPI, exitNetwork}, exitNetwork},
		{[]int{exitNetwork, exitAuth, exitAPI}, exitAuth},
		{[]int{exitAuth, exitUsage}, exitUsage},
		{[]int{exitUsage, exitInterrupted, exitOK}, exitInterrupted},
	}
	for _, c := range cases {
		if got := worstExitCode(c.codes...); got != c.want {
			t.Errorf("worstExitCode(%v) = %d, want %d", c.codes, got, c.want)
		}
	}
}

func TestWriteTableAlignsUnicode(t *testing.T) {
	rows := [][]string{
		{"नितेश कुमार शर्मा", "DL12CB4685", "x"},
		{"日本語の名前", "MH01AB1234", "y"},
		{"ASCII NAME", "KA01A1234", "z"},
		{"Zoë Ünicode", "22BH1234AA", "w"},
	}
	var b bytes.Buffer
	if err := writeTable(&b, []string{"NAME", "VEHICLE", "NOTE"}, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(rows)+1 {
		t.Fatalf("got %d lines:\n%s", len(lines), b.String())
	}
	want := -1
	for i, line := range lines {
		second := "VEHICLE"
		if i > 0 {
			second = rows[i-1][1]
		}
		col := text.Width(line[:strings.Index(line, second)])
		if want == -1 {
			want = col
		}
		if col != want {
			t.Errorf("line %d: second column starts at cell %d, want %d:\n%s", i, col, want, b.String())
		}
	}
}

func TestConsumerTableSanitisesServerStrings(t *testing.T) {
	evil := "EVIL\x1b]52;c;ZXZpbA==\x07NAME\x1b]0;title\x07\x1b[2J\r\u202eX\x9b31m"
	c := client.Consumer{ResponseCode: 1, Status: true, Name: evil, Message: evil, Amount: "1000.0",
		Bill: &client.Bill{CellNumber: evil, DueDate: evil, BillNetAmount: evil}}
	var b bytes.Buffer
	if err := writeConsumer(&b, testReq, &client.Result{Consumer: c}, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "\x9b"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%q", bad, out)
		}
	}
	if !strings.Contains(out, "EVIL") || !strings.Contains(out, "₹1,000.00") {
		t.Errorf("output lost the text:\n%s", out)
	}
}

func TestConsumerFields(t *testing.T) {
	res, err := fetchFrom(t, 200, "", []byte(docSuccess))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2021, 9, 23, 10, 0, 0, 0, time.Local)
	var b bytes.Buffer
	if err := writeConsumer(&b, testReq, res, nil, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Name             NITESH  KUMAR SHARMA\n",
		"Amount           ₹1,000.00\n",
		"Max amount       ₹1,000.00\n",
		"Due date         20 Sep 2021 (overdue by 3 days)\n",
		"Accepts payment  yes\n",
		"Part payment     yes\n",
		"Phone            DL12CB4685\n",
		"Message          Bill Fetched Success.\n",
		"Response code    1\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestDueRelative(t *testing.T) {
	due := time.Date(2021, 9, 20, 0, 0, 0, 0, time.Local)
	cases := map[time.Time]string{
		time.Date(2021, 9, 21, 9, 0, 0, 0, time.Local):  "20 Sep 2021 (overdue by 1 day)",
		time.Date(2021, 9, 20, 23, 0, 0, 0, time.Local): "20 Sep 2021 (due today)",
		time.Date(2021, 9, 19, 1, 0, 0, 0, time.Local):  "20 Sep 2021 (due in 1 day)",
		time.Date(2021, 9, 10, 1, 0, 0, 0, time.Local):  "20 Sep 2021 (due in 10 days)",
	}
	for now, want := range cases {
		if got := formatDueDate(due.Format("2006-01-02"), now, 0); got != want {
			t.Errorf("now %s: %q, want %q", now, got, want)
		}
	}
	if got := formatDueDate("someday\x1b[2J", time.Now(), 0); strings.Contains(got, "\x1b") {
		t.Errorf("unparsable due date not sanitised: %q", got)
	}
}

// cliResult is the outcome of one in-process invocation.
type cliResult struct {
	code           int
	stdout, stderr string
}

// cliEnv is an isolated environment: an empty config file and a store in a
// temp dir, a UTF-8 locale and the given environment variables only.
type cliEnv struct {
	dir, config, store string
	env                map[string]string
}

func newCLIEnv(t *testing.T, configText string) *cliEnv {
	t.Helper()
	dir := t.TempDir()
	e := &cliEnv{dir: dir, config: filepath.Join(dir, "config.toml"), store: filepath.Join(dir, "store.json"), env: map[string]string{"LANG": "C.UTF-8"}}
	if err := os.WriteFile(e.config, []byte(configText), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// run runs aopfetch in-process with --config and --store set to the env's.
func (e *cliEnv) run(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) (string, bool) { v, ok := e.env[k]; return v, ok }
	app := newApp(BuildInfo{Version: "1.2.3", Commit: "abc123", Date: "2026-01-02T03:04:05Z"},
		strings.NewReader(stdin), &out, &errb, getenv)
	app.startDemo = func() (*sandbox.Server, error) { return sandbox.Start("", sandbox.Options{}) }
	full := append([]string{"--config", e.config, "--store", e.store}, args...)
	code := run(context.Background(), app, full)
	return cliResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// namedOperatorConfig is a config with defaults and one named operator.
const namedOperatorConfig = "registration_id = \"AOP-554\"\noperator = 311\n[[operators]]\ncode = 312\nname = \"FASTag Axis\"\n"

// mustStore opens the env's store.
func mustStore(t *testing.T, e *cliEnv) *store.Store {
	t.Helper()
	s, err := store.Open(e.store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// settingOf returns the value and source of key in `config --json` output.
func settingOf(t *testing.T, out, key string) (string, string) {
	t.Helper()
	var rep configReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("config --json: %v\n%s", err, out)
	}
	for _, s := range rep.Settings {
		if s.Key == key {
			return s.Value, s.Source
		}
	}
	t.Fatalf("no setting %q in %s", key, out)
	return "", ""
}

func TestConfigPrecedence(t *testing.T) {
	e := newCLIEnv(t, "base_url = \"http://127.0.0.1:1111\"\ntimeout = \"7s\"\n")
	r := e.run(t, "", "config", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if v, src := settingOf(t, r.stdout, "base_url"); v != "http://127.0.0.1:1111" || src != "file" {
		t.Errorf("file: base_url = %q from %q", v, src)
	}
	e.env["AOPFETCH_BASE_URL"] = "http://127.0.0.1:2222"
	r = e.run(t, "", "config", "--json")
	if v, src := settingOf(t, r.stdout, "base_url"); v != "http://127.0.0.1:2222" || src != "env" {
		t.Errorf("env: base_url = %q from %q", v, src)
	}
	r = e.run(t, "", "--base-url", "http://127.0.0.1:3333", "--timeout", "9s", "config", "--json")
	if v, src := settingOf(t, r.stdout, "base_url"); v != "http://127.0.0.1:3333" || src != "flag" {
		t.Errorf("flag: base_url = %q from %q", v, src)
	}
	if _, src := settingOf(t, r.stdout, "timeout"); src != "flag" {
		t.Errorf("flag: timeout from %q", src)
	}
	// A flag that is not given does not override anything.
	r = e.run(t, "", "config", "--json")
	if _, src := settingOf(t, r.stdout, "timeout"); src != "file" {
		t.Errorf("timeout from %q, want file", src)
	}
}

func TestConfigRedactsSecrets(t *testing.T) {
	e := newCLIEnv(t, "[auth]\npartner_id = \"PS001\"\n[auth.headers]\nAuthorisedkey = \"hdr-secret-value\"\n")
	e.env["AOPFETCH_JWT_SECRET"] = "jwt-secret-value"
	for _, args := range [][]string{{"config"}, {"config", "--json"}} {
		r := e.run(t, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		all := r.stdout + r.stderr
		if strings.Contains(all, "jwt-secret-value") || strings.Contains(all, "hdr-secret-value") {
			t.Errorf("%v shows a secret:\n%s", args, all)
		}
		if !strings.Contains(all, "[redacted]") {
			t.Errorf("%v: no [redacted]:\n%s", args, all)
		}
	}
}

// sandboxURL serves a zero-latency sandbox for the test.
func sandboxURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(sandbox.New(sandbox.Options{}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFetchAgainstSandbox(t *testing.T) {
	e := newCLIEnv(t, "registration_id = \"AOP-554\"\n[[operators]]\ncode = 311\nname = \"FASTag ICICI\"\n")
	url := sandboxURL(t)
	r := e.run(t, "", "--base-url", url, "fetch", "--operator", "fastag icici", "dl 12 cb-4685")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"NITESH  KUMAR SHARMA", "₹1,000.00", "311 (FASTag ICICI)", "DL12CB4685"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = e.run(t, "", "history", "--json")
	var hist []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &hist); err != nil || len(hist) != 1 || hist[0]["canumber"] != "DL12CB4685" {
		t.Fatalf("history = %s (%v)", r.stdout, err)
	}
	r = e.run(t, "", "--base-url", url, "fetch", "--operator", "311", "--no-history", "MH01AB1234")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r = e.run(t, "", "history", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &hist); err != nil || len(hist) != 1 {
		t.Fatalf("--no-history recorded: %s", r.stdout)
	}
}

func TestFetchExitCodes(t *testing.T) {
	e := newCLIEnv(t, "registration_id = \"AOP-554\"\noperator = 311\n")
	url := sandboxURL(t)
	cases := []struct {
		vehicles []string
		want     int
	}{
		{[]string{sandbox.VehicleSuccess}, exitOK},
		{[]string{sandbox.VehicleNotFound}, exitAPI},
		{[]string{sandbox.VehicleAuth}, exitAuth},
		{[]string{sandbox.VehicleUpstream}, exitNetwork},
		{[]string{sandbox.VehicleNotFound, sandbox.VehicleUpstream, sandbox.VehicleSuccess}, exitNetwork},
		{[]string{sandbox.VehicleUpstream, sandbox.VehicleAuth, sandbox.VehicleNotFound}, exitAuth},
		{[]string{"@@"}, exitUsage},
		{[]string{sandbox.VehicleSuccess, "@@"}, exitUsage},
	}
	for _, c := range cases {
		r := e.run(t, "", append([]string{"--base-url", url, "fetch", "--no-history"}, c.vehicles...)...)
		if r.code != c.want {
			t.Errorf("%v: exit %d, want %d\nstderr: %s", c.vehicles, r.code, c.want, r.stderr)
		}
		if c.want != exitOK && !strings.Contains(r.stderr, "hint: ") {
			t.Errorf("%v: no hint on stderr: %s", c.vehicles, r.stderr)
		}
	}
}

func TestFetchJSONArray(t *testing.T) {
	e := newCLIEnv(t, "registration_id = \"AOP-554\"\noperator = 311\n")
	url := sandboxURL(t)
	r := e.run(t, "", "--base-url", url, "fetch", "--json", "--no-history", sandbox.VehicleSuccess, sandbox.VehicleNotFound)
	if r.code != exitAPI {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var recs []batch.Record
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil || len(recs) != 2 {
		t.Fatalf("not an array of 2: %v\n%s", err, r.stdout)
	}
	if !recs[0].OK || recs[1].OK || recs[1].Error == nil || recs[1].Error.Kind != "api" {
		t.Errorf("records = %+v", recs)
	}
}

func TestFetchMissingSettings(t *testing.T) {
	e := newCLIEnv(t, "")
	r := e.run(t, "", "fetch", "DL12CB4685")
	if r.code != exitUsage || !strings.Contains(r.stderr, "AOPFETCH_OPERATOR") || !strings.Contains(r.stderr, "--operator") {
		t.Errorf("missing operator: exit %d, stderr %q", r.code, r.stderr)
	}
	r = e.run(t, "", "fetch", "--operator", "311", "DL12CB4685")
	if r.code != exitUsage || !strings.Contains(r.stderr, "AOPFETCH_REGISTRATION_ID") || !strings.Contains(r.stderr, "registration_id") {
		t.Errorf("missing registration id: exit %d, stderr %q", r.code, r.stderr)
	}
	r = e.run(t, "", "fetch", "--operator", "nosuch", "--registration-id", "X", "DL12CB4685")
	if r.code != exitUsage || !strings.Contains(r.stderr, "unknown operator") {
		t.Errorf("unknown operator name: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestDemoFetchUsesDemoDefaults(t *testing.T) {
	e := newCLIEnv(t, "")
	r := e.run(t, "", "--demo", "fetch", "--no-history", sandbox.VehicleSuccess)
	if r.code != 0 || !strings.HasPrefix(r.stderr, demoNotice+"\n") || !strings.Contains(r.stdout, "NITESH  KUMAR SHARMA") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}

func TestRootWithoutTerminal(t *testing.T) {
	e := newCLIEnv(t, "")
	for _, args := range [][]string{nil, {"DL12CB4685"}} {
		r := e.run(t, "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "aopfetch fetch") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	r := e.run(t, "", "fetc")
	if r.code != exitUsage || !strings.Contains(r.stderr, `did you mean "fetch"`) {
		t.Errorf("typo: exit %d, stderr %q", r.code, r.stderr)
	}
	// A mistyped command with its arguments, as typed by a person.
	r = e.run(t, "", "fecth", "DL12CB4685", "MH01AB1234")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "fecth" (did you mean "fetch"?)`) {
		t.Errorf("typo with arguments: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	e := newCLIEnv(t, "")
	for _, args := range [][]string{{"fetch"}, {"fetch", "--bogus", "X"}, {"saved", "rm"}, {"history", "--limit", "-1"},
		{"export", "--format", "xml"}, {"saved", "rm", "NOPE1234"}} {
		r := e.run(t, "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "hint: ") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestSavedAddUpdateAndImportDefaults(t *testing.T) {
	e := newCLIEnv(t, "registration_id = \"AOP-554\"\noperator = 311\n")
	r := e.run(t, "", "saved", "add", "dl12cb4685", "--label", "शर्मा जी", "--note", "first")
	if r.code != 0 || !strings.Contains(r.stdout, "saved DL12CB4685") {
		t.Fatalf("add: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = e.run(t, "", "saved", "add", "DL12CB4685", "--note", "second")
	if r.code != 0 || !strings.Contains(r.stdout, "updated DL12CB4685 (शर्मा जी)") {
		t.Fatalf("update: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	csv := "label,operator,canumber,registration_id,note\nbare,,MH01AB1234,,\n"
	r = e.run(t, csv, "import", "--format", "csv", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "added 1, updated 0") {
		t.Fatalf("import: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = e.run(t, "", "saved", "list", "--json")
	var accts []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &accts); err != nil || len(accts) != 2 {
		t.Fatalf("list: %v %s", err, r.stdout)
	}
	if accts[0]["note"] != "second" || accts[0]["label"] != "शर्मा जी" {
		t.Errorf("updated account = %v", accts[0])
	}
	if accts[1]["operator"] != float64(311) || accts[1]["registration_id"] != "AOP-554" {
		t.Errorf("imported account without defaults: %v", accts[1])
	}
}

func TestExportAndBatchNeverOverwriteTheStoreOrConfig(t *testing.T) {
	e := newCLIEnv(t, "registration_id = \"AOP-554\"\noperator = 311\n")
	if r := e.run(t, "", "saved", "add", "DL12CB4685"); r.code != 0 {
		t.Fatalf("saved add: exit %d %s", r.code, r.stderr)
	}
	if r := e.run(t, "", "--demo", "fetch", sandbox.VehicleSuccess); r.code != 0 {
		t.Fatalf("fetch: exit %d %s", r.code, r.stderr)
	}
	before, err := os.ReadFile(e.store)
	if err != nil {
		t.Fatal(err)
	}
	history := strings.TrimSuffix(e.store, ".json") + ".history.jsonl"
	beforeHistory, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	config, _ := os.ReadFile(e.config)
	link := filepath.Join(e.dir, "link.json")
	if err := os.Symlink(e.store, link); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{e.store, link, e.config, e.store + ".lock", history} {
		r := e.run(t, "", "export", "-o", out)
		if r.code != exitUsage || !strings.Contains(r.stderr, "choose another file") {
			t.Errorf("export -o %s: exit %d, stderr %q", out, r.code, r.stderr)
		}
		r = e.run(t, sandbox.VehicleSuccess+"\n", "--demo", "batch", "-", "--overwrite", "-o", out)
		if r.code != exitUsage || !strings.Contains(r.stderr, "choose another file") {
			t.Errorf("batch -o %s --overwrite: exit %d, stderr %q", out, r.code, r.stderr)
		}
	}
	if after, _ := os.ReadFile(e.store); !bytes.Equal(after, before) {
		t.Errorf("export changed the store:\n%s\nwas\n%s", after, before)
	}
	if after, _ := os.ReadFile(history); !bytes.Equal(after, beforeHistory) {
		t.Errorf("export changed the history file:\n%s\nwas\n%s", after, beforeHistory)
	}
	if after, _ := os.ReadFile(e.config); !bytes.Equal(after, config) {
		t.Errorf("export changed the config: %s", after)
	}
}

func TestExportReplacesAFileWhole(t *testing.T) {
	e := newCLIEnv(t, "")
	out := filepath.Join(e.dir, "accounts.json")
	if err := os.WriteFile(out, bytes.Repeat([]byte("old "), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--operator", "311", "--registration-id", "AOP-554"); r.code != 0 {
		t.Fatalf("saved add: exit %d %s", r.code, r.stderr)
	}
	if r := e.run(t, "", "export", "-o", out); r.code != 0 {
		t.Fatalf("export: exit %d %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil || !json.Valid(data) || !bytes.Contains(data, []byte("DL12CB4685")) {
		t.Fatalf("export file: %v %s", err, data)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(e.dir, ".accounts.json*")); len(left) > 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}

// failingWriter fails every write, like stdout on a full disk.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestFetchOutputWriteErrorFailsTheRun(t *testing.T) {
	e := newCLIEnv(t, "")
	for _, args := range [][]string{{"fetch", "--no-history", sandbox.VehicleSuccess}, {"fetch", "--no-history", "--json", sandbox.VehicleSuccess}} {
		var errb bytes.Buffer
		app := newApp(BuildInfo{Version: "1.2.3"}, strings.NewReader(""), failingWriter{}, &errb,
			func(string) (string, bool) { return "", false })
		app.startDemo = func() (*sandbox.Server, error) { return sandbox.Start("", sandbox.Options{}) }
		code := run(context.Background(), app, append([]string{"--config", e.config, "--store", e.store, "--demo"}, args...))
		if code != exitAPI || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and the write error", args, code, errb.String(), exitAPI)
		}
	}
}

// TestConfigTextIsSanitised: a shared config file with escape sequences in
// store_path cannot drive the terminal through `config` or warnings.
func TestConfigTextIsSanitised(t *testing.T) {
	e := newCLIEnv(t, "registration_id = \"AOP-554\"\noperator = 311\nstore_path = \"/proc/x\\u001b]0;pwned\\u0007\\u001b[31m/store.json\"\n")
	for _, args := range [][]string{{"config"}, {"--demo", "fetch", sandbox.VehicleSuccess}} {
		var out, errb bytes.Buffer
		app := newApp(BuildInfo{Version: "1.2.3"}, strings.NewReader(""), &out, &errb, func(string) (string, bool) { return "", false })
		app.startDemo = func() (*sandbox.Server, error) { return sandbox.Start("", sandbox.Options{}) }
		code := run(context.Background(), app, append([]string{"--config", e.config}, args...))
		if code != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
		if text := out.String() + errb.String(); strings.ContainsAny(text, "\x1b\a") {
			t.Errorf("%v: escape sequence in the output: %q", args, text)
		}
	}
}

func TestImportUTF16CSV(t *testing.T) {
	e := newCLIEnv(t, "")
	in := filepath.Join(e.dir, "accounts.csv")
	text := "label,operator,canumber,registration_id,note\r\nशर्मा,311,DL12CB4685,AOP-554,\r\n"
	if err := os.WriteFile(in, []byte(utf16LE(text)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "", "import", in)
	if r.code != 0 || !strings.Contains(r.stdout, "added 1") {
		t.Fatalf("import of a UTF-16 CSV: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if r = e.run(t, "", "saved", "list"); !strings.Contains(r.stdout, "शर्मा") {
		t.Errorf("label not decoded: %s", r.stdout)
	}
}

func TestResolveOperator(t *testing.T) {
	cfg := &config.Config{Operators: []config.Operator{{Code: 311, Name: "FASTag ICICI"}, {Code: 2, Name: "Paytm 2"}}}
	// A code or a name resolves; anything else is a usage error (exit 2)
	// with the config package's message.
	for _, tc := range []struct {
		in   string
		want int    // when err is ""
		err  string // the usage error's message
	}{
		{in: "311", want: 311},
		{in: " 0311 ", want: 311},
		{in: "fastag icici", want: 311},
		{in: "PAYTM 2", want: 2},
		{in: "+5", want: 5},
		{in: "311.0", err: "operator code must be a whole number (got '311.0')"},
		{in: "0", err: "operator code must be a positive number (got 0)"},
		{in: "-1", err: "operator code must be a positive number (got -1)"},
		{in: "1,311", err: "operator code must be a whole number (got '1,311')"},
		{in: "Airtel", err: `unknown operator "Airtel"`},
	} {
		got, err := resolveOperator(cfg.Operators, tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("resolveOperator(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		case tc.err != "" && (exitCodeFor(err) != exitUsage || err.Error() != tc.err):
			t.Errorf("resolveOperator(%q) err = %v, want usage error %q", tc.in, err, tc.err)
		}
	}
}

// TestTablesShowTheBillAmountWhenTheTopLevelOneIsMissing: fetch, saved list
// and history agree on which amount and due date they show.
func TestTablesShowTheBillAmountWhenTheTopLevelOneIsMissing(t *testing.T) {
	c := client.Consumer{Status: true, ResponseCode: 1, Name: "A", Bill: &client.Bill{BillAmount: "500", DueDate: "2021-09-20"}}
	now := time.Date(2021, 9, 10, 12, 0, 0, 0, time.UTC)
	snap := &store.Snapshot{Consumer: c, FetchedAt: now}
	var b bytes.Buffer
	_ = writeConsumer(&b, testReq, &client.Result{Consumer: c}, nil, now)
	_ = writeAccounts(&b, []store.Account{{CANumber: "DL12CB4685", Operator: 311, Last: snap}}, nil, now)
	_ = writeHistory(&b, []store.Lookup{{CANumber: "DL12CB4685", Operator: 311, OK: true, At: now, Snapshot: snap}}, nil, now)
	if n := strings.Count(b.String(), "₹500.00"); n != 3 {
		t.Errorf("₹500.00 shown %d times, want once per table:\n%s", n, b.String())
	}
	if n := strings.Count(b.String(), "20 Sep 2021"); n != 3 {
		t.Errorf("due date shown %d times, want once per table:\n%s", n, b.String())
	}
}

// TestCellCutsByTerminalWidth: a Devanagari label that terminals draw wider
// than its grapheme count is still cut to the column.
func TestCellCutsByTerminalWidth(t *testing.T) {
	label := "राजेश कुमार शर्मा राजेश कुमार शर्मा"
	for _, limit := range []int{8, 12, 24} {
		got := cell(label, limit)
		if w := text.Width(got); w > limit {
			t.Errorf("cell(%q, %d) = %q, %d cells wide", label, limit, got, w)
		}
		if !strings.HasSuffix(got, "…") {
			t.Errorf("cell(%q, %d) = %q, want a trailing …", label, limit, got)
		}
	}
}

// TestFlushPendingOnExit: a change the TUI could not write (the lock was
// held) is written on the way out, or reported, never dropped silently.
func TestFlushPendingOnExit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "store.json")
	s, err := store.Open(p, store.Options{LockTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	held := flock.New(s.LockPath())
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatalf("TryLock: %v %v", ok, err)
	}
	if _, err := s.SaveAccount(store.Account{CANumber: "DL12CB4685", Operator: 311}); err == nil {
		t.Fatal("save succeeded while the lock was held")
	}
	err = flushPending(s)
	if err == nil || !strings.Contains(err.Error(), "1 change(s) made in this session could not be saved") {
		t.Fatalf("flushPending with the lock held: %v", err)
	}
	held.Unlock()
	if err := flushPending(s); err != nil {
		t.Fatalf("flushPending: %v", err)
	}
	again, err := store.Open(p, store.Options{})
	if err != nil || len(again.Data().Accounts) != 1 {
		t.Fatalf("after flush the file holds %v (%v)", again.Data().Accounts, err)
	}
}

// TestReadOnlyStoreSaysSoOnce: a write to a newer store fails with exit 1
// and its reason appears once, not as a notice and again as the error.
func TestReadOnlyStoreSaysSoOnce(t *testing.T) {
	e := newCLIEnv(t, "")
	if err := os.WriteFile(e.store, []byte(`{"version": 99, "accounts": [], "recent": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "", "saved", "add", "KA01AB1234", "--operator", "311", "--registration-id", "X")
	if r.code != exitAPI {
		t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, exitAPI, r.stderr)
	}
	if n := strings.Count(r.stderr, "written by a newer aopfetch"); n != 1 {
		t.Fatalf("the reason appears %d times:\n%s", n, r.stderr)
	}
}

// TestFetchOnReadOnlyStoreSaysItOnce: as for saved add, a fetch whose
// history cannot be recorded in a newer (read-only) store gives the reason
// once, not as a notice and again in the warning.
func TestFetchOnReadOnlyStoreSaysItOnce(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	if err := os.WriteFile(e.store, []byte(`{"version": 99, "accounts": [], "recent": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "", "--demo", "fetch", "DL12CB4685")
	if r.code != 0 || strings.Count(r.stderr, "written by a newer aopfetch") != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

func TestSavedAddAfterFetchShowsTheBill(t *testing.T) {
	e := newCLIEnv(t, "")
	if r := e.run(t, "", "--demo", "fetch", "DL12CB4685"); r.code != 0 {
		t.Fatalf("fetch: exit %d %s", r.code, r.stderr)
	}
	if r := e.run(t, "", "--demo", "saved", "add", "dl 12 cb 4685", "--label", "Sharma"); r.code != 0 {
		t.Fatalf("saved add: exit %d %s", r.code, r.stderr)
	}
	r := e.run(t, "", "--demo", "saved", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "₹1,000.00") || !strings.Contains(r.stdout, "20 Sep 2021") {
		t.Fatalf("saved list after fetch then add: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
