package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/internal/safefile"
)

// uiStateName is the file, in the state directory ($XDG_STATE_HOME/aopfetch),
// that remembers how home was left: the sort order of the Saved list. It
// is this user's view of the accounts, so it lives neither in the store
// (shared by every session and read by the CLI) nor in config.toml (which
// the user edits and the program never writes).
const uiStateName = "ui-state.json"

// uiState is what the UI state file holds.
type uiState struct {
	Sort string `json:"sort"`
}

// uiStateMsg reports a write of the UI state.
type uiStateMsg struct{ err error }

// uiStateFile is the UI state file of one program. Writes run as commands,
// which may finish in any order: each carries a number, and one older
// than the last written is dropped, so the file ends with the last state.
type uiStateFile struct {
	path string // "": none
	mu   sync.Mutex
	seq  int // of the last write asked for
	done int // of the last write made
}

// save returns the command writing s, atomically, 0600 in a 0700 directory.
func (f *uiStateFile) save(s uiState) tea.Cmd {
	if f == nil || f.path == "" {
		return nil
	}
	f.mu.Lock()
	f.seq++
	seq := f.seq
	f.mu.Unlock()
	return func() tea.Msg {
		f.mu.Lock()
		defer f.mu.Unlock()
		if seq < f.done {
			return uiStateMsg{}
		}
		f.done = seq
		return uiStateMsg{err: writeUIState(f.path, s)}
	}
}

// load reads the UI state; a missing or unreadable file, or one that is
// not a regular file of this user's (safefile.Open: a named pipe would
// block the start for ever), is the default state.
func (f *uiStateFile) load() uiState {
	var s uiState
	if f == nil || f.path == "" {
		return s
	}
	file, _, err := safefile.Open(f.path)
	if err != nil {
		return s
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, maxUIState+1))
	if err != nil || len(b) > maxUIState {
		return s
	}
	_ = json.Unmarshal(b, &s)
	return s
}

// maxUIState is the largest UI state file read.
const maxUIState = 64 << 10

// writeUIState writes s to path atomically (see safefile.WriteAtomic).
func writeUIState(path string, s uiState) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("remember the sort order: %w", err)
	}
	_ = os.Chmod(dir, 0o700)
	if err := safefile.WriteAtomic(path, b, []byte("\n")); err != nil {
		return fmt.Errorf("remember the sort order: %w", err)
	}
	return nil
}
