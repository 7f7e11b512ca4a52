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
)

// SchemaVersion is the store schema this build writes.
const SchemaVersion = 1

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

// Data is the whole store file.
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
}

// Store is a handle on the store file. Safe for concurrent use.
type Store struct {
	path string
	opts Options

	mu sync.Mutex
	// disk is the file's state as last read or written, known its bytes
	// and info its FileInfo (nil when it did not exist). A mutation that
	// finds the same bytes on disk reuses disk instead of decoding them.
	disk  Data
	known content
	info  os.FileInfo
	// data is disk plus the pending changes. Installed Data values are never
	// changed in place, so data and disk may share memory.
	data     Data
	notices  []string
	readOnly atomic.Bool         // read without mu: the UI asks while drawing, and mu is held through whole writes
	pending  []func(*Data) error // changes whose write failed, replayed by the next Update
}

// DefaultPath is $XDG_DATA_HOME/aopfetch/store.json.
func DefaultPath() (string, error) {
	if xdg.DataHome == "" {
		return "", errors.New("cannot locate the data directory: set XDG_DATA_HOME or HOME")
	}
	return filepath.Join(xdg.DataHome, "aopfetch", "store.json"), nil
}

// Open reads (or creates lazily) the store at path. Problems it recovered
// from (corrupt file moved aside, permissions tightened, newer schema opened
// read-only) are reported by Notices, not as errors. Open does not create
// the file or its directory; the first mutation does.
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
	path = linkTarget(path) // write through a symlinked store, do not replace the link
	s := &Store{path: filepath.Clean(path), opts: o, data: emptyData(), disk: emptyData()}
	s.tightenDefaultDir()
	s.removeStaleTemps()
	if err := s.load(); err != nil {
		return nil, err
	}
	s.tightenFile()
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

// Path returns the store file path.
func (s *Store) Path() string { return s.path }

// LockPath returns the path of the lock file beside the store.
func (s *Store) LockPath() string { return s.path + ".lock" }

// Data returns a deep copy of the last state read or written, including
// changes whose write failed and that are still pending (see Pending).
func (s *Store) Data() Data {
	s.mu.Lock()
	defer s.mu.Unlock()
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
	return len(s.pending)
}

// Flush retries writing the pending changes; it is a no-op without any.
func (s *Store) Flush() error {
	if s.Pending() == 0 {
		return nil
	}
	_, err := s.Update(func(*Data) error { return nil })
	return err
}

// ReloadIfChanged re-reads the file when its identity, mtime or size changed
// since it was last read or written. Pending changes are re-applied on top.
func (s *Store) ReloadIfChanged() (Data, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info, err := os.Stat(s.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return s.data.Clone(), false, fmt.Errorf("check store %s: %w", s.path, err)
	}
	if sameFile(s.info, info) {
		return s.data.Clone(), false, nil
	}
	if err := s.load(); err != nil {
		return s.data.Clone(), false, err
	}
	return s.data.Clone(), true, nil
}

// Update applies fn under the cross-process lock to the freshly re-read file
// and writes atomically. It returns the new state.
//
// If fn returns an error nothing is written and that error is returned. If
// the store is read-only, an error says so. If locking, reading or writing
// fails, the file is left as it was and a *PendingError says why; the change
// is then kept in memory (Data and the returned state include it, Pending
// counts it) and re-applied to the file's then current state by the next
// Update or Flush.
// fn may therefore run more than once: it must only change the *Data it is
// given, never variables it captured.
func (s *Store) Update(fn func(*Data) error) (Data, error) {
	d, err := s.update(fn, fn)
	return d.Clone(), err
}

// mutate is Update for this package's helpers: the result is shared with
// the store, to be read and never changed.
func (s *Store) mutate(fn func(*Data) error) (Data, error) { return s.update(fn, fn) }

// update is Update with a separate replay function for pending changes, so
// that fn may record results in captured variables while replay does not.
// The result is shared with the store: read it, never change it.
func (s *Store) update(fn, replay func(*Data) error) (Data, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readOnly.Load() {
		return s.data, s.readOnlyError()
	}
	d, err := s.commit(s.pending, fn)
	var fe *fnError
	var we *writeError
	switch {
	case err == nil:
		s.pending = nil
		return d, nil
	case errors.As(err, &fe):
		return s.data, fe.err
	case s.readOnly.Load():
		return s.data, err
	case errors.As(err, &we):
		s.data = d
	default:
		next := s.data.Clone()
		if ferr := fn(&next); errors.Is(ferr, errUnchanged) {
			return s.data, err
		} else if ferr != nil {
			return s.data, ferr
		}
		normalize(&next)
		s.data = next
	}
	s.pending = append(s.pending, replay)
	return s.data, &PendingError{Err: err}
}

// commit runs pending then fn on the current file under the lock and writes
// the result. A failed write returns the attempted state and a *writeError.
func (s *Store) commit(pending []func(*Data) error, fn func(*Data) error) (Data, error) {
	l, err := s.lock()
	if err != nil {
		return Data{}, err
	}
	defer l.unlock()
	d, info, known, err := s.readLocked()
	if err != nil {
		return Data{}, err
	}
	if d.Version > SchemaVersion {
		s.setState(d, info, known)
		return Data{}, s.readOnlyError()
	}
	d = d.Clone() // fn changes it
	d = replayPending(d, pending)
	err = fn(&d)
	if errors.Is(err, errUnchanged) && len(pending) == 0 {
		s.setState(d, info, known) // d is the file's current state
		return d, nil
	}
	if err != nil && !errors.Is(err, errUnchanged) {
		return Data{}, &fnError{err}
	}
	normalize(&d)
	// The pieces last written are encoded over: until the new ones are on
	// disk the file's bytes are unknown, and the next read decodes it.
	reuse := s.known.pieces
	s.known = content{}
	b, err := encode(d, known.size(), reuse)
	if err != nil {
		return Data{}, &fnError{err} // a value (a time) that JSON cannot hold
	}
	info, err = writeFileAtomic(s.path, b)
	if err != nil {
		return d, &writeError{path: s.path, err: err}
	}
	s.disk, s.data, s.info, s.known = d, d, info, content{pieces: b}
	return d, nil
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

// load reads the file into the in-memory state, moving a corrupt file aside
// under the lock, and re-applies pending changes.
func (s *Store) load() error {
	d, info, known, err := s.read()
	if _, ok := errors.AsType[*corruptError](err); ok {
		d, info, known, err = s.recoverCorrupt()
	}
	if err != nil {
		return err
	}
	s.setState(d, info, known)
	return nil
}

// read reads the file; bytes equal to those last read or written are not
// decoded again. The result must not be changed in place.
func (s *Store) read() (Data, os.FileInfo, content, error) {
	known := s.known
	if s.info == nil {
		known = content{} // disk is not the state of a file
	}
	text, same, info, err := readFile(s.path, known)
	switch {
	case err != nil:
		return Data{}, nil, content{}, err
	case info == nil:
		return emptyData(), nil, content{}, nil
	case same:
		return s.disk, info, known, nil
	}
	d, err := decode(text)
	if _, ok := errors.AsType[*foreignError](err); ok {
		err = fmt.Errorf("%s: %w", s.path, err)
	}
	return d, info, content{text: text}, err
}

// recoverCorrupt takes the lock and re-reads, moving a still corrupt file aside.
func (s *Store) recoverCorrupt() (Data, os.FileInfo, content, error) {
	l, err := s.lock()
	if err != nil {
		return Data{}, nil, content{}, err
	}
	defer l.unlock()
	return s.readLocked()
}

// readLocked is read while holding the lock; a corrupt file is moved aside
// (with a notice) and an empty store returned.
func (s *Store) readLocked() (Data, os.FileInfo, content, error) {
	d, info, known, err := s.read()
	ce, ok := errors.AsType[*corruptError](err)
	if !ok {
		return d, info, known, err
	}
	backup, err := moveAside(s.path, s.opts.Now())
	if err != nil {
		return Data{}, nil, content{}, fmt.Errorf("store %s is unreadable (%v) and could not be moved aside: %w", s.path, ce.err, err)
	}
	s.notices = append(s.notices, fmt.Sprintf("store %s was unreadable (%v); moved it to %s and started with an empty store", s.path, ce.err, backup))
	return emptyData(), nil, content{}, nil
}

// setState installs d as read from the file (pending changes are re-applied
// for data) and switches to read-only mode when it is from a newer schema.
func (s *Store) setState(d Data, info os.FileInfo, known content) {
	s.disk, s.info, s.known = d, info, known
	s.data = replayPending(d, s.pending)
	if d.Version > SchemaVersion && !s.readOnly.Load() {
		s.readOnly.Store(true)
		s.notices = append(s.notices, s.readOnlyError().Error())
	}
}

func (s *Store) readOnlyError() error {
	return fmt.Errorf("%s was written by a newer aopfetch (schema %d); it is opened read-only; upgrade aopfetch", s.path, s.data.Version)
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

// writeError is a failed write of the store file.
type writeError struct {
	path string
	err  error
}

func (e *writeError) Error() string {
	return fmt.Sprintf("could not save %s, it is unchanged: %v", e.path, e.err)
}

func (e *writeError) Unwrap() error { return e.err }
