package serve

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// sessionInput is what the agent types (or pipes): one goroutine reads
// the session and hands each chunk over, so that a read can give up after
// a while (the terminal queries) without losing what comes later. Every
// byte counts as activity.
type sessionInput struct {
	chunks chan []byte // closed when the session's input ends
	rest   []byte
	mu     sync.Mutex // guards rest; one reader at a time
	done   chan struct{}
	eof    atomic.Bool
}

// newSessionInput starts reading r; touch is called on every chunk and
// onEOF once the input ends.
func newSessionInput(r io.Reader, touch func(), onEOF func()) *sessionInput {
	in := &sessionInput{chunks: make(chan []byte), done: make(chan struct{})}
	go func() {
		defer close(in.chunks)
		defer onEOF()
		for {
			buf := make([]byte, 4096)
			n, err := r.Read(buf)
			if n > 0 {
				touch()
				select {
				case in.chunks <- buf[:n]:
				case <-in.done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return in
}

// Read implements io.Reader.
func (in *sessionInput) Read(p []byte) (int, error) {
	return in.read(p, nil)
}

// readWithin is Read giving up after d with os.ErrDeadlineExceeded.
func (in *sessionInput) readWithin(p []byte, d time.Duration) (int, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	return in.read(p, t.C)
}

// read returns buffered bytes, else waits for a chunk, the end of the
// input or timeout.
func (in *sessionInput) read(p []byte, timeout <-chan time.Time) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.rest) == 0 {
		select {
		case c, ok := <-in.chunks:
			if !ok {
				return 0, io.EOF
			}
			in.rest = c
		case <-in.done:
			return 0, io.EOF
		case <-timeout:
			return 0, os.ErrDeadlineExceeded
		}
	}
	n := copy(p, in.rest)
	in.rest = in.rest[n:]
	return n, nil
}

// Close stops handing input over; reads return io.EOF.
func (in *sessionInput) Close() error {
	if !in.eof.Swap(true) {
		close(in.done)
	}
	return nil
}

// maxTTYInput caps what a command run with a terminal buffers of the
// agent's typing while it does not read it.
const maxTTYInput = 8 << 20

// ttyStdin is the input of a command run with a terminal: the client's
// terminal is raw, so ctrl+c and ctrl+d arrive as bytes and Enter as a
// carriage return. The input is read as it comes, whether the command reads
// it or not: ctrl+c interrupts the command at once, ctrl+d ends its input.
type ttyStdin struct {
	mu    sync.Mutex
	cond  *sync.Cond
	buf   []byte
	ended bool
}

// newTTYStdin starts reading in.
func newTTYStdin(in io.Reader, interrupt func()) *ttyStdin {
	t := &ttyStdin{}
	t.cond = sync.NewCond(&t.mu)
	go t.pump(in, interrupt)
	return t
}

// pump reads in until it ends, buffering what the command may read.
func (t *ttyStdin) pump(in io.Reader, interrupt func()) {
	p := make([]byte, 4096)
	for {
		n, err := in.Read(p)
		t.mu.Lock()
		for _, b := range p[:n] {
			switch {
			case b == 0x03:
				interrupt()
				t.ended = true
			case t.ended:
			case b == 0x04:
				t.ended = true
			case len(t.buf) < maxTTYInput:
				if b == '\r' {
					b = '\n'
				}
				t.buf = append(t.buf, b)
			}
		}
		if err != nil {
			t.ended = true
		}
		t.cond.Broadcast()
		t.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Read implements io.Reader.
func (t *ttyStdin) Read(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.buf) == 0 && !t.ended {
		t.cond.Wait()
	}
	if len(t.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, t.buf)
	t.buf = t.buf[n:]
	return n, nil
}
