// Package batch is the lookup engine behind `aopfetch batch`, `aopfetch
// fetch` with several vehicles and the TUI's refresh-all: a worker pool
// with a rate limit and a grace period on cancellation (Run), and on top
// of it the file batch (input rows, duplicate vehicles, resume, ordered CSV
// or JSONL output, saving as it goes, progress and summary: Prepare, Plan).
//
// It knows the client and the store, never the CLI, the TUI or the config:
// callers pass plain values and functions.
package batch

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

// Fetcher performs one lookup; *client.Client is the real one.
type Fetcher interface {
	Fetch(ctx context.Context, r client.Request) (*client.Result, error)
}

// Options tune Run.
type Options struct {
	Concurrency int             // lookups in flight at most (< 1 means 1)
	Rate        float64         // lookups started per second at most; 0 = no limit
	Grace       time.Duration   // how long lookups in flight may finish once ctx is done (0: cancelled at once)
	Hurry       <-chan struct{} // closed: cancel the lookups in flight now, grace or not (nil = never)
	// KeepGoingAfterAuth goes on after an authentication failure (fetch
	// reports every vehicle); by default it stops the run, since every
	// other lookup would fail the same way.
	KeepGoingAfterAuth bool
}

// Result is the answer to one job.
type Result struct {
	Job int            // the index of the job in Run's jobs
	Req client.Request // the job
	Res *client.Result
	Err error
}

// Kind is the error class of the result: "" when it succeeded, else the
// kind store.FailureOf records it with (in history and JSONL rows too).
func (r Result) Kind() string {
	if r.Err == nil {
		return ""
	}
	kind, _ := store.FailureOf(r.Err)
	return kind
}

// authError returns the result's auth failure, or nil.
func (r Result) authError() *client.Error {
	if ce, ok := errors.AsType[*client.Error](r.Err); ok && ce.Kind == client.KindAuth {
		return ce
	}
	return nil
}

// Report says how a run ended.
type Report struct {
	Interrupted bool          // ctx was done before every job was answered
	Auth        *client.Error // the first authentication failure (which stopped the run, unless KeepGoingAfterAuth)
	Err         error         // the first error each returned, which stopped the run
}

// Run looks jobs up, at most o.Concurrency in flight and o.Rate started
// per second, and calls each on the calling goroutine, one at a time, for
// every answered job as it arrives (in completion order; with one worker,
// in job order). A caller that must not block, such as a Bubble Tea
// program, runs Run in a tea.Cmd and sends each Result on as a message.
// Jobs never sent, or cut off by a stop, are not reported.
//
// When ctx is done (ctrl+c, esc) nothing new is sent, and the lookups in
// flight get o.Grace to finish (or until Hurry is closed) before they are
// cancelled. An authentication failure (unless o.KeepGoingAfterAuth) or an
// error returned by each stops the run at once, cancelling the lookups in
// flight.
func Run(ctx context.Context, f Fetcher, jobs []client.Request, o Options, each func(Result) error) Report {
	dispatchCtx, stopDispatch := context.WithCancel(ctx)
	defer stopDispatch()
	reqCtx, cancelReqs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReqs()
	stopGrace := context.AfterFunc(ctx, func() {
		select {
		case <-reqCtx.Done():
		case <-time.After(o.Grace):
		case <-o.Hurry:
		}
		cancelReqs()
	})
	defer stopGrace()

	stop := func() {
		stopDispatch()
		cancelReqs()
	}
	results := make(chan Result, len(jobs))
	go dispatch(dispatchCtx, reqCtx, f, jobs, o, stop, results)

	var rep Report
	for r := range results {
		if ae := r.authError(); ae != nil && rep.Auth == nil {
			rep.Auth = ae
		}
		if err := each(r); err != nil && rep.Err == nil {
			rep.Err = err
			stop()
		}
	}
	rep.Interrupted = ctx.Err() != nil
	return rep
}

// dispatch starts one goroutine per job, never more than o.Concurrency at
// once, paced by the rate limiter, and closes results when every started
// job has reported.
func dispatch(dispatchCtx, reqCtx context.Context, f Fetcher, jobs []client.Request, o Options, stop func(), results chan<- Result) {
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		close(results)
	}()
	var lim *rate.Limiter
	if o.Rate > 0 {
		lim = rate.NewLimiter(rate.Limit(o.Rate), 1)
	}
	slots := make(chan struct{}, max(1, o.Concurrency))
	for i := range jobs {
		select {
		case slots <- struct{}{}:
		case <-dispatchCtx.Done():
			return
		}
		if lim != nil && lim.Wait(dispatchCtx) != nil || dispatchCtx.Err() != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.Fetch(reqCtx, jobs[i])
			r := Result{Job: i, Req: jobs[i], Res: res, Err: err}
			if !o.KeepGoingAfterAuth && r.authError() != nil {
				stop() // before the slot is freed, so nothing new starts
			}
			// The result goes out before the slot is freed: with one
			// worker the answers arrive in the order of the jobs.
			if !cutOff(reqCtx, err) {
				results <- r
			}
			<-slots
		}()
	}
}

// cutOff reports whether err is the cancellation of a stopped run (the
// lookup did not really happen and must not be reported as failed).
func cutOff(reqCtx context.Context, err error) bool {
	if err == nil || reqCtx.Err() == nil {
		return false
	}
	ce, ok := errors.AsType[*client.Error](err)
	return ok && ce.Kind == client.KindCancelled || errors.Is(err, context.Canceled)
}
