//go:build unix

package config

import (
	"path/filepath"
	"syscall"
	"testing"
)

func TestConfigFIFORefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// Opening a FIFO would block until a writer comes; Load must not.
	if got := loadErr(t, LoadOptions{Path: fifo}); got != "config "+fifo+": is not a regular file" {
		t.Errorf("err = %q", got)
	}
}
