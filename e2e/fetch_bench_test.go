package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client/sandbox"
	"github.com/aopfetch/aopfetch/store"
)

// BenchmarkFetchHistory runs `aopfetch fetch` against a sandbox without
// latency, with a store of 5,000 saved accounts, each with a result, and a
// full history (the last compaction's 200 lookups and 350 appended since),
// with and without recording the lookup, interleaved; it reports both
// medians and their ratio (target: history <= 1.3x no history).
func BenchmarkFetchHistory(b *testing.B) {
	srv, err := sandbox.Start("127.0.0.1:0", sandbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	home := b.TempDir()
	path := filepath.Join(home, "store.json")
	bigStore(b, path, 5000, 200)
	st, err := store.Open(path, store.Options{HistoryLimit: 200})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 350 {
		if err := st.RecordLookups(store.Lookup{Operator: 311, CANumber: fmt.Sprintf("KA%02dAB%04d", i%100, i), RegistrationID: "AOP-554", At: time.Now(), ErrorKind: "api"}); err != nil {
			b.Fatal(err)
		}
	}
	run := func(args ...string) time.Duration {
		cmd := exec.Command(binPath, append([]string{"--base-url", srv.URL, "--store", path, "fetch", "--operator", "311", "--registration-id", "AOP-554"}, args...)...)
		cmd.Env = env(home)
		begin := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
		return time.Since(begin)
	}
	var with, without []time.Duration
	for b.Loop() {
		with = append(with, run("DL12CB4685"))
		without = append(without, run("--no-history", "DL12CB4685"))
	}
	median := func(ds []time.Duration) float64 {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	b.ReportMetric(median(with), "ms_history")
	b.ReportMetric(median(without), "ms_no_history")
	b.ReportMetric(median(with)/median(without), "ratio")
}
