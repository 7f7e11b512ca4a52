package serve_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/aopfetch/aopfetch/cli"
	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/serve"
)

// Personal data the fake provider returns: it must never reach the audit
// log or the server's log.
const (
	consumerName  = "NITESH KUMAR SHARMA"
	consumerPhone = "9876501234"
)

// Vehicles with a fixed answer from fakeFetcher.
const (
	vehicleOK       = "DL12CB4685"
	vehicleAuth     = "DL01AA0401"
	vehicleAPI      = "DL01AA0404"
	vehicleUpstream = "DL01AA0502"
	vehicleSlow     = "DL01AA5000" // answers when its context ends
)

// fakeFetcher stands in for the provider.
type fakeFetcher struct{}

func (fakeFetcher) Fetch(ctx context.Context, r client.Request) (*client.Result, error) {
	switch r.CANumber {
	case vehicleAuth:
		return nil, &client.Error{Kind: client.KindAuth, Message: "Signature verification failed", HTTPStatus: 401}
	case vehicleAPI:
		return nil, &client.Error{Kind: client.KindAPI, Message: "No bill found", ResponseCode: 2}
	case vehicleUpstream:
		return nil, &client.Error{Kind: client.KindUpstream, Message: "HTTP 502", HTTPStatus: 502}
	case vehicleSlow:
		<-ctx.Done()
		return nil, &client.Error{Kind: client.KindCancelled, Message: "cancelled", Err: ctx.Err()}
	}
	c := client.Consumer{
		ResponseCode: 1, Status: true, Message: "Bill Fetched Success.", Name: consumerName, Amount: "1000.0", DueDate: "2021-09-20",
		Bill: &client.Bill{BillAmount: "1000.0", DueDate: "2021-09-20", AcceptPayment: true, CellNumber: consumerPhone, UserName: consumerName},
	}
	return &client.Result{Request: r, Consumer: c, HTTPStatus: 200, Raw: []byte(`{}`), FetchedAt: time.Now(), Latency: time.Millisecond}, nil
}

// newTextFile is a new file in a fresh directory, for a writer the test
// reads while it writes (an *os.File is safe for concurrent use).
func newTextFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// textOf is what f holds so far.
func textOf(f *os.File) string {
	b, _ := os.ReadFile(f.Name())
	return string(b)
}

// harness is a running server with agents' keys.
type harness struct {
	t      *testing.T
	dir    string
	opts   serve.Options
	srv    *serve.Server
	addr   string
	hostPK gossh.PublicKey
	keys   map[string]gossh.Signer // by agent name
	log    *os.File                // the server's log
	cancel context.CancelFunc
	done   chan error
}

// newHarness starts a server whose authorized_keys lists agents (each a
// fresh ed25519 key commented with its name); tweak adjusts the options.
func newHarness(t *testing.T, tweak func(*serve.Options), agents ...string) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, dir: dir, keys: map[string]gossh.Signer{}, log: newTextFile(t)}
	for _, a := range agents {
		h.keys[a] = newSigner(t)
	}
	h.writeKeys(agents...)
	h.opts = serve.Options{
		Listen:         "127.0.0.1:0",
		AuthorizedKeys: filepath.Join(dir, "authorized_keys"),
		HostKey:        filepath.Join(dir, "state", "host_ed25519_key"),
		DataDir:        filepath.Join(dir, "data"),
		AuditLog:       filepath.Join(dir, "state", "audit.jsonl"),
		Config: &config.Config{
			BaseURL: "https://provider.invalid", RegistrationID: "AOP-554", Operator: 311, Timeout: 5 * time.Second,
			HistoryLimit: 50, Auth: config.AuthConfig{JWTSecret: "the-jwt-secret", PartnerID: "PS001"},
			Sources: map[string]string{},
		},
		Fetcher: fakeFetcher{},
		Version: "9.9.9",
		RunCommand: func(ctx context.Context, c serve.Command) int {
			return cli.RunSession(ctx, cli.BuildInfo{Version: "9.9.9", Commit: "c0ffee", Date: "today"}, c)
		},
		Log: slog.New(slog.NewTextHandler(h.log, nil)),
	}
	if tweak != nil {
		tweak(&h.opts)
	}
	h.start()
	return h
}

// start runs the server on a fresh port.
func (h *harness) start() {
	h.t.Helper()
	srv, err := serve.New(h.opts)
	if err != nil {
		h.t.Fatalf("serve.New: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	pub, err := os.ReadFile(h.opts.HostKey + ".pub")
	if err != nil {
		h.t.Fatal(err)
	}
	if h.hostPK, _, _, _, err = gossh.ParseAuthorizedKey(pub); err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.srv, h.addr, h.cancel, h.done = srv, l.Addr().String(), cancel, make(chan error, 1)
	go func() { h.done <- srv.Serve(ctx, l) }()
	h.t.Cleanup(func() { h.stop() })
}

// stop shuts the server down and waits for it.
func (h *harness) stop() error {
	h.cancel()
	select {
	case err := <-h.done:
		h.done <- err
		return err
	case <-time.After(15 * time.Second):
		h.t.Fatalf("the server did not stop")
		return nil
	}
}

// writeKeys writes authorized_keys with the keys of agents.
func (h *harness) writeKeys(agents ...string) {
	h.t.Helper()
	var b strings.Builder
	for _, a := range agents {
		b.WriteString(strings.TrimSpace(string(gossh.MarshalAuthorizedKey(h.keys[a].PublicKey()))) + " " + a + "\n")
	}
	path := filepath.Join(h.dir, "authorized_keys")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil { // a new inode: seen as changed whatever the clock
		h.t.Fatal(err)
	}
}

// newSigner is a fresh ed25519 key.
func newSigner(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// clientConfig logs in with auth, checking the server's host key.
func (h *harness) clientConfig(auth ...gossh.AuthMethod) *gossh.ClientConfig {
	return &gossh.ClientConfig{User: "agent", Auth: auth, HostKeyCallback: gossh.FixedHostKey(h.hostPK), Timeout: 5 * time.Second}
}

// dial logs agent in.
func (h *harness) dial(agent string) *gossh.Client {
	h.t.Helper()
	c, err := gossh.Dial("tcp", h.addr, h.clientConfig(gossh.PublicKeys(h.keys[agent])))
	if err != nil {
		h.t.Fatalf("login as %s: %v", agent, err)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

// result is one finished exec session.
type result struct {
	code           int
	stdout, stderr string
}

// exec runs cmd as agent without a terminal, with stdin.
func (h *harness) exec(agent, cmd, stdin string) result {
	h.t.Helper()
	return runOn(h.t, h.dial(agent), cmd, stdin)
}

// runOn runs cmd in a new session of c.
func runOn(t *testing.T, c *gossh.Client, cmd, stdin string) result {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr, s.Stdin = &out, &errb, strings.NewReader(stdin)
	err = s.Run(cmd)
	return result{code: exitCode(t, err), stdout: out.String(), stderr: errb.String()}
}

// exitCode is the exit status a session's Wait or Run returned.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitStatus()
	}
	t.Fatalf("session: %v", err)
	return -1
}

// screen is a session with a terminal: what it printed, and its stdin.
type screen struct {
	t     *testing.T
	sess  *gossh.Session
	stdin io.WriteCloser
	out   *os.File // stdout and stderr, as a terminal shows both
	ended chan error
}

// openTUI starts agent's session with a cols×rows terminal and a shell
// (or cmd, when not empty).
func (h *harness) openTUI(agent string, cols, rows int, cmd string) *screen {
	h.t.Helper()
	return openScreen(h.t, h.dial(agent), cols, rows, cmd)
}

// openScreen is openTUI on an existing connection.
func openScreen(t *testing.T, c *gossh.Client, cols, rows int, cmd string) *screen {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	sc := &screen{t: t, sess: s, out: newTextFile(t), ended: make(chan error, 1)}
	if sc.stdin, err = s.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.Stderr = sc.out
	// A desktop's ssh sends its UTF-8 locale (SendEnv LANG); without it the
	// UI would print ASCII only.
	if err := s.Setenv("LANG", "C.UTF-8"); err != nil {
		t.Fatalf("setenv: %v", err)
	}
	if err := s.RequestPty("xterm-256color", rows, cols, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatalf("pty: %v", err)
	}
	if cmd == "" {
		err = s.Shell()
	} else {
		err = s.Start(cmd)
	}
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	go sc.copy(stdout)
	go func() { sc.ended <- s.Wait() }()
	t.Cleanup(func() { s.Close() })
	return sc
}

// copy records stdout and answers the terminal queries (background colour,
// device attributes, cursor position) as a terminal would.
func (sc *screen) copy(r io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		chunk := string(buf[:n])
		sc.out.Write(buf[:n])
		if strings.Contains(chunk, "\x1b]11;?") {
			io.WriteString(sc.stdin, "\x1b]11;rgb:0000/0000/0000\x1b\\")
		}
		if strings.Contains(chunk, "\x1b[c") {
			io.WriteString(sc.stdin, "\x1b[?62;22c")
		}
		if strings.Contains(chunk, "\x1b[6n") {
			io.WriteString(sc.stdin, "\x1b[1;1R")
		}
		if err != nil {
			return
		}
	}
}

// text is the output so far without escape sequences.
func (sc *screen) text() string { return ansi.Strip(sc.raw()) }

// raw is the output so far, escape sequences and all.
func (sc *screen) raw() string { return textOf(sc.out) }

// mark is the current length of the output, to wait for what follows.
func (sc *screen) mark() int { return len(sc.raw()) }

// waitFor waits for s in the output after mark.
func (sc *screen) waitFor(mark int, s string) {
	sc.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(ansi.Strip(sc.raw()[mark:]), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	sc.t.Fatalf("%q did not appear; output since mark:\n%s", s, ansi.Strip(sc.raw()[mark:]))
}

// send types keys.
func (sc *screen) send(keys string) {
	sc.t.Helper()
	if _, err := io.WriteString(sc.stdin, keys); err != nil {
		sc.t.Fatalf("send: %v", err)
	}
}

// wait waits for the session to end and returns its exit code.
func (sc *screen) wait() int {
	sc.t.Helper()
	select {
	case err := <-sc.ended:
		return exitCode(sc.t, err)
	case <-time.After(10 * time.Second):
		sc.t.Fatalf("the session did not end; output:\n%s", sc.text())
		return -1
	}
}

// agentDirs lists the folders under the data dir's agents/.
func (h *harness) agentDirs() []string {
	h.t.Helper()
	entries, err := os.ReadDir(filepath.Join(h.opts.DataDir, "agents"))
	if err != nil {
		h.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// auditLines reads the audit log's records.
func (h *harness) auditLines() []map[string]any {
	h.t.Helper()
	return readJSONLines(h.t, h.opts.AuditLog)
}
