//go:build unix

package ui

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestHomeStartsWithUIStateFileAPipe: a named pipe (or a link to one) where
// the UI state file belongs is not read: the program starts in the default
// order instead of waiting for a writer for ever.
func TestHomeStartsWithUIStateFileAPipe(t *testing.T) {
	o := testOptions(okFetcher("X"), testStore(t, seedData(3, 0)))
	o.StateDir = t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(o.StateDir, uiStateName), 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	done := make(chan sortMode, 1)
	go func() { done <- newTestModel(o, 80, 24).home.sort }()
	var got sortMode
	select {
	case got = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("start-up waits on the UI state file, a named pipe")
	}
	if got != sortManual {
		t.Fatalf("sort %v from a pipe", got)
	}
}
