package batch

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/aopfetch/aopfetch/internal/text"
)

// Counter counts finished lookups; progress views poll it.
type Counter struct {
	mu    sync.Mutex
	start time.Time
	n     counts // all but Elapsed
}

// newCounter starts counting total lookups now.
func newCounter(total int) *Counter {
	return &Counter{start: time.Now(), n: counts{Total: total}}
}

// add counts one finished lookup.
func (c *Counter) add(ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Done++
	if ok {
		c.n.OK++
	} else {
		c.n.Failed++
	}
}

// setStopping marks the run as winding down after an interruption.
func (c *Counter) setStopping() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Stopping = true
}

// snapshot returns the counts now.
func (c *Counter) snapshot() counts {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	n.Elapsed = time.Since(c.start)
	return n
}

// counts are the progress of a run at one moment.
type counts struct {
	Total, Done, OK, Failed int
	Elapsed                 time.Duration
	Stopping                bool
}

// rate is lookups finished per second so far.
func (s counts) rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Done) / s.Elapsed.Seconds()
}

// percent is the finished fraction in [0, 1].
func (s counts) percent() float64 {
	if s.Total == 0 {
		return 1
	}
	return float64(s.Done) / float64(s.Total)
}

// status is the one-line progress text, in glyphs g.
func (s counts) status(g text.Glyphs) string {
	line := strings.Join([]string{fmt.Sprintf("%d/%d looked up", s.Done, s.Total),
		fmt.Sprintf("%d ok", s.OK), fmt.Sprintf("%d failed", s.Failed), fmt.Sprintf("%.1f req/s", s.rate())}, g.Sep)
	if s.Stopping {
		return line + g.Sep + "stopping (ctrl+c again quits)"
	}
	if r := s.rate(); r > 0 && s.Done < s.Total {
		eta := time.Duration(float64(s.Total-s.Done) / r * float64(time.Second))
		line += g.Sep + "ETA " + eta.Round(time.Second).String()
	}
	return line
}

// StartProgress shows the progress of c on w in glyphs g until the
// returned stop is called: a progress bar when bar is set (the caller knows
// w is a terminal, and that nothing else is drawn on it) and w is an
// *os.File, else a progress line every few seconds.
func StartProgress(w io.Writer, c *Counter, bar bool, g text.Glyphs) (stop func()) {
	if f, ok := w.(*os.File); ok && bar {
		return startBarProgress(f, c, g)
	}
	return startLineProgress(w, c, 3*time.Second, g)
}

// startLineProgress prints the status line every interval.
func startLineProgress(w io.Writer, c *Counter, every time.Duration, g text.Glyphs) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				fmt.Fprintln(w, "batch: "+c.snapshot().status(g))
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// startBarProgress runs a small Bubble Tea program drawing a progress bar
// on the terminal (no alternate screen, no keyboard input: ctrl+c stays a
// signal).
func startBarProgress(f *os.File, c *Counter, g text.Glyphs) (stop func()) {
	bar := progress.New(progress.WithDefaultGradient(), progress.WithColorProfile(termenv.NewOutput(f).EnvColorProfile()),
		progress.WithFillCharacters(g.Bar, g.Track))
	prog := tea.NewProgram(barModel{bar: bar, counter: c, snap: c.snapshot(), g: g}, tea.WithOutput(f), tea.WithInput(nil), tea.WithoutSignalHandler())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = prog.Run()
	}()
	return func() {
		prog.Send(barDoneMsg{})
		<-done
	}
}

// barModel is the progress bar view.
type barModel struct {
	bar     progress.Model
	counter *Counter
	snap    counts
	width   int
	g       text.Glyphs
}

type (
	barTickMsg struct{}
	barDoneMsg struct{}
)

func barTick() tea.Cmd {
	return tea.Tick(200*time.Millisecond, func(time.Time) tea.Msg { return barTickMsg{} })
}

func (m barModel) Init() tea.Cmd { return barTick() }

func (m barModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width = msg.Width
		m.bar.Width = max(10, min(msg.Width-1, 72))
	case barTickMsg:
		m.snap = m.counter.snapshot()
		return m, barTick()
	case barDoneMsg:
		m.snap = m.counter.snapshot()
		return m, tea.Quit
	}
	return m, nil
}

func (m barModel) View() string {
	status := m.snap.status(m.g)
	if m.width > 1 {
		status = text.Truncate(status, m.width-1)
	}
	return m.bar.ViewAs(m.snap.percent()) + "\n" + status + "\n"
}
