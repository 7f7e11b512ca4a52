package serve

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aopfetch/aopfetch/internal/safefile"
)

// AuditRecord is one line of the audit log: one lookup. It holds who asked
// for which vehicle and how it ended, never the consumer's name or phone,
// nor a secret or token.
type AuditRecord struct {
	Time        time.Time `json:"time"`
	Agent       string    `json:"agent"`
	Fingerprint string    `json:"key"`
	Remote      string    `json:"remote"`
	Session     string    `json:"session"`
	Vehicle     string    `json:"vehicle"`
	Operator    int       `json:"operator"`
	// Outcome is "ok", a client error kind ("api", "auth", "network",
	// "timeout", "upstream", "cancelled"), "validation", "limited" or
	// "error".
	Outcome   string  `json:"outcome"`
	LatencyMS float64 `json:"latency_ms"`
}

// errAuditDown refuses lookups while the audit log cannot be written.
var errAuditDown = errors.New("the server cannot write its audit log")

// auditLog appends records to a JSON Lines file, each synced to disk
// before the next; safe for concurrent use.
type auditLog struct {
	path string

	mu     sync.Mutex
	f      *os.File
	broken error // the last write's failure; lookups wait for a good reopen
}

// open opens the file for appending, creating it 0600 (its directory 0700),
// and tightens its mode. Only a regular file of this user (or root) is
// used, never through a final symbolic link: a device or a pipe named by
// mistake is refused, not written to and chmod-ed.
func (a *auditLog) open() error {
	if err := os.MkdirAll(filepath.Dir(a.path), 0o700); err != nil {
		return err
	}
	f, err := safefile.OpenFile(a.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	a.f = f
	return nil
}

// ready reports whether lookups may go on: after a failed write it reopens
// the file, and refuses until that works.
func (a *auditLog) ready() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.broken != nil && a.reopenLocked() != nil {
		return errAuditDown
	}
	return nil
}

// reopen closes the file and opens the path again (SIGHUP after a log
// rotation moved it away).
func (a *auditLog) reopen() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reopenLocked()
}

// reopenLocked is reopen with a.mu held: lookups are refused until it works.
func (a *auditLog) reopenLocked() error {
	if a.f != nil {
		a.f.Close()
		a.f = nil
	}
	a.broken = a.open()
	return a.broken
}

// write appends r as one line and syncs it.
func (a *auditLog) write(r AuditRecord) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return errAuditDown
	}
	if _, err = a.f.Write(line); err == nil {
		err = a.f.Sync()
	}
	if err != nil {
		a.broken = err
	}
	return err
}

// Close closes the file.
func (a *auditLog) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	return err
}
