package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/aopfetch/aopfetch/client"
)

// Defaults of refresh-all when the caller sets none.
const (
	defaultConcurrency = 4
	maxConcurrency     = 32
)

// poolRefresher is the Refresher used when Options.Refresher is nil: at
// most concurrency lookups in flight, at most rate started per second
// (0: no limit), each under its own timeout.
type poolRefresher struct {
	f           Fetcher
	concurrency int
	rate        float64
	timeout     time.Duration
}

// Refresh implements Refresher. A rejected signature stops the run: every
// other lookup would be rejected too.
func (p poolRefresher) Refresh(ctx context.Context, reqs []client.Request, report func(int, *client.Result, error)) {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	n := min(max(p.concurrency, 1), maxConcurrency)
	if p.concurrency <= 0 {
		n = defaultConcurrency
	}
	var lim *rate.Limiter
	if p.rate > 0 {
		lim = rate.NewLimiter(rate.Limit(p.rate), 1)
	}
	slots := make(chan struct{}, n)
	var wg sync.WaitGroup
	defer wg.Wait()
	for i, req := range reqs {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		if lim != nil && lim.Wait(ctx) != nil || ctx.Err() != nil {
			<-slots
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			rctx, cancel := context.WithTimeout(ctx, p.timeout)
			defer cancel()
			res, err := p.f.Fetch(rctx, req)
			var ce *client.Error
			if errors.As(err, &ce) && ce.Kind == client.KindAuth {
				stop() // before the slot is freed, so nothing new starts
			}
			report(i, res, err)
		}()
	}
}
