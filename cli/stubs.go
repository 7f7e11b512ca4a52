// Package cli holds the cobra commands of aopfetch: flags, sub-commands and
// wiring. No business logic lives here beyond presenting results.
package cli

// CONTRACT STUBS: the cli helper replaces these with real implementations in
// properly named files and deletes this file.

import (
	"io"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitAPI         = 1
	ExitUsage       = 2
	ExitAuth        = 3
	ExitNetwork     = 4 // network, timeout, upstream
	ExitInterrupted = 130
)

// ExitError carries a process exit code; Execute prints Err (one line + hint) to stderr.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { panic("stub") }

// ExitCodeFor maps a lookup error to an exit code (nil -> ExitOK).
func ExitCodeFor(err error) int { panic("stub") }

// BuildInfo is set by main from ldflags.
type BuildInfo struct{ Version, Commit, Date string }

// App is the shared state of one invocation: global flags and lazily built
// config, client (one per process) and store. Sub-commands get it.
type App struct{}

// Config returns the effective config (flags > env > file > defaults).
func (a *App) Config() (*store.Config, error) { panic("stub") }

// Client returns the process's single client (pointing at the in-process
// sandbox under --demo).
func (a *App) Client() (*client.Client, error) { panic("stub") }

// Store opens the store once (path from --store / AOPFETCH_STORE / config / XDG).
func (a *App) Store() (*store.Store, error) { panic("stub") }

// Demo reports whether --demo is on.
func (a *App) Demo() bool { panic("stub") }

// Stdout and Stderr are the command's output streams.
func (a *App) Stdout() io.Writer { panic("stub") }

// Stderr is the command's error stream.
func (a *App) Stderr() io.Writer { panic("stub") }

// RecordError is the error block of a --json record.
type RecordError struct {
	Kind         string `json:"kind"`
	Message      string `json:"message"`
	HTTPStatus   int    `json:"http_status"`
	ResponseCode int    `json:"response_code"`
}

// Record is the --json object of one lookup (also JSONL rows of batch).
type Record struct {
	OK             bool         `json:"ok"`
	Operator       int          `json:"operator"`
	CANumber       string       `json:"canumber"`
	RegistrationID string       `json:"registration_id"`
	ResponseCode   int          `json:"response_code"`
	Status         bool         `json:"status"`
	Message        string       `json:"message"`
	Name           string       `json:"name"`
	Amount         string       `json:"amount"`
	DueDate        string       `json:"due_date"`
	Bill           *client.Bill `json:"bill"`
	FetchedAt      time.Time    `json:"fetched_at"`
	LatencyMS      int64        `json:"latency_ms"`
	Raw            any          `json:"raw"` // the response as received: json.RawMessage when valid JSON, else string
	Error          *RecordError `json:"error,omitempty"`
}

// NewRecord builds the --json record of one lookup.
func NewRecord(req client.Request, res *client.Result, err error) Record { panic("stub") }

// LookupFor builds the history entry of one lookup.
func LookupFor(req client.Request, res *client.Result, err error) store.Lookup { panic("stub") }

// Execute runs the root command and returns the process exit code.
func Execute(b BuildInfo) int { panic("stub") }
