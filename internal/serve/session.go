package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"

	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
	"github.com/aopfetch/aopfetch/ui"
)

// Where an agent's files live under the data dir: agents/<Agent.ID>/.
const (
	agentsDir = "agents"
	storeFile = "store.json"
)

// Exit codes a session ends with on the server's account (the CLI's own
// codes come from the command).
const (
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// Why a session was ended by the server.
var (
	errShutdown    = errors.New("server shutting down")
	errIdle        = errors.New("idle")
	errInputClosed = errors.New("input closed")
	errInterrupted = errors.New("interrupted")
)

// queryTimeout bounds the wait for the terminal's answer about its
// background colour.
const queryTimeout = 1200 * time.Millisecond

// session is one SSH session being served.
type session struct {
	s       *Server
	sess    ssh.Session
	agent   Agent
	id      string
	ch      *channelState
	ctx     context.Context
	cancel  context.CancelCauseFunc
	idle    *idleTimer
	in      *sessionInput
	lookups atomic.Int64
}

// handle is the middleware that serves every session.
func (s *Server) handle(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.serveSession(sess)
		next(sess)
	}
}

// serveSession runs one session to its end and sets its exit code.
func (s *Server) serveSession(sess ssh.Session) {
	id, ok := s.begin()
	if !ok {
		say(sess, "server shutting down; try again in a moment")
		_ = sess.Exit(exitInterrupted)
		return
	}
	defer s.sessions.Done()
	ch, ok := s.chans.take(sess.Environ())
	if !ok { // cannot happen: the filter registers every shell and exec
		say(sess, "this session cannot be served; connect again")
		_ = sess.Exit(exitFailed)
		return
	}
	a := agentOf(sess.PublicKey(), sess.Permissions().Extensions[nameExtension])
	release, err := s.limits.open(a)
	if err != nil {
		s.log.Warn("session refused", "agent", a.Name, "key", a.Fingerprint, "from", sess.RemoteAddr().String(), "why", err.Error())
		say(sess, err.Error())
		_ = sess.Exit(exitFailed)
		return
	}
	defer release()
	ctx, cancel := context.WithCancelCause(sess.Context())
	ss := &session{s: s, sess: sess, agent: a, id: id, ch: ch, ctx: ctx, cancel: cancel}
	ss.idle = newIdleTimer(s.opts.IdleTimeout, func() { cancel(errIdle) })
	defer ss.close()
	_ = sess.Exit(ss.run())
}

// close releases what the session holds.
func (ss *session) close() {
	ss.idle.stop()
	ss.cancel(nil)
	if ss.in != nil {
		ss.in.Close()
	}
}

// run serves the session: the TUI with a terminal and no command (or a
// lone vehicle), else the command. It returns the exit code.
func (ss *session) run() (code int) {
	start := time.Now()
	args := ss.sess.Command()
	if len(args) > 0 && args[0] == "aopfetch" {
		args = args[1:]
	}
	term := ss.ch.term
	tui := ss.ch.hasPty && (len(args) == 0 || (len(args) == 1 && looksLikeVehicle(args[0])))
	mode, what := "exec", commandName(args)
	if tui {
		mode, what = "tui", fmt.Sprintf("%s %dx%d", shortText(term.Term, maxNameLen), term.Width, term.Height)
	}
	defer context.AfterFunc(ss.s.stop, func() { ss.cancel(errShutdown) })()
	ss.s.log.Info("session start", "agent", ss.agent.Name, "key", ss.agent.Fingerprint, "from", ss.sess.RemoteAddr().String(),
		"session", ss.id, "mode", mode, "what", what)
	defer func() {
		if r := recover(); r != nil {
			ss.s.log.Error("session crashed", "session", ss.id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			say(ss.sess, "aopfetch crashed; the server's log has the details")
			code = exitFailed
		}
		ss.s.log.Info("session end", "agent", ss.agent.Name, "session", ss.id, "exit", code,
			"lookups", ss.lookups.Load(), "took", time.Since(start).Round(time.Millisecond), "reason", ss.reason())
	}()
	switch {
	case tui:
		vehicle := ""
		if len(args) == 1 {
			vehicle = args[0]
		}
		code = ss.runTUI(vehicle)
	case len(args) == 0:
		say(ss.sess, "no command and no terminal: connect with `ssh -t` for the terminal UI, or give a command (fetch, saved, history, export, import, version, help)")
		code = exitUsage
	default:
		code = ss.runCommand(args)
	}
	switch context.Cause(ss.ctx) {
	case errShutdown:
		say(ss.sess, "server shutting down")
		code = exitInterrupted
	case errIdle:
		say(ss.sess, fmt.Sprintf("closed after %s without a key; connect again to go on", ss.s.opts.IdleTimeout))
		code = exitInterrupted
	}
	return code
}

// reason says why the session ended, for its end line.
func (ss *session) reason() string {
	switch err := context.Cause(ss.ctx); {
	case errors.Is(err, errShutdown):
		return "shutdown"
	case errors.Is(err, errIdle):
		return "idle"
	case errors.Is(err, errInterrupted):
		return "interrupted"
	case errors.Is(err, errInputClosed), errors.Is(err, context.Canceled):
		return "disconnected"
	}
	return "done"
}

// storeDir is the agent's folder; storePath the agent's store in it.
func (ss *session) storeDir() string {
	return filepath.Join(ss.s.opts.DataDir, agentsDir, ss.agent.ID)
}

func (ss *session) storePath() string { return filepath.Join(ss.storeDir(), storeFile) }

// config is the settings the session sees: the server's without secrets,
// its file, its warnings or its [serve] table (the server's paths), and the
// agent's store.
func (ss *session) config() *config.Config {
	c := *ss.s.opts.Config
	c.Auth, c.Serve = config.AuthConfig{}, config.ServeConfig{}
	c.File, c.Warnings = "", nil
	c.StorePath = ss.storePath()
	c.Sources = maps.Clone(c.Sources)
	c.Operators = slices.Clone(c.Operators)
	return &c
}

// environ is the session's environment: what the channel filter let
// through (the locale, COLORTERM) and the terminal's TERM.
func (ss *session) environ() []string {
	var env []string
	for _, kv := range ss.sess.Environ() {
		if k, _, ok := strings.Cut(kv, "="); ok && allowedEnv(k) && k != "TERM" {
			env = append(env, kv)
		}
	}
	if term := ss.ch.term.Term; term != "" {
		env = append(env, "TERM="+term)
	}
	return env
}

// getenv looks a variable up in environ().
func (ss *session) getenv() func(string) (string, bool) {
	env := map[string]string{}
	for _, kv := range ss.environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// runCommand runs an exec session's command through the CLI.
func (ss *session) runCommand(args []string) int {
	ss.in = newSessionInput(ss.sess, ss.idle.touch, func() {})
	var stdin io.Reader = ss.in
	if ss.ch.hasPty {
		stdin = newTTYStdin(ss.in, func() { ss.cancel(errInterrupted) })
	}
	return ss.s.opts.RunCommand(ss.ctx, Command{
		Args: args, Stdin: stdin, Stdout: ss.sess, Stderr: ss.sess.Stderr(),
		Getenv: ss.getenv(), Config: ss.config(), Fetcher: ss, Demo: ss.s.opts.Demo,
	})
}

// runTUI runs the terminal UI for the session's terminal.
func (ss *session) runTUI(vehicle string) int {
	if ss.ch.term.Term == "dumb" {
		say(ss.sess, "this terminal (TERM=dumb) cannot show the terminal UI; give a command instead, e.g. fetch VEHICLE")
		return exitUsage
	}
	ss.in = newSessionInput(ss.sess, ss.idle.touch, func() { ss.cancel(errInputClosed) })
	getenv := ss.getenv()
	renderer := bm.MakeRenderer(rendererSession{Session: ss.sess, ss: ss})
	opts := ui.Options{
		Fetcher: ss, Config: ss.config(), Demo: ss.s.opts.Demo, Vehicle: vehicle, Version: ss.s.opts.Version,
		Input: ss.in, Output: ss.sess, Clipboard: ss.sess.Stderr(), StateDir: ss.storeDir(),
		Renderer: renderer, Sizes: windowSizes(ss.ctx, ss.ch.sizes), Getenv: func(k string) string { v, _ := getenv(k); return v },
		// The session's locale, as the agent's ssh sent it: ASCII unless UTF-8.
		ASCII: !text.LocaleIsUTF8(getenv), Theme: ui.Theme(ss.s.opts.Config.Theme),
		Concurrency: ss.s.opts.Config.Concurrency, Rate: ss.s.opts.Config.Rate,
	}
	st, err := store.Open(ss.storePath(), store.Options{HistoryLimit: ss.s.opts.Config.HistoryLimit})
	if err != nil {
		opts.Notices = append(opts.Notices, "store unavailable, nothing will be saved: "+err.Error())
	} else {
		opts.Store = st
		opts.Notices = append(opts.Notices, st.Notices()...)
	}
	runErr := ui.Run(ss.ctx, opts)
	code := 0
	if st != nil && st.Pending() > 0 {
		if err := st.Flush(); err != nil {
			ss.s.log.Error("store flush failed", "agent", ss.agent.Name, "session", ss.id, "err", err)
			say(ss.sess, fmt.Sprintf("%d change(s) made in this session could not be saved: %v", st.Pending(), err))
			code = exitFailed
		}
	}
	if runErr != nil {
		ss.s.log.Error("terminal UI failed", "agent", ss.agent.Name, "session", ss.id, "err", runErr)
		say(ss.sess, "the terminal UI failed; the server's log has the details")
		return exitFailed
	}
	return code
}

// rendererSession is the session as MakeRenderer sees it: its reads of
// the terminal's answer give up after queryTimeout instead of waiting for
// (and eating) the agent's first key, its terminal is the one the filter
// recorded and its environment the filtered one.
type rendererSession struct {
	ssh.Session
	ss *session
}

// Read implements io.Reader.
func (r rendererSession) Read(p []byte) (int, error) { return r.ss.in.readWithin(p, queryTimeout) }

// Pty implements ssh.Session.
func (r rendererSession) Pty() (ssh.Pty, <-chan ssh.Window, bool) {
	t := r.ss.ch.term
	return ssh.Pty{Term: t.Term, Window: ssh.Window{Width: t.Width, Height: t.Height}}, nil, true
}

// Environ implements ssh.Session.
func (r rendererSession) Environ() []string { return r.ss.environ() }

// windowSizes forwards the terminal's sizes (the first, then each change)
// until ctx is done.
func windowSizes(ctx context.Context, sizes <-chan terminal) <-chan tea.WindowSizeMsg {
	out := make(chan tea.WindowSizeMsg)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case t := <-sizes:
				select {
				case out <- tea.WindowSizeMsg{Width: t.Width, Height: t.Height}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// say writes one line for the agent on the session's stderr.
func say(sess ssh.Session, msg string) {
	wish.Errorln(sess, "aopfetch: "+msg)
}

// looksLikeVehicle tells a vehicle number from a command: it has a digit
// and is no flag.
func looksLikeVehicle(s string) bool {
	return !strings.HasPrefix(s, "-") && strings.ContainsAny(s, "0123456789")
}

// commandName is the command's first word, sanitised and capped, for the
// session line (never its arguments: labels and notes may name people).
func commandName(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return shortText(a, maxNameLen)
		}
	}
	return ""
}

// idleTimer calls fire once the session has had no activity for d.
type idleTimer struct {
	d    time.Duration
	t    *time.Timer
	mu   sync.Mutex
	done bool // fired or stopped: touch no longer re-arms it
}

func newIdleTimer(d time.Duration, fire func()) *idleTimer {
	it := &idleTimer{d: d}
	it.t = time.AfterFunc(d, func() {
		it.mu.Lock()
		first := !it.done
		it.done = true
		it.mu.Unlock()
		if first {
			fire()
		}
	})
	return it
}

// touch records activity now: the timer starts over.
func (it *idleTimer) touch() {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.done {
		it.t.Reset(it.d)
	}
}

// stop disarms the timer.
func (it *idleTimer) stop() {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.done = true
	it.t.Stop()
}
