package client_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
)

var benchRequest = client.Request{Operator: 311, CANumber: sandbox.VehicleSuccess, RegistrationID: "AOP-554"}

// startSandbox serves the sandbox handler (no latency) and counts the
// connections it accepts.
func startSandbox(b *testing.B) (*httptest.Server, *atomic.Int64) {
	b.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(sandbox.New(sandbox.Options{}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	b.Cleanup(srv.Close)
	return srv, &conns
}

// fetchInALoop looks up benchRequest against the sandbox b.N times, with
// one client, and returns how many connections the sandbox accepted.
func fetchInALoop(b *testing.B) int64 {
	srv, conns := startSandbox(b)
	c, err := client.New(client.Options{BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Fetch(ctx, benchRequest); err != nil {
			b.Fatal(err)
		}
	}
	return conns.Load()
}

// BenchmarkFetch is one lookup of the doc's example against the sandbox.
func BenchmarkFetch(b *testing.B) {
	fetchInALoop(b)
}

// BenchmarkFetchConnectionReuse shows that every lookup of one process
// shares one keep-alive connection: the "conns" metric must be 1.
func BenchmarkFetchConnectionReuse(b *testing.B) {
	b.ReportMetric(float64(fetchInALoop(b)), "conns")
}
