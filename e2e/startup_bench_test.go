package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
	"github.com/charmbracelet/x/ansi"
)

// bigStore writes a store of n saved accounts and r recent lookups to path.
func bigStore(b *testing.B, path string, n, r int) {
	b.Helper()
	st, err := store.Open(path, store.Options{HistoryLimit: 200})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	snap := func(i int) *store.Snapshot {
		return &store.Snapshot{FetchedAt: now.Add(-time.Duration(i) * time.Minute), Consumer: client.Consumer{
			ResponseCode: 1, Status: true, Message: "Bill Fetched Success.",
			Name: fmt.Sprintf("CONSUMER %d", i), Amount: "1000.0", DueDate: "2026-12-01",
		}}
	}
	_, err = st.Update(func(d *store.Data) error {
		for i := range n {
			d.Accounts = append(d.Accounts, store.Account{
				ID: fmt.Sprintf("id%06d", i), Label: fmt.Sprintf("Fleet %d", i), Operator: 311,
				CANumber: fmt.Sprintf("DL%02dCB%04d", i%100, i), RegistrationID: "AOP-554",
				Position: i, CreatedAt: now, LastUsedAt: now, Last: snap(i),
			})
		}
		for i := range r {
			d.Recent = append(d.Recent, store.Lookup{
				Operator: 311, CANumber: fmt.Sprintf("MH%02dAB%04d", i%100, i), RegistrationID: "AOP-554",
				At: now.Add(-time.Duration(i) * time.Minute), OK: true, Snapshot: snap(i),
			})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStartupToHome measures process start to the first rendered home
// frame with 5,000 saved accounts and 200 recent lookups, in a pseudo-
// terminal, and reports the median in ms.
func BenchmarkStartupToHome(b *testing.B) {
	home := b.TempDir()
	path := filepath.Join(home, "store.json")
	bigStore(b, path, 5000, 200)
	var times []time.Duration
	for b.Loop() {
		begin := time.Now()
		tm := start(b, home, 80, 24, "--demo", "--store", path)
		// "Recent (200)" is written in one piece (the active tab's title is
		// styled rune by rune), so the raw stream can be searched cheaply.
		for !strings.Contains(tm.raw(), "Recent (200)") {
			if time.Since(begin) > 20*time.Second {
				b.Fatalf("home did not render:\n%s", ansi.Strip(tm.raw()))
			}
			time.Sleep(time.Millisecond)
		}
		times = append(times, time.Since(begin))
		tm.close()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms_median")
}
