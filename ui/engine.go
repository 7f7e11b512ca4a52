package ui

import (
	"context"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/batch"
)

// engineRefresher is the Refresher used when Options.Refresher is nil: the
// batch engine (the one behind `aopfetch batch`), at most concurrency
// lookups in flight and rate started per second (0: no limit). Stopping
// (esc) cancels the lookups in flight at once, and a rejected signature
// stops the run, as in batch.
type engineRefresher struct {
	f           Fetcher
	concurrency int
	rate        float64
}

// newEngineRefresher paces f as configured; concurrency 0 is the default.
func newEngineRefresher(f Fetcher, concurrency int, rate float64) engineRefresher {
	if concurrency <= 0 {
		concurrency = client.DefaultConcurrency
	}
	return engineRefresher{f: f, concurrency: min(concurrency, client.MaxConcurrency), rate: max(rate, 0)}
}

// Refresh implements Refresher.
func (e engineRefresher) Refresh(ctx context.Context, reqs []client.Request, report func(int, *client.Result, error)) {
	batch.Run(ctx, e.f, reqs, batch.Options{Concurrency: e.concurrency, Rate: e.rate}, func(r batch.Result) error {
		report(r.Job, r.Res, r.Err)
		return nil
	})
}
