package serve

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/aopfetch/aopfetch/client"
)

// Limits are the per-agent and server-wide limits.
type Limits struct {
	LookupsPerMinute int // per agent, all sessions together; default 60
	Burst            int // lookups at once before the rate applies; default 10
	SessionsPerAgent int // open at once; default 4
	Sessions         int // open at once on the server; default 64
}

// Defaults of Limits and Options.
const (
	DefaultLookupsPerMinute = 60
	DefaultBurst            = 10
	DefaultSessionsPerAgent = 4
	DefaultSessions         = 64
	DefaultIdleTimeout      = 30 * time.Minute
)

// positiveOr is v when it is positive, else def.
func positiveOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// KindLimited is the error kind of a lookup refused by the agent's rate
// limit; the CLI exits 4 on it as on other try-again-later failures.
const KindLimited client.Kind = "limited"

// maxLimitWait is the longest a lookup waits for the agent's rate limit;
// beyond it the lookup is refused at once with the time to wait.
const maxLimitWait = 5 * time.Second

// limiter holds every agent's lookup rate and open sessions.
type limiter struct {
	l Limits

	mu       sync.Mutex
	rates    map[string]*rate.Limiter // by Agent.ID, kept for the server's life
	sessions map[string]int           // open sessions by Agent.ID
	total    int
}

// newLimiter applies l, its zero limits filled with the defaults.
func newLimiter(l Limits) *limiter {
	l = Limits{
		LookupsPerMinute: positiveOr(l.LookupsPerMinute, DefaultLookupsPerMinute),
		Burst:            positiveOr(l.Burst, DefaultBurst),
		SessionsPerAgent: positiveOr(l.SessionsPerAgent, DefaultSessionsPerAgent),
		Sessions:         positiveOr(l.Sessions, DefaultSessions),
	}
	return &limiter{l: l, rates: map[string]*rate.Limiter{}, sessions: map[string]int{}}
}

// open takes a session slot for a, or says why there is none.
func (lm *limiter) open(a Agent) (release func(), err error) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	switch {
	case lm.total >= lm.l.Sessions:
		return nil, fmt.Errorf("the server is full (%d sessions open); try again in a few minutes", lm.total)
	case lm.sessions[a.ID] >= lm.l.SessionsPerAgent:
		return nil, fmt.Errorf("%s already has %d sessions open, the most allowed; close one and try again", a.Name, lm.sessions[a.ID])
	}
	lm.total++
	lm.sessions[a.ID]++
	return sync.OnceFunc(func() {
		lm.mu.Lock()
		defer lm.mu.Unlock()
		lm.total--
		if lm.sessions[a.ID]--; lm.sessions[a.ID] <= 0 {
			delete(lm.sessions, a.ID)
		}
	}), nil
}

// rate returns a's lookup limiter.
func (lm *limiter) rate(a Agent) *rate.Limiter {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	r, ok := lm.rates[a.ID]
	if !ok {
		r = rate.NewLimiter(rate.Limit(float64(lm.l.LookupsPerMinute)/60), lm.l.Burst)
		lm.rates[a.ID] = r
	}
	return r
}

// wait lets one lookup of a through: at once, after a short wait, or not
// at all when the wait would be long (a *client.Error of KindLimited).
func (lm *limiter) wait(ctx context.Context, a Agent) error {
	r := lm.rate(a).Reserve()
	d := r.Delay()
	if d == 0 {
		return nil
	}
	if d > maxLimitWait {
		r.Cancel()
		return &client.Error{
			Kind: KindLimited,
			Message: fmt.Sprintf("%s has reached the limit of %d lookups a minute; the next one is possible in %s",
				a.Name, lm.l.LookupsPerMinute, d.Round(time.Second)),
			Hint: "wait a moment and try again; the server's admin sets the limit",
		}
	}
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		r.Cancel()
		return &client.Error{Kind: client.KindCancelled, Message: "cancelled while waiting for the lookup limit", Err: ctx.Err()}
	}
}
