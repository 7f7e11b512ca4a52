package serve

import (
	"context"
	"errors"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

// maxAuditVehicle caps the vehicle text of an audit record.
const maxAuditVehicle = 32

// Fetch implements ui.Fetcher for the session: the server's fetcher behind
// the agent's rate limit, every lookup written to the audit log. A lookup is
// activity: it keeps the session from idling out.
func (ss *session) Fetch(ctx context.Context, r client.Request) (*client.Result, error) {
	ss.idle.touch()
	if err := ss.s.audit.ready(); err != nil {
		return nil, auditPaused(err)
	}
	start := ss.s.opts.Now()
	var res *client.Result
	err := ss.s.limits.wait(ctx, ss.agent)
	if err == nil {
		ss.lookups.Add(1)
		res, err = ss.s.opts.Fetcher.Fetch(ctx, r)
	}
	ss.idle.touch()
	if werr := ss.s.audit.write(ss.record(r, err, start)); werr != nil {
		// No answer reaches the agent without its audit line on disk.
		ss.s.log.Error("audit log write failed; lookups pause until it works", "err", werr)
		return nil, auditPaused(werr)
	}
	return res, forAgent(err)
}

// auditPaused is the failure of a lookup refused because the audit log
// cannot be written.
func auditPaused(err error) error {
	return &client.Error{Kind: KindLimited, Message: "lookups are paused: " + errAuditDown.Error(), Hint: "tell the server's admin", Err: err}
}

// forAgent rewords the hint of a failure only the server's admin can fix
// (its credentials, its network): the agent has no config or proxy to
// check.
func forAgent(err error) error {
	ce, ok := errors.AsType[*client.Error](err)
	if !ok {
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
func (ss *session) record(r client.Request, err error, start time.Time) AuditRecord {
	return AuditRecord{
		Time:        start.UTC(),
		Agent:       ss.agent.Name,
		Fingerprint: ss.agent.Fingerprint,
		Remote:      ss.sess.RemoteAddr().String(),
		Session:     ss.id,
		Vehicle:     auditVehicle(r.CANumber),
		Operator:    r.Operator,
		Outcome:     outcomeOf(err),
		LatencyMS:   float64(ss.s.opts.Now().Sub(start).Microseconds()) / 1000,
	}
}

// outcomeOf is the audit outcome of a lookup's error.
func outcomeOf(err error) string {
	if err == nil {
		return "ok"
	}
	if ce, ok := errors.AsType[*client.Error](err); ok && ce.Kind == KindLimited {
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
