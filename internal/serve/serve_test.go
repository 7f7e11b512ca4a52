package serve_test

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/aopfetch/aopfetch/internal/serve"
)

// TestTUISession is an agent's terminal session: the form at 80×24, a
// lookup, the result re-laid out after a window change to 40×12 and below
// the minimum, q going back home and ctrl+c ending the session with 0.
func TestTUISession(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha@desk1")
	sc := h.openTUI("asha@desk1", 80, 24, "")
	sc.waitFor(0, "Vehicle number")
	m := sc.mark()
	sc.send(strings.ToLower(vehicleOK) + "\r")
	sc.waitFor(m, consumerName)
	sc.waitFor(m, vehicleOK+" · operator 311") // the wide request line
	m = sc.mark()
	sc.send("c") // copy: OSC 52 to the agent's terminal
	sc.waitFor(m, "copied")
	if !strings.Contains(sc.raw(), "\x1b]52;c;") {
		t.Errorf("no OSC 52 sequence reached the agent's terminal")
	}

	m = sc.mark()
	if err := sc.sess.WindowChange(12, 40); err != nil {
		t.Fatal(err)
	}
	sc.waitFor(m, vehicleOK+" · 311") // the narrow one
	m = sc.mark()
	if err := sc.sess.WindowChange(10, 30); err != nil {
		t.Fatal(err)
	}
	sc.waitFor(m, "too small (need 40×12)")
	if err := sc.sess.WindowChange(24, 80); err != nil {
		t.Fatal(err)
	}
	m = sc.mark()
	sc.send("q")
	sc.waitFor(m, "Recent (1)")
	sc.send("\x03")
	if code := sc.wait(); code != 0 {
		t.Errorf("exit code %d after ctrl+c, want 0; output:\n%s", code, sc.text())
	}
	if n := len(h.auditLines()); n != 1 {
		t.Errorf("%d audit lines after one lookup, want 1", n)
	}
	log := textOf(h.log)
	for _, want := range []string{`msg="session start" agent=asha@desk1`, "mode=tui", `what="xterm-256color 80x24"`, `msg="session end" agent=asha@desk1`, "lookups=1", "exit=0"} {
		if !strings.Contains(log, want) {
			t.Errorf("server log lacks %q:\n%s", want, log)
		}
	}
}

// TestTUIVehicleArgument: `ssh -t HOST VEHICLE` opens the UI on its result.
func TestTUIVehicleArgument(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	sc := h.openTUI("asha", 80, 24, vehicleOK)
	sc.waitFor(0, consumerName)
	sc.send("\x03")
	if code := sc.wait(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestExecCommands runs the served commands without a terminal: output,
// stdin and exit codes as locally, and the refusals.
func TestExecCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	cases := []struct {
		name, cmd, stdin string
		code             int
		stdout, stderr   string
	}{
		{"version", "version", "", 0, "aopfetch 9.9.9 (commit c0ffee", ""},
		{"version flag", "--version", "", 0, "aopfetch 9.9.9", ""},
		{"aopfetch prefix", "aopfetch version", "", 0, "aopfetch 9.9.9", ""},
		{"help", "help", "", 0, "Available Commands", ""},
		{"fetch", "fetch " + vehicleOK, "", 0, consumerName, ""},
		{"fetch json", "fetch --json " + vehicleOK, "", 0, `"name": "` + consumerName + `"`, ""},
		{"api", "fetch " + vehicleAPI, "", 1, "", "No bill found"},
		{"invalid", "fetch @@", "", 2, "", "invalid vehicle number"},
		{"auth", "fetch " + vehicleAuth, "", 3, "", "Signature verification failed\nhint: the provider refused this server's credentials; tell whoever runs aopfetch serve"},
		{"upstream", "fetch " + vehicleUpstream, "", 4, "", "HTTP 502"},
		{"worst of several", "fetch " + vehicleOK + " " + vehicleAPI + " " + vehicleUpstream, "", 4, consumerName, "No bill found"},
		{"saved list empty", "saved list", "", 0, "", "add one with `ssh HOST saved add VEHICLE`"},
		{"import stdin", "import --format csv -", "label,operator,canumber,registration_id,note\nFleet,311,MH01AB1234,AOP-1,\n", 0, "added 1, updated 0, skipped 0", ""},
		{"saved list", "saved list --json", "", 0, `"label": "Fleet"`, ""},
		{"export stdout", "export --format csv", "", 0, "Fleet,311,MH01AB1234,AOP-1,", ""},
		{"export -o -", "export -o -", "", 0, `"canumber": "MH01AB1234"`, ""},
		{"history", "history --json", "", 0, `"canumber": "DL12CB4685"`, ""},
		{"unknown flag", "fetch --jsn " + vehicleOK, "", 2, "", "unknown flag: --jsn"},

		{"config", "config", "", 2, "", "config is not available over ssh"},
		{"config json", "config --json", "", 2, "", "config is not available over ssh"},
		{"serve", "serve", "", 2, "", "serve is not available over ssh"},
		{"sandbox", "sandbox --addr 127.0.0.1:0", "", 2, "", "sandbox is not available over ssh"},
		{"batch", "batch - -o -", vehicleOK + "\n", 2, "", "batch is not available over ssh"},
		{"man", "man -d /tmp/x", "", 2, "", "man is not available over ssh"},
		{"completion", "completion bash", "", 2, "", "completion is not available over ssh"},
		{"import file", "import /etc/passwd", "", 2, "", "over ssh, import reads stdin"},
		{"import file after --", "import -- /etc/passwd", "", 2, "", "over ssh, import reads stdin"},
		{"export file", "export -o " + filepath.Join(h.dir, "leak.json"), "", 2, "", "over ssh, export writes to stdout"},
		{"export file joined", "export --output=" + filepath.Join(h.dir, "leak.json"), "", 2, "", "over ssh, export writes to stdout"},
		{"store flag", "--store /etc/passwd saved list", "", 2, "", "--store is set by the server"},
		{"store flag after", "history --store=/tmp/x", "", 2, "", "--store is set by the server"},
		{"config flag", "fetch --config /etc/aopfetch/config.toml " + vehicleOK, "", 2, "", "--config is set by the server"},
		{"base-url flag", "fetch --base-url http://127.0.0.1:1 " + vehicleOK, "", 2, "", "--base-url is set by the server"},
		{"debug flag", "--debug version", "", 2, "", "--debug is set by the server"},
		{"demo flag", "--demo fetch " + vehicleOK, "", 2, "", "--demo is set by the server"},
		{"the TUI without a terminal", vehicleOK, "", 2, "", "not a command this server runs"},
		{"unknown", "frobnicate", "", 2, "", `"frobnicate" is not a command this server runs`},
		{"no command", "", "", 2, "", "no command and no terminal"},
	}
	for _, c := range cases {
		r := h.exec("asha", c.cmd, c.stdin)
		if r.code != c.code || !strings.Contains(r.stdout, c.stdout) || !strings.Contains(r.stderr, c.stderr) {
			t.Errorf("%s: ssh HOST %s: exit %d (want %d)\nstdout: %s\nstderr: %s", c.name, c.cmd, r.code, c.code, r.stdout, r.stderr)
		}
		if c.code == 2 && strings.Contains(c.stderr, "over ssh") && !strings.Contains(r.stderr, "hint: over ssh: fetch, saved, history") {
			t.Errorf("%s: the refusal lists no commands: %s", c.name, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(h.dir, "leak.json")); err == nil {
		t.Errorf("export -o wrote a file on the server")
	}
	// Help offers only what works over ssh, and no output ever holds the
	// server's secret or paths.
	for _, cmd := range []string{"help", "help fetch", "--help"} {
		r := h.exec("asha", cmd, "")
		for _, s := range []string{"the-jwt-secret", "--store", "--config", h.dir, "\n  config ", "\n  batch ", "\n  serve "} {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("%s over ssh shows %q:\n%s", cmd, s, r.stdout)
			}
		}
	}
}

// TestExecWithTerminalInterrupt: a command run with a terminal gets
// ctrl+c as a byte; it interrupts the lookup with exit 130.
func TestExecWithTerminalInterrupt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	sc := h.openTUI("asha", 80, 24, "fetch "+vehicleSlow)
	time.Sleep(100 * time.Millisecond) // let the lookup start
	if err := sc.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err) // a resize while a command runs must not block the session
	}
	sc.send("\x03")
	if code := sc.wait(); code != 130 {
		t.Errorf("exit code %d after ctrl+c, want 130; output:\n%s", code, sc.text())
	}
}

// TestAgentsIsolated: each agent's saved accounts and history are their
// own, in a folder named from the key's fingerprint, never the comment.
func TestAgentsIsolated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha@desk1", "../ravi")
	if r := h.exec("asha@desk1", "saved add MH01AB1234 --label Fleet", ""); r.code != 0 {
		t.Fatalf("saved add: %d %s", r.code, r.stderr)
	}
	h.exec("asha@desk1", "fetch "+vehicleOK, "")
	h.exec("../ravi", "saved add KA01AB1234 --label Own", "")
	if r := h.exec("../ravi", "saved list --json", ""); strings.Contains(r.stdout, "Fleet") || !strings.Contains(r.stdout, "Own") {
		t.Errorf("ravi's accounts: %s", r.stdout)
	}
	if r := h.exec("../ravi", "history --json", ""); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("ravi sees asha's history: %s", r.stdout)
	}
	if r := h.exec("asha@desk1", "saved list --json", ""); !strings.Contains(r.stdout, "Fleet") || strings.Contains(r.stdout, "Own") {
		t.Errorf("asha's accounts: %s", r.stdout)
	}
	dirs := h.agentDirs()
	if len(dirs) != 2 {
		t.Fatalf("agent folders %v, want 2", dirs)
	}
	for _, d := range dirs {
		if len(d) != 64 || strings.Trim(d, "0123456789abcdef") != "" {
			t.Errorf("agent folder %q is not a key's SHA-256", d)
		}
		fi, err := os.Stat(filepath.Join(h.opts.DataDir, "agents", d))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("agent folder %s: %v %v", d, fi.Mode(), err)
		}
	}
	if _, err := os.Stat(filepath.Join(h.dir, "ravi")); err == nil {
		t.Errorf("a comment became a path")
	}
}

// TestLoginRefused: unknown keys, passwords, keyboard-interactive and no
// authentication at all are refused, each with a line in the server's log.
func TestLoginRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	methods := map[string]gossh.AuthMethod{
		"unknown key": gossh.PublicKeys(newSigner(t)),
		"password":    gossh.Password("asha"),
		"keyboard-interactive": gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"asha"}, nil
		}),
	}
	for name, m := range methods {
		if c, err := gossh.Dial("tcp", h.addr, h.clientConfig(m)); err == nil {
			c.Close()
			t.Errorf("%s: logged in", name)
		} else if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if c, err := gossh.Dial("tcp", h.addr, h.clientConfig()); err == nil {
		c.Close()
		t.Errorf("no authentication: logged in")
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(textOf(h.log), `msg="login refused"`) < len(methods)+1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(textOf(h.log), `msg="login refused" from=127.0.0.1:`); n != len(methods)+1 {
		t.Errorf("%d refused logins in the server's log, want %d:\n%s", n, len(methods)+1, textOf(h.log))
	}
}

// TestLoginTimeout: a connection that never logs in is closed after the
// login timeout; one that logged in is not.
func TestLoginTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *serve.Options) { o.LoginTimeout = 300 * time.Millisecond }, "asha")
	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 256)
	for {
		if _, err := conn.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("a silent connection was still open after 5 s")
			}
			break // closed by the server
		}
	}
	sc := h.openTUI("asha", 80, 24, "")
	sc.waitFor(0, "Vehicle number")
	time.Sleep(500 * time.Millisecond)
	m := sc.mark()
	sc.send("\x15DL12CB4685\r")
	sc.waitFor(m, consumerName)
}

// TestForwardingRefused: port forwarding both ways, agent and X11
// forwarding, subsystems and environment variables other than the locale
// are refused; the session still works afterwards.
func TestForwardingRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	c := h.dial("asha")
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if conn, err := c.Dial("tcp", target.Addr().String()); err == nil {
		conn.Close()
		t.Errorf("local port forwarding (direct-tcpip) was accepted")
	}
	if l, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		l.Close()
		t.Errorf("remote port forwarding (tcpip-forward) was accepted")
	}
	if ok, _, _ := c.SendRequest("streamlocal-forward@openssh.com", true, gossh.Marshal(struct{ Path string }{"/tmp/x.sock"})); ok {
		t.Errorf("unix socket forwarding was accepted")
	}

	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := agent.RequestAgentForwarding(s); err == nil {
		t.Errorf("agent forwarding was accepted")
	}
	x11 := gossh.Marshal(struct {
		Single bool
		Proto  string
		Cookie string
		Screen uint32
	}{false, "MIT-MAGIC-COOKIE-1", "00", 0})
	if ok, err := s.SendRequest("x11-req", true, x11); ok || err != nil {
		t.Errorf("x11-req: ok=%v err=%v", ok, err)
	}
	for _, k := range []string{"AOPFETCH_STORE", "AOPFETCH_CONFIG", "HOME", "LD_PRELOAD", "XDG_DATA_HOME"} {
		if err := s.Setenv(k, "/tmp/x"); err == nil {
			t.Errorf("env %s was accepted", k)
		}
	}
	for _, k := range []string{"LANG", "LC_ALL", "COLORTERM"} {
		if err := s.Setenv(k, "C.UTF-8"); err != nil {
			t.Errorf("env %s was refused: %v", k, err)
		}
	}
	if err := s.RequestSubsystem("sftp"); err == nil {
		t.Errorf("the sftp subsystem was accepted")
	}
	if r := runOn(t, c, "version", ""); r.code != 0 {
		t.Errorf("version after the refusals: %d %s", r.code, r.stderr)
	}
	if !strings.Contains(textOf(h.log), "what=auth-agent-req@openssh.com") {
		t.Errorf("the refusal is not logged:\n%s", textOf(h.log))
	}
}

// TestAuthorizedKeysReload: a key added to the file logs in without a
// restart; a removed key's open session goes on, its next login fails;
// Reload (SIGHUP) and an unsafe file are handled.
func TestAuthorizedKeysReload(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	h.keys["ravi"] = newSigner(t)
	if _, err := gossh.Dial("tcp", h.addr, h.clientConfig(gossh.PublicKeys(h.keys["ravi"]))); err == nil {
		t.Fatalf("ravi logged in before being added")
	}
	h.writeKeys("asha", "ravi")
	if r := h.exec("ravi", "version", ""); r.code != 0 {
		t.Fatalf("ravi after being added: %d %s", r.code, r.stderr)
	}

	// asha has a session open (import waits for stdin) when she is removed.
	c := h.dial("asha")
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	stdin, _ := s.StdinPipe()
	var out strings.Builder
	s.Stdout = &out
	if err := s.Start("import --format csv -"); err != nil {
		t.Fatal(err)
	}
	h.writeKeys("ravi")
	if _, err := gossh.Dial("tcp", h.addr, h.clientConfig(gossh.PublicKeys(h.keys["asha"]))); err == nil {
		t.Errorf("asha logged in after being removed")
	}
	stdin.Write([]byte("label,operator,canumber,registration_id,note\nX,311,MH01AB1234,AOP-1,\n"))
	stdin.Close()
	if err := s.Wait(); err != nil || !strings.Contains(out.String(), "added 1") {
		t.Errorf("asha's open session after her removal: %v %q", err, out.String())
	}

	// An unsafe file lets nobody in, until it is fixed and reloaded.
	path := filepath.Join(h.dir, "authorized_keys")
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	h.srv.Reload()
	if _, err := gossh.Dial("tcp", h.addr, h.clientConfig(gossh.PublicKeys(h.keys["ravi"]))); err == nil {
		t.Errorf("ravi logged in through a world-writable authorized_keys")
	}
	if !strings.Contains(textOf(h.log), "writable by group or others") {
		t.Errorf("the unsafe file is not logged:\n%s", textOf(h.log))
	}
	os.Chmod(path, 0o600)
	h.srv.Reload()
	if r := h.exec("ravi", "version", ""); r.code != 0 {
		t.Errorf("ravi after the fix: %d %s", r.code, r.stderr)
	}
}

// TestRateLimit: past the burst, an agent's lookups are refused with exit
// 4 and a message, and audited as limited; another agent is unaffected.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *serve.Options) { o.Limits = serve.Limits{LookupsPerMinute: 1, Burst: 2} }, "asha", "ravi")
	r := h.exec("asha", "fetch "+vehicleOK+" MH01AB1234 KA01AB1234", "")
	if r.code != 4 || !strings.Contains(r.stderr, "limit of 1 lookups a minute") || strings.Count(r.stdout, consumerName) != 2 {
		t.Errorf("third lookup: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if r := h.exec("ravi", "fetch "+vehicleOK, ""); r.code != 0 {
		t.Errorf("ravi is limited by asha's lookups: %d %s", r.code, r.stderr)
	}
	lines := h.auditLines()
	var outcomes []string
	for _, l := range lines {
		outcomes = append(outcomes, l["agent"].(string)+":"+l["outcome"].(string))
	}
	if strings.Join(outcomes, " ") != "asha:ok asha:ok asha:limited ravi:ok" {
		t.Errorf("audit outcomes %v", outcomes)
	}
}

// TestSessionLimits: an agent may hold SessionsPerAgent sessions, the
// server Sessions in all; the next one is told why and ends with 1.
func TestSessionLimits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *serve.Options) { o.Limits = serve.Limits{SessionsPerAgent: 1, Sessions: 2} }, "asha", "ravi", "mina")
	hold := func(agent string) *gossh.Session {
		s, err := h.dial(agent).NewSession()
		if err != nil {
			t.Fatal(err)
		}
		s.StdinPipe() // never closed: import waits
		if err := s.Start("import -"); err != nil {
			t.Fatal(err)
		}
		return s
	}
	hold("asha")
	waitLog(t, h, "agent=asha", "mode=exec")
	if r := h.exec("asha", "version", ""); r.code != 1 || !strings.Contains(r.stderr, "asha already has 1 sessions open") {
		t.Errorf("asha's second session: %d %s", r.code, r.stderr)
	}
	hold("ravi")
	waitLog(t, h, "agent=ravi", "mode=exec")
	if r := h.exec("mina", "version", ""); r.code != 1 || !strings.Contains(r.stderr, "the server is full (2 sessions open)") {
		t.Errorf("a third session on a server for 2: %d %s", r.code, r.stderr)
	}
}

// waitLog waits for a server log line holding every one of parts.
func waitLog(t *testing.T, h *harness, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(textOf(h.log), "\n") {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(line, p)
			}
			if ok {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line with %q:\n%s", parts, textOf(h.log))
}

// TestIdleTimeout: keys keep a session open; without them it is closed
// with a message after the idle timeout.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *serve.Options) { o.IdleTimeout = 400 * time.Millisecond }, "asha")
	sc := h.openTUI("asha", 80, 24, "")
	sc.waitFor(0, "Vehicle number")
	for range 6 { // 900 ms of typing, more than twice the timeout
		sc.send("a")
		time.Sleep(150 * time.Millisecond)
	}
	select {
	case err := <-sc.ended:
		t.Fatalf("closed while typing: %v\n%s", err, sc.text())
	default:
	}
	if code := sc.wait(); code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
	if !strings.Contains(sc.text(), "closed after 400ms without a key") {
		t.Errorf("no idle message:\n%s", sc.text())
	}
	waitLog(t, h, `msg="session end"`, "reason=idle")
}

// TestAuditLog: one JSON line per lookup with who, what and how it ended,
// 0600 in a 0700 folder; never the consumer's name or phone or a secret.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha@desk1")
	h.exec("asha@desk1", "fetch dl-12-cb-4685 "+vehicleAPI, "")
	sc := h.openTUI("asha@desk1", 80, 24, "")
	sc.waitFor(0, "Recent (2)")
	sc.send("\x0e") // ctrl+n: the form
	sc.waitFor(0, "Vehicle number")
	sc.send(vehicleAuth + "\r")
	sc.waitFor(0, "Signature verification failed")
	sc.send("\x03")
	sc.wait()

	lines := h.auditLines()
	if len(lines) != 3 {
		t.Fatalf("%d audit lines, want 3", len(lines))
	}
	want := []struct{ vehicle, outcome string }{{vehicleOK, "ok"}, {vehicleAPI, "api"}, {vehicleAuth, "auth"}}
	for i, l := range lines {
		for _, k := range []string{"time", "agent", "key", "remote", "session", "vehicle", "operator", "outcome", "latency_ms"} {
			if _, ok := l[k]; !ok {
				t.Errorf("line %d lacks %s: %v", i+1, k, l)
			}
		}
		if l["agent"] != "asha@desk1" || !strings.HasPrefix(l["key"].(string), "SHA256:") || l["operator"] != float64(311) ||
			l["vehicle"] != want[i].vehicle || l["outcome"] != want[i].outcome || !strings.HasPrefix(l["remote"].(string), "127.0.0.1:") {
			t.Errorf("line %d: %v", i+1, l)
		}
		if _, err := time.Parse(time.RFC3339Nano, l["time"].(string)); err != nil {
			t.Errorf("line %d time: %v", i+1, err)
		}
	}
	data, _ := os.ReadFile(h.opts.AuditLog)
	for _, s := range []string{consumerName, "NITESH", consumerPhone, "the-jwt-secret", "PS001", "eyJ"} {
		if strings.Contains(string(data), s) || strings.Contains(textOf(h.log), s) {
			t.Errorf("%q is in the audit log or the server log", s)
		}
	}
	fi, _ := os.Stat(h.opts.AuditLog)
	di, _ := os.Stat(filepath.Dir(h.opts.AuditLog))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Errorf("audit log mode %v in a folder of mode %v", fi.Mode(), di.Mode())
	}
}

// TestAuditLogRotation: after the log is moved away, Reload (SIGHUP)
// writes a new one at the path.
func TestAuditLogRotation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	h.exec("asha", "fetch "+vehicleOK, "")
	if err := os.Rename(h.opts.AuditLog, h.opts.AuditLog+".1"); err != nil {
		t.Fatal(err)
	}
	h.srv.Reload()
	h.exec("asha", "fetch "+vehicleAPI, "")
	if old := readJSONLines(t, h.opts.AuditLog+".1"); len(old) != 1 || old[0]["outcome"] != "ok" {
		t.Errorf("rotated log: %v", old)
	}
	if cur := h.auditLines(); len(cur) != 1 || cur[0]["outcome"] != "api" {
		t.Errorf("new log: %v", cur)
	}
}

// TestShutdown: stopping the server tells the open sessions, ends them
// with 130 and returns well within 10 s; new logins are refused.
func TestShutdown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha", "ravi")
	sc := h.openTUI("asha", 80, 24, "")
	sc.waitFor(0, "Vehicle number")
	s, err := h.dial("ravi").NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s.StdinPipe()
	stderr := newTextFile(t)
	s.Stderr = stderr
	if err := s.Start("import -"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, h, "agent=ravi", "mode=exec")

	start := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- h.stop() }()
	if code := sc.wait(); code != 130 || !strings.Contains(sc.text(), "server shutting down") {
		t.Errorf("TUI session: exit %d\n%s", code, sc.text())
	}
	if code := exitCode(t, s.Wait()); code != 130 || !strings.Contains(textOf(stderr), "server shutting down") {
		t.Errorf("exec session: exit %d, stderr %q", code, textOf(stderr))
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the server took more than 10 s to stop")
	}
	t.Logf("stopped in %s", time.Since(start))
	if _, err := gossh.Dial("tcp", h.addr, h.clientConfig(gossh.PublicKeys(h.keys["asha"]))); err == nil {
		t.Errorf("logged in after the shutdown")
	}
}

// TestHostKeyKept: the host key is created 0600 on first start and the
// same key is served after a restart.
func TestHostKeyKept(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	fp := h.srv.HostKeyFingerprint()
	fi, err := os.Stat(h.opts.HostKey)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key: %v %v", fi.Mode(), err)
	}
	h.stop()
	h.start()
	if h.srv.HostKeyFingerprint() != fp || gossh.FingerprintSHA256(h.hostPK) != fp {
		t.Errorf("host key changed across a restart: %s, then %s", fp, h.srv.HostKeyFingerprint())
	}
	if r := h.exec("asha", "version", ""); r.code != 0 {
		t.Errorf("after the restart: %d %s", r.code, r.stderr)
	}
	os.Chmod(h.opts.HostKey, 0o644)
	if _, err := serve.New(h.opts); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a readable host key: %v", err)
	}
}

// readJSONLines decodes a JSON Lines file.
func readJSONLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: not JSON: %q", path, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// TestRefusedLoggedSanitised: the user name and a refused environment
// variable's name are the agent's text; the server's log gets them without
// escape sequences and capped.
func TestRefusedLoggedSanitised(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	cfg := h.clientConfig(gossh.PublicKeys(h.keys["asha"]))
	cfg.User = "agent\x1b[2J" + strings.Repeat("u", 500)
	c, err := gossh.Dial("tcp", h.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Setenv("X\x1b]0;title\x07"+strings.Repeat("k", 500), "v"); err == nil {
		t.Fatal("the variable was accepted")
	}
	if r := runOn(t, c, "version", ""); r.code != 0 {
		t.Fatalf("version: %d %s", r.code, r.stderr)
	}
	log := textOf(h.log)
	if !strings.Contains(log, `what="env X`) || !strings.Contains(log, "user=agentuuu") {
		t.Fatalf("the refusal is not logged:\n%s", log)
	}
	if strings.Contains(log, `\x1b`) || strings.Contains(log, "\x1b") || strings.Contains(log, `\a`) {
		t.Errorf("an escape sequence reached the log:\n%s", log)
	}
	if strings.Contains(log, strings.Repeat("u", 100)) || strings.Contains(log, strings.Repeat("k", 120)) {
		t.Errorf("the agent's text is not capped:\n%s", log)
	}
}

// TestSessionLineCapped: the command word of the session's start line is
// the agent's text, capped in the server's log.
func TestSessionLineCapped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "asha")
	word := "x" + strings.Repeat("y", 500)
	if r := h.exec("asha", word, ""); r.code == 0 {
		t.Fatalf("%s ran", word)
	}
	log := textOf(h.log)
	if !strings.Contains(log, "what=xyyy") {
		t.Fatalf("no session line:\n%s", log)
	}
	if strings.Contains(log, strings.Repeat("y", 100)) {
		t.Errorf("the command word is not capped:\n%s", log)
	}
}
