package sandbox

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DefaultAddr is where Start listens when addr is empty: a random loopback port.
const DefaultAddr = "127.0.0.1:0"

// Server timeouts.
const (
	readHeaderTimeout = 5 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownGrace     = 2 * time.Second
)

// Server is a running sandbox on a loopback port.
type Server struct {
	// URL is the base URL to give the client, e.g. "http://127.0.0.1:43121".
	URL string
	// Addr is the address the server listens on, e.g. "127.0.0.1:43121".
	Addr string

	close func() error // Close, once
}

// Start serves the sandbox on 127.0.0.1 at a random port (addr "" ) or addr.
// The server runs until Close.
func Start(addr string, opts Options) (*Server, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background()) // cancels in-flight requests (a waiting VehicleSlow)
	srv := &http.Server{
		Handler:           New(opts),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan error, 1) // Serve's result
	go func() { done <- srv.Serve(ln) }()
	return &Server{
		URL:  "http://" + dialAddr(ln.Addr()),
		Addr: ln.Addr().String(),
		close: sync.OnceValue(func() (err error) {
			cancel()
			ctx, stop := context.WithTimeout(context.Background(), shutdownGrace)
			defer stop()
			if err = srv.Shutdown(ctx); err != nil {
				err = errors.Join(err, srv.Close())
			}
			if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
				err = errors.Join(err, serr)
			}
			return err
		}),
	}, nil
}

// Close stops the server: in-flight requests are cancelled, then connections
// are shut down. It is safe to call more than once.
func (s *Server) Close() error { return s.close() }

// dialAddr is the host:port a client dials to reach a listener: a wildcard
// listen address (0.0.0.0, ::) is reached through 127.0.0.1.
func dialAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	return tcp.String()
}
