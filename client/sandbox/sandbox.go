// Package sandbox is an in-process fake of the Fetch Consumer Details API with
// deterministic scenarios, used by --demo, `aopfetch sandbox` and tests.
//
// The handler answers only POST client.EndpointPath, validates the request
// body the way a strict server would, and then picks a scenario by the
// vehicle number as client.NormalizeVehicle normalises it (see Scenarios). Every other valid vehicle number gets a
// stable generated consumer, so any input works and repeat lookups agree.
package sandbox

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// MaxRequestBytes is the largest request body accepted; larger bodies get 413.
const MaxRequestBytes = 64 << 10

// DefaultSlowDelay is how long VehicleSlow waits when Options.SlowDelay is zero.
const DefaultSlowDelay = 5 * time.Second

// Options configures the handler. The zero value is ready for tests: no
// latency, a 5 s VehicleSlow and the wall clock.
type Options struct {
	MinLatency, MaxLatency time.Duration    // random extra latency per request; zero = none
	SlowDelay              time.Duration    // delay of VehicleSlow, default 5 s
	Now                    func() time.Time // "today" for due dates; nil = time.Now
}

// DefaultDemoOptions returns the options --demo uses: 100–400 ms of latency
// per request, the default slow delay and the wall clock.
func DefaultDemoOptions() Options {
	return Options{
		MinLatency: 100 * time.Millisecond,
		MaxLatency: 400 * time.Millisecond,
		SlowDelay:  DefaultSlowDelay,
		Now:        time.Now,
	}
}

// handler is the sandbox http.Handler; safe for concurrent use.
type handler struct {
	opts                Options
	first, middle, last []string // the name lists generated consumers draw from

	mu  sync.Mutex // guards rng
	rng *rand.Rand // latency jitter only; scenarios never use it
}

// New returns the sandbox handler.
func New(opts Options) http.Handler {
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = DefaultSlowDelay
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &handler{
		opts:   opts,
		first:  strings.Fields(firstNameList),
		middle: strings.Fields(middleNameList),
		last:   strings.Fields(lastNameList),
		rng:    rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
}

// ServeHTTP routes, validates the request, waits the configured latency and
// answers the scenario of the vehicle number.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != client.EndpointPath {
		writeError(w, http.StatusNotFound, "no such endpoint; use POST "+client.EndpointPath)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method not allowed; use POST")
		return
	}
	canumber, status, msg := readRequest(w, r)
	if status != 0 {
		writeError(w, status, msg)
		return
	}
	wait(r.Context(), h.latency())
	h.answer(r.Context(), w, canumber)
}

// latency draws this request's extra delay from [MinLatency, MaxLatency].
func (h *handler) latency() time.Duration {
	hi := h.opts.MaxLatency
	if hi <= 0 {
		return 0
	}
	lo := min(max(h.opts.MinLatency, 0), hi)
	h.mu.Lock()
	defer h.mu.Unlock()
	return lo + time.Duration(h.rng.Int64N(int64(hi-lo)+1))
}

// wait waits d, or ends the request without an answer once ctx is done (the
// client left, or the server is closing): the connection is dropped instead
// of sending an empty 200.
func wait(ctx context.Context, d time.Duration) {
	if d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
	}
	if ctx.Err() != nil {
		panic(http.ErrAbortHandler)
	}
}
