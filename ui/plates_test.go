package ui

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// randomPlate is a vehicle number of a random kind (standard, BH series,
// temporary, trade) in random case, with stray digits and the letters that
// were commands (y, n, q, d, J, K, s, e) mixed in.
func randomPlate(r *rand.Rand) string {
	letters := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('A' + r.IntN(26)))
		}
		return b.String()
	}
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		return b.String()
	}
	states := []string{"DL", "MH", "KA", "TN", "UP", "GJ", "HR", "WB"}
	st := states[r.IntN(len(states))]
	var p string
	switch r.IntN(4) {
	case 0:
		p = st + digits(2) + letters(r.IntN(3)+1) + digits(4)
	case 1:
		p = digits(2) + "BH" + digits(4) + letters(2)
	case 2:
		p = "T" + digits(4) + st + digits(4) + letters(1)
	default:
		p = st + digits(2) + letters(1) + digits(4) + "TC" + digits(4)
	}
	var b strings.Builder
	for _, c := range p {
		if r.IntN(5) == 0 {
			b.WriteString(strings.ToLower(string(c)))
		} else {
			b.WriteRune(c)
		}
		if r.IntN(6) == 0 {
			b.WriteString(string("0123456789ynqdJKse "[r.IntN(19)]))
		}
	}
	return b.String()
}

// TestTypingPlatesChangesNothing types 500 random vehicle numbers into
// home over a saved list, a key at a time, in coalesced reads and pasted,
// clearing the input in between; every command that results is run. The
// store's files are byte for byte the same afterwards and the program
// still runs.
func TestTypingPlatesChangesNothing(t *testing.T) {
	st := testStore(t, seedData(25, 10))
	files := []string{st.Path(), st.HistoryPath()}
	before := make([][]byte, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		before[i] = b
	}
	m := newTestModel(testOptions(okFetcher("X"), st), 80, 24)
	r := rand.New(rand.NewPCG(12, 2026))
	for i := range 500 {
		p := randomPlate(r)
		var cmds []tea.Cmd
		switch i % 3 {
		case 0: // a key at a time
			for _, c := range p {
				var cmd tea.Cmd
				m, cmd = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{c}})
				cmds = append(cmds, cmd)
			}
		case 1: // keys faster than one read
			var cmd tea.Cmd
			m, cmd = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(p)})
			cmds = append(cmds, cmd)
		default: // pasted
			var cmd tea.Cmd
			m, cmd = m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(p), Paste: true})
			cmds = append(cmds, cmd)
		}
		for _, cmd := range cmds {
			m = run(m, cmd)
		}
		if m.state != stateHome || m.quitting || m.home.dialog || m.home.prompting {
			t.Fatalf("plate %d %q: state %v quitting %v dialog %v prompt %v", i, p, m.state, m.quitting, m.home.dialog, m.home.prompting)
		}
		if got := m.home.input.Value(); !strings.HasPrefix(p, strings.TrimSpace(got)) && !strings.HasPrefix(p, got) {
			t.Fatalf("plate %d: typed %q, input %q", i, p, got)
		}
		_ = screen(m)
		m, _ = press(m, "esc")
	}
	for i, f := range files {
		after, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if !bytes.Equal(before[i], after) {
			t.Fatalf("%s changed while typing plates", f)
		}
	}
}
