package cli

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

// fetcher performs one lookup; *client.Client is the real one.
type fetcher interface {
	Fetch(ctx context.Context, r client.Request) (*client.Result, error)
}

// lookupOutcome is the answer to one lookup.
type lookupOutcome struct {
	Res *client.Result
	Err error
}

// kind returns the error class of the outcome ("" when it succeeded).
func (o lookupOutcome) kind() string {
	if o.Err == nil {
		return ""
	}
	var ce *client.Error
	if errors.As(o.Err, &ce) {
		return string(ce.Kind)
	}
	var ve *client.ValidationError
	if errors.As(o.Err, &ve) {
		return store.ErrorKindValidation
	}
	return string(client.KindNetwork)
}

// authError returns the outcome's auth failure, or nil.
func (o lookupOutcome) authError() *client.Error {
	var ce *client.Error
	if errors.As(o.Err, &ce) && ce.Kind == client.KindAuth {
		return ce
	}
	return nil
}

// engineOptions tune runLookups.
type engineOptions struct {
	Concurrency int             // requests in flight at most (>= 1)
	Rate        float64         // requests started per second; 0 = unlimited
	Grace       time.Duration   // how long in-flight lookups may finish after ctx is done
	Hurry       <-chan struct{} // closed: cancel in-flight lookups now, grace or not (nil = never)
}

// engineReport says how a run ended.
type engineReport struct {
	Interrupted bool          // ctx was cancelled before every job was attempted
	AuthErr     *client.Error // the first auth failure, which stopped the run
	DoneErr     error         // the first error returned by the done callback, which stopped the run
}

// jobResult is one finished job as the workers report it.
type jobResult struct {
	job       int
	out       lookupOutcome
	attempted bool
}

// runLookups performs jobs with at most o.Concurrency requests in flight and
// at most o.Rate requests started per second. It calls done from the calling
// goroutine, in completion order, for every job that was attempted; jobs that
// were never sent, or were cut off by a stop, are not reported.
//
// When ctx is done no new request is started and in-flight ones get o.Grace
// to finish before they are cancelled. An auth failure, or an error from
// done, stops the run at once: nothing new is sent and in-flight requests are
// cancelled.
func runLookups(ctx context.Context, f fetcher, jobs []client.Request, o engineOptions, done func(job int, out lookupOutcome) error) engineReport {
	dispatchCtx, stopDispatch := context.WithCancel(ctx)
	defer stopDispatch()
	reqCtx, cancelReqs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReqs()
	go cancelAfterGrace(ctx, reqCtx, cancelReqs, o.Grace, o.Hurry)

	stop := func() {
		stopDispatch()
		cancelReqs()
	}
	results := make(chan jobResult, len(jobs))
	go dispatchLookups(dispatchCtx, reqCtx, f, jobs, o, stop, results)

	var rep engineReport
	for r := range results {
		if !r.attempted {
			continue
		}
		if ae := r.out.authError(); ae != nil && rep.AuthErr == nil {
			rep.AuthErr = ae
		}
		if err := done(r.job, r.out); err != nil && rep.DoneErr == nil {
			rep.DoneErr = err
			stop()
		}
	}
	rep.Interrupted = ctx.Err() != nil
	return rep
}

// cancelAfterGrace cancels the requests grace after ctx is done, or as soon
// as hurry is closed, unless they finish first.
func cancelAfterGrace(ctx, reqCtx context.Context, cancel context.CancelFunc, grace time.Duration, hurry <-chan struct{}) {
	select {
	case <-reqCtx.Done():
		return
	case <-ctx.Done():
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-reqCtx.Done():
	case <-t.C:
		cancel()
	case <-hurry:
		cancel()
	}
}

// dispatchLookups starts one goroutine per job, never more than
// o.Concurrency at once, paced by the rate limiter, and closes results when
// every started job has reported.
func dispatchLookups(dispatchCtx, reqCtx context.Context, f fetcher, jobs []client.Request, o engineOptions, stop func(), results chan<- jobResult) {
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
			out := lookupOutcome{Res: res, Err: err}
			if out.authError() != nil {
				stop() // before the slot is freed, so nothing new starts
			}
			<-slots
			results <- jobResult{job: i, out: out, attempted: !cutOff(reqCtx, err)}
		}()
	}
}

// cutOff reports whether err is the cancellation of a stopped run (the
// lookup did not really happen and must not be reported as failed).
func cutOff(reqCtx context.Context, err error) bool {
	if err == nil || reqCtx.Err() == nil {
		return false
	}
	var ce *client.Error
	if errors.As(err, &ce) && ce.Kind == client.KindCancelled {
		return true
	}
	return errors.Is(err, context.Canceled)
}
