package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/aopfetch/aopfetch/client"
)

// size is a terminal size.
type size struct{ w, h int }

// sizes are the terminal sizes every view is captured at; home is also
// captured at homeSizes.
var (
	sizes     = []size{{80, 24}, {40, 12}}
	homeSizes = []size{{80, 24}, {40, 12}, {200, 60}}
)

// step drives a running program.
type step func(tm *teatest.TestModel)

func keys(ks ...string) step {
	return func(tm *teatest.TestModel) {
		for _, k := range ks {
			tm.Send(keyMsg(k))
		}
	}
}

func typed(s string) step { return func(tm *teatest.TestModel) { tm.Type(s) } }

// waitFor waits until the program's output contains s.
func waitFor(t *testing.T, s string) step {
	return func(tm *teatest.TestModel) {
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
}

// goldenRun runs the program at every size, applies the steps, quits and
// compares the final frame with testdata/<test>/<w>x<h>.golden.
func goldenRun(t *testing.T, build func() (model, tea.Cmd), steps func(t *testing.T) []step) {
	t.Helper()
	goldenRunAt(t, sizes, build, steps)
}

// goldenRunAt is goldenRun at the sizes given.
func goldenRunAt(t *testing.T, at []size, build func() (model, tea.Cmd), steps func(t *testing.T) []step) {
	t.Helper()
	for _, sz := range at {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			t.Parallel()
			m, cmd := build()
			m.initCmd = cmd
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(sz.w, sz.h))
			for _, s := range steps(t) {
				s(tm)
			}
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
			// The spinner's frame depends on how many ticks ran before the
			// program quit: capture it as its first frame.
			out := regexp.MustCompile(`(?m)^( *)[|/\\-]( Fetching)`).ReplaceAllString(fm.View(), "$1|$2")
			if strings.Contains(out, "\x1b") {
				t.Fatalf("escape sequence in ASCII frame: %q", out)
			}
			if m.c.g.ASCII() && !isASCII(out) {
				t.Fatalf("a character that is not ASCII in a C-locale frame: %q", out)
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// plain builds a model from options.
func plain(o Options) func() (model, tea.Cmd) {
	return func() (model, tea.Cmd) { return newModel(context.Background(), o, runEnv{}), nil }
}

// withVehicle builds a model that opens straight on vehicle.
func withVehicle(o Options, vehicle string) func() (model, tea.Cmd) {
	return func() (model, tea.Cmd) {
		return newModel(context.Background(), o, runEnv{}).start(vehicle)
	}
}

func TestGoldenForm(t *testing.T) {
	goldenRun(t, plain(testOptions(okFetcher("X"), nil)), func(t *testing.T) []step {
		return []step{typed("dl12cb46"), waitFor(t, "DL12CB46")}
	})
}

func TestGoldenFormErrors(t *testing.T) {
	goldenRun(t, plain(testOptions(okFetcher("X"), nil)), func(t *testing.T) []step {
		return []step{keys("shift+tab"), typed("x"), typed("!!"), keys("enter"), waitFor(t, "Operator")}
	})
}

func TestGoldenFormWarning(t *testing.T) {
	goldenRun(t, plain(testOptions(okFetcher("X"), nil)), func(t *testing.T) []step {
		return []step{typed("ABC123"), keys("enter"), waitFor(t, "again")}
	})
}

func TestGoldenLoading(t *testing.T) {
	block := &fakeFetcher{fn: func(ctx context.Context, _ client.Request) (*client.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	goldenRun(t, plain(testOptions(block, nil)), func(t *testing.T) []step {
		return []step{typed("DL12CB4685"), keys("enter"), waitFor(t, "Fetching")}
	})
}

func TestGoldenResult(t *testing.T) {
	names := map[string]string{
		"normal":     "NITESH  KUMAR SHARMA",
		"long":       "SRI VENKATA SATYANARAYANA LAKSHMI NARASIMHA SWAMY CHOWDARY GARU TRANSPORT CORPORATION",
		"devanagari": "नितेश कुमार शर्मा",
		"wide":       "山田太郎 運送株式会社",
	}
	for k, name := range names {
		t.Run(k, func(t *testing.T) {
			goldenRun(t, withVehicle(testOptions(okFetcher(name), nil), "DL12CB4685"), func(t *testing.T) []step {
				return []step{waitFor(t, "Amount")}
			})
		})
	}
}

func TestGoldenResultJSON(t *testing.T) {
	goldenRun(t, withVehicle(testOptions(okFetcher("NITESH KUMAR"), nil), "DL12CB4685"), func(t *testing.T) []step {
		return []step{waitFor(t, "Amount"), keys("J"), waitFor(t, "response_code")}
	})
}

// errorCases are one error per class.
func errorCases() map[string]error {
	res := &client.Result{Consumer: client.Consumer{Message: "Signature verification failed", ResponseCode: 10}}
	nf := &client.Result{Consumer: client.Consumer{Message: "Vehicle not found", ResponseCode: 2}}
	return map[string]error{
		"auth": &client.Error{Kind: client.KindAuth, Message: "the provider rejected the request (HTTP 401)", HTTPStatus: 401, ResponseCode: 10, Result: res},
		"api":  &client.Error{Kind: client.KindAPI, Message: "Vehicle not found", ResponseCode: 2, Result: nf},
		"upstream": &client.Error{Kind: client.KindUpstream, Message: "the provider answered with a non-JSON page", HTTPStatus: 502,
			Snippet: "<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>"},
		"network":   &client.Error{Kind: client.KindNetwork, Message: "connection refused by api.example.invalid:443", Err: errors.New("dial tcp: refused")},
		"timeout":   &client.Error{Kind: client.KindTimeout, Message: "no answer within 30s"},
		"cancelled": &client.Error{Kind: client.KindCancelled, Message: "the lookup was cancelled"},
	}
}

func TestGoldenError(t *testing.T) {
	for k, err := range errorCases() {
		t.Run(k, func(t *testing.T) {
			goldenRun(t, withVehicle(testOptions(errFetcher(err), nil), "DL12CB4685"), func(t *testing.T) []step {
				return []step{waitFor(t, "retry")}
			})
		})
	}
}

func TestGoldenTooSmall(t *testing.T) {
	m := newModel(context.Background(), testOptions(okFetcher("X"), nil), runEnv{})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(39, 12))
	waitFor(t, "too small")(tm)
	_ = tm.Quit()
	golden.RequireEqual(t, []byte(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()))
}

// homeOptions is a store seeded with n saved accounts and r recent lookups.
func homeOptions(t *testing.T, n, r int) Options {
	return testOptions(okFetcher("X"), testStore(t, seedData(n, r)))
}

// answerOnly answers the lookup of vehicle and holds the others until the
// test ends (whatever their context says, so a frame caught mid-run stays
// as it was when the program quits).
func answerOnly(t *testing.T, vehicle string) *fakeFetcher {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		if r.CANumber == vehicle {
			return sampleResult(r, "FRESH NAME", "2000.00", "2021-09-16"), nil
		}
		<-release
		return nil, &client.Error{Kind: client.KindCancelled, Message: "the lookup was cancelled"}
	}}
}

// homeCase is one golden of home.
type homeCase struct {
	n, r  int
	fetch func(t *testing.T) Fetcher // nil: every lookup answers
	steps func(t *testing.T) []step
}

// homeCases are the goldens of home: empty, 3, 1,000, filtered, sorted by
// due, refresh-all in progress, delete dialog, undo status, and more.
func homeCases() map[string]homeCase {
	return map[string]homeCase{
		"empty": {0, 0, nil, func(t *testing.T) []step { return []step{waitFor(t, "Nothing saved")} }},
		"three": {3, 2, nil, func(t *testing.T) []step { return []step{waitFor(t, "Saved (3)")} }},
		"thousand": {1000, 200, nil, func(t *testing.T) []step {
			return []step{waitFor(t, "Saved (1000)")}
		}},
		"recent": {3, 2, nil, func(t *testing.T) []step { return []step{keys("tab"), waitFor(t, "RECENT")} }},
		"filter": {1000, 0, nil, func(t *testing.T) []step {
			return []step{typed("truck 99"), waitFor(t, "DL99CB0099")}
		}},
		"nomatch": {3, 0, nil, func(t *testing.T) []step {
			return []step{typed("mh12ab3456"), waitFor(t, "looks up")}
		}},
		"sorted": {12, 0, nil, func(t *testing.T) []step {
			return []step{keys("ctrl+s"), waitFor(t, "sorted by due soonest")}
		}},
		"refresh": {3, 0, func(t *testing.T) Fetcher { return answerOnly(t, "DL01CB0001") }, func(t *testing.T) []step {
			return []step{keys("ctrl+r"), waitFor(t, "1/3")}
		}},
		"delete": {3, 0, nil, func(t *testing.T) []step { return []step{keys("down", "ctrl+d"), waitFor(t, "Delete this")} }},
		"undo": {3, 0, nil, func(t *testing.T) []step {
			return []step{keys("down", "ctrl+d", "y"), waitFor(t, "Deleted \"Fleet")}
		}},
		"help": {3, 0, nil, func(t *testing.T) []step { return []step{keys("?"), waitFor(t, "first/last")} }},
	}
}

// TestGoldenHome captures home at 80x24, 40x12 and 200x60, with UTF-8 and
// (subtest C) as under LANG=C: ASCII only.
func TestGoldenHome(t *testing.T) {
	for name, tc := range homeCases() {
		for _, locale := range []string{"utf8", "C"} {
			t.Run(name+"/"+locale, func(t *testing.T) {
				goldenRunAt(t, homeSizes, func() (model, tea.Cmd) {
					o := homeOptions(t, tc.n, tc.r)
					if tc.fetch != nil {
						o.Fetcher = tc.fetch(t)
					}
					o.ASCII = locale == "C"
					m := newModel(context.Background(), o, runEnv{})
					m.state = stateHome
					return m, nil
				}, tc.steps)
			})
		}
	}
}

func TestGoldenHomeBanner(t *testing.T) {
	goldenRun(t, func() (model, tea.Cmd) {
		o := homeOptions(t, 3, 0)
		o.Notices = []string{"store.json was corrupt and was moved aside to store.json.corrupt-20210915", "config.toml is readable by others: chmod 600"}
		return newModel(context.Background(), o, runEnv{}), nil
	}, func(t *testing.T) []step { return []step{waitFor(t, "corrupt")} })
}

func TestGoldenNoStore(t *testing.T) {
	goldenRun(t, plain(testOptions(okFetcher("X"), nil)), func(t *testing.T) []step {
		return []step{waitFor(t, "Operator")}
	})
}
