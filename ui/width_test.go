package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// devanagari takes 14 cells in tmux and xterm (wcwidth per code point),
// while grapheme-cluster counting says 10.
const devanagari = "राजेश कुमार शर्मा"

// wideData has saved accounts labelled in Devanagari, CJK and emoji.
func wideData() store.Data {
	d := seedData(4, 2)
	d.Accounts[0].Label = devanagari
	d.Accounts[1].Label = "田中太郎 🚚 fleet"
	d.Accounts[2].Label = devanagari + " " + devanagari + " " + devanagari
	d.Recent[0].Snapshot.Consumer.Name = devanagari + " " + devanagari + " " + devanagari + " " + devanagari
	return d
}

func TestWideTextFitsAndAligns(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {40, 12}, {120, 40}, {59, 20}, {61, 20}} {
		m := newTestModel(testOptions(okFetcher(devanagari+" "+devanagari+" "+devanagari), testStore(t, wideData())), sz[0], sz[1])
		fits(t, "home", screen(m), sz[0])
		col := -1
		for _, line := range strings.Split(screen(m), "\n") {
			i := strings.Index(line, "DL")
			if i < 0 {
				continue
			}
			c := ansi.StringWidthWc(line[:i])
			if col >= 0 && c != col {
				t.Errorf("%dx%d: vehicle column at %d, want %d: %q", sz[0], sz[1], c, col, line)
			}
			col = c
		}
		m, _ = press(m, "tab")
		fits(t, "recent", screen(m), sz[0])
		m, _ = press(m, "tab", "1")
		fits(t, "cached result", screen(m), sz[0])
		m, cmd := press(m, "r")
		m = run(m, cmd)
		fits(t, "result", screen(m), sz[0])
		m, _ = press(m, "J")
		fits(t, "raw JSON", screen(m), sz[0])
		if lines := strings.Split(screen(m), "\n"); strings.Contains(strings.Join(lines[1:len(lines)-2], "\n"), text.Ellipsis) {
			t.Errorf("%dx%d: raw JSON cut instead of wrapped:\n%s", sz[0], sz[1], screen(m))
		}
	}
}

// fits fails when a line of screen takes more cells than the terminal has.
func fits(t *testing.T, what, screen string, w int) {
	t.Helper()
	for _, line := range strings.Split(screen, "\n") {
		if got := ansi.StringWidthWc(line); got > w {
			t.Errorf("%s at width %d: line takes %d cells: %q", what, w, got, line)
		}
	}
}

// lastLine is the help line of a screen.
func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}

func TestHelpLineFitsWhole(t *testing.T) {
	block := &fakeFetcher{fn: func(ctx context.Context, _ client.Request) (*client.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	for _, w := range []int{40, 52, 80} {
		views := map[string]model{}
		m := newTestModel(testOptions(okFetcher("X"), nil), w, 12)
		views["form"] = m
		m = typeText(m, "DL12CB4685")
		m, cmd := press(m, "enter")
		views["result"] = run(m, cmd)
		m = newTestModel(testOptions(errFetcher(errors.New("boom")), nil), w, 12)
		m = typeText(m, "DL12CB4685")
		m, cmd = press(m, "enter")
		views["error"] = run(m, cmd)
		m = newTestModel(testOptions(block, nil), w, 12)
		m = typeText(m, "DL12CB4685")
		views["loading"], _ = press(m, "enter")
		views["home"] = newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(3, 2))), w, 12)
		for name, v := range views {
			help := lastLine(screen(v))
			if strings.Contains(help, text.Ellipsis) || text.Width(help) > w {
				t.Errorf("%s at width %d: help line cut: %q", name, w, help)
			}
			if (name == "result" || name == "home") && !strings.HasSuffix(help, "? help") {
				t.Errorf("%s at width %d: help line lacks ? help: %q", name, w, help)
			}
		}
	}
}

func TestFormEscSaysWhatItDoes(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), nil), 80, 24)
	if help := lastLine(screen(m)); !strings.Contains(help, "esc back") {
		t.Errorf("first screen: %q", help)
	}
	m = newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(3, 2))), 80, 24)
	m, _ = press(m, "ctrl+n")
	if help := lastLine(screen(m)); !strings.Contains(help, "esc back") {
		t.Errorf("form opened from home: %q", help)
	}
}

func TestTooSmallFitsNarrowTerminals(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), nil), 80, 24)
	for w, want := range map[int]string{39: "terminal too small (need 40×12)", 25: "too small (need 40×12)", 12: "need 40×12", 5: "need…"} {
		m, _ = m.update(tea.WindowSizeMsg{Width: w, Height: 5})
		if got := screen(m); got != want {
			t.Errorf("width %d: %q, want %q", w, got, want)
		}
	}
}

func TestFullHelpShowsEveryKeyAndTheVersion(t *testing.T) {
	for _, sz := range [][2]int{{40, 12}, {80, 24}} {
		o := testOptions(okFetcher("X"), testStore(t, seedData(3, 2)))
		o.Version = "1.2.0"
		m := newTestModel(o, sz[0], sz[1])
		m, _ = press(m, "?")
		mustContain(t, screen(m), "aopfetch 1.2.0", "move", "first/last", "delete", "ctrl+c")
		m, cmd := press(m, "?", "enter")
		m = run(m, cmd)
		m, _ = press(m, "?")
		mustContain(t, screen(m), "aopfetch 1.2.0", "copy JSON", "refresh", "ctrl+c", "help")
	}
}

func TestOperatorNamedAlikeInEveryView(t *testing.T) {
	block := &fakeFetcher{fn: func(ctx context.Context, _ client.Request) (*client.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	want := "DL12CB4685 · operator 311 (FASTag Axis)"
	m := newTestModel(testOptions(block, nil), 80, 24)
	m = typeText(m, "DL12CB4685")
	m, _ = press(m, "enter")
	mustContain(t, screen(m), want)
	m = newTestModel(testOptions(okFetcher("X"), nil), 80, 24)
	m = typeText(m, "DL12CB4685")
	m, cmd := press(m, "enter")
	mustContain(t, screen(run(m, cmd)), want)
	m = newTestModel(testOptions(errFetcher(errors.New("boom")), nil), 80, 24)
	m = typeText(m, "DL12CB4685")
	m, cmd = press(m, "enter")
	mustContain(t, screen(run(m, cmd)), want)
}

func TestFormInputsScrollWithinTheirFields(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {40, 12}} {
		m := newTestModel(testOptions(okFetcher("X"), nil), sz[0], sz[1])
		m, _ = press(m, "tab")
		m, _ = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("AOP-5", 2048)), Paste: true})
		m, _ = m.update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		var reg string
		for _, l := range strings.Split(screen(m), "\n") {
			if strings.Contains(l, "Reg") {
				reg = l
			}
		}
		labelW, fieldW := 17, 40
		if sz[0] < 62 {
			labelW, fieldW = 10, sz[0]-2-10-3
		}
		if w := text.Width(reg); w > 1+2+labelW+fieldW+1 || strings.Contains(reg, text.Ellipsis) {
			t.Errorf("%dx%d: registration overflows its field (%d cells): %q", sz[0], sz[1], w, reg)
		}
		// The end of the value, where the cursor is, is visible.
		if !strings.Contains(reg, "AOP-5AOP-5") {
			t.Errorf("%dx%d: %q", sz[0], sz[1], reg)
		}
	}
}

func TestHomePromptsFitAndSayWhatEnterDoes(t *testing.T) {
	for _, w := range []int{40, 80} {
		m := newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(3, 2))), w, 12)
		m, _ = press(m, "ctrl+e")
		m = typeText(m, strings.Repeat(" long label", 8))
		status := strings.Split(screen(m), "\n")[10]
		if !strings.Contains(status, "Note:") || strings.Contains(status, text.Ellipsis) || text.Width(status) > w {
			t.Errorf("width %d: edit prompt %q", w, status)
		}
		if help := lastLine(screen(m)); !strings.Contains(help, "enter save") {
			t.Errorf("width %d: edit prompt help %q", w, help)
		}
		// The card's label prompt.
		m, _ = press(m, "esc", "enter")
		m, _ = press(m, "s")
		m = typeText(m, strings.Repeat(" long label", 4))
		status = strings.Split(screen(m), "\n")[10]
		if !strings.HasSuffix(status, "long label") || text.Width(status) > w {
			t.Errorf("width %d: label prompt %q", w, status)
		}
	}
}

// TestActiveTabReadsWithoutColour: under NO_COLOR (the tests' ASCII
// profile) the active tab is still marked.
func TestActiveTabReadsWithoutColour(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), testStore(t, seedData(3, 2))), 80, 24)
	mustContain(t, screen(m), "[Saved (3)]  Recent (2)")
	m, _ = press(m, "tab")
	mustContain(t, screen(m), " Saved (3)  [Recent (2)]")
}

func TestFormMessagesWrapWhole(t *testing.T) {
	for _, sz := range [][2]int{{40, 12}, {80, 24}} {
		m := newTestModel(testOptions(okFetcher("X"), nil), sz[0], sz[1])
		m = typeText(m, "ABC123")
		m, _ = press(m, "enter")
		msgs := []string{m.form.warn, "send anyway"}
		m2 := typeText(m, "!")
		m2, _ = press(m2, "enter")
		for _, c := range []struct {
			m    model
			msgs []string
		}{{m, msgs}, {m2, []string{m2.form.errs[fieldVehicle]}}} {
			lines := strings.Split(screen(c.m), "\n")
			body := strings.Join(lines[1:len(lines)-2], "\n")
			words := strings.Join(strings.Fields(body), " ")
			for _, msg := range c.msgs {
				if msg == "" || !strings.Contains(words, strings.Join(strings.Fields(msg), " ")) || strings.Contains(body, text.Ellipsis) {
					t.Errorf("%dx%d: %q not shown whole:\n%s", sz[0], sz[1], msg, screen(c.m))
				}
			}
		}
	}
}

// TestUpstreamHintBeforeSnippet: on a small terminal the advice is shown
// and the raw body snippet, last, is what gets clipped.
func TestUpstreamHintBeforeSnippet(t *testing.T) {
	err := &client.Error{Kind: client.KindUpstream, Message: "the server answered HTTP 502 Bad Gateway with a body that is not JSON", HTTPStatus: 502,
		Snippet: "<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> <hr><center>nginx</center> </body> </html>",
		Hint:    "the provider (or a proxy in front of it) is having trouble; try again in a minute"}
	m := newTestModel(testOptions(errFetcher(err), nil), 40, 12)
	m = lookUp(m, "DL12CB4685")
	mustContain(t, screen(m), "try again in a", "Response: <html>")
}

func TestLoadingNamesOperatorWholeWhenNarrow(t *testing.T) {
	block := &fakeFetcher{fn: func(ctx context.Context, _ client.Request) (*client.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	for _, w := range []int{40, 80} {
		m := newTestModel(testOptions(block, nil), w, 12)
		m = typeText(m, "DL12CB4685")
		m, _ = press(m, "enter")
		mustContain(t, screen(m), "Fetching DL12CB4685", "operator 311 (FASTag Axis)")
	}
}

func TestNarrowCardsNameOperatorWhole(t *testing.T) {
	m := newTestModel(testOptions(okFetcher("X"), nil), 40, 12)
	m = typeText(m, "DL12CB4685")
	m, cmd := press(m, "enter")
	mustContain(t, screen(run(m, cmd)), "DL12CB4685 · 311 (FASTag Axis)")
	m = newTestModel(testOptions(errFetcher(errors.New("boom")), nil), 40, 12)
	m = typeText(m, "DL12CB4685")
	m, cmd = press(m, "enter")
	mustContain(t, screen(run(m, cmd)), "DL12CB4685 · 311 (FASTag Axis)")
}
