// Package serve is `aopfetch serve`: an SSH server that gives every agent
// who logs in with a key of its authorized_keys file the terminal UI (with
// a terminal) or a few CLI commands (without one), each agent with a store
// of their own, every lookup through the server's single client behind the
// agent's limits and written to an audit log.
//
// Sessions never see the server's config file, secrets, environment or
// paths: they get a copy of the settings without secrets and with their own
// store path, and a fetcher that wraps the server's client.
package serve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"

	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/ui"
)

// DefaultListen is the address served when Options.Listen is empty.
const DefaultListen = ":2222"

// DefaultLoginTimeout is how long a connection may take to log in and
// open its first session.
const DefaultLoginTimeout = 30 * time.Second

// DefaultShutdownGrace is how long open sessions get to end after a stop
// before their connections are closed.
const DefaultShutdownGrace = 7 * time.Second

// Command is one exec session handed to Options.RunCommand: the command
// line the agent sent, the session's streams and environment, and what the
// server lends it.
type Command struct {
	Args           []string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv is the session's environment: TERM and the locale only, never
	// the server's; nil = empty.
	Getenv func(string) (string, bool)
	// Config is the settings a session may see: the server's without its
	// secrets or file, StorePath the agent's store (required).
	Config *config.Config
	// Fetcher does every lookup of the session (the server's client behind
	// the agent's limits and the audit log).
	Fetcher ui.Fetcher
	Demo    bool // the server runs against the sandbox
}

// Options configure a Server. Paths must be absolute or relative to the
// working directory; the caller applies the XDG defaults.
type Options struct {
	Listen         string // default DefaultListen
	AuthorizedKeys string // OpenSSH authorized_keys; the comment names the agent
	HostKey        string // generated (ed25519) when missing
	DataDir        string // the agents' stores, under agents/<key sha256>/
	AuditLog       string // JSON Lines, one record a lookup
	Limits         Limits
	IdleTimeout    time.Duration // a session without a key for this long is closed; default 30 min
	ShutdownGrace  time.Duration // default DefaultShutdownGrace
	LoginTimeout   time.Duration // to log in and open a first session; default DefaultLoginTimeout

	// Config is the server's settings (operators, defaults, history limit,
	// timeout); each session gets a copy without secrets.
	Config *config.Config
	// Fetcher is the server's client, shared by every session.
	Fetcher ui.Fetcher
	Demo    bool
	Version string // the build's version, shown in the TUI's help and the SSH banner

	// RunCommand runs the CLI for an exec session and returns its exit
	// code (cli.RunSession; serve cannot import cli).
	RunCommand func(ctx context.Context, c Command) int

	Log *slog.Logger     // session lines and warnings; default stderr
	Now func() time.Time // default time.Now
}

// Server is a configured SSH server; Serve runs it.
type Server struct {
	opts   Options
	log    *slog.Logger
	keys   *keyring
	audit  *auditLog
	limits *limiter
	chans  channels // the filter's session channels until their handler starts
	srv    *ssh.Server
	hostFP string

	stopOnce sync.Once
	mu       sync.Mutex         // guards stopAll, nextID and sessions.Add against Wait
	stop     context.Context    // done when shutting down: no new session starts, open ones end
	stopAll  context.CancelFunc // ends stop
	sessions sync.WaitGroup     // the running session handlers
	nextID   uint64
}

// New checks the options, reads the authorized keys, loads or creates the
// host key and opens the audit log.
func New(o Options) (*Server, error) {
	o.Listen = cmp.Or(o.Listen, DefaultListen)
	o.IdleTimeout = positiveOr(o.IdleTimeout, DefaultIdleTimeout)
	o.ShutdownGrace = positiveOr(o.ShutdownGrace, DefaultShutdownGrace)
	o.LoginTimeout = positiveOr(o.LoginTimeout, DefaultLoginTimeout)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	switch {
	case o.Config == nil || o.Fetcher == nil || o.RunCommand == nil:
		return nil, errors.New("serve: Config, Fetcher and RunCommand are required")
	case o.AuthorizedKeys == "" || o.HostKey == "" || o.DataDir == "" || o.AuditLog == "":
		return nil, errors.New("serve: the authorized keys, host key, data dir and audit log paths are required")
	}
	s := &Server{opts: o, log: o.Log, limits: newLimiter(o.Limits)}
	s.stop, s.stopAll = context.WithCancel(context.Background())
	var err error
	if s.keys, err = newKeyring(o.AuthorizedKeys, o.Log); err != nil {
		return nil, err
	}
	signer, created, err := loadHostKey(o.HostKey)
	if err != nil {
		return nil, err
	}
	s.hostFP = gossh.FingerprintSHA256(signer.PublicKey())
	if created {
		s.log.Info("host key created", "file", o.HostKey, "fingerprint", s.hostFP)
	}
	if err := os.MkdirAll(filepath.Join(o.DataDir, agentsDir), 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	s.audit = &auditLog{path: o.AuditLog}
	if err := s.audit.open(); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if s.srv, err = s.newSSHServer(signer); err != nil {
		s.audit.Close()
		return nil, err
	}
	return s, nil
}

// HostKeyFingerprint is the SHA256 fingerprint agents see on first login.
func (s *Server) HostKeyFingerprint() string { return s.hostFP }

// Reload reads the authorized_keys file again and reopens the audit log
// (SIGHUP, systemctl reload, after a log rotation).
func (s *Server) Reload() {
	if err := s.keys.load(); err != nil {
		s.log.Error("authorized_keys: every login is refused until this is fixed", "err", err)
	}
	if err := s.audit.reopen(); err != nil {
		s.log.Error("audit log: lookups pause until it can be written", "err", err)
	}
}

// newSSHServer builds the SSH server: public keys only, sessions only.
func (s *Server) newSSHServer(signer gossh.Signer) (*ssh.Server, error) {
	srv, err := wish.NewServer(
		wish.WithAddress(s.opts.Listen),
		wish.WithVersion("aopfetch_"+s.opts.Version),
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithIdleTimeout(s.opts.IdleTimeout+time.Minute), // no traffic at all, keepalives included
		wish.WithMiddleware(s.handle),
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
	)
	if err != nil {
		return nil, err
	}
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": sessionChannel(&s.chans, s.refused)}
	srv.RequestHandlers = map[string]ssh.RequestHandler{} // no port forwarding
	srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	srv.LocalPortForwardingCallback = nil
	srv.ReversePortForwardingCallback = nil
	srv.ConnCallback = func(ctx ssh.Context, c net.Conn) net.Conn {
		hc := &handshakeConn{Conn: c, deadline: time.Now().Add(s.opts.LoginTimeout)}
		_ = hc.SetDeadline(time.Time{})
		ctx.SetValue(handshakeKey, hc)
		return hc
	}
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		s.log.Warn("login refused", "from", c.RemoteAddr().String(), "why", shortText(err.Error(), 200))
	}
	srv.ServerConfigCallback = func(ssh.Context) *gossh.ServerConfig {
		return &gossh.ServerConfig{MaxAuthTries: 6}
	}
	return srv, nil
}

// authorize is the public key check: a key of the authorized_keys file,
// read again if it changed. The agent's name travels with the
// connection's permissions, which x/crypto ties to the key that signed.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	a, ok := s.keys.lookup(key)
	if !ok {
		return false
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = map[string]string{}
	}
	perms.Extensions[nameExtension] = a.Name
	return true
}

// nameExtension carries the agent's name in the connection's permissions.
const nameExtension = "aopfetch-agent-name"

// refused logs a refused request of a session. What it asked for (an
// environment variable's name) and the login's user name are the agent's
// text: sanitised and capped like a key's comment.
func (s *Server) refused(ctx ssh.Context, what string) {
	s.log.Warn("refused", "what", shortText(what, maxRefusedLen), "from", ctx.RemoteAddr().String(),
		"user", shortText(ctx.User(), maxNameLen))
}

// maxRefusedLen caps what a refused request asked for, in the server's log.
const maxRefusedLen = 100

// Serve accepts connections on l until ctx is done, then shuts down: no
// new connections, open sessions told and ended, their stores flushed,
// and after the grace period every connection closed. It returns nil
// after a shutdown.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	lim := s.limits.l
	s.log.Info("serving", "listen", l.Addr().String(), "host_key", s.hostFP, "demo", s.opts.Demo,
		"lookups_per_minute", lim.LookupsPerMinute, "burst", lim.Burst, "sessions_per_agent", lim.SessionsPerAgent,
		"max_sessions", lim.Sessions, "idle_timeout", s.opts.IdleTimeout, "audit_log", s.opts.AuditLog)
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(l) }()
	var err error
	select {
	case err = <-errc:
		s.shutdown(l)
	case <-ctx.Done():
		s.shutdown(l)
		<-errc // ErrServerClosed
	}
	return err
}

// ListenAndServe listens on Options.Listen and serves until ctx is done.
func (s *Server) ListenAndServe(ctx context.Context) error {
	l, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l)
}

// shutdown stops accepting, ends every session and closes the server.
func (s *Server) shutdown(l net.Listener) {
	s.stopOnce.Do(func() {
		start := time.Now()
		_ = l.Close()
		s.mu.Lock()
		s.stopAll()
		s.mu.Unlock()
		done := make(chan struct{})
		go func() { s.sessions.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(s.opts.ShutdownGrace):
			s.log.Warn("sessions still open after the grace period; closing their connections")
		}
		_ = s.srv.Close()
		_ = s.audit.Close()
		s.log.Info("stopped", "took", time.Since(start).Round(time.Millisecond))
	})
}

// begin registers a starting session and returns its id, or false when
// the server is shutting down.
func (s *Server) begin() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop.Err() != nil {
		return "", false
	}
	s.sessions.Add(1)
	s.nextID++
	return fmt.Sprintf("%x-%d", s.opts.Now().Unix()&0xffff, s.nextID), true
}
