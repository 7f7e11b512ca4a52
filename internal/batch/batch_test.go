package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// provider is an httptest handler that speaks the provider's JSON and
// records what it was asked: requests per vehicle, start times, and the
// most requests in flight at once.
type provider struct {
	delay   func(canumber string) time.Duration
	answer  func(canumber string) (status int, body string)
	onServe func(n int) // called with the number of requests served so far

	mu          sync.Mutex
	count       map[string]int
	starts      []time.Time
	served      int
	inflight    int
	maxInflight int
}

func newProvider() *provider {
	return &provider{count: map[string]int{}, answer: defaultAnswer}
}

// defaultAnswer succeeds, except for vehicles ending in 404 (not found),
// 401 (auth) and 502 (an HTML proxy page).
func defaultAnswer(v string) (int, string) {
	switch {
	case strings.HasSuffix(v, "404"):
		return 200, `{"status":false,"response_code":0,"message":"Vehicle not found"}`
	case strings.HasSuffix(v, "401"):
		return 401, `{"status":false,"response_code":10,"message":"Signature verification failed"}`
	case strings.HasSuffix(v, "502"):
		return 502, `<html><body>Bad gateway</body></html>`
	}
	return 200, successBody(v, "OWNER "+v)
}

func successBody(v, name string) string {
	b, _ := json.Marshal(map[string]any{
		"response_code": 1, "status": true, "amount": "1000.0", "name": name, "duedate": "2021-09-20",
		"bill_fetch": map[string]any{
			"billAmount": "1000.0", "billnetamount": "1000.0", "dueDate": "2021-09-20", "maxBillAmount": "1000",
			"acceptPayment": true, "acceptPartPay": false, "cellNumber": v, "userName": name,
		},
		"message": "Bill Fetched Success.",
	})
	return string(b)
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req client.Request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.count[req.CANumber]++
	p.starts = append(p.starts, time.Now())
	p.inflight++
	p.maxInflight = max(p.maxInflight, p.inflight)
	p.mu.Unlock()
	if p.delay != nil {
		select {
		case <-time.After(p.delay(req.CANumber)):
		case <-r.Context().Done():
		}
	}
	status, body := p.answer(req.CANumber)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
	p.mu.Lock()
	p.inflight--
	p.served++
	n := p.served
	p.mu.Unlock()
	if p.onServe != nil {
		p.onServe(n)
	}
}

func (p *provider) requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.count {
		n += c
	}
	return n
}

// fakeStore records the store writes of a run (from the saver's
// goroutine, read by the test's).
type fakeStore struct {
	mu      sync.Mutex
	imports [][]store.Account
	records [][]store.Lookup
}

func (f *fakeStore) Import(a []store.Account) (store.ImportReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.imports = append(f.imports, a)
	return store.ImportReport{Added: len(a)}, nil
}

func (f *fakeStore) RecordLookups(ls ...store.Lookup) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records = append(f.records, ls)
	return nil
}

// accounts is the number of accounts imported so far.
func (f *fakeStore) accounts() int {
	n := 0
	for _, b := range f.importsCopy() {
		n += len(b)
	}
	return n
}

func (f *fakeStore) importsCopy() [][]store.Account {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.imports)
}

// lookups is the number of lookups recorded so far.
func (f *fakeStore) lookups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, b := range f.records {
		n += len(b)
	}
	return n
}

// batchHarness runs batches against a handler through a real client.
type batchHarness struct {
	t      testing.TB
	srv    *httptest.Server
	client *client.Client
	store  *fakeStore
	dir    string
	stderr bytes.Buffer
	stdout bytes.Buffer
	last   *Summary // the summary of the last run
}

func newBatchHarness(t testing.TB, h http.Handler) *batchHarness {
	t.Helper()
	return startBatchHarness(t, httptest.NewUnstartedServer(h))
}

// startBatchHarness starts srv and a client for it.
func startBatchHarness(t testing.TB, srv *httptest.Server) *batchHarness {
	t.Helper()
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := client.New(client.Options{BaseURL: srv.URL, Retries: 0, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &batchHarness{t: t, srv: srv, client: c, store: &fakeStore{}, dir: t.TempDir()}
}

// batchOptions are what a test run asks for, as the batch command's flags.
type batchOptions struct {
	Input       string
	Output      string
	Format      string
	SkipInvalid bool
	Resume      bool
	Overwrite   bool
	Save        bool
	NoHistory   bool
	Concurrency int
	Rate        float64
	SaveRows    int
	SaveEvery   time.Duration
}

// testRun is one run of the harness: the batch command's steps, with the
// outcome in the command's exit codes (exitStatus).
type testRun struct {
	h        *batchHarness
	stdin    []byte
	stderr   io.Writer
	defaults Defaults
	grace    time.Duration
	hurry    <-chan struct{}
}

func (h *batchHarness) env(stdin string) *testRun {
	return &testRun{h: h, stdin: []byte(stdin), stderr: &h.stderr,
		defaults: Defaults{Operator: "311", RegistrationID: "AOP-554"}, grace: 5 * time.Second}
}

// run reads the input, prepares, opens and runs the batch as the command
// does, and writes the summary.
func (r *testRun) run(ctx context.Context, o batchOptions) error {
	format, err := FormatFor(o.Format, o.Output)
	if err != nil {
		return usageStatus(err)
	}
	spec := Spec{Input: o.Input, Output: o.Output, Format: format, Resume: o.Resume, Overwrite: o.Overwrite}
	if err := spec.Check(); err != nil {
		return usageStatus(err)
	}
	data := r.stdin
	if o.Input != "-" {
		if data, err = os.ReadFile(o.Input); err != nil {
			return usageStatus(err)
		}
	}
	rows, bad, _, err := ReadRows(data, o.Input, r.defaults)
	if err != nil {
		return usageStatus(err)
	}
	for _, p := range bad {
		fmt.Fprintf(r.stderr, "line %d: %s\n", p.Line, p.Message)
	}
	switch {
	case len(bad) > 0 && !o.SkipInvalid:
		return &exitStatus{Code: ExitUsage, Err: fmt.Errorf("%d invalid rows; nothing was sent (or use --skip-invalid)", len(bad))}
	case len(rows) == 0:
		return &exitStatus{Code: ExitUsage, Err: errors.New("no vehicles to look up")}
	}
	spec.Rows, spec.Invalid = rows, len(bad)
	plan, err := Prepare(spec)
	if err != nil {
		return usageStatus(err)
	}
	out, err := plan.Open(&r.h.stdout)
	if err != nil {
		return usageStatus(err)
	}
	sum := plan.Run(ctx, out, Env{
		Fetcher: r.h.client,
		Options: Options{Concurrency: o.Concurrency, Rate: o.Rate, Grace: r.grace, Hurry: r.hurry},
		Store:   func() (Store, error) { return r.h.store, nil },
		Save:    o.Save, History: !o.NoHistory, SaveRows: o.SaveRows, SaveEvery: o.SaveEvery,
	})
	sum.Write(r.stderr)
	r.h.last = sum
	return statusOf(sum)
}

// The exit codes of the batch command (cli.batchExit maps a Summary to them).
const (
	ExitOK          = 0
	ExitAPI         = 1
	ExitUsage       = 2
	ExitAuth        = 3
	ExitNetwork     = 4
	ExitInterrupted = 130
)

// exitStatus is a run that did not fully succeed, as the command says it.
type exitStatus struct {
	Code int
	Err  error
	Hint string
}

func (e *exitStatus) Error() string { return e.Err.Error() }

func usageStatus(err error) error {
	st := &exitStatus{Code: ExitUsage, Err: err}
	if ue, ok := errors.AsType[*UsageError](err); ok {
		st.Hint = ue.Hint
	}
	return st
}

// statusOf is the command's exit status of a summary: the most severe of
// interrupted > auth > network/timeout/upstream > api.
func statusOf(s *Summary) error {
	if s.WriteErr != nil {
		return &exitStatus{Code: ExitAPI, Err: s.WriteErr}
	}
	rank := map[int]int{ExitOK: 0, ExitAPI: 1, ExitNetwork: 2, ExitAuth: 3, ExitInterrupted: 5}
	code := ExitOK
	worst := func(c int) {
		if rank[c] > rank[code] {
			code = c
		}
	}
	if s.Auth != nil {
		worst(ExitAuth)
	}
	if s.Interrupted {
		worst(ExitInterrupted)
	}
	for k := range s.Failed {
		switch client.Kind(k) {
		case client.KindAPI:
			worst(ExitAPI)
		case client.KindAuth:
			worst(ExitAuth)
		case client.KindCancelled:
			worst(ExitInterrupted)
		default:
			worst(ExitNetwork)
		}
	}
	if code == ExitOK {
		return nil
	}
	return &exitStatus{Code: code, Err: fmt.Errorf("exit %d", code), Hint: s.ResumeAdvice()}
}

// input writes an input file and returns its path.
func (h *batchHarness) input(name, content string) string {
	p := filepath.Join(h.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// run runs one batch over the file content given as text input.
func (h *batchHarness) run(ctx context.Context, content string, o batchOptions) error {
	o.Input = h.input("in.txt", content)
	if o.Concurrency == 0 {
		o.Concurrency = 4
	}
	return h.env("").run(ctx, o)
}

// vehicles returns n (at most 1,000) distinct vehicle numbers that the
// provider answers successfully (they all end in 7).
func vehicles(n int) []string {
	v := make([]string, n)
	for i := range v {
		v[i] = fmt.Sprintf("DL%02dCB%03d7", i%90+10, i)
	}
	return v
}

func lines(v []string) string { return strings.Join(v, "\n") + "\n" }

// readCSV reads a batch CSV output and returns its data rows.
func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, data)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], csvHeader()) {
		t.Fatalf("bad header: %v", recs)
	}
	return recs[1:]
}

func column(recs [][]string, i int) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r[i])
	}
	return out
}

func exitCode(err error) int {
	var ee *exitStatus
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return -1
	}
	return ExitOK
}

func TestBatchOrderPreserved(t *testing.T) {
	p := newProvider()
	// Later vehicles answer sooner, so completions arrive out of order.
	p.delay = func(v string) time.Duration {
		return time.Duration(9-int(v[len(v)-2]-'0')) * 3 * time.Millisecond
	}
	h := newBatchHarness(t, p)
	in := vehicles(60)
	if err := h.run(context.Background(), lines(in), batchOptions{Output: "-", Concurrency: 8}); err != nil {
		t.Fatalf("run: %v\n%s", err, h.stderr.String())
	}
	recs := readCSV(t, h.stdout.Bytes())
	if got := column(recs, 0); !slices.Equal(got, in) {
		t.Fatalf("order not preserved:\n got %v\nwant %v", got, in)
	}
	for _, r := range recs {
		if r[4] != "true" || r[7] != "OWNER "+r[0] || r[1] != "311" || r[2] != "AOP-554" {
			t.Fatalf("bad row %v", r)
		}
	}
}

func TestBatchDuplicatesCollapsed(t *testing.T) {
	p := newProvider()
	h := newBatchHarness(t, p)
	in := []string{"DL12CB4685", "MH12AB1234", "dl 12 cb 4685", "KA01MN0001", "MH-12-AB-1234", "DL12CB4685"}
	if err := h.run(context.Background(), lines(in), batchOptions{Output: "-"}); err != nil {
		t.Fatalf("run: %v\n%s", err, h.stderr.String())
	}
	for v, n := range p.count {
		if n != 1 {
			t.Errorf("%s looked up %d times, want once", v, n)
		}
	}
	if len(p.count) != 3 {
		t.Errorf("server saw %d vehicles, want 3: %v", len(p.count), p.count)
	}
	want := []string{"DL12CB4685", "MH12AB1234", "DL12CB4685", "KA01MN0001", "MH12AB1234", "DL12CB4685"}
	if got := column(readCSV(t, h.stdout.Bytes()), 0); !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
}

func TestBatchInvalidRows(t *testing.T) {
	in := "DL12CB4685\nDL12/CB!4685\n\n# a comment\nMH12AB1234\n" + strings.Repeat("X", 30) + "\n"
	t.Run("nothing sent", func(t *testing.T) {
		p := newProvider()
		h := newBatchHarness(t, p)
		err := h.run(context.Background(), in, batchOptions{Output: "-"})
		if exitCode(err) != ExitUsage {
			t.Fatalf("exit %d (%v), want %d", exitCode(err), err, ExitUsage)
		}
		if p.requests() != 0 {
			t.Fatalf("%d requests sent, want none", p.requests())
		}
		for _, want := range []string{"line 2: ", "line 6: "} {
			if !strings.Contains(h.stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, h.stderr.String())
			}
		}
		if !strings.Contains(err.Error(), "--skip-invalid") {
			t.Errorf("error does not point at --skip-invalid: %v", err)
		}
	})
	t.Run("skip invalid", func(t *testing.T) {
		p := newProvider()
		h := newBatchHarness(t, p)
		if err := h.run(context.Background(), in, batchOptions{Output: "-", SkipInvalid: true}); err != nil {
			t.Fatalf("run: %v", err)
		}
		if got := column(readCSV(t, h.stdout.Bytes()), 0); !slices.Equal(got, []string{"DL12CB4685", "MH12AB1234"}) {
			t.Fatalf("rows %v", got)
		}
		if !strings.Contains(h.stderr.String(), "skipped  2 invalid rows") {
			t.Errorf("summary does not count the invalid rows:\n%s", h.stderr.String())
		}
	})
}

func TestBatchAuthStop(t *testing.T) {
	p := newProvider()
	p.delay = func(string) time.Duration { return 5 * time.Millisecond }
	p.answer = func(string) (int, string) {
		return 401, `{"status":false,"response_code":10,"message":"Signature verification failed"}`
	}
	h := newBatchHarness(t, p)
	out := filepath.Join(h.dir, "out.csv")
	err := h.run(context.Background(), lines(vehicles(200)), batchOptions{Output: out, Concurrency: 4})
	if exitCode(err) != ExitAuth {
		t.Fatalf("exit %d (%v), want %d", exitCode(err), err, ExitAuth)
	}
	if n := p.requests(); n > 4 {
		t.Fatalf("%d requests after an auth failure with 4 in flight at most", n)
	}
	var ee *exitStatus
	errors.As(err, &ee)
	if !strings.Contains(ee.Hint, "--resume") {
		t.Errorf("hint %q does not say how to go on", ee.Hint)
	}
	data, _ := os.ReadFile(out)
	recs := readCSV(t, data)
	if len(recs) == 0 || len(recs) > 4 {
		t.Fatalf("%d rows written, want the attempted ones only", len(recs))
	}
	for _, r := range recs {
		if r[4] != "false" || r[5] != "auth" {
			t.Fatalf("row %v is not an auth failure", r)
		}
	}
}

func TestBatchInterruptAndResume(t *testing.T) {
	p := newProvider()
	p.delay = func(string) time.Duration { return 2 * time.Millisecond }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p.onServe = func(n int) {
		if n == 25 {
			cancel()
		}
	}
	h := newBatchHarness(t, p)
	in := vehicles(100)
	in[3] = "DL01AA0404" // fails: retried by the resume
	in = append(in, in[10], in[90], "DL01AA0404")
	out := filepath.Join(h.dir, "out.csv")

	err := h.run(ctx, lines(in), batchOptions{Output: out})
	if exitCode(err) != ExitInterrupted {
		t.Fatalf("exit %d (%v), want %d", exitCode(err), err, ExitInterrupted)
	}
	first := p.requests()
	if first >= 100 {
		t.Fatalf("interruption did not stop the batch (%d requests)", first)
	}
	data, _ := os.ReadFile(out)
	if n := len(readCSV(t, data)); n == 0 {
		t.Fatal("no completed row written")
	}

	p.onServe = nil
	h.stderr.Reset()
	if err := h.run(context.Background(), lines(in), batchOptions{Output: out, Resume: true}); exitCode(err) != ExitAPI {
		t.Fatalf("resume: exit %d (%v), want %d (one vehicle not found)", exitCode(err), err, ExitAPI)
	}
	if p.count["DL01AA0404"] != 2 {
		t.Errorf("failed vehicle looked up %d times, want 2 (retried once by --resume)", p.count["DL01AA0404"])
	}
	for v, n := range p.count {
		if v != "DL01AA0404" && n != 1 {
			t.Errorf("%s looked up %d times over both runs, want once", v, n)
		}
	}
	data, _ = os.ReadFile(out)
	got := column(readCSV(t, data), 0)
	want := slices.Clone(in)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("after resume the output holds %d rows, want every one of the %d input rows exactly once", len(got), len(want))
	}
	if !strings.Contains(h.stderr.String(), "already answered") {
		t.Errorf("summary does not mention the resumed rows:\n%s", h.stderr.String())
	}
}

func TestBatchResumeJSONL(t *testing.T) {
	p := newProvider()
	h := newBatchHarness(t, p)
	out := filepath.Join(h.dir, "out.jsonl")
	in := []string{"DL12CB4685", "DL01AA0404", "MH12AB1234"}
	if err := h.run(context.Background(), lines(in[:2]), batchOptions{Output: out}); exitCode(err) != ExitAPI {
		t.Fatalf("first run: %v", err)
	}
	// A run killed mid-write leaves a partial last line: it is dropped.
	f, _ := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"ok":true,"operator":311,"canumber":"MH12AB12`)
	f.Close()
	if err := h.run(context.Background(), lines(in), batchOptions{Output: out, Resume: true}); exitCode(err) != ExitAPI {
		t.Fatalf("resume: %v", err)
	}
	data, _ := os.ReadFile(out)
	var got []string
	for line := range bytes.Lines(data) {
		var r jsonlRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("bad JSONL line %q: %v", line, err)
		}
		got = append(got, r.CANumber)
	}
	if want := []string{"DL12CB4685", "DL01AA0404", "MH12AB1234"}; !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v (kept ok row first, then the retried and new ones)", got, want)
	}
	if p.count["DL12CB4685"] != 1 || p.count["DL01AA0404"] != 2 || p.count["MH12AB1234"] != 1 {
		t.Fatalf("lookups %v", p.count)
	}
}

func TestBatchCSVFormulaEscaping(t *testing.T) {
	p := newProvider()
	p.answer = func(v string) (int, string) {
		return 200, successBody(v, "=HYPERLINK(\"http://evil\",\"x\")\x1b[31m")
	}
	h := newBatchHarness(t, p)
	in := "canumber,label\nDL12CB4685,@SUM(A1)\nMH12AB1234,+1\nKA01MN0001,-2\nKA01MN0002,\tx\n"
	o := batchOptions{Input: h.input("in.csv", in), Output: "-", Concurrency: 1}
	if err := h.env("").run(context.Background(), o); err != nil {
		t.Fatalf("run: %v", err)
	}
	recs := readCSV(t, h.stdout.Bytes())
	wantLabels := []string{"'@SUM(A1)", "'+1", "'-2", "x"}
	for i, r := range recs {
		if r[3] != wantLabels[i] {
			t.Errorf("label %q, want %q", r[3], wantLabels[i])
		}
		if !strings.HasPrefix(r[7], "'=HYPERLINK") || strings.ContainsRune(r[7], 0x1b) {
			t.Errorf("name %q is not defused and sanitised", r[7])
		}
	}
}

// TestBatchRateLimit checks the limiter's guarantee, which holds however
// slow the machine is: with burst 1, request k cannot start before
// begin + k/rate, so the last of n requests reaches the server no earlier
// than (n-1)/rate after the run began.
func TestBatchRateLimit(t *testing.T) {
	p := newProvider()
	h := newBatchHarness(t, p)
	const (
		perSecond = 20
		n         = 21
	)
	begin := time.Now()
	if err := h.run(context.Background(), lines(vehicles(n)), batchOptions{Concurrency: 8, Rate: perSecond}); err != nil {
		t.Fatalf("run: %v", err)
	}
	starts := p.starts
	if len(starts) != n {
		t.Fatalf("%d requests, want %d", len(starts), n)
	}
	last := slices.MaxFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	if min := time.Duration(n-1) * time.Second / perSecond; last.Sub(begin) < min {
		t.Fatalf("%d requests arrived within %v, the limiter allows no faster than %v", n, last.Sub(begin), min)
	}
}

func TestBatchConcurrencyCap(t *testing.T) {
	p := newProvider()
	p.delay = func(string) time.Duration { return 10 * time.Millisecond }
	h := newBatchHarness(t, p)
	if err := h.run(context.Background(), lines(vehicles(80)), batchOptions{Concurrency: 5}); err != nil {
		t.Fatalf("run: %v", err)
	}
	if p.maxInflight > 5 {
		t.Fatalf("%d requests in flight at once, want at most 5", p.maxInflight)
	}
}

func TestBatchExitCodes(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want int
	}{
		{[]string{"DL12CB4685"}, ExitOK},
		{[]string{"DL12CB4685", "DL01AA0404"}, ExitAPI},
		{[]string{"DL01AA0404", "DL01AA0502", "DL12CB4685"}, ExitNetwork},
	} {
		h := newBatchHarness(t, newProvider())
		err := h.run(context.Background(), lines(tc.in), batchOptions{})
		if exitCode(err) != tc.want {
			t.Errorf("%v: exit %d (%v), want %d", tc.in, exitCode(err), err, tc.want)
		}
	}
}

func TestBatchSummaryGroupsFailures(t *testing.T) {
	h := newBatchHarness(t, newProvider())
	in := []string{"DL12CB4685", "DL01AA0404", "DL02AA0404", "DL01AA0502"}
	h.run(context.Background(), lines(in), batchOptions{})
	got := h.stderr.String()
	for _, want := range []string{"4 rows, 4 vehicles looked up", "ok       1", "failed   3", "api       2: DL01AA0404, DL02AA0404", "upstream  1: DL01AA0502", "output   none"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
}

func TestBatchSummarySingular(t *testing.T) {
	h := newBatchHarness(t, newProvider())
	h.run(context.Background(), lines([]string{"DL12CB4685"}), batchOptions{})
	if got := h.stderr.String(); !strings.Contains(got, "batch: 1 row, 1 vehicle looked up") {
		t.Errorf("summary of one row:\n%s", got)
	}
}

func TestBatchJSONLOutput(t *testing.T) {
	h := newBatchHarness(t, newProvider())
	in := "canumber,operator,registration_id,label\nDL12CB4685,312,REG-1,Truck 7\nDL01AA0404,,,\n"
	o := batchOptions{Input: h.input("fleet.csv", in), Output: "-", Format: "jsonl", Concurrency: 2}
	if err := h.env("").run(context.Background(), o); exitCode(err) != ExitAPI {
		t.Fatalf("run: %v", err)
	}
	var recs []jsonlRecord
	for line := range bytes.Lines(h.stdout.Bytes()) {
		var r jsonlRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if r := recs[0]; !r.OK || r.Operator != 312 || r.RegistrationID != "REG-1" || r.Label != "Truck 7" || r.Bill == nil {
		t.Errorf("first record %+v", r)
	}
	if r := recs[1]; r.OK || r.Operator != 311 || r.Error == nil || r.Error.Kind != "api" {
		t.Errorf("second record %+v", r)
	}
}

func TestBatchStoreWrites(t *testing.T) {
	in := []string{"DL12CB4685", "DL01AA0404", "MH12AB1234", "DL12CB4685"}
	t.Run("save and history", func(t *testing.T) {
		h := newBatchHarness(t, newProvider())
		h.run(context.Background(), lines(in), batchOptions{Save: true})
		if len(h.store.imports) != 1 || len(h.store.imports[0]) != 2 {
			t.Fatalf("imports %v, want one write of the 2 successful vehicles", h.store.imports)
		}
		if a := h.store.imports[0][0]; a.CANumber != "DL12CB4685" || a.Last == nil || a.Last.Consumer.Name != "OWNER DL12CB4685" {
			t.Errorf("saved account %+v", a)
		}
		if len(h.store.records) != 1 || len(h.store.records[0]) != 3 {
			t.Fatalf("history writes %v, want one write of the 3 lookups", h.store.records)
		}
	})
	t.Run("no history", func(t *testing.T) {
		h := newBatchHarness(t, newProvider())
		h.run(context.Background(), lines(in), batchOptions{NoHistory: true})
		if len(h.store.imports)+len(h.store.records) != 0 {
			t.Fatalf("store written: %v %v", h.store.imports, h.store.records)
		}
	})
}

// TestBatchSavesAsItGoes: with Save, accounts and lookups reach the store
// in batches of SaveRows while the run goes on (not once at the end),
// new accounts in input order whatever order the answers came in, and
// every answered vehicle exactly once.
func TestBatchSavesAsItGoes(t *testing.T) {
	p := newProvider()
	p.delay = func(v string) time.Duration { return time.Duration(v[len(v)-2]-'0') * time.Millisecond }
	h := newBatchHarness(t, p)
	in := vehicles(35)
	var midRun int
	p.onServe = func(n int) {
		if n == 30 {
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if h.store.accounts() >= 10 {
					break
				}
			}
			midRun = h.store.accounts()
		}
	}
	if err := h.run(context.Background(), lines(in), batchOptions{Save: true, SaveRows: 10, Concurrency: 4}); err != nil {
		t.Fatalf("run: %v", err)
	}
	if midRun < 10 {
		t.Errorf("%d accounts saved after 30 answers, want at least one batch of 10 before the end", midRun)
	}
	var saved []string
	writes := h.store.importsCopy()
	if len(writes) < 2 { // 35 in batches of 10 (a write can take more: what arrived meanwhile)
		t.Errorf("%d writes of accounts, want batches", len(writes))
	}
	for _, batch := range writes {
		for _, a := range batch {
			saved = append(saved, a.CANumber)
		}
	}
	if !slices.Equal(saved, in) {
		t.Errorf("saved %v\nwant %v (input order, once each)", saved, in)
	}
	if n := h.store.lookups(); n != len(in) {
		t.Errorf("%d lookups recorded, want %d", n, len(in))
	}
}

func TestBatchAgainstSandbox(t *testing.T) {
	h := newBatchHarness(t, sandbox.New(sandbox.Options{}))
	in := []string{sandbox.VehicleSuccess, sandbox.VehicleNotFound, sandbox.VehicleOverdue, sandbox.VehicleUpstream, "KA05MN7777"}
	err := h.run(context.Background(), lines(in), batchOptions{Output: "-"})
	if exitCode(err) != ExitNetwork {
		t.Fatalf("exit %d (%v), want %d", exitCode(err), err, ExitNetwork)
	}
	recs := readCSV(t, h.stdout.Bytes())
	kinds := column(recs, 5)
	if want := []string{"", "api", "", "upstream", ""}; !slices.Equal(kinds, want) {
		t.Fatalf("error kinds %v, want %v", kinds, want)
	}
	if recs[0][7] != "NITESH  KUMAR SHARMA" || recs[0][8] != "1000.0" || recs[0][12] != "true" {
		t.Errorf("doc example row %v", recs[0])
	}
}

func TestReadBatchInput(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []store.CSVRow
	}{
		{"list.txt", "# fleet\n\nDL12CB4685\n  mh12ab1234  \n", []store.CSVRow{{Line: 3, CANumber: "DL12CB4685"}, {Line: 4, CANumber: "mh12ab1234"}}},
		{"list", "CANumber;x\n", []store.CSVRow{{Line: 1, CANumber: "CANumber;x"}}},
		{"fleet.csv", "Label,CANUMBER,Operator\n# note\nTruck,DL12CB4685,311\n\n,MH12AB1234,\n", []store.CSVRow{
			{Line: 3, CANumber: "DL12CB4685", Operator: "311", Label: "Truck"}, {Line: 5, CANumber: "MH12AB1234"}}},
		{"-", "registration_id,canumber\nR1,DL12CB4685\n", []store.CSVRow{{Line: 2, CANumber: "DL12CB4685", RegistrationID: "R1"}}},
	} {
		got, err := readBatchInput(strings.NewReader(tc.in), tc.name)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	if _, err := readBatchInput(strings.NewReader("vehicle,label\nDL12CB4685,x\n"), "x.csv"); err == nil || !strings.Contains(err.Error(), "no canumber column") {
		t.Errorf("missing canumber column: %v", err)
	}
}

func TestBatchFormatFor(t *testing.T) {
	for _, tc := range []struct{ flag, out, want string }{
		{"", "", "csv"}, {"", "r.jsonl", "jsonl"}, {"", "r.JSON", "jsonl"}, {"", "r.csv", "csv"}, {"csv", "r.jsonl", "csv"}, {"JSONL", "-", "jsonl"},
	} {
		if got, err := FormatFor(tc.flag, tc.out); err != nil || got != tc.want {
			t.Errorf("FormatFor(%q, %q) = %q, %v; want %q", tc.flag, tc.out, got, err, tc.want)
		}
	}
}

func TestBatchOutputFileSafety(t *testing.T) {
	h := newBatchHarness(t, newProvider())
	out := filepath.Join(h.dir, "out.csv")
	in := lines([]string{"DL12CB4685", "MH12AB1234"})
	if err := h.run(context.Background(), in, batchOptions{Output: out}); err != nil {
		t.Fatalf("first run: %v", err)
	}
	before, _ := os.ReadFile(out)

	err := h.run(context.Background(), in, batchOptions{Output: out})
	var ee *exitStatus
	if !errors.As(err, &ee) || ee.Code != ExitUsage || !strings.Contains(ee.Hint, "--overwrite") {
		t.Fatalf("second run without --resume/--overwrite: %v, want a usage error pointing at --overwrite", err)
	}
	err = h.run(context.Background(), in, batchOptions{Output: out, Resume: true, Format: "jsonl"})
	if exitCode(err) != ExitUsage || !strings.Contains(err.Error(), "not a batch jsonl output") {
		t.Fatalf("resume with the wrong format: %v", err)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Fatal("a refused run changed the output file")
	}
	if err := h.run(context.Background(), in, batchOptions{Output: out, Overwrite: true}); err != nil {
		t.Fatalf("--overwrite: %v", err)
	}
	if n := len(readCSV(t, mustRead(t, out))); n != 2 {
		t.Fatalf("--overwrite left %d rows, want 2", n)
	}
	o := batchOptions{Input: out, Output: out, Overwrite: true, Concurrency: 1}
	if err := h.env("").run(context.Background(), o); exitCode(err) != ExitUsage || !strings.Contains(err.Error(), "is the input file") {
		t.Fatalf("-o the input file: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestBatchGraceCutsOffSlowLookups(t *testing.T) {
	p := newProvider()
	const slow = "DL05CB0057"
	p.delay = func(v string) time.Duration {
		if v == slow {
			return time.Minute // until the grace period cancels it
		}
		return 0
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := vehicles(10)
	in[2] = slow
	p.onServe = func(n int) {
		if n == len(in)-1 {
			cancel()
		}
	}
	h := newBatchHarness(t, p)
	out := filepath.Join(h.dir, "out.csv")
	env := h.env("")
	env.grace = 500 * time.Millisecond // ample for the fast ones finishing in flight
	err := env.run(ctx, batchOptions{Input: h.input("in.txt", lines(in)), Output: out, Concurrency: 4})
	if exitCode(err) != ExitInterrupted {
		t.Fatalf("exit %d (%v), want %d", exitCode(err), err, ExitInterrupted)
	}
	got := column(readCSV(t, mustRead(t, out)), 0)
	if len(got) != len(in)-1 || slices.Contains(got, slow) {
		t.Fatalf("rows %v: want every row but the cut-off one (not a failure: --resume retries it)", got)
	}
	p.delay, p.onServe = nil, nil
	if err := h.run(context.Background(), lines(in), batchOptions{Output: out, Resume: true}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if got := column(readCSV(t, mustRead(t, out)), 0); len(got) != len(in) || got[len(got)-1] != slow {
		t.Fatalf("after resume rows %v", got)
	}
}

// TestBatchHurryCutsTheGraceShort: a second ctrl+c (hurry closed) cancels
// the lookups still in flight at once, however long the grace period.
func TestBatchHurryCutsTheGraceShort(t *testing.T) {
	p := newProvider()
	const slow = "DL05CB0057"
	p.delay = func(v string) time.Duration {
		if v == slow {
			return time.Minute
		}
		return 0
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hurry := make(chan struct{})
	in := vehicles(10)
	in[2] = slow
	p.onServe = func(n int) {
		if n == len(in)-1 {
			cancel()
			close(hurry)
		}
	}
	h := newBatchHarness(t, p)
	env := h.env("")
	env.grace, env.hurry = time.Hour, hurry
	done := make(chan error, 1)
	go func() {
		done <- env.run(ctx, batchOptions{Input: h.input("in.txt", lines(in)), Output: filepath.Join(h.dir, "out.csv"), Concurrency: 4})
	}()
	select {
	case err := <-done:
		if exitCode(err) != ExitInterrupted {
			t.Fatalf("exit %d (%v), want %d", exitCode(err), err, ExitInterrupted)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run waited for the hour-long grace period despite hurry")
	}
}

func TestBatchProgressViews(t *testing.T) {
	s := counts{Total: 200, Done: 50, OK: 48, Failed: 2, Elapsed: 10 * time.Second}
	if got, want := s.status(text.UTF8Glyphs()), "50/200 looked up · 48 ok · 2 failed · 5.0 req/s · ETA 30s"; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	if got, want := s.status(text.ASCIIGlyphs()), "50/200 looked up - 48 ok - 2 failed - 5.0 req/s - ETA 30s"; got != want {
		t.Errorf("ASCII status %q, want %q", got, want)
	}
	c := newCounter(200)
	m := barModel{bar: progress.New(progress.WithoutPercentage()), counter: c, g: text.UTF8Glyphs()}
	next, _ := m.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	m = next.(barModel)
	m.snap = s
	for _, line := range strings.Split(strings.TrimRight(m.View(), "\n"), "\n") {
		if w := ansi.StringWidth(line); w > 39 {
			t.Errorf("line %q is %d cells wide on a 40-column terminal", line, w)
		}
	}
	// The lines go to a file, which the test reads while they are written
	// (an *os.File is safe for concurrent use).
	f, err := os.CreateTemp(t.TempDir(), "progress")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c.add(true)
	stop := startLineProgress(f, c, 5*time.Millisecond, text.UTF8Glyphs())
	defer stop()
	lines := func() string { return string(mustRead(t, f.Name())) }
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(lines(), "\n"); {
		if time.Now().After(deadline) {
			t.Fatal("no progress line within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.HasPrefix(lines(), "batch: 1/200 looked up · 1 ok · 0 failed") {
		t.Errorf("progress lines %q", lines())
	}
}

// TestBatchResumeOnlyReplacesRegularFiles: --resume rewrites the output by
// an atomic rename, which must follow a symlink to its file and never swap
// a pipe or device for a regular file.
func TestBatchResumeOnlyReplacesRegularFiles(t *testing.T) {
	h := newBatchHarness(t, newProvider())
	in := lines([]string{"DL12CB4685", "MH12AB1234"})
	fifo := filepath.Join(h.dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	err := h.run(context.Background(), in, batchOptions{Output: fifo, Resume: true})
	if exitCode(err) != ExitUsage || !strings.Contains(err.Error(), "regular file") {
		t.Errorf("--resume -o FIFO: %v, want a usage error", err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}

	real := filepath.Join(h.dir, "real.csv")
	link := filepath.Join(h.dir, "link.csv")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := h.run(context.Background(), in, batchOptions{Output: link}); err != nil {
		t.Fatalf("first run: %v", err)
	}
	if err := h.run(context.Background(), lines([]string{"DL12CB4685", "MH12AB1234", "KA01AB1234"}), batchOptions{Output: link, Resume: true}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced by a file: %v", err)
	}
	data, _ := os.ReadFile(real)
	if got := len(readCSV(t, data)); got != 3 {
		t.Errorf("the linked file holds %d rows, want 3", got)
	}
}

func TestReadBatchInputReadsGuardedCellsBack(t *testing.T) {
	// export and batch -o write a formula-like label as '=…; batch reads it
	// back as written, or the label saved from the batch would gain the '.
	got, err := readBatchInput(strings.NewReader("canumber,label,registration_id\nDL12CB4685,'=Sharma,'+AOP-1\n"), "fleet.csv")
	if err != nil || len(got) != 1 || got[0].Label != "=Sharma" || got[0].RegistrationID != "+AOP-1" {
		t.Fatalf("readBatchInput = %+v, %v", got, err)
	}
}

// readBatchInput reads an input as ReadRows does, before validation; a row
// problem is an error.
func readBatchInput(r io.Reader, name string) ([]store.CSVRow, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	rows, bad, err := readInput(data, name)
	if err == nil && len(bad) > 0 {
		err = fmt.Errorf("line %d: %s", bad[0].Line, bad[0].Message)
	}
	return rows, err
}
