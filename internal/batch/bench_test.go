package batch

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkBatch1000 looks up 1,000 vehicles against a server answering in
// 100 ms, 16 at a time. The ideal is 1000/16 × 100 ms = 6.25 s; the target
// is at most 1.15× that. conns/batch counts the connections the server
// accepted (keep-alive reuse; fewer is better). Run: go test -run x -bench Batch1000 -benchtime 1x ./cli/
func BenchmarkBatch1000(b *testing.B) {
	const (
		n           = 1000
		concurrency = 16
		latency     = 100 * time.Millisecond
	)
	p := newProvider()
	p.delay = func(string) time.Duration { return latency }
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(p)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	h := startBatchHarness(b, srv)
	input := lines(vehicles(n))
	ideal := float64(n) / concurrency * latency.Seconds()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		env := h.env(input)
		env.stderr = io.Discard
		err := env.run(context.Background(), batchOptions{Input: "-", Concurrency: concurrency})
		if err != nil {
			b.Fatalf("batch: %v", err)
		}
	}
	perRun := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(perRun, "s/batch")
	b.ReportMetric(perRun/ideal, "x_ideal")
	b.ReportMetric(float64(conns.Load())/float64(b.N), "conns/batch")
}
