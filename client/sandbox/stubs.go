// Package sandbox is an in-process fake of the Fetch Consumer Details API with
// deterministic scenarios, used by --demo, `aopfetch sandbox` and tests.
package sandbox

// CONTRACT STUBS: the sandbox helper replaces these with a real
// implementation and deletes this file.

import (
	"net/http"
	"time"
)

// Scenario vehicle numbers.
const (
	VehicleSuccess  = "DL12CB4685" // the doc's 200 example
	VehicleAuth     = "DL01AA0401" // 401 "Signature verification failed"
	VehicleNotFound = "DL01AA0404" // status false, vehicle not found
	VehicleOverdue  = "DL01AA0001" // overdue bill
	VehicleDueSoon  = "DL01AA0007" // due in a few days, no part payment
	VehicleSlow     = "DL01AA5000" // answers after 5 s
	VehicleUpstream = "DL01AA0502" // 502 HTML page
)

// Scenario describes one fixed behaviour for docs and the demo notice.
type Scenario struct {
	Vehicle     string
	Description string
}

// Scenarios lists the fixed scenarios in display order.
func Scenarios() []Scenario { panic("stub") }

// Options configures the handler.
type Options struct {
	MinLatency, MaxLatency time.Duration // random extra latency per request; zero = none
	SlowDelay              time.Duration // delay of VehicleSlow, default 5 s
	Now                    func() time.Time
}

// New returns the sandbox handler.
func New(opts Options) http.Handler { panic("stub") }

// Server is a running sandbox on a loopback port.
type Server struct {
	URL string
}

// Start serves the sandbox on 127.0.0.1 at a random port (addr "" ) or addr.
func Start(addr string, opts Options) (*Server, error) { panic("stub") }

// Close stops the server.
func (s *Server) Close() error { panic("stub") }
