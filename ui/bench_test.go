package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/store"
)

// benchStore holds 5,000 saved accounts and 200 recent lookups.
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	return testStore(b, seedData(5000, 200))
}

// BenchmarkHomeFirstFrame measures building the model from the store's
// data and rendering the first home frame.
func BenchmarkHomeFirstFrame(b *testing.B) {
	o := testOptions(okFetcher("X"), benchStore(b))
	b.ResetTimer()
	for b.Loop() {
		m := newTestModel(o, 80, 24)
		if m.state != stateHome {
			b.Fatal("not home")
		}
		_ = m.View()
	}
}

// BenchmarkFilterKeystroke measures one keystroke into home's input: the
// key, matching it against 5,000 accounts and 200 lookups, and the frame
// showing the matches.
func BenchmarkFilterKeystroke(b *testing.B) {
	m := newTestModel(testOptions(okFetcher("X"), benchStore(b)), 80, 24)
	keys := []string{"t", "r", "u", "c", "k", "backspace", "backspace", "backspace", "backspace", "backspace"}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m2, cmd := m.update(keyMsg(keys[i%len(keys)]))
		i++
		for _, msg := range collectAll(cmd) {
			m2, _ = m2.update(msg)
		}
		_ = m2.View()
		m = m2
	}
}

// BenchmarkOpenCached measures enter on a saved account: the cached card on
// screen (the refresh runs in the background, not measured).
func BenchmarkOpenCached(b *testing.B) {
	m := newTestModel(testOptions(okFetcher("X"), benchStore(b)), 80, 24)
	b.ResetTimer()
	for b.Loop() {
		m2, _ := press(m, "enter")
		if m2.state != stateResult {
			b.Fatal("not opened")
		}
		_ = m2.View()
	}
}

// refreshLatency is the provider's answer time in BenchmarkRefreshAll.
const refreshLatency = 100 * time.Millisecond

// BenchmarkRefreshAll measures ctrl+r over 1,000 saved accounts whose
// lookups each take 100 ms, at the default concurrency and at 16, from the
// key to the last answer shown and recorded, and reports it as a multiple
// of the ideal (ceil(1000 / concurrency) x 100 ms; the target is 1.15).
func BenchmarkRefreshAll(b *testing.B) {
	for _, conc := range []int{config.DefaultConcurrency, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			f := &fakeFetcher{fn: func(ctx context.Context, r client.Request) (*client.Result, error) {
				select {
				case <-time.After(refreshLatency):
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return sampleResult(r, "X", "1000.0", "2021-09-20"), nil
			}}
			o := testOptions(f, testStore(b, seedData(1000, 0)))
			o.Concurrency = conc
			ideal := time.Duration((1000+conc-1)/conc) * refreshLatency
			var total time.Duration
			for b.Loop() {
				m := newTestModel(o, 80, 24)
				start := time.Now()
				m, cmd := press(m, "ctrl+r")
				m = run(m, cmd)
				total += time.Since(start)
				if m.home.run == nil || !m.home.run.closed || m.home.run.done != 1000 {
					b.Fatalf("run not over: %+v", m.home.run)
				}
			}
			b.ReportMetric(float64(total)/float64(b.N)/float64(ideal), "x_ideal")
		})
	}
}
