// Package ui is the Bubble Tea program of aopfetch: one root model routing
// between views. It reaches the network and the disk only through tea.Cmd.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/adrg/xdg"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/safefile"
	"github.com/aopfetch/aopfetch/store"
)

// Fetcher performs lookups (*client.Client satisfies it).
type Fetcher interface {
	Fetch(ctx context.Context, r client.Request) (*client.Result, error)
}

// Options wires the program.
type Options struct {
	Fetcher Fetcher
	Config  *config.Config
	Store   *store.Store // nil when the store could not be opened
	Notices []string     // store/config notices to show as a banner
	Demo    bool         // show the DEMO badge
	Vehicle string       // `aopfetch VEHICLE`: open straight on this vehicle's result
	Debug   bool         // tea.LogToFile under $XDG_STATE_HOME/aopfetch/
	Version string       // shown at the top of the full help (?)

	// ASCII prints ASCII only (the locale is not UTF-8; see text.GlyphsFor).
	ASCII bool
	// Theme picks the palette ("" = auto: the terminal's background).
	Theme Theme
	// NoColor: NO_COLOR is set; the input cursor stays visible in reverse video.
	NoColor bool
	// Refresher runs refresh-all's lookups (nil = the batch engine over
	// Fetcher with Concurrency and Rate).
	Refresher   Refresher
	Concurrency int     // refresh-all's lookups at once (0 = 4)
	Rate        float64 // refresh-all's lookups started per second (0 = no limit)
	// Poll is how often home checks the store for other sessions' changes
	// while on screen (0 = DefaultPoll under Run; tests that build the
	// model directly get no polling).
	Poll time.Duration

	// Now is the clock (nil = time.Now); tests fix it.
	Now func() time.Time
	// Input and Output replace the terminal (nil = stdin/stdout).
	Input  io.Reader
	Output io.Writer
	// Clipboard receives OSC 52 sequences (nil = the terminal: stderr, or
	// stdout when stderr is redirected).
	Clipboard io.Writer
	// StateDir is where the crash and debug logs go (""
	// = $XDG_STATE_HOME/aopfetch).
	StateDir string

	// A terminal that is not the process's own (an SSH session of `aopfetch
	// serve`) also needs the three below; nil means the process's terminal.
	//
	// Renderer renders the styles with the terminal's colour profile and
	// background.
	Renderer *lipgloss.Renderer
	// Sizes delivers the terminal's size, first and after every resize; Run
	// stops reading it when the program ends.
	Sizes <-chan tea.WindowSizeMsg
	// Getenv is the terminal's environment (TERM, TMUX) instead of the
	// process's.
	Getenv func(string) string

	logger *log.Logger
}

// DefaultPoll is how often home checks the store while on screen: a save
// in another session shows within two seconds.
const DefaultPoll = 1500 * time.Millisecond

// ErrDumbTerminal is returned by Run when TERM=dumb.
var ErrDumbTerminal = errors.New("this terminal (TERM=dumb) cannot show the interactive UI; use `aopfetch fetch` instead")

// Run runs the TUI until the user quits or ctx is cancelled (the caller
// turns SIGINT/SIGTERM into a cancelled ctx); it restores the terminal on
// exit and on panic. A panic is logged to aopfetch.log in the state directory and
// reported as an error naming that file.
func Run(ctx context.Context, o Options) error {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("TERM") == "dumb" && o.Output == nil {
		return ErrDumbTerminal
	}
	if o.StateDir == "" {
		o.StateDir = filepath.Join(xdg.StateHome, "aopfetch")
	}
	dir := o.StateDir
	if o.Poll == 0 {
		o.Poll = DefaultPoll
	}
	if o.Debug {
		f, err := openLog(dir, "debug.log")
		if err != nil {
			return err
		}
		defer f.Close()
		o.logger = log.New(f, "aopfetch ", log.LstdFlags)
	}
	if o.Clipboard == nil {
		// OSC 52 goes to stderr when it is a terminal (a single write there
		// never splits a frame the program draws on stdout), else stdout.
		o.Clipboard = os.Stdout
		if term.IsTerminal(os.Stderr.Fd()) {
			o.Clipboard = os.Stderr
		}
	}
	if o.Output == nil && (o.Theme == "" || o.Theme == ThemeAuto) {
		// Ask the terminal for its background (light or dark colours) now:
		// lipgloss would ask on the first frame that uses an adaptive
		// colour, after the program reads the terminal, which can swallow
		// the answer or take it for keys.
		lipgloss.HasDarkBackground()
	}
	m := newModel(ctx, o, runEnv{tmux: getenv("TMUX") != "", proxy: os.Getenv("HTTPS_PROXY") != "" || os.Getenv("https_proxy") != ""})
	m, cmd := m.start(o.Vehicle)
	// The caller's ctx is the only stop signal: Bubble Tea's own SIGTERM
	// handler races a ctx cancelled by the same signal and can deadlock
	// its shutdown (the quit message has no reader any more).
	// 120 frames/s (Bubble Tea's most) halves the wait from a key to its
	// frame; an unchanged frame is never rewritten, so idling costs no bytes.
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithoutCatchPanics(),
		tea.WithoutSignalHandler(), tea.WithFPS(120)}
	if o.Input != nil {
		opts = append(opts, tea.WithInput(o.Input))
	}
	if o.Output != nil {
		opts = append(opts, tea.WithOutput(o.Output))
	}
	m.initCmd = cmd
	p := tea.NewProgram(m, opts...)
	m.c.crash.quit = p.Quit
	if o.Sizes != nil {
		stop := make(chan struct{})
		defer close(stop)
		go sendSizes(p, o.Sizes, stop)
	}
	final, err := p.Run()
	if fm, ok := final.(model); ok && fm.crashed != nil {
		return crashError(dir, fm.crashed)
	}
	if ci := m.c.crash.info.Load(); ci != nil {
		return crashError(dir, ci)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// sendSizes sends each window size to p until stop is closed.
func sendSizes(p *tea.Program, sizes <-chan tea.WindowSizeMsg, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case msg, ok := <-sizes:
			if !ok {
				return
			}
			p.Send(msg)
		}
	}
}

// openLog opens name in the log directory dir for appending: dir is
// created 0700 and must be one only this user can change, and the file is
// opened 0600, never through a symbolic link.
func openLog(dir, name string) (*os.File, error) {
	p := filepath.Join(dir, name)
	if err := safefile.CheckPath(p); err != nil {
		return nil, err
	}
	if err := safefile.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	f, err := safefile.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND)
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	_ = f.Chmod(safefile.FileMode)
	return f, nil
}

// crashError logs a recovered panic and returns a one-line error pointing
// at the log.
func crashError(dir string, ci *crashInfo) error {
	f, err := openLog(dir, "aopfetch.log")
	if err != nil {
		return fmt.Errorf("aopfetch crashed (and could not write the crash log: %v)", err)
	}
	defer f.Close()
	fmt.Fprintf(f, "%s panic: %v\n%s\n", time.Now().UTC().Format(time.RFC3339), ci.value, ci.stack)
	return fmt.Errorf("aopfetch crashed; details are in %s", f.Name())
}
