package batch

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aopfetch/aopfetch/store"
)

// Store is the part of the store a batch writes to (*store.Store).
type Store interface {
	Import(accts []store.Account) (store.ImportReport, error)
	RecordLookups(ls ...store.Lookup) error
}

// Env is what a file batch uses from the outside world.
type Env struct {
	Fetcher Fetcher
	Options // concurrency, rate, grace and hurry of the lookups

	// Store opens the store at the first write; nil: nothing is written.
	Store func() (Store, error)
	// Save adds or refreshes each successful vehicle as a saved account,
	// History records every lookup. Both are written as the run goes, every
	// SaveRows answers or SaveEvery, whichever comes first (0: 50 and 1 s),
	// so a run that is killed keeps what it saved.
	Save, History bool
	SaveRows      int
	SaveEvery     time.Duration

	// Progress shows the run's progress until the stop it returns is
	// called (nil: none).
	Progress func(*Counter) (stop func())
	// OnStop is called once when ctx is done, as the run starts winding
	// down (the CLI arms its second ctrl+c there).
	OnStop func()
}

// Run looks up the plan's vehicles, writes their rows to out in input
// order as they finish, saves as it goes and returns the summary. When
// resuming with Save, the rows kept from the earlier run are saved too.
func (p *Plan) Run(ctx context.Context, out *Output, e Env) *Summary {
	sum := &Summary{Rows: len(p.spec.Rows), Invalid: p.spec.Invalid, Resumed: p.resumed, Output: p.spec.Output, Lookups: len(p.jobs)}
	sv := e.startSaver()
	sv.add(nil, p.keptAccounts()...) // dropped unless e.Save
	counter := newCounter(len(p.jobs))
	stopWatch := context.AfterFunc(ctx, func() {
		counter.setStopping()
		if e.OnStop != nil {
			e.OnStop()
		}
	})
	defer stopWatch()
	stopProgress := func() {}
	if e.Progress != nil {
		stopProgress = e.Progress(counter)
	}
	written := 0
	rows := out.inOrder(p.rows, &written)
	// Jobs are counted in the summary and saved in input order, whatever
	// order their answers came in: new accounts are saved in the order of
	// the input, each with its lookup in the same write (which counts it as
	// the account's first use).
	saves := newInOrder(len(p.jobs), func(_ int, ps pendingSave) error {
		sum.record(ps.result)
		sv.add(&ps.lookup, ps.accts...)
		return nil
	})
	start := time.Now()
	rep := Run(ctx, e.Fetcher, p.jobs, e.Options, func(r Result) error {
		counter.add(r.Err == nil)
		ps := pendingSave{result: r, lookup: store.NewLookup(r.Req, r.Res, r.Err, time.Now())}
		if r.Err == nil && r.Res != nil {
			ps.accts = []store.Account{p.account(r.Job, r.Res)}
		}
		saves.add(r.Job, ps)
		_ = saves.flush(false)
		for _, i := range p.rowsOf[r.Job] {
			rows.add(i, r)
		}
		return rows.flush(false)
	})
	_ = saves.flush(true)
	// After a stop, rows never looked up are left out: --resume picks them up.
	werr := cmp.Or(rep.Err, rows.flush(true), out.Close())
	stopProgress()
	sum.Elapsed, sum.Written, sum.WriteErr = time.Since(start), written, werr
	sum.Interrupted, sum.Auth = rep.Interrupted, rep.Auth
	sum.Notes = sv.close()
	return sum
}

// pendingSave is a finished job: its result, lookup and saved account
// (none when it failed).
type pendingSave struct {
	result Result
	lookup store.Lookup
	accts  []store.Account
}

// inOrder hands finished items on in index order, holding back those
// whose predecessors are still unfinished.
type inOrder[T any] struct {
	done []*T
	next int
	hand func(i int, v T) error
}

func newInOrder[T any](n int, hand func(i int, v T) error) *inOrder[T] {
	return &inOrder[T]{done: make([]*T, n), hand: hand}
}

// add records item i as finished.
func (o *inOrder[T]) add(i int, v T) { o.done[i] = &v }

// flush hands on every item now in order, and with all also those held
// back by unfinished ones; after an error in hand, the item is tried again
// by the next flush.
func (o *inOrder[T]) flush(all bool) error {
	for ; o.next < len(o.done); o.next++ {
		v := o.done[o.next]
		if v == nil {
			if !all {
				return nil
			}
			continue
		}
		if err := o.hand(o.next, *v); err != nil {
			return err
		}
		o.done[o.next] = nil // handed on: free it
	}
	return nil
}

// saver writes lookups and saved accounts to the store in batches, from
// its own goroutine, so a slow store never holds the rows up.
type saver struct {
	env     Env
	kick    chan struct{} // a batch is full
	quit    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	lookups []store.Lookup
	accts   []store.Account

	// Only the saver's goroutine touches these (and close, after it ended).
	st               Store
	added, updated   int
	saves            bool   // an Import succeeded
	storeErr, accErr string // the first failure of each kind
	histErr          string
}

// startSaver starts the saver of e (one that drops everything when e
// writes nothing).
func (e Env) startSaver() *saver {
	s := &saver{env: e, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	if s.env.SaveRows <= 0 {
		s.env.SaveRows = 50
	}
	if s.env.SaveEvery <= 0 {
		s.env.SaveEvery = time.Second
	}
	if e.Store == nil {
		s.env.Save, s.env.History = false, false
	}
	if !s.env.Save && !s.env.History {
		close(s.done)
		return s
	}
	go s.loop()
	return s
}

// add queues a lookup (nil: none) and accounts, as Env says to write them.
func (s *saver) add(l *store.Lookup, accts ...store.Account) {
	s.mu.Lock()
	if l != nil && s.env.History {
		s.lookups = append(s.lookups, *l)
	}
	if s.env.Save {
		s.accts = append(s.accts, accts...)
	}
	full := len(s.lookups) >= s.env.SaveRows || len(s.accts) >= s.env.SaveRows
	s.mu.Unlock()
	if full {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

func (s *saver) loop() {
	defer close(s.done)
	t := time.NewTicker(s.env.SaveEvery)
	defer t.Stop()
	for {
		select {
		case <-s.kick:
		case <-t.C:
		case <-s.quit:
			s.flush()
			return
		}
		s.flush()
	}
}

// flush writes what is queued: the accounts first, then the lookups (which
// refresh the accounts they match).
func (s *saver) flush() {
	s.mu.Lock()
	ls, accts := s.lookups, s.accts
	s.lookups, s.accts = nil, nil
	s.mu.Unlock()
	if len(ls) == 0 && len(accts) == 0 {
		return
	}
	if s.st == nil {
		st, err := s.env.Store()
		if err != nil {
			s.storeErr = cmp.Or(s.storeErr, err.Error())
			return
		}
		s.st = st
	}
	if len(accts) > 0 {
		if r, err := s.st.Import(accts); err != nil {
			s.accErr = cmp.Or(s.accErr, err.Error())
		} else {
			s.saves = true
			s.added += r.Added
			s.updated += r.Updated
		}
	}
	if len(ls) > 0 {
		if err := s.st.RecordLookups(ls...); err != nil {
			s.histErr = cmp.Or(s.histErr, err.Error())
		}
	}
}

// close writes what is still queued and returns the notes of the summary.
func (s *saver) close() []string {
	close(s.quit)
	<-s.done
	var notes []string
	if s.storeErr != "" {
		notes = append(notes, "store not updated: "+s.storeErr)
	}
	if s.saves {
		notes = append(notes, fmt.Sprintf("saved accounts: %d added, %d updated", s.added, s.updated))
	}
	if s.accErr != "" {
		notes = append(notes, "saved accounts not updated: "+s.accErr)
	}
	if s.histErr != "" {
		notes = append(notes, "history not recorded: "+s.histErr)
	}
	return notes
}
