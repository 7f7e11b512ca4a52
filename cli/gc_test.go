package cli

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCLeavesTheUsersSetting(t *testing.T) {
	old, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	defer func() { debug.SetGCPercent(old); debug.SetMemoryLimit(limit) }()
	t.Setenv("GOGC", "123")
	debug.SetGCPercent(123)
	tuneGC()
	if got := debug.SetGCPercent(123); got != 123 {
		t.Fatalf("GOGC=123 set by the user became %d", got)
	}
	t.Setenv("GOGC", "")
	tuneGC()
	if got := debug.SetGCPercent(100); got != agentGCPercent {
		t.Fatalf("GC percent %d, want %d", got, agentGCPercent)
	}
	defaultGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after defaultGC: %d", got)
	}
}
