package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
	"github.com/aopfetch/aopfetch/ui"
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
	id := cfg.RegistrationID
	if f.registrationID != "" {
		id = f.registrationID
	}
	return op, strings.TrimSpace(id), nil
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
	var ue *config.UnknownOperatorError
	switch {
	case err == nil:
		return code, nil
	case errors.As(err, &ue):
		return 0, &ExitError{Code: ExitUsage, Err: err, Hint: ue.Hint()}
	}
	return 0, &ExitError{Code: ExitUsage, Err: err, Hint: "operator codes are positive whole numbers, e.g. 311"}
}

// fetchOptions are the flags of `aopfetch fetch`.
type fetchOptions struct {
	req       requestFlags
	json      bool
	noHistory bool
}

func newFetchCmd(app *App) *cobra.Command {
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

// outcome is one finished lookup.
type outcome struct {
	req client.Request
	res *client.Result
	err error
}

// runFetch validates every vehicle, looks them up in order and reports.
func runFetch(ctx context.Context, app *App, o fetchOptions, args []string) error {
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	op, regID, err := o.req.resolve(cfg)
	if err != nil {
		return err
	}
	reqs, err := normalizeRequests(app.Stderr(), "sending", cfg, op, regID, args)
	if err != nil {
		return err
	}
	c, err := app.fetcher()
	if err != nil {
		return err
	}
	var werr error // the first failure to write the output
	outs := fetchAll(ctx, c, reqs, func(i int, out outcome) {
		if !o.json {
			werr = cmp.Or(werr, reportHuman(app, cfg, i, out))
		} else if out.err != nil && !isCancelled(out.err) {
			writeLookupError(app.Stderr(), out.req.CANumber, out.err)
		}
	})
	if o.json {
		werr = writeRecords(app.Stdout(), outs, len(args) > 1)
	}
	if !o.noHistory {
		recordHistory(app, outs)
	}
	exit := fetchExit(ctx, outs, len(reqs))
	if werr != nil {
		// Lost output is a failure even when every lookup succeeded.
		return &ExitError{Code: WorstExitCode(ExitCodeFor(exit), ExitAPI), Err: fmt.Errorf("writing the output: %w", werr)}
	}
	return exit
}

// normalizeRequests validates and normalises one request per vehicle.
// Format warnings (no known Indian format, not the operator's
// vehicle_regex in cfg) go to warn, saying the request is still sent (or
// saved: action names what happens anyway). An invalid operator or registration ID is a
// usage error naming the field; invalid vehicle numbers are each reported
// to warn (with one hint) and then returned as an already-reported usage error.
func normalizeRequests(warn io.Writer, action string, cfg *config.Config, operator int, registrationID string, vehicles []string) ([]client.Request, error) {
	reqs := make([]client.Request, 0, len(vehicles))
	var bad []string
	for _, v := range vehicles {
		r, warning, err := client.Request{Operator: operator, CANumber: v, RegistrationID: registrationID}.Normalize()
		var ve *client.ValidationError
		switch {
		case errors.As(err, &ve) && ve.Field != client.FieldCANumber:
			return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("invalid %s: %s", ve.Field, ve.Message), Hint: fieldHint(ve.Field)}
		case err != nil:
			fmt.Fprintf(warn, "aopfetch: %s: invalid vehicle number: %s\n", quoteArg(v), err.Error())
			bad = append(bad, v)
			continue
		case warning != "":
			fmt.Fprintf(warn, "aopfetch: warning: %s; %s it anyway\n", text.Sanitize(warning), action)
		}
		if w := cfg.VehicleWarning(r.Operator, r.CANumber); w != "" {
			fmt.Fprintf(warn, "aopfetch: warning: %s; %s it anyway\n", text.Sanitize(w), action)
		}
		reqs = append(reqs, r)
	}
	if len(bad) > 0 {
		fmt.Fprintln(warn, "hint: "+hintVehicle)
		return nil, &ExitError{Code: ExitUsage}
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

// fetchAll looks up reqs one after the other, calling done after each, and
// stops at the first cancelled lookup (ctrl+c).
func fetchAll(ctx context.Context, c ui.Fetcher, reqs []client.Request, done func(int, outcome)) []outcome {
	outs := make([]outcome, 0, len(reqs))
	for i, r := range reqs {
		if ctx.Err() != nil {
			break
		}
		res, err := c.Fetch(ctx, r)
		out := outcome{req: r, res: res, err: err}
		outs = append(outs, out)
		done(i, out)
		if isCancelled(err) {
			break
		}
	}
	return outs
}

// isCancelled reports whether err is a cancelled lookup.
func isCancelled(err error) bool {
	return ExitCodeFor(err) == ExitInterrupted
}

// reportHuman prints one outcome: a table on stdout or the error on stderr.
// It returns the error of writing the table.
func reportHuman(app *App, cfg *config.Config, i int, out outcome) error {
	if out.err != nil {
		if !isCancelled(out.err) {
			writeLookupError(app.Stderr(), out.req.CANumber, out.err)
		}
		return nil
	}
	if i > 0 {
		fmt.Fprintln(app.Stdout())
	}
	return writeConsumer(app.Stdout(), out.req, out.res, cfg, time.Now())
}

// writeRecords writes the --json output: one object, or an array.
func writeRecords(w io.Writer, outs []outcome, array bool) error {
	recs := make([]Record, 0, len(outs))
	for _, o := range outs {
		if !isCancelled(o.err) {
			recs = append(recs, NewRecord(o.req, o.res, o.err))
		}
	}
	if len(recs) == 0 {
		return nil
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if array {
		return enc.Encode(recs)
	}
	return enc.Encode(recs[0])
}

// recordHistory writes the finished lookups to the history in one write; a
// store failure is only a warning.
func recordHistory(app *App, outs []outcome) {
	ls := make([]store.Lookup, 0, len(outs))
	for _, o := range outs {
		if !isCancelled(o.err) {
			ls = append(ls, store.NewLookup(o.req, o.res, o.err, time.Now()))
		}
	}
	if len(ls) == 0 {
		return
	}
	s, err := app.lookupStore()
	if err == nil {
		err = s.RecordLookups(ls...)
		app.storeNotices()
	}
	if err != nil && !app.saidAlready(err) {
		app.Warn("history not recorded: %v", err)
	}
}

// fetchExit returns the invocation's exit error: the most severe outcome,
// or interrupted when ctrl+c stopped it.
func fetchExit(ctx context.Context, outs []outcome, want int) error {
	codes := make([]int, 0, len(outs)+1)
	for _, o := range outs {
		codes = append(codes, ExitCodeFor(o.err))
	}
	if ctx.Err() != nil && len(outs) < want {
		codes = append(codes, ExitInterrupted)
	}
	code := WorstExitCode(codes...)
	switch code {
	case ExitOK:
		return nil
	case ExitInterrupted:
		return &ExitError{Code: code, Err: errors.New("interrupted")}
	}
	return &ExitError{Code: code}
}
