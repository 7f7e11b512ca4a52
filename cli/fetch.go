package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/batch"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Hints for missing or invalid request settings.
const (
	hintOperator = "pass --operator CODE|NAME, set AOPFETCH_OPERATOR, or set operator in config.toml"
	hintRegID    = "pass --registration-id ID, set AOPFETCH_REGISTRATION_ID, or set registration_id in config.toml"
	hintVehicle  = "vehicle numbers are letters and digits, e.g. DL12CB4685 (spaces, '-', '.' and '/' are ignored)"
)

// requestFlags are the per-request flags shared by fetch and saved add.
type requestFlags struct {
	operator       string
	registrationID string
}

// bind registers --operator and --registration-id on cmd.
func (f *requestFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.operator, "operator", "", "operator code or configured operator name (env AOPFETCH_OPERATOR, config operator)")
	cmd.Flags().StringVar(&f.registrationID, "registration-id", "", "RegistrationID sent to AOPay (env AOPFETCH_REGISTRATION_ID, config registration_id)")
}

// defaults returns the operator code and registration ID from the flags,
// falling back to the config; either may be unset (0, "").
func (f *requestFlags) defaults(cfg *config.Config) (int, string, error) {
	op := cfg.Operator
	if f.operator != "" {
		var err error
		if op, err = resolveOperator(cfg.Operators, f.operator); err != nil {
			return 0, "", err
		}
	}
	return op, strings.TrimSpace(cmp.Or(f.registrationID, cfg.RegistrationID)), nil
}

// resolve is defaults with missing values as usage errors with a hint.
func (f *requestFlags) resolve(cfg *config.Config) (int, string, error) {
	op, id, err := f.defaults(cfg)
	switch {
	case err != nil:
		return 0, "", err
	case op == 0:
		return 0, "", newUsageError(hintOperator, "no operator code is set")
	case id == "":
		return 0, "", newUsageError(hintRegID, "no registration ID is set")
	}
	return op, id, nil
}

// resolveOperator resolves an operator given on the command line or in a
// batch or import row with config.ResolveOperator, as a usage error with a
// hint when it names none.
func resolveOperator(ops []config.Operator, s string) (int, error) {
	code, err := config.ResolveOperator(ops, s)
	if err == nil {
		return code, nil
	}
	hint := "operator codes are positive whole numbers, e.g. 311"
	if ue, ok := errors.AsType[*config.UnknownOperatorError](err); ok {
		hint = ue.Hint()
	}
	return 0, &exitError{code: exitUsage, err: err, hint: hint}
}

// fetchOptions are the flags of `aopfetch fetch`.
type fetchOptions struct {
	req       requestFlags
	json      bool
	noHistory bool
}

func newFetchCmd(app *invocation) *cobra.Command {
	var o fetchOptions
	cmd := &cobra.Command{
		Use:   "fetch [flags] VEHICLE...",
		Short: "Look up the consumer and bill of one or more vehicles",
		Long: `Look up the consumer behind each vehicle number and print the bill as a table
(or JSON with --json). Vehicle numbers are upper-cased and spaces, '-', '.'
and '/' are removed before sending.

With several vehicles each gets its own block, and the exit code is the most
severe outcome: usage (2) > auth (3) > network/timeout/upstream (4) > api (1).
Each lookup is recorded in the history unless --no-history is given.`,
		Example: `  aopfetch --demo fetch DL12CB4685
  aopfetch fetch --operator 311 --registration-id AOP-554 DL12CB4685
  aopfetch fetch --operator "FASTag ICICI" "dl 12 cb 4685" MH01AB1234
  aopfetch fetch --json DL12CB4685 | jq .name`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFetch(cmd.Context(), app, o, args)
		},
	}
	o.req.bind(cmd)
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object per vehicle (an array when several)")
	cmd.Flags().BoolVar(&o.noHistory, "no-history", false, "do not record these lookups in the history")
	return cmd
}

// runFetch validates every vehicle, looks them up in order (the batch
// engine at one worker, going on after an authentication failure so that
// every vehicle is reported) and reports.
func runFetch(ctx context.Context, app *invocation, o fetchOptions, args []string) error {
	cfg, err := app.config()
	if err != nil {
		return err
	}
	op, regID, err := o.req.resolve(cfg)
	if err != nil {
		return err
	}
	reqs, err := normalizeRequests(app.stderr, "sending", cfg, op, regID, args)
	if err != nil {
		return err
	}
	c, err := app.fetcher()
	if err != nil {
		return err
	}
	var werr error // the first failure to write the output
	var outs []batch.Result
	batch.Run(ctx, c, reqs, batch.Options{Concurrency: 1, KeepGoingAfterAuth: true}, func(r batch.Result) error {
		outs = append(outs, r)
		switch {
		case r.Err != nil:
			writeLookupError(app.stderr, r.Req.CANumber, r.Err)
		case !o.json:
			if r.Job > 0 {
				fmt.Fprintln(app.stdout)
			}
			werr = cmp.Or(werr, writeConsumer(app.stdout, r.Req, r.Res, cfg, time.Now()))
		}
		return nil
	})
	if o.json {
		werr = writeRecords(app.stdout, outs, len(args) > 1)
	}
	if !o.noHistory {
		recordHistory(app, outs)
	}
	exit := fetchExit(ctx, outs, len(reqs))
	if werr != nil {
		// Lost output is a failure even when every lookup succeeded.
		return &exitError{code: worstExitCode(exitCodeFor(exit), exitAPI), err: fmt.Errorf("writing the output: %w", werr)}
	}
	return exit
}

// normalizeRequests validates and normalises one request per vehicle.
// Format warnings (unknown format, not cfg's vehicle_regex) go to warn,
// saying what happens anyway (action). An invalid operator or registration
// ID is a usage error; invalid vehicles are each reported to warn (plus one
// hint), then returned as an already-reported usage error.
func normalizeRequests(warn io.Writer, action string, cfg *config.Config, operator int, registrationID string, vehicles []string) ([]client.Request, error) {
	reqs := make([]client.Request, 0, len(vehicles))
	var bad []string
	for _, v := range vehicles {
		r, warning, err := client.Request{Operator: operator, CANumber: v, RegistrationID: registrationID}.Normalize()
		if ve, ok := errors.AsType[*client.ValidationError](err); ok && ve.Field != client.FieldCANumber {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("invalid %s: %s", ve.Field, ve.Message), hint: fieldHint(ve.Field)}
		} else if err != nil {
			fmt.Fprintf(warn, "aopfetch: %s: invalid vehicle number: %s\n", quoteArg(v), err.Error())
			bad = append(bad, v)
			continue
		}
		for _, w := range []string{warning, cfg.VehicleWarning(r.Operator, r.CANumber)} {
			if w != "" {
				fmt.Fprintf(warn, "aopfetch: warning: %s; %s it anyway\n", text.Sanitize(w), action)
			}
		}
		reqs = append(reqs, r)
	}
	if len(bad) > 0 {
		fmt.Fprintln(warn, "hint: "+hintVehicle)
		return nil, &exitError{code: exitUsage}
	}
	return reqs, nil
}

// fieldHint names the settings that fix an invalid field.
func fieldHint(field string) string {
	switch field {
	case client.FieldOperator:
		return hintOperator
	case client.FieldRegistrationID:
		return hintRegID
	}
	return hintVehicle
}

// quoteArg shows a command-line argument in a message, sanitised.
func quoteArg(s string) string {
	return fmt.Sprintf("%q", text.Sanitize(s))
}

// writeRecords writes the --json output: one object, or an array.
func writeRecords(w io.Writer, outs []batch.Result, array bool) error {
	recs := make([]batch.Record, 0, len(outs))
	for _, o := range outs {
		recs = append(recs, batch.NewRecord(o.Req, o.Res, o.Err))
	}
	if len(recs) == 0 {
		return nil
	}
	if array {
		return writeJSON(w, recs)
	}
	return writeJSON(w, recs[0])
}

// recordHistory writes the finished lookups to the history in one write; a
// store failure is only a warning.
func recordHistory(app *invocation, outs []batch.Result) {
	ls := make([]store.Lookup, 0, len(outs))
	for _, o := range outs {
		ls = append(ls, store.NewLookup(o.Req, o.Res, o.Err, time.Now()))
	}
	if len(ls) == 0 {
		return
	}
	s, err := app.openStore(true)
	if err == nil {
		err = s.RecordLookups(ls...)
		app.storeNotices()
	}
	if err != nil && !app.saidAlready(err) {
		app.warn("history not recorded: %v", err)
	}
}

// fetchExit returns the invocation's exit error: the most severe outcome,
// or interrupted when ctrl+c stopped it.
func fetchExit(ctx context.Context, outs []batch.Result, want int) error {
	codes := make([]int, 0, len(outs)+1)
	for _, o := range outs {
		codes = append(codes, exitCodeFor(o.Err))
	}
	if ctx.Err() != nil && len(outs) < want {
		codes = append(codes, exitInterrupted)
	}
	code := worstExitCode(codes...)
	switch code {
	case exitOK:
		return nil
	case exitInterrupted:
		return &exitError{code: code, err: errors.New("interrupted")}
	}
	return &exitError{code: code}
}
