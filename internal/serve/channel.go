package serve

import (
	"crypto/rand"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// refusedRequests are the session requests answered no: agent and X11
// forwarding, and subsystems such as sftp. (Port forwarding is refused
// because no handler for its channels and global requests is installed.)
var refusedRequests = map[string]bool{
	"auth-agent-req@openssh.com": true,
	"x11-req":                    true,
	"subsystem":                  true,
}

// allowedEnv reports whether a session may pass the environment variable
// name: TERM, the locale and COLORTERM (the terminal's colour profile).
func allowedEnv(name string) bool {
	return name == "TERM" || name == "LANG" || name == "COLORTERM" || strings.HasPrefix(name, "LC_")
}

// channelEnv is the environment variable through which the channel filter
// tells a session handler which channelState is its own. Agents cannot set
// it: the filter refuses every variable but the locale's and TERM's.
const channelEnv = "AOPFETCH_SERVE_CHANNEL"

// terminal is a session's terminal as its pty-req and window-change
// requests describe it.
type terminal struct {
	Term          string
	Width, Height int
}

// channelState is what the filter learnt of one session channel. The SSH
// library updates its own copy of the window size in place without a lock
// (racing any handler that asks for it), so window changes stop here and
// reach the session through sizes.
type channelState struct {
	hasPty bool
	term   terminal      // as requested; the size is the first one
	sizes  chan terminal // the latest size, first the requested one
}

// putSize delivers t as the latest size, dropping an unread older one.
func (c *channelState) putSize(t terminal) {
	for {
		select {
		case c.sizes <- t:
			return
		default:
			select {
			case <-c.sizes:
			default:
			}
		}
	}
}

// channels maps the filter's channel ids to their state until the session
// handler takes it.
type channels struct{ m sync.Map }

// add registers st under a new random id.
func (cs *channels) add(st *channelState) string {
	id := rand.Text()
	cs.m.Store(id, st)
	return id
}

// take removes and returns the state of the session whose environment env
// is.
func (cs *channels) take(env []string) (*channelState, bool) {
	for _, kv := range env {
		if id, ok := strings.CutPrefix(kv, channelEnv+"="); ok {
			if st, ok := cs.m.LoadAndDelete(id); ok {
				return st.(*channelState), true
			}
		}
	}
	return nil, false
}

// sessionChannel wraps the default session handler: requests it must not
// grant are answered no before it sees them.
func sessionChannel(cs *channels, onRefuse func(ssh.Context, string)) ssh.ChannelHandler {
	return func(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
		if hc, ok := ctx.Value(handshakeKey).(*handshakeConn); ok {
			hc.authenticated()
		}
		fc := &filteredChannel{NewChannel: newChan, chans: cs, refuse: func(what string) { onRefuse(ctx, what) }}
		ssh.DefaultSessionHandler(srv, conn, fc, ctx)
	}
}

// filteredChannel is a session channel whose requests pass a filter.
type filteredChannel struct {
	gossh.NewChannel
	chans  *channels
	refuse func(what string)
}

// Accept accepts the channel and filters its requests.
func (c *filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	go c.filter(reqs, out)
	return ch, out, nil
}

// filter passes on the requests of one channel that the library may see.
func (c *filteredChannel) filter(reqs <-chan *gossh.Request, out chan<- *gossh.Request) {
	defer close(out)
	st := &channelState{sizes: make(chan terminal, 1)}
	id := ""
	defer func() { c.chans.m.Delete(id) }() // a session that never started
	for r := range reqs {
		if what, refused := refusedRequest(r); refused {
			c.refuse(what)
			_ = r.Reply(false, nil)
			continue
		}
		switch r.Type {
		case "pty-req":
			t, ok := parsePtyReq(r.Payload)
			if !ok || st.hasPty || id != "" {
				_ = r.Reply(false, nil)
				continue
			}
			st.hasPty, st.term = true, t
			st.putSize(t)
		case "window-change":
			t, ok := parseWindowChange(r.Payload)
			if ok && st.hasPty {
				t.Term = st.term.Term
				st.putSize(t)
			}
			_ = r.Reply(ok && st.hasPty, nil)
			continue
		case "shell", "exec":
			if id != "" {
				_ = r.Reply(false, nil) // one command a channel
				continue
			}
			id = c.chans.add(st)
			out <- &gossh.Request{Type: "env", Payload: gossh.Marshal(struct{ Key, Value string }{channelEnv, id})}
		}
		out <- r
	}
}

// parsePtyReq reads a pty-req payload.
func parsePtyReq(p []byte) (terminal, bool) {
	var req struct {
		Term                 string
		Cols, Rows, PxW, PxH uint32
		Modes                string
	}
	if gossh.Unmarshal(p, &req) != nil {
		return terminal{}, false
	}
	return terminal{Term: req.Term, Width: int(req.Cols), Height: int(req.Rows)}, true
}

// parseWindowChange reads a window-change payload.
func parseWindowChange(p []byte) (terminal, bool) {
	var req struct{ Cols, Rows, PxW, PxH uint32 }
	if gossh.Unmarshal(p, &req) != nil {
		return terminal{}, false
	}
	return terminal{Width: int(req.Cols), Height: int(req.Rows)}, true
}

// refusedRequest reports whether r is refused, and what it asked for.
func refusedRequest(r *gossh.Request) (string, bool) {
	if refusedRequests[r.Type] {
		return r.Type, true
	}
	if r.Type == "env" {
		var kv struct{ Key, Value string }
		if gossh.Unmarshal(r.Payload, &kv) != nil || !allowedEnv(kv.Key) {
			return "env " + kv.Key, true
		}
	}
	return "", false
}

// handshakeKey is the context key of a connection's handshakeConn.
var handshakeKey = &struct{ name string }{"handshake"}

// handshakeConn bounds the time a connection may take to log in: until its
// first session, every deadline set on it is at most the login deadline.
type handshakeConn struct {
	net.Conn
	mu       sync.Mutex
	deadline time.Time // zero once logged in
}

// SetDeadline implements net.Conn.
func (c *handshakeConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	if !c.deadline.IsZero() && (t.IsZero() || t.After(c.deadline)) {
		t = c.deadline
	}
	c.mu.Unlock()
	return c.Conn.SetDeadline(t)
}

// authenticated lifts the login deadline.
func (c *handshakeConn) authenticated() {
	c.mu.Lock()
	first := !c.deadline.IsZero()
	c.deadline = time.Time{}
	c.mu.Unlock()
	if first {
		_ = c.Conn.SetDeadline(time.Time{})
	}
}
