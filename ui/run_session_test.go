package ui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// lockedBuffer is a bytes.Buffer safe for the program and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunOnAnotherTerminal is Run for a terminal that is not the process's
// (an SSH session): the sizes come from Sizes, the colours from Renderer's
// profile, TERM from Getenv.
func TestRunOnAnotherTerminal(t *testing.T) {
	out := &lockedBuffer{}
	o, _ := runOptions(t, okFetcher("X"))
	o.Output = out
	o.Renderer = lipgloss.NewRenderer(io.Discard)
	o.Renderer.SetColorProfile(termenv.TrueColor) // the process's own renderer is Ascii in tests
	sizes := make(chan tea.WindowSizeMsg)
	o.Sizes = sizes
	o.Getenv = func(k string) string { return map[string]string{"TERM": "dumb"}[k] } // a session's TERM: only the process's stops Run
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o) }()
	waitOutput := func(s string) {
		t.Helper()
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if strings.Contains(ansi.Strip(out.String()), s) {
				return
			}
		}
		t.Fatalf("%q not in the output:\n%s", s, ansi.Strip(out.String()))
	}
	sizes <- tea.WindowSizeMsg{Width: 80, Height: 24}
	waitOutput("Vehicle number")
	sizes <- tea.WindowSizeMsg{Width: 30, Height: 10}
	waitOutput("too small (need 40×12)")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(out.String(), "\x1b[38;2;") {
		t.Errorf("no true-colour sequence: the styles ignored the session's renderer")
	}
}

// TestStylesOnRenderer: every style, nested ones too, renders with the
// renderer's profile.
func TestStylesOnRenderer(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	s := NewStyles(ThemeAuto, false).onRenderer(r)
	for name, st := range map[string]lipgloss.Style{"Title": s.Title, "Error": s.Error, "Help.ShortKey": s.Help.ShortKey} {
		if out := st.Render("x"); !strings.Contains(out, "38;2;") {
			t.Errorf("%s renders %q, not in true colour", name, out)
		}
	}
	if out := NewStyles(ThemeAuto, false).Title.Render("x"); strings.Contains(out, "38;2;") {
		t.Errorf("the process's styles changed too: %q", out)
	}
}
