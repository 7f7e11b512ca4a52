package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/adrg/xdg"
	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/safefile"
)

// SchemaVersion is the store schema this build writes.
const SchemaVersion = 2

// DefaultLockTimeout is how long a mutation waits for the cross-process lock
// when Options.LockTimeout is zero.
const DefaultLockTimeout = 5 * time.Second

// Snapshot is the last successful result of a lookup.
type Snapshot struct {
	Consumer  client.Consumer `json:"consumer"`
	FetchedAt time.Time       `json:"fetched_at"`
}

// Account is a saved account.
type Account struct {
	ID             string    `json:"id"`
	Label          string    `json:"label"`
	Operator       int       `json:"operator"` // 0 = the configured default operator
	CANumber       string    `json:"canumber"` // normalised vehicle number; the account's key
	RegistrationID string    `json:"registration_id"`
	Note           string    `json:"note"`
	CreatedAt      time.Time `json:"created_at"`
	LastUsedAt     time.Time `json:"last_used_at"`
	UseCount       int       `json:"use_count"`
	Position       int       `json:"position"`
	Last           *Snapshot `json:"last,omitempty"`
}

// Lookup is one recent lookup.
type Lookup struct {
	Operator       int       `json:"operator"`
	CANumber       string    `json:"canumber"`
	RegistrationID string    `json:"registration_id"`
	At             time.Time `json:"at"`
	OK             bool      `json:"ok"`
	ErrorKind      string    `json:"error_kind,omitempty"`
	ErrorMessage   string    `json:"error_message,omitempty"`
	Snapshot       *Snapshot `json:"snapshot,omitempty"`
}

// Data is the store's content: the saved accounts, each with its last
// result and use, and the recent lookups.
type Data struct {
	Version  int       `json:"version"`
	Accounts []Account `json:"accounts"` // sorted by Position, positions 0..n-1
	Recent   []Lookup  `json:"recent"`   // newest first
}

// Options configures Open.
type Options struct {
	HistoryLimit int              // cap of Recent; 0 = record no history
	LockTimeout  time.Duration    // default DefaultLockTimeout
	Now          func() time.Time // clock for created_at and lookups without a time; default time.Now
	// Deferred opens without reading anything: the files are read when
	// first needed, and RecordLookups alone reads none of them (a one-shot
	// lookup). Notices then appear once the files are read.
	Deferred bool
}

// Store is a handle on the store's files. Safe for concurrent use.
type Store struct {
	path    string // the accounts file
	history string // the history file beside it

	opts Options

	mu     sync.Mutex
	loaded bool // whether disk has been read
	disk   disk // the files' content as last read or written
	// base is disk's view; data is base with the pending changes. Installed
	// Data values are never changed in place.
	base     Data
	data     Data
	notices  []string
	readOnly atomic.Bool // read without mu: the UI asks while drawing, and mu is held through whole writes
	// pending are changes whose write failed, replayed by the next write:
	// account changes, and lookups not yet in the history file.
	pending        []func(*Data) error
	pendingLookups []entry
	// upgradeErr is why the store of the old layout could not be upgraded
	// (nil when it was, or needed none): until it is, nothing is written.
	upgradeErr error
}

// DefaultPath is $XDG_DATA_HOME/aopfetch/store.json.
func DefaultPath() (string, error) {
	if xdg.DataHome == "" {
		return "", errors.New("cannot locate the data directory: set XDG_DATA_HOME or HOME")
	}
	return filepath.Join(xdg.DataHome, "aopfetch", "store.json"), nil
}

// Open reads the store at path (unless o.Deferred). Problems it recovered
// from (corrupt file moved aside, permissions tightened, newer schema opened
// read-only) are reported by Notices, not as errors. Open does not create
// any file or directory; the first mutation does. A store of an older
// layout is upgraded in place when first read.
func Open(path string, o Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("store path is empty")
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	o.HistoryLimit = max(o.HistoryLimit, 0)
	if o.Now == nil {
		o.Now = time.Now
	}
	target := filepath.Clean(linkTarget(path)) // write through a symlinked store, do not replace the link
	for _, p := range []string{path, target} {
		if err := safefile.CheckPath(p); err != nil {
			return nil, err
		}
	}
	path = target
	s := &Store{path: path, history: historyPath(path), opts: o, data: emptyData()}
	s.tightenDefaultDir()
	s.tighten(s.path, safefile.FileMode)
	s.tighten(s.history, safefile.FileMode)
	s.removeStaleTemps()
	if !o.Deferred {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// linkTarget returns the file path leads to through symbolic links, even
// one not created yet (a link made ready before the first write); path
// itself when it is no link or the links loop.
func linkTarget(path string) string {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		return target
	}
	p := path
	for range 40 { // as many links as Linux follows
		dest, err := os.Readlink(p)
		if err != nil {
			return p // not a link: the missing target, or path itself
		}
		if !filepath.IsAbs(dest) {
			dir := filepath.Dir(p)
			if real, err := filepath.EvalSymlinks(dir); err == nil {
				dir = real // ".." in dest is taken from where the link really is
			}
			dest = filepath.Join(dir, dest)
		}
		p = dest
	}
	return path
}

// Path returns the accounts file path (the store's name everywhere).
func (s *Store) Path() string { return s.path }

// HistoryPath returns the path of the history file beside the store.
func (s *Store) HistoryPath() string { return s.history }

// LockPath returns the path of the lock file beside the store.
func (s *Store) LockPath() string { return s.path + ".lock" }

// Data returns a deep copy of the last state read or written, including
// changes whose write failed and that are still pending (see Pending).
func (s *Store) Data() Data {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	return s.data.Clone()
}

// Notices returns one-line notices about recovered problems.
func (s *Store) Notices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notices)
}

// ReadOnly reports whether writes are refused (newer schema version).
// It never waits for a write in progress.
func (s *Store) ReadOnly() bool { return s.readOnly.Load() }

// Pending returns the number of changes held only in memory because writing
// them failed. They are written with the next successful Update.
func (s *Store) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.pending)
	if len(s.pendingLookups) > 0 {
		n++
	}
	return n
}

// Flush retries writing the pending changes; it is a no-op without any.
func (s *Store) Flush() error {
	if s.Pending() == 0 {
		return nil
	}
	_, err := s.Update(func(*Data) error { return nil })
	return err
}

// ReloadIfChanged re-reads the files when their identity, mtime or size
// changed since they were last read or written (the history file from
// where it was last read). Pending changes are re-applied on top.
func (s *Store) ReloadIfChanged() (Data, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		err := s.load()
		return s.data.Clone(), err == nil, err
	}
	changed, err := s.changed()
	if err != nil || !changed {
		return s.data.Clone(), false, err
	}
	if err := s.load(); err != nil {
		return s.data.Clone(), false, err
	}
	return s.data.Clone(), true, nil
}

// changed reports whether a file differs from what was last read: its
// FileInfo, or (a new file may take an old one's inode, size and coarse
// mtime) the generation in its first line.
func (s *Store) changed() (bool, error) {
	for _, f := range []struct {
		path, gen, was string
		info           os.FileInfo
	}{{s.path, accountsGen(s.path), s.disk.gen, s.disk.accInfo}, {s.history, journalGen(s.history), s.disk.j.header.Gen, s.disk.j.info}} {
		info, err := os.Stat(f.path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return false, fmt.Errorf("check store %s: %w", f.path, err)
		}
		if !sameFile(f.info, info) || f.gen != f.was {
			return true, nil
		}
	}
	return false, nil
}

// Update applies fn under the cross-process lock to the freshly re-read
// store and writes what changed: the accounts file (atomically) when an
// account's own fields or the order changed, else the history file
// (appended, or compacted when fn changed the history). It returns the new
// state.
//
// If fn returns an error nothing is written and that error is returned; a
// read-only store is an error too. If locking, reading or writing fails,
// the files are left as they were and a *PendingError says why; the change
// is kept in memory (see Pending) and re-applied to the then current state
// by the next Update or Flush. fn may therefore run more than once: it must
// only change the *Data it is given, never variables it captured.
func (s *Store) Update(fn func(*Data) error) (Data, error) {
	d, err := s.update(fn, fn, nil)
	return d.Clone(), err
}

// mutate is Update for this package's helpers: the result is shared with
// the store, to be read and never changed.
func (s *Store) mutate(fn func(*Data) error) (Data, error) { return s.update(fn, fn, nil) }

// update is mutate with a separate replay function for pending changes (so
// that fn may record results in captured variables while replay does not),
// and with lookups to add to the history.
func (s *Store) update(fn, replay func(*Data) error, lookups []entry) (Data, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	if s.readOnly.Load() {
		return s.data, s.readOnlyError()
	}
	d, err := s.commit(fn, lookups)
	var fe *fnError
	var we *writeError
	switch {
	case err == nil:
		return d, nil
	case errors.As(err, &fe):
		return s.data, fe.err
	case s.readOnly.Load():
		return s.data, err
	case errors.As(err, &we):
		s.data = d
	default:
		next, ferr := s.attempt(fn, lookups)
		if errors.Is(ferr, errUnchanged) {
			return s.data, err
		} else if ferr != nil {
			return s.data, ferr
		}
		s.data = next
	}
	if fn != nil {
		s.pending = append(s.pending, replay)
	}
	return s.data, &PendingError{Err: err}
}

// attempt is the state fn and lookups give on top of the in-memory state,
// for a change that could not even be tried on the files (lock timeout).
// The lookups join the pending ones.
func (s *Store) attempt(fn func(*Data) error, lookups []entry) (Data, error) {
	s.pendingLookups = append(s.pendingLookups, lookups...)
	next := s.view()
	if fn == nil {
		return next, nil
	}
	if err := fn(&next); err != nil {
		if len(lookups) > 0 && errors.Is(err, errUnchanged) {
			return next, nil
		}
		return Data{}, err
	}
	normalize(&next)
	return next, nil
}

// commit runs the pending changes and fn on the current files under the
// lock and writes what changed. A failed write returns the attempted
// state and a *writeError.
func (s *Store) commit(fn func(*Data) error, lookups []entry) (Data, error) {
	l, err := s.lock()
	if err != nil {
		return Data{}, err
	}
	defer l.unlock()
	if err := s.refreshLocked(); err != nil {
		return Data{}, err
	}
	if s.readOnly.Load() {
		return Data{}, s.readOnlyError()
	}
	if s.upgradeErr != nil {
		// Writing the new layout's files beside an old one would lose
		// what only the old one holds: the change waits for the upgrade.
		return Data{}, s.upgradeErr
	}
	adds := append(slices.Clone(s.pendingLookups), lookups...)
	j := s.disk.j.withEntries(adds)
	cur := s.base
	if len(adds) > 0 {
		cur = s.disk.view(j, s.opts.HistoryLimit)
	}
	next := cur.Clone()
	next = replayPending(next, s.pending)
	if fn != nil {
		err = fn(&next)
		if errors.Is(err, errUnchanged) && len(s.pending) == 0 && len(adds) == 0 {
			s.data = s.base
			return s.data, nil
		}
		if err != nil && !errors.Is(err, errUnchanged) {
			return Data{}, &fnError{err}
		}
	}
	normalize(&next)
	p, err := s.disk.plan(j, next, s.opts.HistoryLimit)
	if err != nil {
		return Data{}, &fnError{err} // a value (a time) that JSON cannot hold
	}
	p.appends = append(adds, p.appends...)
	if err := s.write(p, adds); err != nil {
		return next, err
	}
	// next is what the files now hold: plan wrote exactly what gives it.
	s.pending = nil
	s.base, s.data = next, next
	return s.data, nil
}

// replayPending applies each pending change to d; one that no longer applies
// (say, it renamed an account another process removed) is dropped.
func replayPending(d Data, pending []func(*Data) error) Data {
	for _, p := range pending {
		next := d.Clone()
		if p(&next) == nil {
			d = next
		}
	}
	return d
}

// view is the state of the files with the pending changes applied.
func (s *Store) view() Data {
	d := s.base
	if len(s.pendingLookups) > 0 {
		d = s.disk.view(s.disk.j.withEntries(s.pendingLookups), s.opts.HistoryLimit)
	}
	if len(s.pending) > 0 {
		d = replayPending(d.Clone(), s.pending)
		normalize(&d)
	}
	return d
}

// ensureLoaded reads the files of a store opened deferred; a failure is a
// notice (the caller gets an empty store).
func (s *Store) ensureLoaded() {
	if s.loaded {
		return
	}
	if err := s.load(); err != nil {
		s.notices = append(s.notices, err.Error())
		s.loaded = true
	}
}

// load reads the files into the in-memory state, taking the lock when a
// file must be moved aside or upgraded, and re-applies pending changes.
func (s *Store) load() error {
	d, err := s.disk.read(s.path, s.history)
	if err == nil && d.needsLock() {
		err = errNeedsLock
	}
	if err != nil {
		if !errors.Is(err, errNeedsLock) && !isCorrupt(err) {
			return err
		}
		l, lerr := s.lock()
		if lerr != nil {
			if isCorrupt(err) {
				return lerr
			}
			s.install(d) // the old layout as it is: upgraded by the next write
			return nil
		}
		defer l.unlock()
		return s.refreshLocked()
	}
	s.install(d)
	return nil
}

// errNeedsLock says a read found something only a lock holder may fix.
var errNeedsLock = errors.New("the store needs the lock")

// refreshLocked brings the in-memory state up to date with the files while
// holding the lock: corrupt files are moved aside (with a notice) and a
// store of the old layout is upgraded.
func (s *Store) refreshLocked() error {
	d, err := s.disk.read(s.path, s.history)
	for range 2 { // both files may be corrupt
		ce, ok := errors.AsType[*corruptError](err)
		if !ok {
			break
		}
		if err := s.moveAside(ce); err != nil {
			return err
		}
		d, err = s.disk.read(s.path, s.history)
	}
	if err != nil {
		return err
	}
	s.upgradeErr = nil
	if d.needsLock() {
		if d, err = s.migrate(d); err != nil {
			s.upgradeErr = err
			if !slices.Contains(s.notices, err.Error()) { // once, however often it is tried
				s.notices = append(s.notices, err.Error())
			}
		}
	}
	s.install(d)
	s.removeLeftoverCopy()
	return nil
}

// moveAside moves the corrupt file ce names aside, with a notice.
func (s *Store) moveAside(ce *corruptError) error {
	backup, err := moveAside(ce.path, s.opts.Now())
	if err != nil {
		return fmt.Errorf("%s is unreadable (%v) and could not be moved aside: %w", ce.path, ce.err, err)
	}
	what := "store"
	if ce.path == s.history {
		what = "history"
	}
	s.notices = append(s.notices, fmt.Sprintf("%s %s was unreadable (%v); moved it to %s and started with an empty %s", what, ce.path, ce.err, backup, what))
	return nil
}

// install makes d the files' state and switches to read-only mode when it
// is from a newer schema.
func (s *Store) install(d disk) {
	s.disk, s.loaded = d, true
	s.base = d.view(d.j, s.opts.HistoryLimit)
	s.data = s.view()
	if d.newer() && !s.readOnly.Load() {
		s.readOnly.Store(true)
		s.notices = append(s.notices, s.readOnlyError().Error())
	}
}

func (s *Store) readOnlyError() error {
	return fmt.Errorf("%s was written by a newer aopfetch (schema %d); it is opened read-only; upgrade aopfetch", s.path, s.disk.newerVersion())
}

// errUnchanged is returned by a helper's callback that changed nothing, so
// that nothing is written.
var errUnchanged = errors.New("nothing to change")

// PendingError is a change that could not be written (lock timeout, disk
// full, read-only filesystem) and is kept in memory: see Store.Pending. Its
// message is the failure's, with no promise a process about to exit could
// not keep.
type PendingError struct{ Err error }

// Error is the cause of the failed write.
func (e *PendingError) Error() string { return e.Err.Error() }

// Unwrap returns the failure.
func (e *PendingError) Unwrap() error { return e.Err }

// fnError carries the error of an Update callback.
type fnError struct{ err error }

func (e *fnError) Error() string { return e.err.Error() }

// writeError is a failed write of a store file.
type writeError struct {
	path string
	err  error
}

func (e *writeError) Error() string {
	return fmt.Sprintf("could not save %s, it is unchanged: %v", e.path, e.err)
}

func (e *writeError) Unwrap() error { return e.err }
