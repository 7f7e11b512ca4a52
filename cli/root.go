// Package cli holds the cobra commands of aopfetch: flags, sub-commands and
// wiring. No business logic lives here beyond presenting results.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
	"github.com/aopfetch/aopfetch/ui"
)

// hintUseFetch points at the one-shot command.
const hintUseFetch = "use `aopfetch fetch VEHICLE` for one-shot lookups (add --json for scripts)"

// Execute runs the root command and returns the process exit code; the
// stopSignals cancel in-flight lookups and end it with 130 (serve handles
// its own signals: SIGHUP reloads it).
func Execute(b BuildInfo) int {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	defer stop()
	return run(ctx, newApp(b, os.Stdin, os.Stdout, os.Stderr, nil), os.Args[1:])
}

// stopSignals are the signals that stop a command as ctrl+c does: SIGINT,
// SIGTERM, and SIGHUP (the terminal or the SSH connection went away), so
// that what was done is written and saved before the process ends. A
// SIGHUP that is ignored (nohup) stays ignored: handling it would undo that.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// run executes args against app and returns the exit code; errors are
// printed to app's stderr as one line plus a hint.
func run(ctx context.Context, app *invocation, args []string) int {
	defer app.close()
	root := newRootCmd(app)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCodeFor(err)
	if ctx.Err() != nil && code != exitUsage {
		code = exitInterrupted
	}
	if ee, ok := errors.AsType[*exitError](err); (!ok || ee.err != nil) && !app.saidAlready(err) {
		writeLookupError(app.stderr, "", err)
	}
	return code
}

// newRootCmd builds the command tree.
func newRootCmd(app *invocation) *cobra.Command {
	root := &cobra.Command{
		Use:   "aopfetch [VEHICLE]",
		Short: "Look up FASTag consumers with AOPay's Fetch Consumer Details API",
		Long: `aopfetch looks up the consumer behind a vehicle number (name, bill amount,
due date, payment options, phone) with AOPay's Fetch Consumer Details API.

Without a sub-command it starts the terminal UI (stdin and stdout must be a
terminal); with one VEHICLE argument the UI opens straight on its result.
Use "aopfetch fetch" for one-shot lookups and scripts, and --demo to try
everything against the built-in sandbox.`,
		Example: `  aopfetch --demo                     # the terminal UI against the sandbox
  aopfetch DL12CB4685                 # the UI, straight on this vehicle
  aopfetch --demo fetch DL12CB4685    # a one-shot lookup printed as a table
  aopfetch config                     # effective settings and where they came from`,
		Version:       app.info.text(),
		Args:          rootArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTUI(cmd, app, args)
		},
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			// The TUI shows its own DEMO badge; a line on stderr would land
			// on its screen.
			if cmd.HasParent() && humanOutput(cmd) {
				app.printDemoNotice()
			}
		},
	}
	// cobra applies its default distance only to its own unknown-command
	// errors; rootArgs asks SuggestionsFor directly, which needs it set.
	root.SuggestionsMinimumDistance = 2
	root.SetVersionTemplate("aopfetch {{.Version}}\n")
	root.SetOut(app.stdout)
	root.SetErr(app.stderr)
	root.SetIn(app.stdin)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return newUsageError(fmt.Sprintf("run `%s --help` for the flags", cmd.CommandPath()), "%v", err)
	})
	app.bindFlags(root.PersistentFlags())
	root.AddCommand(
		newFetchCmd(app),
		newSandboxCmd(app),
		newConfigCmd(app),
		newSavedCmd(app),
		newHistoryCmd(app),
		newExportCmd(app),
		newImportCmd(app),
		newVersionCmd(app),
		newManCmd(app),
		newBatchCmd(app),
		newServeCmd(app),
	)
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.Example = `  aopfetch completion bash > /etc/bash_completion.d/aopfetch
  aopfetch completion zsh > "${fpath[1]}/_aopfetch"
  aopfetch completion fish > ~/.config/fish/completions/aopfetch.fish`
	}
	if app.session != nil { // help over ssh offers only what works there
		for _, name := range serverFlags {
			_ = root.PersistentFlags().MarkHidden(name)
		}
		for _, c := range root.Commands() {
			c.Hidden = c.Hidden || !slices.Contains(sessionCommands, c.Name())
		}
	}
	return root
}

// humanOutput reports whether cmd prints for people: a sub-command (the UI
// shows its own DEMO badge) without --json, and not shell completion's
// hidden helpers.
func humanOutput(cmd *cobra.Command) bool {
	if !cmd.HasParent() || strings.HasPrefix(cmd.Name(), "__") {
		return false
	}
	return !cmd.Flags().Changed("json")
}

// usageArgs wraps a cobra argument validator so its errors are usage errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return newUsageError(fmt.Sprintf("run `%s --help` for usage and examples", cmd.CommandPath()), "%v", err)
		}
		return nil
	}
}

// rootArgs accepts at most one VEHICLE; a first argument that looks like a
// mistyped command is reported as one, whatever follows it.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		// Vehicle numbers always hold digits; a word is probably a mistyped command.
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 && !strings.ContainsAny(args[0], "0123456789") {
			return newUsageError("run `aopfetch --help` for the commands",
				"unknown command %q (did you mean %q?)", text.Sanitize(args[0]), s[0])
		}
	}
	return usageArgs(cobra.MaximumNArgs(1))(cmd, args)
}

// runTUI starts the terminal UI, or explains why it cannot.
func runTUI(cmd *cobra.Command, app *invocation, args []string) error {
	vehicle := ""
	if len(args) == 1 {
		vehicle = args[0]
	}
	if err := checkTerminal(app); err != nil {
		return err
	}
	app.quiet = true
	cfg, err := app.config()
	if err != nil {
		return err
	}
	c, err := app.client()
	if err != nil {
		return err
	}
	noColor, _ := app.getenv("NO_COLOR")
	opts := ui.Options{
		Fetcher: c, Config: cfg, Demo: app.demo(), Vehicle: vehicle,
		Debug: app.flags.debug, Version: app.info.Version,
		Notices: append(slices.Clone(cfg.Warnings), app.clientNotices...),
		ASCII:   text.GlyphsFor(app.getenv).ASCII(), NoColor: noColor != "",
		Theme: ui.Theme(cfg.Theme), Concurrency: cfg.Concurrency, Rate: cfg.Rate,
	}
	if s, err := app.store(); err != nil {
		opts.Notices = append(opts.Notices, "store unavailable, nothing will be saved: "+err.Error())
	} else {
		opts.Store = s
		opts.Notices = append(opts.Notices, s.Notices()...)
	}
	runErr := ui.Run(cmd.Context(), opts)
	if err := flushPending(opts.Store); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if cmd.Context().Err() != nil {
		return &exitError{code: exitInterrupted} // stopped by SIGINT/SIGTERM/SIGHUP, not by the agent
	}
	return nil
}

// flushPending retries, on the way out, the store changes of the session
// whose write failed (a lock held too long, a full disk); if they still
// cannot be written the agent is told, rather than losing them silently.
func flushPending(s *store.Store) error {
	if s == nil || s.Pending() == 0 {
		return nil
	}
	n := s.Pending()
	if err := s.Flush(); err != nil {
		return &exitError{code: exitAPI, err: fmt.Errorf("%d change(s) made in this session could not be saved to %s: %w", n, s.Path(), err),
			hint: "free disk space or stop the other aopfetch holding the store, then redo them"}
	}
	return nil
}

// checkTerminal refuses to start the UI without a terminal or on TERM=dumb.
func checkTerminal(app *invocation) error {
	if !isTerminal(app.stdin) || !isTerminal(app.stdout) {
		return newUsageError(hintUseFetch, "the terminal UI needs a terminal on stdin and stdout")
	}
	if t, _ := app.getenv("TERM"); strings.EqualFold(t, "dumb") {
		return newUsageError(hintUseFetch, "this terminal (TERM=dumb) cannot run the terminal UI")
	}
	return nil
}

// isTerminal reports whether v is an *os.File on a terminal (or a
// glyphWriter over one).
func isTerminal(v any) bool {
	if w, ok := v.(io.Writer); ok {
		v = unwrapped(w)
	}
	f, ok := v.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(f.Fd())
}

// writeString writes s to w, for commands that print a block at once.
func writeString(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}
