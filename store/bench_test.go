package store

import (
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// benchData is a store with n saved accounts (each with a snapshot) and m
// recent lookups, shaped like a busy agent's.
func benchData(n, m int) Data {
	d := emptyData()
	at := time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC)
	snapshot := func(i int) *Snapshot {
		return &Snapshot{FetchedAt: at, Consumer: client.Consumer{
			ResponseCode: 1, Status: true, Message: "Bill fetched successfully",
			Name: fmt.Sprintf("Consumer Name %d", i), Amount: "1234.50", DueDate: "2026-04-20",
			Bill: &client.Bill{BillAmount: "1234.50", BillNetAmount: "1234.50", DueDate: "2026-04-20",
				MaxBillAmount: "50000.00", AcceptPayment: true, AcceptPartPay: i%2 == 0,
				CellNumber: "98XXXXXX10", UserName: fmt.Sprintf("Consumer Name %d", i)},
		}}
	}
	for i := range n {
		d.Accounts = append(d.Accounts, Account{
			ID: fmt.Sprintf("%016x", i), Label: fmt.Sprintf("Fleet truck %d", i), Operator: 311,
			CANumber: fmt.Sprintf("MH%02dAB%04d", i%50, i), RegistrationID: "AOP-554", Note: "night shift, call before 9",
			CreatedAt: at, LastUsedAt: at, UseCount: i % 40, Position: i, Last: snapshot(i),
		})
	}
	for i := range m {
		d.Recent = append(d.Recent, Lookup{Operator: 311, CANumber: fmt.Sprintf("MH%02dAB%04d", i%50, i),
			RegistrationID: "AOP-554", At: at, OK: true, Snapshot: snapshot(i)})
	}
	return d
}

// writeBenchStore writes benchData(5000, 200) to a fresh store.
func writeBenchStore(b *testing.B) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "store.json")
	writeData(b, p, benchData(5000, 200))
	return p
}

// BenchmarkLoad opens and parses a store of 5,000 saved accounts, each
// with a snapshot, and 200 recent lookups (target: <= 15 ms): with the
// runtime's default collector, and with the one an agent's process runs
// (cli/gc.go: GOGC=400 under a soft limit far above this heap).
func BenchmarkLoad(b *testing.B) {
	p := writeBenchStore(b)
	for _, gc := range []struct {
		name    string
		percent int
	}{{"gc=default", 100}, {"gc=agent", 400}} {
		b.Run(gc.name, func(b *testing.B) {
			defer debug.SetGCPercent(debug.SetGCPercent(gc.percent))
			runtime.GC()
			for b.Loop() {
				s, err := Open(p, Options{HistoryLimit: 200})
				if err != nil || len(s.data.Accounts) != 5000 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMutation saves one account (lock, re-read, write, fsync, rename)
// in a store of 5,000 saved accounts and 200 recent lookups (target: <= 25 ms).
func BenchmarkMutation(b *testing.B) {
	p := writeBenchStore(b)
	s, err := Open(p, Options{HistoryLimit: 200})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := s.SaveAccount(Account{CANumber: "MH07AB0007", Note: fmt.Sprint("note ", i)}); err != nil {
			b.Fatal(err)
		}
	}
}
