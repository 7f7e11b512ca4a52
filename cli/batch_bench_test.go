package cli

import (
	"context"
	"io"
	"testing"
	"time"
)

// BenchmarkBatch1000 looks up 1,000 vehicles against a server answering in
// 100 ms, 16 at a time. The ideal is 1000/16 × 100 ms = 6.25 s; the target
// is at most 1.15× that. Run: go test -run x -bench Batch1000 -benchtime 1x ./cli/
func BenchmarkBatch1000(b *testing.B) {
	const (
		n           = 1000
		concurrency = 16
		latency     = 100 * time.Millisecond
	)
	p := newProvider()
	p.delay = func(string) time.Duration { return latency }
	h := newBatchHarness(b, p)
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
}
