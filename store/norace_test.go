//go:build !race

package store

// raceEnabled reports a -race build, whose helper processes take over a
// second each to start.
const raceEnabled = false
