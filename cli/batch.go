package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/batch"
	"github.com/aopfetch/aopfetch/internal/text"
)

// batchGrace bounds the wait for in-flight lookups after ctrl+c.
const batchGrace = 10 * time.Second

// batchOptions are the flags and argument of `aopfetch batch`.
type batchOptions struct {
	input          string
	output         string
	format         string
	operator       string
	registrationID string
	skipInvalid    bool
	resume         bool
	overwrite      bool
	save           bool
	saved          bool
	noHistory      bool
	concurrency    int
	rate           float64
}

func newBatchCmd(app *invocation) *cobra.Command {
	o := batchOptions{concurrency: client.DefaultConcurrency}
	cmd := &cobra.Command{
		Use:   "batch [flags] FILE | --saved",
		Short: "Look up a whole list of vehicles, or every saved account, with progress",
		Long: `Look up every vehicle of FILE ('-' reads stdin; at most 128 MiB are read) and
write one row per input row. With --saved, look up every saved account instead,
in saved order with its label, and refresh them with the answers (--save is
implied).

FILE is a CSV file with a header naming the columns canumber (required), operator,
registration_id and label (other columns are ignored), or a plain text file with
one vehicle per line (blank lines and lines starting with # are skipped). A row
without an operator or registration id takes the saved account's when its
vehicle is saved, else --operator / --registration-id, then the config's defaults.

Every row is checked first; if any is invalid nothing is sent unless --skip-invalid.
Duplicate vehicles are looked up once. An authentication failure stops the batch.
ctrl+c (or SIGTERM, or SIGHUP when the terminal or SSH connection goes away) stops
sending, waits for lookups in flight, writes every finished row and exits 130; run
again with --resume to look up only what is missing (failed rows are retried; rows
that succeeded are kept, followed by the new rows). An existing -o file is never
replaced without --resume or --overwrite, and is made 0600 (it holds consumers'
names and phones) whatever its mode was. Saved accounts (--save) and history are
written as the batch goes, so a killed run keeps what it saved; --resume --save
also saves the rows it keeps.

CSV output columns: canumber, operator, registration_id, label, ok, error_kind,
message, name, amount, due_date, bill_net_amount, max_bill_amount, accept_payment,
accept_part_pay, cell_number, fetched_at. JSONL output: the object of fetch --json.

Exit codes: 0 all succeeded, 1 some refused by the API, 2 usage or invalid rows,
3 authentication failure, 4 network, timeout or upstream failures, 130 interrupted.`,
		Example: `  aopfetch batch vehicles.csv
  aopfetch batch vehicles.csv -o results.csv
  aopfetch batch vehicles.txt -o results.jsonl --operator 311
  aopfetch batch vehicles.csv --concurrency 8 --rate 20
  aopfetch batch vehicles.csv -o results.csv --resume
  aopfetch batch --saved -o refresh.csv
  cat list.txt | aopfetch batch - -o - --format jsonl`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case o.saved && len(args) == 1:
				return newUsageError("drop FILE, or drop --saved", "--saved looks up the saved accounts and takes no FILE")
			case !o.saved && len(args) == 0:
				return newUsageError("run `aopfetch batch --help` for usage and examples", "give FILE ('-' reads stdin), or --saved")
			case len(args) == 1:
				o.input = args[0]
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), stopSignals()...)
			defer stop()
			if o.output != "-" && o.output != "" {
				if err := app.checkNotOwnFile(o.output); err != nil {
					return err
				}
			}
			// A second ctrl+c cancels the lookups still in flight instead of
			// waiting out their grace period.
			hurry, second, finished := make(chan struct{}), make(chan os.Signal, 1), make(chan struct{})
			defer close(finished)
			defer signal.Stop(second)
			onStop := func() {
				stop()
				signal.Notify(second, stopSignals()...)
				go func() {
					select {
					case <-second:
						close(hurry)
					case <-finished:
					}
				}()
			}
			app.printDemoNotice()
			return runBatch(ctx, app, o, hurry, onStop)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "write the rows to `FILE` ('-' for stdout); default: only the summary")
	f.StringVar(&o.format, "format", "", "output format: csv or jsonl (default: from the -o extension, else csv)")
	f.StringVar(&o.operator, "operator", "", "operator code or configured name for rows without one (and not saved)")
	f.StringVar(&o.registrationID, "registration-id", "", "RegistrationID for rows without one (and not saved)")
	f.IntVar(&o.concurrency, "concurrency", o.concurrency, fmt.Sprintf("lookups at once (1-%d)", client.MaxConcurrency))
	f.Float64Var(&o.rate, "rate", 0, "at most `N` requests per second (0 = no limit)")
	f.BoolVar(&o.skipInvalid, "skip-invalid", false, "go on without invalid rows instead of sending nothing")
	f.BoolVar(&o.resume, "resume", false, "skip vehicles the -o file already answered; retry the failed ones")
	f.BoolVar(&o.overwrite, "overwrite", false, "replace an existing -o file instead of refusing")
	f.BoolVar(&o.save, "save", false, "add or refresh each successful vehicle as a saved account")
	f.BoolVar(&o.saved, "saved", false, "look up every saved account instead of FILE, and save the answers (implies --save)")
	f.BoolVar(&o.noHistory, "no-history", false, "do not record the lookups in history")
	return cmd
}

// check validates the flags that do not depend on the input.
func (o batchOptions) check() error {
	if o.concurrency < 1 || o.concurrency > client.MaxConcurrency {
		return newUsageError("", "--concurrency must be between 1 and %d (got %d)", client.MaxConcurrency, o.concurrency)
	}
	if !(o.rate >= 0) || math.IsInf(o.rate, 1) { // NaN fails every comparison
		return newUsageError("", "--rate must be 0 (no limit) or a positive number of requests per second (got %g)", o.rate)
	}
	if o.resume && (o.output == "" || o.output == "-") {
		return newUsageError("", "--resume needs -o FILE: the output file of the run to resume")
	}
	if o.resume && o.overwrite {
		return newUsageError("", "--resume and --overwrite contradict each other: keep the rows, or replace them")
	}
	return nil
}

// batchError turns the engine's usage errors into exit-2 errors.
func batchError(err error) error {
	if ue, ok := errors.AsType[*batch.UsageError](err); ok {
		return &exitError{code: exitUsage, err: ue.Err, hint: ue.Hint}
	}
	return err
}

// runBatch performs one batch and returns its exit status (nil = all
// succeeded). onStop is called when ctx is done, hurry closed by a second
// ctrl+c.
func runBatch(ctx context.Context, app *invocation, o batchOptions, hurry <-chan struct{}, onStop func()) error {
	c, err := app.client()
	if err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	format, err := batch.FormatFor(o.format, o.output)
	if err != nil {
		return batchError(err)
	}
	spec := batch.Spec{Input: o.input, Output: o.output, Format: format, Resume: o.resume, Overwrite: o.overwrite}
	if err := spec.Check(); err != nil {
		return batchError(err)
	}
	if spec.Rows, spec.Invalid, err = batchRows(ctx, app, o); err != nil {
		return err
	}
	plan, err := batch.Prepare(spec)
	if err != nil {
		return batchError(err)
	}
	var out *batch.Output
	err = untilInterrupted(ctx, func() error { // a FIFO with no reader blocks in open
		f, err := plan.Open(app.stdout)
		if err == nil && ctx.Err() != nil {
			f.Close() // opened after ctrl+c: nobody writes it, let its reader see the end
			return ctx.Err()
		}
		out = f
		return err
	})
	if ctx.Err() != nil {
		return &exitError{code: exitInterrupted, err: errors.New("interrupted")}
	} else if err != nil {
		return newUsageError("", "opening the output: %v", err)
	}
	env := batch.Env{
		Fetcher: c,
		Options: batch.Options{Concurrency: o.concurrency, Rate: o.rate, Grace: batchGrace, Hurry: hurry},
		Store:   func() (batch.Store, error) { return app.store() },
		Save:    o.save || o.saved,
		History: !o.noHistory,
		Progress: func(c *batch.Counter) func() {
			// No bar when the rows themselves go to the same terminal. The
			// bar needs the terminal's file; both views draw in its glyphs.
			bar := isTerminal(app.stderr) && (o.output != "-" || !isTerminal(app.stdout))
			return batch.StartProgress(unwrapped(app.stderr), c, bar, glyphsOf(app.stderr))
		},
		OnStop: onStop,
	}
	sum := plan.Run(ctx, out, env)
	sum.Write(app.stderr)
	return batchExit(sum)
}

// batchRows reads and validates the rows to look up: FILE's, or the saved
// accounts'. Invalid rows are reported on stderr; unless --skip-invalid,
// any invalid row is a usage error.
func batchRows(ctx context.Context, app *invocation, o batchOptions) (rows []batch.Row, invalid int, err error) {
	d, err := batchDefaults(app, o)
	if err != nil {
		return nil, 0, err
	}
	var bad, warnings []batch.Problem
	where, line := o.input, "line"
	if o.saved {
		where, line = "the saved accounts", "saved account"
		if _, err := app.store(); err != nil {
			return nil, 0, err
		}
		if len(d.Saved) == 0 {
			return nil, 0, newUsageError("save accounts with `aopfetch saved add VEHICLE` or `aopfetch import FILE`", "there are no saved accounts to look up")
		}
		rows, bad, warnings = batch.SavedRows(d)
	} else {
		// At most what import reads, and ctrl+c ends a read that waits (a
		// terminal, a FIFO without a writer, a stalled pipe).
		data, err := readInput(ctx, app, o.input, maxImportSize)
		if err != nil {
			return nil, 0, err
		}
		if rows, bad, warnings, err = batch.ReadRows(data, o.input, d); err != nil {
			return nil, 0, newUsageError("", "%s: %v", o.input, err)
		}
	}
	reportProblems(app, line, "", bad, 20)
	reportProblems(app, line, "warning: ", warnings, 5)
	switch {
	case len(bad) > 0 && !o.skipInvalid:
		return nil, 0, newUsageError("", "%s in %s; nothing was sent (fix them, or use --skip-invalid to go on without them)", text.Plural(len(bad), "invalid row"), where)
	case len(rows) == 0:
		return nil, 0, newUsageError("", "no vehicles to look up in %s", where)
	}
	return rows, len(bad), nil
}

// batchDefaults are the operator and registration id of rows that leave
// them out: the saved account's, else the flags', else the config's.
func batchDefaults(app *invocation, o batchOptions) (batch.Defaults, error) {
	cfg, err := app.config()
	if err != nil {
		return batch.Defaults{}, err
	}
	d := batch.Defaults{Operator: o.operator, RegistrationID: cmp.Or(o.registrationID, cfg.RegistrationID),
		Resolve: func(s string) (int, error) { return resolveOperator(cfg.Operators, s) }}
	if d.Operator == "" && cfg.Operator > 0 {
		d.Operator = strconv.Itoa(cfg.Operator)
	}
	if s, err := app.store(); err == nil { // else the batch goes on without, and says so when it saves
		d.Saved = s.Data().Accounts
	}
	return d, nil
}

// reportProblems prints the first limit problems, each "line N: message".
func reportProblems(app *invocation, line, prefix string, ps []batch.Problem, limit int) {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = fmt.Sprintf("%s %d: %s%s", line, p.Line, prefix, p.Message)
	}
	writeFirst(app.stderr, lines, limit, "")
}

// batchExit returns a batch's exit status: nil when every lookup
// succeeded, else the most severe of: interrupted (130), auth stop (3),
// network, timeout or upstream failures (4), API refusals (1); a failure to
// write the rows is 1 whatever the lookups did.
func batchExit(s *batch.Summary) error {
	if s.WriteErr != nil {
		return &exitError{code: exitAPI, err: fmt.Errorf("writing %s: %w (the rows written so far are kept; fix this and run again with --resume)", s.Output, s.WriteErr)}
	}
	codes := []int{exitOK}
	if s.Auth != nil {
		codes = append(codes, exitAuth)
	}
	if s.Interrupted {
		codes = append(codes, exitInterrupted)
	}
	for k := range s.Failed {
		codes = append(codes, exitCodeForKind(client.Kind(k)))
	}
	switch code := worstExitCode(codes...); code {
	case exitOK:
		return nil
	case exitInterrupted:
		return &exitError{code: code, err: fmt.Errorf("interrupted after %d of %d lookups", s.Attempted(), s.Lookups),
			hint: s.ResumeAdvice()}
	case exitAuth:
		hint := cmp.Or(s.Auth.Hint, "check the credentials settings (AOPFETCH_JWT_SECRET, AOPFETCH_PARTNER_ID, [auth] in the config file)")
		return &exitError{code: code, err: errors.New("authentication failed: " + s.Auth.Message + "; the batch was stopped"),
			hint: hint + "; then " + s.ResumeAdvice()}
	default:
		return &exitError{code: code, err: fmt.Errorf("%d of %d lookups failed (see the summary above)", s.FailedCount(), s.Attempted())}
	}
}
