package ui

import (
	"context"
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/store"
)

// BenchmarkHomeFirstFrameFromDisk is BenchmarkHomeFirstFrame with the store
// read from its files each time, as a starting program reads it.
func BenchmarkHomeFirstFrameFromDisk(b *testing.B) {
	p := benchStore(b).Path()
	b.ResetTimer()
	for b.Loop() {
		st, err := store.Open(p, store.Options{HistoryLimit: 200})
		if err != nil {
			b.Fatal(err)
		}
		o := testOptions(okFetcher("X"), st)
		m := newModel(context.Background(), o, runEnv{})
		m, _ = m.update(tea.WindowSizeMsg{Width: 80, Height: 24})
		if m.state != stateHome {
			b.Fatal("not home")
		}
		_ = m.View()
	}
	_ = filepath.Base
}
