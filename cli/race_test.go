//go:build race

package cli

// maxInputRSS bounds the memory of a batch refusing an endless input: the
// 128 MiB cap and what reading to it costs, times the race detector's
// overhead (about 5x), still far below an unbounded read (24 GB).
const maxInputRSS = 4 << 30
