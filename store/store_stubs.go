// Package store owns everything under the XDG directories: the config file,
// the JSON store of saved accounts and recent lookups, locking and atomic
// writes. It knows nothing of HTTP or the UI.
package store

// CONTRACT STUBS (data part): the store helper replaces these with real code
// and deletes this file (moving the package doc comment to store/doc.go).

import (
	"io"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// ---- data store (store/store.go and friends) ----

// SchemaVersion is the store schema this build writes.
const SchemaVersion = 1

// Snapshot is the last successful result of a lookup.
type Snapshot struct {
	Consumer  client.Consumer `json:"consumer"`
	FetchedAt time.Time       `json:"fetched_at"`
}

// Account is a saved account.
type Account struct {
	ID             string    `json:"id"`
	Label          string    `json:"label"`
	Operator       int       `json:"operator"`
	CANumber       string    `json:"canumber"`
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
	Accounts []Account `json:"accounts"` // sorted by Position
	Recent   []Lookup  `json:"recent"`   // newest first
}

// Options configures Open.
type Options struct {
	HistoryLimit int           // cap of Recent; 0 = history off
	LockTimeout  time.Duration // default 5 s
}

// Store is a handle on the store file. Safe for concurrent use.
type Store struct{}

// DefaultPath is $XDG_DATA_HOME/aopfetch/store.json.
func DefaultPath() (string, error) { panic("stub") }

// Open reads (or creates lazily) the store at path. Problems it recovered
// from (corrupt file moved aside, permissions tightened, newer schema opened
// read-only) are reported by Notices, not as errors.
func Open(path string, o Options) (*Store, error) { panic("stub") }

// Path returns the store file path.
func (s *Store) Path() string { panic("stub") }

// Data returns a deep copy of the last state read or written.
func (s *Store) Data() Data { panic("stub") }

// Notices returns one-line notices about recovered problems.
func (s *Store) Notices() []string { panic("stub") }

// ReadOnly reports whether writes are refused (newer schema version).
func (s *Store) ReadOnly() bool { panic("stub") }

// ReloadIfChanged re-reads the file when its mtime or size changed.
func (s *Store) ReloadIfChanged() (Data, bool, error) { panic("stub") }

// Update applies fn under the cross-process lock to the freshly re-read file
// and writes atomically. On failure the file is unchanged and the error says why.
func (s *Store) Update(fn func(*Data) error) (Data, error) { panic("stub") }

// SaveAccount adds a (or updates the one with the same CANumber); returns it.
func (s *Store) SaveAccount(a Account) (Account, error) { panic("stub") }

// RemoveAccount removes by id or vehicle number.
func (s *Store) RemoveAccount(idOrVehicle string) error { panic("stub") }

// UpdateAccount changes label and note of the account with id or vehicle number.
func (s *Store) UpdateAccount(idOrVehicle, label, note string) (Account, error) { panic("stub") }

// MoveAccount moves an account delta positions (negative = up), persisted.
func (s *Store) MoveAccount(id string, delta int) error { panic("stub") }

// RecordLookups adds lookups to history (dedup, cap) and refreshes the
// snapshot, last_used_at and use_count of matching saved accounts, in one write.
func (s *Store) RecordLookups(ls ...Lookup) error { panic("stub") }

// ClearHistory empties Recent.
func (s *Store) ClearHistory() error { panic("stub") }

// ImportReport counts an import's effects.
type ImportReport struct{ Added, Updated, Skipped int }

// RowError is a bad import row.
type RowError struct {
	Line    int
	Message string
}

// ParseImport reads accounts from CSV or JSON ("csv" | "json") and validates every row.
func ParseImport(r io.Reader, format string) ([]Account, []RowError, error) { panic("stub") }

// Import merges accounts (dedup on CANumber) in one write.
func (s *Store) Import(accts []Account) (ImportReport, error) { panic("stub") }

// Export writes all saved accounts as "json" or "csv".
func Export(w io.Writer, format string, d Data) error { panic("stub") }
