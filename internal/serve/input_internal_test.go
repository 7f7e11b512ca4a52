package serve

import (
	"errors"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// TestSessionInputQueryTimeout: a read that gives up (the terminal did not
// answer) loses nothing typed afterwards; the end of the input is EOF.
func TestSessionInputQueryTimeout(t *testing.T) {
	r, w := io.Pipe()
	var touched atomic.Int32
	ended := make(chan struct{})
	in := newSessionInput(r, func() { touched.Add(1) }, func() { close(ended) })
	buf := make([]byte, 16)
	if _, err := in.readWithin(buf, 50*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("readWithin on silence: %v", err)
	}
	go w.Write([]byte("dl12"))
	n, err := in.Read(buf)
	if err != nil || string(buf[:n]) != "dl12" || touched.Load() != 1 {
		t.Fatalf("Read: %q %v (touched %d)", buf[:n], err, touched.Load())
	}
	w.Close()
	if _, err := in.Read(buf); err != io.EOF {
		t.Fatalf("after the end: %v", err)
	}
	<-ended
}

// TestTTYStdin: with a terminal, Enter is a newline, ctrl+d ends the input
// and ctrl+c interrupts even when nothing reads.
func TestTTYStdin(t *testing.T) {
	r, w := io.Pipe()
	interrupted := make(chan struct{})
	in := newTTYStdin(r, func() { close(interrupted) })
	w.Write([]byte("a,b\r"))
	w.Write([]byte("c\x04ignored"))
	data, err := io.ReadAll(in)
	if err != nil || string(data) != "a,b\nc" {
		t.Fatalf("ReadAll: %q %v", data, err)
	}
	w.Write([]byte("\x03"))
	select {
	case <-interrupted:
	case <-time.After(5 * time.Second):
		t.Fatal("ctrl+c after the end of the input did not interrupt")
	}
	w.Close()
}
