package serve

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
	"github.com/aopfetch/aopfetch/ui"
)

// maxAuditVehicle caps the vehicle text of an audit record.
const maxAuditVehicle = 32

// sessionFetcher is the fetcher a session gets: the server's behind the
// agent's rate limit, every lookup written to the audit log.
type sessionFetcher struct {
	inner   ui.Fetcher
	limits  *limiter
	audit   *auditLog
	onAudit func(error) // reports a failed audit write
	now     func() time.Time
	touch   func() // a lookup is activity: it keeps the session from idling out

	agent   Agent
	remote  string
	session string

	lookups atomic.Int64
}

// Fetch implements ui.Fetcher.
func (f *sessionFetcher) Fetch(ctx context.Context, r client.Request) (*client.Result, error) {
	f.touch()
	if err := f.audit.ready(); err != nil {
		return nil, &client.Error{Kind: KindLimited, Message: "lookups are paused: " + err.Error(), Hint: "tell the server's admin", Err: err}
	}
	start := f.now()
	var res *client.Result
	err := f.limits.wait(ctx, f.agent)
	if err == nil {
		f.lookups.Add(1)
		res, err = f.inner.Fetch(ctx, r)
	}
	if werr := f.audit.write(f.record(r, err, start)); werr != nil {
		f.onAudit(werr)
	}
	f.touch()
	return res, forAgent(err)
}

// forAgent rewords the hint of a failure only the server's admin can fix
// (its credentials, its network): the agent has no config or proxy to
// check.
func forAgent(err error) error {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return err
	}
	c := *ce
	switch ce.Kind {
	case client.KindAuth:
		c.Hint = "the provider refused this server's credentials; tell whoever runs aopfetch serve on this box"
	case client.KindNetwork, client.KindTimeout:
		c.Hint = "the server could not reach the provider; try again in a minute, and tell the server's admin if it goes on"
	default:
		return err
	}
	return &c
}

// record is the audit line of one lookup.
func (f *sessionFetcher) record(r client.Request, err error, start time.Time) AuditRecord {
	return AuditRecord{
		Time:        start.UTC(),
		Agent:       f.agent.Name,
		Fingerprint: f.agent.Fingerprint,
		Remote:      f.remote,
		Session:     f.session,
		Vehicle:     auditVehicle(r.CANumber),
		Operator:    r.Operator,
		Outcome:     outcomeOf(err),
		LatencyMS:   float64(f.now().Sub(start).Microseconds()) / 1000,
	}
}

// outcomeOf is the audit outcome of a lookup's error.
func outcomeOf(err error) string {
	if err == nil {
		return "ok"
	}
	var ce *client.Error
	if errors.As(err, &ce) && ce.Kind == KindLimited {
		return string(KindLimited)
	}
	kind, _ := store.FailureOf(err)
	return kind
}

// auditVehicle is the vehicle as the provider would get it, or as typed
// when it is not valid, sanitised and capped.
func auditVehicle(raw string) string {
	if n, _, err := client.NormalizeVehicle(raw); err == nil {
		return n
	}
	return shortText(raw, maxAuditVehicle)
}
