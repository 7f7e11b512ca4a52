package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/aopfetch/aopfetch/client"
)

// hostileFetcher answers every lookup with sampleResult changed by edit.
func hostileFetcher(edit func(res *client.Result)) *fakeFetcher {
	return &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		res := sampleResult(r, "NITESH KUMAR", "1000.0", "2021-09-20")
		edit(res)
		return res, nil
	}}
}

// resultFor looks up DL12CB4685 with f and returns the model in the
// result view.
func resultFor(t *testing.T, f *fakeFetcher, o Options) model {
	t.Helper()
	o.Fetcher = f
	m := newTestModel(o, 80, 24)
	m = typeText(m, "DL12CB4685")
	m, cmd := press(m, "enter")
	m = run(m, cmd)
	if m.state != stateResult {
		t.Fatalf("state %v, want the result view", m.state)
	}
	return m
}

// TestResultJSONViewDeepBodyStaysSmall: the J view lays out a raw body
// nested 9,990 deep only so deep; indenting all of it took 200 MB of text
// (and GBs wrapping it) from a 20 KB answer.
func TestResultJSONViewDeepBodyStaysSmall(t *testing.T) {
	raw := `{"status":true,"x":` + strings.Repeat("[", 9990) + strings.Repeat("]", 9990) + `}`
	m := resultFor(t, hostileFetcher(func(res *client.Result) { res.Raw = []byte(raw) }), testOptions(nil, nil))
	if len(m.result.json) > 2*len(raw)+4096 {
		t.Fatalf("%d bytes of JSON view from a %d-byte body", len(m.result.json), len(raw))
	}
	m, _ = press(m, "J")
	mustContain(t, screen(m), `"status": true`)
}

// TestResultWithoutBillShowsNoPhone: an answer without bill_fetch shows a
// dash for the phone (as the CLI does) and says there are no bill details
// where the payment flags would be; it said "Phone  no bill details".
func TestResultWithoutBillShowsNoPhone(t *testing.T) {
	for _, w := range []int{80, 50} {
		o := testOptions(nil, nil)
		o.Fetcher = hostileFetcher(func(res *client.Result) { res.Consumer.Bill = nil })
		m := newTestModel(o, w, 24)
		m = typeText(m, "DL12CB4685")
		m, cmd := press(m, "enter")
		m = run(m, cmd)
		lines := map[string]string{}
		for _, l := range strings.Split(screen(m), "\n") {
			if f := strings.Fields(l); len(f) > 1 {
				lines[f[0]] = strings.Join(f[1:], " ")
			}
		}
		if lines["Phone"] != "—" {
			t.Errorf("width %d: Phone row %q, want a dash", w, lines["Phone"])
		}
		pay := lines["Payment"]
		if w < 60 {
			pay = lines["Pays"]
		}
		if pay != "no bill details" {
			t.Errorf("width %d: payment row %q, want \"no bill details\"\n%s", w, pay, screen(m))
		}
	}
}
