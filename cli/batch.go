package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// MaxBatchConcurrency is the most lookups batch runs at once.
const MaxBatchConcurrency = 32

// batchGrace bounds the wait for in-flight lookups after ctrl+c.
const batchGrace = 10 * time.Second

// batchOptions are the flags and argument of `aopfetch batch`.
type batchOptions struct {
	Input          string
	Output         string
	Format         string
	Operator       string
	RegistrationID string
	SkipInvalid    bool
	Resume         bool
	Overwrite      bool
	Save           bool
	NoHistory      bool
	Concurrency    int
	Rate           float64
}

// NewBatchCommand returns the `aopfetch batch` command.
func NewBatchCommand(a *App) *cobra.Command {
	o := batchOptions{Concurrency: 4}
	cmd := &cobra.Command{
		Use:   "batch [flags] FILE",
		Short: "Look up a whole list of vehicles, with progress",
		Long: `Look up every vehicle of FILE ('-' reads stdin) and write one row per input row.

FILE is a CSV file with a header naming the columns canumber (required), operator,
registration_id and label, or a plain text file with one vehicle per line (blank
lines and lines starting with # are skipped). Empty operator and registration id
cells take --operator / --registration-id, then the config's defaults.

Every row is checked first; if any is invalid nothing is sent unless --skip-invalid.
Duplicate vehicles are looked up once. An authentication failure stops the batch.
ctrl+c stops sending, waits for lookups in flight, writes every finished row and
exits 130; run again with --resume to look up only what is missing (failed rows
are retried; rows that succeeded are kept, followed by the new rows). An existing
-o file is never replaced without --resume or --overwrite.

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
  cat list.txt | aopfetch batch - -o - --format jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Input = args[0]
			ctx, stopSignals := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stopSignals()
			if o.Output != "-" && o.Output != "" {
				if err := a.checkNotOwnFile(o.Output); err != nil {
					return err
				}
			}
			env, err := newBatchEnv(a, o)
			if err != nil {
				return err
			}
			// A second ctrl+c cancels the lookups still in flight instead of
			// waiting out their grace period.
			hurry, second, finished := make(chan struct{}), make(chan os.Signal, 1), make(chan struct{})
			defer close(finished)
			defer signal.Stop(second)
			env.hurry = hurry
			env.onInterrupt = func() {
				stopSignals()
				signal.Notify(second, os.Interrupt, syscall.SIGTERM)
				go func() {
					select {
					case <-second:
						close(hurry)
					case <-finished:
					}
				}()
			}
			a.PrintDemoNotice()
			return env.run(ctx, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Output, "output", "o", "", "write the rows to `FILE` ('-' for stdout); default: only the summary")
	f.StringVar(&o.Format, "format", "", "output format: csv or jsonl (default: from the -o extension, else csv)")
	f.StringVar(&o.Operator, "operator", "", "operator code or configured name for rows without one")
	f.StringVar(&o.RegistrationID, "registration-id", "", "RegistrationID for rows without one")
	f.IntVar(&o.Concurrency, "concurrency", o.Concurrency, fmt.Sprintf("lookups at once (1-%d)", MaxBatchConcurrency))
	f.Float64Var(&o.Rate, "rate", 0, "at most `N` requests per second (0 = no limit)")
	f.BoolVar(&o.SkipInvalid, "skip-invalid", false, "go on without invalid rows instead of sending nothing")
	f.BoolVar(&o.Resume, "resume", false, "skip vehicles the -o file already answered; retry the failed ones")
	f.BoolVar(&o.Overwrite, "overwrite", false, "replace an existing -o file instead of refusing")
	f.BoolVar(&o.Save, "save", false, "add or refresh each successful vehicle as a saved account")
	f.BoolVar(&o.NoHistory, "no-history", false, "do not record the lookups in history")
	return cmd
}

// batchStore is the part of the store batch writes to.
type batchStore interface {
	Import(accts []store.Account) (store.ImportReport, error)
	RecordLookups(ls ...store.Lookup) error
}

// batchEnv is everything a batch run uses from the outside world.
type batchEnv struct {
	fetch       fetcher
	openStore   func() (batchStore, error)
	stdin       io.Reader
	stdout      io.Writer
	stderr      io.Writer
	defaults    batchDefaults
	grace       time.Duration
	hurry       <-chan struct{} // closed by a second ctrl+c
	progress    func(io.Writer, *batchCounter) batchProgress
	onInterrupt func()
}

// newBatchEnv wires a run to the app's config, client and store.
func newBatchEnv(a *App, o batchOptions) (*batchEnv, error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	c, err := a.Client()
	if err != nil {
		return nil, err
	}
	d := batchDefaults{Operator: o.Operator, RegistrationID: o.RegistrationID, Operators: cfg.Operators}
	if d.Operator == "" && cfg.Operator > 0 {
		d.Operator = strconv.Itoa(cfg.Operator)
	}
	if d.RegistrationID == "" {
		d.RegistrationID = cfg.RegistrationID
	}
	return &batchEnv{
		fetch: c,
		openStore: func() (batchStore, error) {
			s, err := a.Store()
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		stdin:    a.Stdin(),
		stdout:   a.Stdout(),
		stderr:   a.Stderr(),
		defaults: d,
		grace:    batchGrace,
		progress: func(w io.Writer, c *batchCounter) batchProgress {
			// No bar when the rows themselves go to the same terminal.
			return startBatchProgress(w, c, o.Output != "-" || !isTerminal(a.Stdout()))
		},
	}, nil
}

// usageError is an exit-2 error.
func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// check validates the flags that do not depend on the input.
func (o batchOptions) check() error {
	if o.Concurrency < 1 || o.Concurrency > MaxBatchConcurrency {
		return usageError("--concurrency must be between 1 and %d (got %d)", MaxBatchConcurrency, o.Concurrency)
	}
	if !(o.Rate >= 0) || math.IsInf(o.Rate, 1) { // NaN fails every comparison
		return usageError("--rate must be 0 (no limit) or a positive number of requests per second (got %g)", o.Rate)
	}
	if o.Resume && (o.Output == "" || o.Output == "-") {
		return usageError("--resume needs -o FILE: the output file of the run to resume")
	}
	if o.Resume && o.Overwrite {
		return usageError("--resume and --overwrite contradict each other: keep the rows, or replace them")
	}
	return nil
}

// checkOutputFile refuses to clobber the input, or an earlier run's rows
// unless --resume or --overwrite says what to do with them.
func (o batchOptions) checkOutputFile() error {
	if o.Output == "" || o.Output == "-" {
		return nil
	}
	out, err := os.Stat(o.Output)
	if err != nil {
		return nil // does not exist yet (or cannot be read: opening it will say why)
	}
	if in, err := os.Stat(o.Input); err == nil && os.SameFile(in, out) {
		return usageError("-o %s is the input file; choose another output file", o.Output)
	}
	if o.Resume && !out.Mode().IsRegular() {
		// Resuming reads the file back and replaces it by a rename.
		return usageError("--resume needs -o to be a regular file, and %s is not", o.Output)
	}
	if out.Size() > 0 && !o.Resume && !o.Overwrite {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s already exists", o.Output),
			Hint: "add --resume to finish that run, or --overwrite to replace it"}
	}
	return nil
}

// run performs one batch and returns its exit status (nil = all succeeded).
func (e *batchEnv) run(ctx context.Context, o batchOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if err := o.checkOutputFile(); err != nil {
		return err
	}
	format, err := batchFormatFor(o.Format, o.Output)
	if err != nil {
		return usageError("%v", err)
	}
	rows, invalid, err := e.readRows(o)
	if err != nil {
		return err
	}
	sum := &batchSummary{Rows: len(rows), Invalid: invalid, Output: o.Output}
	todo := rows
	var keep []resumeEntry
	if o.Resume {
		entries, err := readResumeFile(o.Output, format)
		if err != nil {
			return usageError("%v", err)
		}
		todo, keep, sum.Resumed = applyResume(rows, entries)
	}
	plan := planBatch(todo)
	sum.Lookups = len(plan.jobs)
	var out *batchOutput
	err = untilInterrupted(ctx, func() error { // a FIFO with no reader blocks in open
		f, err := openBatchOutput(o.Output, format, e.stdout, o.Resume, keep)
		if err == nil && ctx.Err() != nil {
			f.close() // opened after ctrl+c: nobody writes it, let its reader see the end
			return ctx.Err()
		}
		out = f
		return err
	})
	if _, ok := errors.AsType[*ExitError](err); ok || ctx.Err() != nil {
		return &ExitError{Code: ExitInterrupted, Err: errors.New("interrupted")}
	} else if err != nil {
		return usageError("opening the output: %v", err)
	}
	outs, rep, werr := e.lookUp(ctx, o, plan, out, sum)
	if cerr := out.close(); werr == nil {
		werr = cerr
	}
	sum.Interrupted, sum.Auth = rep.Interrupted, rep.AuthErr
	e.persist(o, plan, outs, sum)
	sum.write(e.stderr)
	if werr != nil {
		return &ExitError{Code: ExitAPI, Err: fmt.Errorf("writing %s: %w (the rows written so far are kept; fix this and run again with --resume)", o.Output, werr)}
	}
	return sum.exitError()
}

// readRows reads and validates the input. Invalid rows are reported on
// stderr; unless --skip-invalid, any invalid row is a usage error.
func (e *batchEnv) readRows(o batchOptions) (rows []batchRow, invalid int, err error) {
	r := e.stdin
	if o.Input != "-" {
		f, err := os.Open(o.Input)
		if err != nil {
			return nil, 0, usageError("reading the input: %v", err)
		}
		defer f.Close()
		r = f
	}
	in, err := readBatchInput(r, o.Input)
	if err != nil {
		return nil, 0, usageError("%s: %v", o.Input, err)
	}
	rows, bad, warnings := validateBatchRows(in, e.defaults)
	e.reportProblems("", bad, 20)
	e.reportProblems("warning: ", warnings, 5)
	switch {
	case len(bad) > 0 && !o.SkipInvalid:
		return nil, 0, usageError("%s in %s; nothing was sent (fix them, or use --skip-invalid to go on without them)", text.Plural(len(bad), "invalid row"), o.Input)
	case len(rows) == 0:
		return nil, 0, usageError("no vehicles to look up in %s", o.Input)
	}
	return rows, len(bad), nil
}

// reportProblems prints the first limit problems, each "line N: message".
func (e *batchEnv) reportProblems(prefix string, ps []batchProblem, limit int) {
	for i, p := range ps {
		if i == limit {
			fmt.Fprintf(e.stderr, "%s and %d more\n", text.Ellipsis, len(ps)-limit)
			return
		}
		fmt.Fprintf(e.stderr, "line %d: %s%s\n", p.Line, prefix, p.Message)
	}
}

// lookUp runs the plan's lookups with progress, writing rows as they finish.
// It returns each job's outcome (nil when not attempted).
func (e *batchEnv) lookUp(ctx context.Context, o batchOptions, plan batchPlan, out *batchOutput, sum *batchSummary) ([]*lookupOutcome, engineReport, error) {
	counter := newBatchCounter(len(plan.jobs))
	stopWatch := context.AfterFunc(ctx, func() {
		counter.setStopping()
		if e.onInterrupt != nil {
			e.onInterrupt()
		}
	})
	defer stopWatch()
	prog := e.progress(e.stderr, counter)
	rows := newOrderedRows(out.w, plan.rows)
	outs := make([]*lookupOutcome, len(plan.jobs))
	opts := engineOptions{Concurrency: o.Concurrency, Rate: o.Rate, Grace: e.grace, Hurry: e.hurry}
	start := time.Now()
	rep := runLookups(ctx, e.fetch, plan.jobs, opts, func(j int, r lookupOutcome) error {
		outs[j] = &r
		counter.add(r.Err == nil)
		return rows.complete(plan.rowsOf[j], r)
	})
	for j, out := range outs {
		if out != nil {
			sum.record(plan.jobs[j], *out)
		}
	}
	err := rep.DoneErr
	if ferr := rows.finish(); err == nil {
		err = ferr
	}
	prog.stop()
	sum.Elapsed, sum.Written = time.Since(start), rows.written
	return outs, rep, err
}

// persist saves successful vehicles (--save) and records every lookup in
// history (unless --no-history), one store write each. Failures are notes in
// the summary: the rows are already written.
func (e *batchEnv) persist(o batchOptions, plan batchPlan, outs []*lookupOutcome, sum *batchSummary) {
	var lookups []store.Lookup
	var accts []store.Account
	for j, out := range outs {
		if out == nil {
			continue
		}
		lookups = append(lookups, store.NewLookup(plan.jobs[j], out.Res, out.Err, time.Now()))
		if out.Err == nil && out.Res != nil {
			accts = append(accts, plan.account(j, out.Res))
		}
	}
	if o.NoHistory {
		lookups = nil
	}
	if !o.Save {
		accts = nil
	}
	if len(lookups) == 0 && len(accts) == 0 {
		return
	}
	st, err := e.openStore()
	if err != nil {
		sum.Notes = append(sum.Notes, "store not updated: "+err.Error())
		return
	}
	if len(accts) > 0 {
		if r, err := st.Import(accts); err != nil {
			sum.Notes = append(sum.Notes, "saved accounts not updated: "+err.Error())
		} else {
			sum.Notes = append(sum.Notes, fmt.Sprintf("saved accounts: %d added, %d updated", r.Added, r.Updated))
		}
	}
	if len(lookups) > 0 {
		if err := st.RecordLookups(lookups...); err != nil {
			sum.Notes = append(sum.Notes, "history not recorded: "+err.Error())
		}
	}
}

// account is the saved account of job j's vehicle, with its fresh result.
func (p batchPlan) account(j int, res *client.Result) store.Account {
	req := p.jobs[j]
	a := store.Account{
		Operator:       req.Operator,
		CANumber:       req.CANumber,
		RegistrationID: req.RegistrationID,
		Last:           &store.Snapshot{Consumer: res.Consumer, FetchedAt: res.FetchedAt},
	}
	for _, i := range p.rowsOf[j] {
		if l := p.rows[i].Label; l != "" {
			a.Label = l
			break
		}
	}
	return a
}
