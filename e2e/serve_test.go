package e2e

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"
)

// server is a running `aopfetch serve --demo` and what an agent needs to
// reach it with the OpenSSH client.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	port   string
	sshArg []string // the options and destination every ssh call starts with
	mu     sync.Mutex
	stderr bytes.Buffer
}

// startServe starts the server in home with one agent, asha@desk1: its
// key, the authorized_keys file, a [serve] table in config.toml, and a
// known_hosts file holding the host key the server created.
func startServe(t *testing.T, home string) *server {
	t.Helper()
	sshPath, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no OpenSSH client (ssh) installed")
	}
	cfgDir := filepath.Join(home, "config", "aopfetch")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(home, "asha_ed25519")
	pub := writeClientKey(t, keyPath)
	writeFile(t, filepath.Join(cfgDir, "authorized_keys"), pub+" asha@desk1\n")
	writeFile(t, filepath.Join(cfgDir, "config.toml"), "[serve]\nidle_timeout = \"5m\"\naudit_log = \"audit.jsonl\"\n")

	s := &server{t: t}
	s.cmd = exec.Command(binPath, "serve", "--demo", "--listen", "127.0.0.1:0")
	s.cmd.Env = env(home)
	errPipe, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
	})
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(errPipe)
		re := regexp.MustCompile(`msg=serving listen=127\.0\.0\.1:(\d+)`)
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				listening <- m[1]
			}
		}
	}()
	select {
	case s.port = <-listening:
	case <-time.After(15 * time.Second):
		t.Fatalf("the server did not start:\n%s", s.log())
	}
	hostPub, err := os.ReadFile(filepath.Join(home, "data", "aopfetch", "serve-demo", "host_ed25519_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	knownHosts := filepath.Join(home, "known_hosts")
	writeFile(t, knownHosts, "[127.0.0.1]:"+s.port+" "+string(hostPub))
	s.sshArg = []string{sshPath, "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "SendEnv=LANG", // the agent's UTF-8 locale, as a desktop's ssh_config sends it
		"-o", "UserKnownHostsFile=" + knownHosts, "-o", "LogLevel=ERROR", "-i", keyPath, "-p", s.port, "127.0.0.1"}
	return s
}

// log is what the server wrote on stderr so far.
func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// writeClientKey writes a new ed25519 private key in OpenSSH's format
// and returns its public key line.
func writeClientKey(t *testing.T, path string) string {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(pem.EncodeToMemory(block)))
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sp)))
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// ssh runs the OpenSSH client without a terminal.
func (s *server) ssh(home, stdin string, args ...string) (code int, stdout, stderr string) {
	s.t.Helper()
	cmd := exec.Command(s.sshArg[0], append(s.sshArg[1:], args...)...)
	cmd.Env = env(home)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("ssh: %v", err)
	}
	return code, out.String(), errb.String()
}

// sshTerminal runs `ssh -tt` in a cols×rows pseudo-terminal.
func (s *server) sshTerminal(home string, cols, rows uint16, args ...string) *term {
	s.t.Helper()
	argv := append([]string{s.sshArg[0], "-tt"}, s.sshArg[1:]...)
	cmd := exec.Command(argv[0], append(argv[1:], args...)...)
	cmd.Env = env(home)
	return startIn(s.t, cmd, cols, rows)
}

// TestServeOverOpenSSH is an agent's day through the real binary and the
// real OpenSSH client: the TUI over `ssh -tt` (a lookup, a resize to 40×12,
// ctrl+c), commands without a terminal with their exit codes, the audit log,
// and SIGTERM ending the server.
func TestServeOverOpenSSH(t *testing.T) {
	home := t.TempDir()
	s := startServe(t, home)

	tm := s.sshTerminal(home, 80, 24)
	tm.waitFor(0, "DEMO")
	tm.waitFor(0, "Vehicle number")
	tm.press("dl12cb4685\r", "NITESH", "DL12CB4685 · operator 311")
	m := tm.mark()
	if err := pty.Setsize(tm.ptmx, &pty.Winsize{Cols: 40, Rows: 12}); err != nil { // ssh gets SIGWINCH and sends window-change
		t.Fatal(err)
	}
	tm.waitFor(m, "DL12CB4685 · 311")
	tm.send("\x03") // q goes back home; ctrl+c ends the session
	if code := tm.wait(); code != 0 {
		t.Errorf("ssh -tt after ctrl+c: exit %d\n%s", code, tm.raw())
	}

	code, out, errOut := s.ssh(home, "", "fetch", "--json", "DL12CB4685")
	if code != 0 || !strings.Contains(out, `"name": "NITESH  KUMAR SHARMA"`) {
		t.Errorf("fetch --json: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut = s.ssh(home, "", "fetch", "DL01AA0401"); code != 3 {
		t.Errorf("fetch of the auth-failure vehicle: exit %d, want 3\n%s", code, errOut)
	}
	if code, _, errOut = s.ssh(home, "", "config"); code != 2 || !strings.Contains(errOut, "config is not available over ssh") {
		t.Errorf("config: exit %d\n%s", code, errOut)
	}
	if code, out, _ = s.ssh(home, "", "history", "--json"); code != 0 || strings.Count(out, `"canumber"`) != 2 {
		t.Errorf("history: exit %d\n%s", code, out)
	}
	// Under --demo the [serve] table's audit_log is not used: the demo's
	// lookups go to its own log.
	if _, err := os.Stat(filepath.Join(home, "config", "aopfetch", "audit.jsonl")); err == nil {
		t.Errorf("a demo lookup reached the audit log named by config.toml")
	}
	auditPath := filepath.Join(home, "data", "aopfetch", "serve-demo", "audit.jsonl")
	audit, err := os.ReadFile(auditPath)
	if err != nil || strings.Count(string(audit), "\n") != 3 || strings.Contains(string(audit), "NITESH") {
		t.Errorf("audit log (%v):\n%s", err, audit)
	}

	// SIGHUP reads the keys again and reopens the audit log (after a
	// rotation); it does not stop the server.
	if err := os.Rename(auditPath, auditPath+".1"); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Process.Signal(syscall.SIGHUP)
	waitForLog(t, s, `msg="authorized_keys read"`, 2)
	if code, _, errOut = s.ssh(home, "", "fetch", "DL12CB4685"); code != 0 {
		t.Errorf("fetch after SIGHUP: exit %d\n%s", code, errOut)
	}
	if rotated, err := os.ReadFile(auditPath); err != nil || strings.Count(string(rotated), "\n") != 1 {
		t.Errorf("the audit log after SIGHUP (%v):\n%s", err, rotated)
	}

	start := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	ended, err := waitExit(s.cmd, 10*time.Second)
	if !ended {
		t.Fatalf("serve did not stop within 10 s of SIGTERM")
	}
	if err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, s.log())
	}
	t.Logf("stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	for _, want := range []string{"idle_timeout=5m0s" /* from config.toml */, `msg="session start" agent=asha@desk1`, "mode=tui",
		`what="xterm-256color 80x24"`, "msg=stopped"} {
		if !strings.Contains(s.log(), want) {
			t.Errorf("server log lacks %q:\n%s", want, s.log())
		}
	}
}

// waitForLog waits until the server's log holds line n times.
func waitForLog(t *testing.T, s *server, line string, n int) {
	t.Helper()
	if !eventually(10*time.Second, func() bool { return strings.Count(s.log(), line) >= n }) {
		t.Fatalf("the server's log does not hold %q %d times:\n%s", line, n, s.log())
	}
}
