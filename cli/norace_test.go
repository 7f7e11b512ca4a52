//go:build !race

package cli

// maxInputRSS bounds the memory of a batch refusing an endless input: the
// 128 MiB cap and what reading to it costs.
const maxInputRSS = 1 << 30
