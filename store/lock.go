package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/aopfetch/aopfetch/internal/safefile"
)

// lockRetry is how often a busy lock is retried.
const lockRetry = 5 * time.Millisecond

// LockTimeoutError is returned when another process held the store's lock
// for longer than the lock timeout.
type LockTimeoutError struct {
	LockFile string
}

// Error names the lock file and what to do.
func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("store is locked by another aopfetch (lock file %s); try again, or remove it if no aopfetch is running", e.LockFile)
}

// fileLock is a held cross-process lock.
type fileLock struct{ fl *flock.Flock }

// unlock releases the lock.
func (l fileLock) unlock() {
	l.fl.Unlock()
	l.fl.Close()
}

// lock creates the store directory if needed and takes the cross-process
// lock, waiting at most the lock timeout.
func (s *Store) lock() (fileLock, error) {
	if err := safefile.MkdirAll(filepath.Dir(s.path)); err != nil {
		return fileLock{}, fmt.Errorf("create the store directory: %w", err)
	}
	fl := s.flock()
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.LockTimeout)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, lockRetry)
	switch {
	case ok:
		if info, err := fl.Stat(); err == nil {
			if err := safefile.CheckFile(s.LockPath(), info); err != nil {
				fileLock{fl}.unlock()
				return fileLock{}, err // another user's lock file: they could hold it forever
			}
		}
		return fileLock{fl}, nil
	case err == nil || errors.Is(err, context.DeadlineExceeded):
		fl.Close()
		return fileLock{}, &LockTimeoutError{LockFile: s.LockPath()}
	default:
		fl.Close()
		return fileLock{}, fmt.Errorf("cannot create the store's lock file %s: %w (the store's directory must be writable; choose another with --store)",
			s.LockPath(), safefile.Cause(err)) // the path is named here
	}
}

// tryLock takes the lock only if it is free right now.
func (s *Store) tryLock() (fileLock, bool) {
	fl := s.flock()
	ok, err := fl.TryLock()
	if err != nil || !ok {
		fl.Close()
		return fileLock{}, false
	}
	return fileLock{fl}, true
}

// flock is the store's lock file, opened 0600 and never through a
// symbolic link.
func (s *Store) flock() *flock.Flock {
	return flock.New(s.LockPath(), flock.SetPermissions(safefile.FileMode), flock.SetFlag(os.O_CREATE|os.O_RDWR|safefile.NoFollow))
}
