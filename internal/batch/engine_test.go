package batch

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// fakeFetcher answers from a function, counting calls.
type fakeFetcher struct {
	mu     sync.Mutex
	calls  []string
	answer func(ctx context.Context, r client.Request) (*client.Result, error)
}

func (f *fakeFetcher) Fetch(ctx context.Context, r client.Request) (*client.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, r.CANumber)
	f.mu.Unlock()
	return f.answer(ctx, r)
}

func requests(vs ...string) []client.Request {
	out := make([]client.Request, len(vs))
	for i, v := range vs {
		out[i] = client.Request{Operator: 311, CANumber: v, RegistrationID: "AOP-554"}
	}
	return out
}

var errAuth = &client.Error{Kind: client.KindAuth, Message: "Signature verification failed"}

// TestRunOneWorkerKeepsOrderAndCanGoOnAfterAuth: what fetch relies on:
// with one worker the answers come in job order, and KeepGoingAfterAuth
// reports every job however many are refused.
func TestRunOneWorkerKeepsOrderAndCanGoOnAfterAuth(t *testing.T) {
	f := &fakeFetcher{answer: func(_ context.Context, r client.Request) (*client.Result, error) {
		if r.CANumber[0] == 'A' {
			return nil, errAuth
		}
		return &client.Result{Consumer: client.Consumer{Name: r.CANumber}}, nil
	}}
	jobs := requests("B1", "A2", "B3", "A4", "B5")
	for _, keepGoing := range []bool{true, false} {
		f.calls = nil
		var got []string
		rep := Run(context.Background(), f, jobs, Options{Concurrency: 1, KeepGoingAfterAuth: keepGoing}, func(r Result) error {
			got = append(got, fmt.Sprintf("%d:%s:%s", r.Job, r.Req.CANumber, r.Kind()))
			return nil
		})
		want := []string{"0:B1:", "1:A2:auth", "2:B3:", "3:A4:auth", "4:B5:"}
		if !keepGoing {
			want = want[:2]
		}
		if !slices.Equal(got, want) || rep.Auth == nil || rep.Interrupted {
			t.Errorf("KeepGoingAfterAuth %v: results %v, report %+v; want %v", keepGoing, got, rep, want)
		}
	}
}

// TestRunCancelWithoutGrace: cancelling ctx with no grace (the TUI's esc,
// fetch's ctrl+c) cancels the lookups in flight at once; they are not
// reported, and the run says it was interrupted.
func TestRunCancelWithoutGrace(t *testing.T) {
	started := make(chan struct{}, 10)
	f := &fakeFetcher{answer: func(ctx context.Context, r client.Request) (*client.Result, error) {
		if r.CANumber == "FAST" {
			return &client.Result{}, nil
		}
		started <- struct{}{}
		<-ctx.Done()
		return nil, &client.Error{Kind: client.KindCancelled, Message: "cancelled"}
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Report, 1)
	var got []string
	go func() {
		done <- Run(ctx, f, requests("FAST", "SLOW1", "SLOW2", "SLOW3", "SLOW4"), Options{Concurrency: 2}, func(r Result) error {
			got = append(got, r.Req.CANumber)
			return nil
		})
	}()
	<-started
	cancel()
	select {
	case rep := <-done:
		if !rep.Interrupted || !slices.Equal(got, []string{"FAST"}) {
			t.Errorf("report %+v, results %v; want interrupted, FAST only", rep, got)
		}
	case <-time.After(10 * time.Second): // a hang, not a speed limit
		t.Fatal("Run did not return after cancel")
	}
}

// ExampleRun is the shape of a refresh-all in a Bubble Tea program: Run in
// a goroutine (a tea.Cmd), each result sent on as it arrives (here on a
// channel a Cmd would read one message at a time), esc cancelling ctx.
func ExampleRun() {
	f := &fakeFetcher{answer: func(_ context.Context, r client.Request) (*client.Result, error) {
		if r.CANumber == "DL01AA0404" {
			return nil, &client.Error{Kind: client.KindAPI, Message: "Vehicle not found"}
		}
		return &client.Result{Consumer: client.Consumer{Name: "OWNER " + r.CANumber}}, nil
	}}
	ctx, cancel := context.WithCancel(context.Background()) // esc calls cancel
	defer cancel()
	jobs := requests("DL12CB4685", "DL01AA0404", "MH12AB1234")
	results := make(chan Result)
	reports := make(chan Report, 1)
	go func() {
		reports <- Run(ctx, f, jobs, Options{Concurrency: 1, Rate: 0}, func(r Result) error {
			results <- r // the model updates row r.Job
			return nil
		})
		close(results)
	}()
	for r := range results {
		if r.Err != nil {
			fmt.Printf("%s failed: %s\n", r.Req.CANumber, r.Kind())
			continue
		}
		fmt.Printf("%s: %s\n", r.Req.CANumber, r.Res.Consumer.Name)
	}
	fmt.Println("interrupted:", (<-reports).Interrupted)
	// Output:
	// DL12CB4685: OWNER DL12CB4685
	// DL01AA0404 failed: api
	// MH12AB1234: OWNER MH12AB1234
	// interrupted: false
}

// TestOneWorkerKeepsTheOrder: with one worker the answers arrive in the
// order of the jobs, however fast the later ones are (fetch prints them so).
func TestOneWorkerKeepsTheOrder(t *testing.T) {
	jobs := make([]client.Request, 50)
	for i := range jobs {
		jobs[i] = client.Request{Operator: 311, CANumber: fmt.Sprintf("KA01AB%04d", i), RegistrationID: "R"}
	}
	for range 300 {
		var got []int
		f := &fakeFetcher{answer: func(context.Context, client.Request) (*client.Result, error) {
			runtime.Gosched()
			return &client.Result{}, nil
		}}
		Run(context.Background(), f, jobs, Options{Concurrency: 1}, func(r Result) error {
			got = append(got, r.Job)
			return nil
		})
		for i, j := range got {
			if i != j {
				t.Fatalf("answers in the order %v", got)
			}
		}
	}
}
