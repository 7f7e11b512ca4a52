package main

// End-to-end tests: build the real binary once and run it as a user would,
// against the built-in sandbox (--demo), an httptest server, or nothing.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// Build metadata stamped into the test binary, as the release build does.
const (
	testVersion = "9.8.7"
	testCommit  = "deadbee"
	testDate    = "2026-01-02T03:04:05Z"
)

// binary is the aopfetch binary TestMain builds.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "aopfetch-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "aopfetch")
	ldflags := fmt.Sprintf("-X main.version=%s -X main.commit=%s -X main.date=%s", testVersion, testCommit, testDate)
	build := exec.Command(goTool(), "build", "-ldflags", ldflags, "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building aopfetch:", err)
		return 1
	}
	return m.Run()
}

// goTool finds the go command: PATH first, then this toolchain's GOROOT.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// sandboxEnv is an isolated home for one test: its own XDG directories and
// no AOPFETCH_* settings from the machine.
type sandboxEnv struct {
	t   *testing.T
	dir string
	env []string
}

func newEnv(t *testing.T) *sandboxEnv {
	t.Helper()
	dir := t.TempDir()
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AOPFETCH_") && !strings.HasPrefix(kv, "XDG_") && !strings.HasPrefix(kv, "TERM=") {
			env = append(env, kv)
		}
	}
	for _, d := range []string{"CONFIG", "DATA", "STATE", "CACHE"} {
		env = append(env, "XDG_"+d+"_HOME="+filepath.Join(dir, strings.ToLower(d)))
	}
	return &sandboxEnv{t: t, dir: dir, env: env}
}

// result is one finished run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the binary with args and stdin, and waits for it.
func (e *sandboxEnv) run(stdin string, args ...string) result {
	e.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = e.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("running %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// start starts the binary with args, with pipe (StdoutPipe or
// StderrPipe) giving what the test reads, and kills it when the test ends.
func (e *sandboxEnv) start(pipe func(*exec.Cmd) (io.ReadCloser, error), args ...string) (*exec.Cmd, io.ReadCloser) {
	e.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = e.env
	r, err := pipe(cmd)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, r
}

// mustRun runs and fails the test unless the exit code is want.
func (e *sandboxEnv) mustRun(want int, stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, args...)
	if r.code != want {
		e.t.Fatalf("aopfetch %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

func TestDemoFetchTable(t *testing.T) {
	t.Parallel()
	r := newEnv(t).mustRun(0, "", "--demo", "fetch", "DL12CB4685")
	for _, want := range []string{"NITESH  KUMAR SHARMA", "₹1,000.00", "20 Sep 2021 (overdue by", "Part payment     yes", "Bill Fetched Success."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.HasPrefix(r.stderr, "DEMO — data from the built-in sandbox, not AOPay\n") {
		t.Errorf("stderr does not start with the DEMO line: %q", r.stderr)
	}
}

func TestDemoFetchJSON(t *testing.T) {
	t.Parallel()
	r := newEnv(t).mustRun(0, "", "--demo", "fetch", "--json", "DL12CB4685")
	var rec map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, r.stdout)
	}
	if rec["ok"] != true || rec["name"] != "NITESH  KUMAR SHARMA" || rec["amount"] != "1000.0" || rec["canumber"] != "DL12CB4685" {
		t.Errorf("record = %v", rec)
	}
	if raw, ok := rec["raw"].(map[string]any); !ok || raw["message"] != "Bill Fetched Success." {
		t.Errorf("raw = %v", rec["raw"])
	}
}

func TestDemoFetchMultipleIsArray(t *testing.T) {
	t.Parallel()
	r := newEnv(t).mustRun(1, "", "--demo", "fetch", "--json", "DL12CB4685", "DL01AA0404")
	var recs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil || len(recs) != 2 {
		t.Fatalf("not an array of 2: %v\n%s", err, r.stdout)
	}
	if recs[0]["ok"] != true || recs[1]["ok"] != false {
		t.Errorf("records = %v", recs)
	}
	// Human output: one block per vehicle, blank line between.
	r = newEnv(t).mustRun(0, "", "--demo", "fetch", "DL12CB4685", "DL01AA0007")
	if blocks := strings.Split(strings.TrimSpace(r.stdout), "\n\n"); len(blocks) != 2 {
		t.Errorf("want 2 blocks, got %d:\n%s", len(blocks), r.stdout)
	}
}

func TestDemoFetchExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		vehicle string
		code    int
		stderr  string
	}{
		{"DL01AA0401", 3, "Signature verification failed"},
		{"DL01AA0404", 1, "aopfetch: DL01AA0404: "},
		{"DL01AA0502", 4, "502"},
		{"@@", 2, "vehicle number"},
	}
	for _, c := range cases {
		t.Run(c.vehicle, func(t *testing.T) {
			t.Parallel()
			r := newEnv(t).mustRun(c.code, "", "--demo", "fetch", c.vehicle)
			if !strings.Contains(r.stderr, c.stderr) || !strings.Contains(r.stderr, "\nhint: ") {
				t.Errorf("stderr = %q, want %q and a hint", r.stderr, c.stderr)
			}
		})
	}
}

func TestRootWithoutTerminal(t *testing.T) {
	t.Parallel()
	r := newEnv(t).mustRun(2, "")
	if !strings.Contains(r.stderr, "aopfetch fetch") {
		t.Errorf("stderr does not point at `aopfetch fetch`: %q", r.stderr)
	}
}

func TestRootDumbTerminal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	cmd := exec.Command(binary, "--demo")
	cmd.Env = append(e.env, "TERM=dumb")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	out, _ := io.ReadAll(ptmx) // EIO once the process exits
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, output %q", err, out)
	}
	if !strings.Contains(string(out), "TERM=dumb") || !strings.Contains(string(out), "aopfetch fetch") {
		t.Errorf("output = %q", out)
	}
}

// TestSavedHistoryExportImport runs the store commands under --demo, which
// keeps a store of its own (TestDemoKeepsItsOwnStore).
func TestSavedHistoryExportImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustRun(0, "", "--demo", "saved", "add", "DL12CB4685", "--label", "Sharma")
	e.mustRun(0, "", "--demo", "saved", "add", "mh-01-ab-1234", "--note", "fleet")
	r := e.mustRun(0, "", "--demo", "saved", "add", "DL12CB4685", "--note", "again")
	if !strings.Contains(r.stdout, "updated") {
		t.Errorf("re-adding did not say updated: %q", r.stdout)
	}
	r = e.mustRun(0, "", "--demo", "saved", "list")
	if !strings.Contains(r.stdout, "Sharma") || !strings.Contains(r.stdout, "MH01AB1234") {
		t.Errorf("list:\n%s", r.stdout)
	}

	// fetch records history and refreshes the saved account's snapshot.
	e.mustRun(0, "", "--demo", "fetch", "DL12CB4685")
	r = e.mustRun(0, "", "--demo", "history", "--json")
	var hist []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &hist); err != nil || len(hist) != 1 || hist[0]["canumber"] != "DL12CB4685" {
		t.Fatalf("history: %v\n%s", err, r.stdout)
	}
	r = e.mustRun(0, "", "--demo", "saved", "list")
	if !strings.Contains(r.stdout, "₹1,000.00") {
		t.Errorf("saved list has no snapshot amount:\n%s", r.stdout)
	}
	e.mustRun(0, "", "--demo", "history", "clear")
	if r = e.mustRun(0, "", "--demo", "history", "--json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("history after clear: %s", r.stdout)
	}

	// export -> import into a fresh store is lossless.
	for _, format := range []string{"csv", "json"} {
		file := filepath.Join(e.dir, "accounts."+format)
		e.mustRun(0, "", "--demo", "export", "-o", file)
		if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("export file: %v %v", fi, err)
		}
		fresh := newEnv(t)
		r = fresh.mustRun(0, "", "--demo", "import", file)
		if !strings.Contains(r.stdout, "added 2, updated 0, skipped 0") {
			t.Errorf("%s import: %q", format, r.stdout)
		}
		var a, b []map[string]any
		json.Unmarshal([]byte(e.mustRun(0, "", "--demo", "saved", "list", "--json").stdout), &a)
		json.Unmarshal([]byte(fresh.mustRun(0, "", "--demo", "saved", "list", "--json").stdout), &b)
		for i := range a {
			for _, k := range []string{"label", "operator", "canumber", "registration_id", "note"} {
				if len(b) != len(a) || a[i][k] != b[i][k] {
					t.Fatalf("%s round trip lost %s: %v vs %v", format, k, a, b)
				}
			}
		}
	}

	e.mustRun(0, "", "--demo", "saved", "rm", "MH01AB1234")
	r = e.mustRun(0, "", "--demo", "saved", "list", "--json")
	if strings.Contains(r.stdout, "MH01AB1234") {
		t.Errorf("rm left the account:\n%s", r.stdout)
	}
}

func TestImportBadCSVWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	file := filepath.Join(e.dir, "bad.csv")
	csv := "label,operator,canumber,registration_id,note\ngood,311,KA01AB1234,AOP-1,\nbad,311,@@,AOP-1,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.mustRun(2, "", "import", file)
	if !strings.Contains(r.stderr, "line 3: ") {
		t.Errorf("stderr does not name line 3: %q", r.stderr)
	}
	if r = e.mustRun(0, "", "saved", "list", "--json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("a bad import wrote accounts: %s", r.stdout)
	}
	r = e.mustRun(0, "", "import", "--skip-invalid", file)
	if !strings.Contains(r.stdout, "added 1, updated 0, skipped 1") {
		t.Errorf("--skip-invalid: %q", r.stdout)
	}
}

func TestVersionCompletionMan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	want := fmt.Sprintf("aopfetch %s (commit %s, built %s)\n", testVersion, testCommit, testDate)
	for _, args := range [][]string{{"--version"}, {"version"}} {
		if r := e.mustRun(0, "", args...); r.stdout != want {
			t.Errorf("%v = %q, want %q", args, r.stdout, want)
		}
	}
	if r := e.mustRun(0, "", "completion", "bash"); !strings.Contains(r.stdout, "__start_aopfetch") {
		t.Errorf("completion bash:\n%.300s", r.stdout)
	}
	for _, sh := range []string{"zsh", "fish"} {
		if r := e.mustRun(0, "", "completion", sh); !strings.Contains(r.stdout, "aopfetch") {
			t.Errorf("completion %s is empty", sh)
		}
	}
	if r := e.mustRun(0, "", "man"); !strings.Contains(r.stdout, `.TH "AOPFETCH" "1"`) || !strings.Contains(r.stdout, "aopfetch "+testVersion) {
		t.Errorf("man:\n%.300s", r.stdout)
	}
	dir := filepath.Join(e.dir, "man")
	e.mustRun(0, "", "man", "-d", dir)
	for _, page := range []string{"aopfetch.1", "aopfetch-fetch.1", "aopfetch-saved-add.1"} {
		if _, err := os.Stat(filepath.Join(dir, page)); err != nil {
			t.Errorf("man -d: %v", err)
		}
	}
}

func TestHugeBodyIsUpstreamError(t *testing.T) {
	t.Parallel()
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"`)
		for range 40 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `"}`)
	}))
	defer srv.Close()
	r := newEnv(t).mustRun(4, "", "--base-url", srv.URL, "fetch", "--operator", "311", "--registration-id", "AOP-554", "DL12CB4685")
	if !strings.Contains(r.stderr, "aopfetch: DL12CB4685: ") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestSandboxCommandServesAndStopsOnInterrupt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cmd, stdout := e.start((*exec.Cmd).StdoutPipe, "sandbox", "--addr", "127.0.0.1:0")
	sc := bufio.NewScanner(stdout)
	url := ""
	var banner strings.Builder
	for sc.Scan() {
		line := sc.Text()
		banner.WriteString(line + "\n")
		if u, ok := strings.CutPrefix(line, "Sandbox API listening on "); ok {
			url = u
		}
		if strings.Contains(line, "ctrl+c") {
			break
		}
	}
	if url == "" || !strings.Contains(banner.String(), "curl") || !strings.Contains(banner.String(), "DL01AA0401") {
		t.Fatalf("banner:\n%s", banner.String())
	}
	r := e.mustRun(0, "", "--base-url", url, "fetch", "--operator", "311", "--registration-id", "AOP-554", "DL12CB4685")
	if !strings.Contains(r.stdout, "NITESH  KUMAR SHARMA") {
		t.Errorf("fetch via sandbox command:\n%s", r.stdout)
	}
	go io.Copy(io.Discard, stdout)
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("sandbox after SIGINT: %v", err)
	}
}

func TestInterruptCancelsSlowLookup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cmd, stderr := e.start((*exec.Cmd).StderrPipe, "--demo", "fetch", "DL01AA5000")
	// The DEMO line comes before the lookup starts; the slow answer takes 5 s.
	line, _ := bufio.NewReader(stderr).ReadString('\n')
	if !strings.HasPrefix(line, "DEMO") {
		t.Fatalf("first stderr line = %q", line)
	}
	time.Sleep(200 * time.Millisecond) // let the request reach the sandbox
	cmd.Process.Signal(syscall.SIGINT)
	go io.Copy(io.Discard, stderr)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit after SIGINT: %v, want 130", err)
	}
}

// TestSecretsNeverInAnyOutput runs every command that talks to a server
// that echoes the credentials it receives (JWT secret, static header, the
// signed token) in every error class, and checks stdout, stderr, --json
// output, batch output files and the store for them.
func TestSecretsNeverInAnyOutput(t *testing.T) {
	t.Parallel()
	const secret, header = "s3cr3t-value-XYZ", "HDRVAL-abc-123"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Canumber string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		leak := secret + " " + r.Header.Get("Authorisedkey") + " " + r.Header.Get("Token")
		switch req.Canumber {
		case "DL01AA0001": // success echoing everything
			fmt.Fprintf(w, `{"status":true,"response_code":1,"name":%q,"message":%q,"bill_fetch":{"userName":%q}}`, leak, leak, leak)
		case "DL01AA0002": // api
			fmt.Fprintf(w, `{"status":false,"response_code":2,"message":%q}`, strings.Repeat("m", 280)+leak)
		case "DL01AA0003": // upstream html
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html>%s%s</html>", strings.Repeat("x", 185), leak)
		case "DL01AA0004": // redirect
			http.Redirect(w, r, "https://elsewhere.example/"+r.Header.Get("Authorisedkey"), http.StatusFound)
		default: // auth
			w.WriteHeader(401)
			fmt.Fprintf(w, "<html>%s</html>", leak)
		}
	}))
	defer srv.Close()
	e := newEnv(t)
	e.env = append(e.env, "AOPFETCH_JWT_SECRET="+secret, "AOPFETCH_PARTNER_ID=PS001",
		"AOPFETCH_OPERATOR=311", "AOPFETCH_REGISTRATION_ID=AOP-554", "AOPFETCH_BASE_URL="+srv.URL)
	cfgDir := filepath.Join(e.dir, "config", "aopfetch")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "config.toml"), []byte("[auth.headers]\nAuthorisedkey = \""+header+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vehicles := []string{"DL01AA0001", "DL01AA0002", "DL01AA0003", "DL01AA0004", "DL01AA0005"}
	input := strings.Join(vehicles, "\n") + "\n"
	var texts []string
	for _, args := range [][]string{
		append([]string{"fetch"}, vehicles...),
		append([]string{"fetch", "--json"}, vehicles...),
		{"batch", "-", "-o", "-", "--format", "jsonl"},
		{"batch", "-", "-o", "-", "--format", "csv"},
		{"history"}, {"history", "--json"}, {"config"}, {"config", "--json"},
	} {
		r := e.run(input, args...)
		texts = append(texts, r.stdout, r.stderr)
		if strings.Contains(strings.Join(args, " "), "json") && r.stdout != "" && !json.Valid([]byte(r.stdout)) && args[0] != "batch" {
			t.Errorf("%v: stdout is not JSON: %s", args, r.stdout)
		}
	}
	storeData, err := os.ReadFile(filepath.Join(e.dir, "data", "aopfetch", "store.json"))
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, string(storeData))
	for _, text := range texts {
		for _, s := range []string{secret, header, secret[:8], header[:8], "eyJhbGciOi"} {
			if strings.Contains(text, s) {
				t.Errorf("%q (part of a credential) in output:\n%s", s, text)
			}
		}
	}
}

// TestDemoKeepsItsOwnStore: sandbox answers never reach the real store: a
// demo fetch of a saved vehicle leaves its real account and history alone.
func TestDemoKeepsItsOwnStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustRun(0, "", "saved", "add", "MH01AB1234", "--label", "Real customer", "--operator", "311", "--registration-id", "AOP-554")
	e.mustRun(0, "", "--demo", "fetch", "MH01AB1234")
	var accts []map[string]any
	if err := json.Unmarshal([]byte(e.mustRun(0, "", "saved", "list", "--json").stdout), &accts); err != nil || len(accts) != 1 {
		t.Fatalf("saved list: %v %v", err, accts)
	}
	if accts[0]["last"] != nil {
		t.Errorf("a demo answer became the real account's last result: %v", accts[0]["last"])
	}
	if r := e.mustRun(0, "", "history", "--json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("a demo lookup reached the real history: %s", r.stdout)
	}
	if r := e.mustRun(0, "", "--demo", "history", "--json"); !strings.Contains(r.stdout, "MH01AB1234") {
		t.Errorf("the demo's own history lacks the lookup: %s", r.stdout)
	}
}
