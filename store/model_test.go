package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestRandomOperationsMatchAFreshRead runs random changes through two
// handles on one store, with a small history limit so that compactions
// happen, and checks after each one that what a handle holds is what a
// new process reads from the files.
func TestRandomOperationsMatchAFreshRead(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { randomOperations(t, seed) })
	}
}

func randomOperations(t *testing.T, seed uint64) {
	p := testPath(t)
	clock := t0
	now := func() time.Time { return clock }
	open := func() *Store {
		s, err := Open(p, Options{HistoryLimit: 7, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	handles := []*Store{open(), open()}
	rng := rand.New(rand.NewPCG(seed, 6))
	vehicle := func() string { return fmt.Sprintf("KA%02dAB%04d", rng.IntN(3), rng.IntN(12)) }
	steps := 800
	if testing.Short() {
		steps = 300
	}
	for step := range steps {
		clock = clock.Add(time.Duration(rng.IntN(90)) * time.Second)
		s := handles[rng.IntN(len(handles))]
		var err error
		var what string
		switch op := rng.IntN(10); {
		case op < 4:
			v := vehicle()
			l := Lookup{Operator: 311 + rng.IntN(2), CANumber: v, RegistrationID: "R", At: clock, OK: rng.IntN(4) > 0}
			if l.OK {
				l.Snapshot = snap(fmt.Sprint("N", step), clock)
			} else {
				l.ErrorKind = "api"
			}
			what, err = "lookup "+v, s.RecordLookups(l)
		case op < 6:
			a := Account{CANumber: vehicle(), Label: fmt.Sprint("L", step), Operator: []int{0, 311, 312}[rng.IntN(3)]}
			if rng.IntN(3) == 0 {
				a.Last = snap(fmt.Sprint("S", step), clock)
			}
			what = "save " + a.CANumber
			_, err = s.SaveAccount(a)
		case op < 7:
			d := s.Data()
			if len(d.Accounts) > 0 {
				a := d.Accounts[rng.IntN(len(d.Accounts))]
				what, err = "remove "+a.CANumber, s.RemoveAccount(a.ID)
			}
		case op < 8:
			d := s.Data()
			if len(d.Accounts) > 1 {
				a := d.Accounts[rng.IntN(len(d.Accounts))]
				what, err = "move "+a.CANumber, s.MoveAccount(a.ID, rng.IntN(5)-2)
			}
		case op < 9:
			if rng.IntN(8) == 0 {
				what, err = "clear", s.ClearHistory()
			} else {
				what = "reload"
				_, _, err = s.ReloadIfChanged()
			}
		default:
			d := s.Data()
			if len(d.Accounts) > 0 {
				a := d.Accounts[rng.IntN(len(d.Accounts))]
				what = "import " + a.CANumber
				a.UseCount += 3
				a.Note = fmt.Sprint("imported ", step)
				_, err = s.Import([]Account{a})
			}
		}
		if errors.Is(err, ErrNotFound) {
			what, err = "", nil // the other handle removed it
		}
		if err != nil {
			t.Fatalf("step %d (%s): %v", step, what, err)
		}
		if what == "" {
			continue // nothing done: the handle may not have seen the other's changes
		}
		fresh := open().Data()
		if got := s.Data(); !sameData(got, fresh) {
			t.Fatalf("step %d (%s): the handle holds\n%s\na new read gives\n%s", step, what, describe(got), describe(fresh))
		}
	}
}

// describe prints d one account and one lookup a line.
func describe(d Data) string {
	var b strings.Builder
	for _, a := range d.Accounts {
		fmt.Fprintf(&b, "  %s %s op%d uses %d last-used %s", a.ID, a.CANumber, a.Operator, a.UseCount, a.LastUsedAt.Format(time.TimeOnly))
		if a.Last != nil {
			fmt.Fprintf(&b, " last %s@%s", a.Last.Consumer.Name, a.Last.FetchedAt.Format(time.TimeOnly))
		}
		b.WriteString("\n")
	}
	for _, l := range d.Recent {
		fmt.Fprintf(&b, "  recent %s op%d %s ok=%v\n", l.CANumber, l.Operator, l.At.Format(time.TimeOnly), l.OK)
	}
	return b.String()
}
