package ui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

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
		m := newModel(context.Background(), o, runEnv{})
		m, _ = m.update(tea.WindowSizeMsg{Width: 80, Height: 24})
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
		for _, msg := range collectSync(cmd) {
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

// collectSync runs cmd and batches synchronously (no timers are expected).
func collectSync(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if bm, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range bm {
			out = append(out, collectSync(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}
