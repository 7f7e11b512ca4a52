package serve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/charmbracelet/ssh"

	"github.com/aopfetch/aopfetch/client"
)

// answerFetcher answers every lookup.
type answerFetcher struct{}

func (answerFetcher) Fetch(_ context.Context, r client.Request) (*client.Result, error) {
	return &client.Result{Request: r, Consumer: client.Consumer{Status: true, Name: "NITESH KUMAR SHARMA"}}, nil
}

// remoteOnly is a session that knows only its remote address.
type remoteOnly struct{ ssh.Session }

func (remoteOnly) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }

// TestAuditWriteFailureWithholdsAnswer: a lookup whose audit line cannot be
// written (a full disk: the file opens, the write fails) does not reach the
// agent; it fails with "lookups are paused".
func TestAuditWriteFailureWithholdsAnswer(t *testing.T) {
	path := t.TempDir() + "/audit.jsonl"
	a := &auditLog{path: path}
	if err := a.open(); err != nil {
		t.Fatal(err)
	}
	a.f.Close()
	ro, err := os.Open(path) // every write fails
	if err != nil {
		t.Fatal(err)
	}
	a.f = ro
	t.Cleanup(func() { a.Close() })
	s := &Server{
		opts:   Options{Fetcher: answerFetcher{}, Now: time.Now},
		log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		audit:  a,
		limits: newLimiter(Limits{}),
	}
	ss := &session{s: s, sess: remoteOnly{}, agent: Agent{Name: "asha", ID: "a"}, id: "1", idle: newIdleTimer(time.Hour, func() {})}
	t.Cleanup(ss.idle.stop)
	res, err := ss.Fetch(context.Background(), client.Request{Operator: 311, CANumber: "DL12CB4685"})
	ce, ok := errors.AsType[*client.Error](err)
	if res != nil || !ok || ce.Kind != KindLimited || ce.Message != "lookups are paused: "+errAuditDown.Error() {
		t.Errorf("a lookup that could not be audited: %v, %v", res, err)
	}
}
