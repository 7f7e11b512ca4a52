package cli

import (
	"math"
	"os"
	"runtime/debug"
)

// Garbage collection for one agent's process. A command or the terminal UI
// reads the store (thousands of saved accounts, tens of MB) within its first
// tens of milliseconds, growing the heap from nothing: at the runtime's
// default (GOGC=100) that is half a dozen collections before the first
// frame, a quarter of the start-up time. Letting the heap grow to five times
// what is live, under a soft limit, removes most of them; `serve`, one
// process for many agents, keeps the runtime's defaults. A GOGC or
// GOMEMLIMIT the user set wins.
const (
	agentGCPercent   = 400
	agentMemoryLimit = 256 << 20
)

// tuneGC sets the collector for one agent's process, unless the user did.
func tuneGC() { setGC(agentGCPercent, agentMemoryLimit) }

// defaultGC restores the runtime's defaults (for serve), unless the user
// set them.
func defaultGC() { setGC(100, math.MaxInt64) }

// setGC sets the collector's percent and soft memory limit, each unless
// the user set it (GOGC, GOMEMLIMIT).
func setGC(percent int, limit int64) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
}
