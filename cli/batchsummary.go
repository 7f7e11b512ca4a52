package cli

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
)

// batchSummary is what a finished (or stopped) run did.
type batchSummary struct {
	Rows        int // valid input rows
	Invalid     int // invalid rows skipped (--skip-invalid)
	Resumed     int // rows already answered in the output file (--resume)
	Lookups     int // unique lookups planned
	OK          int // lookups that succeeded
	Failed      map[string][]string
	FailedCount int
	Elapsed     time.Duration
	Output      string // "" none, "-" stdout, else the file
	Written     int    // rows written by this run
	Interrupted bool
	Auth        *client.Error
	Notes       []string // store outcomes, printed last
}

// record counts one finished lookup.
func (s *batchSummary) record(req client.Request, out lookupOutcome) {
	if out.Err == nil {
		s.OK++
		return
	}
	if s.Failed == nil {
		s.Failed = map[string][]string{}
	}
	k := out.kind()
	s.Failed[k] = append(s.Failed[k], req.CANumber)
	s.FailedCount++
}

// attempted is the number of lookups that finished.
func (s *batchSummary) attempted() int { return s.OK + s.FailedCount }

// batchFailureKinds lists error kinds in the order the summary shows them.
func batchFailureKinds() []string {
	return []string{
		string(client.KindAuth), string(client.KindAPI), string(client.KindUpstream),
		string(client.KindNetwork), string(client.KindTimeout), string(client.KindCancelled), "validation",
	}
}

// write prints the summary.
func (s *batchSummary) write(w io.Writer) {
	fmt.Fprintf(w, "batch: %s, %s looked up in %s\n", text.Plural(s.Rows, "row"), text.Plural(s.attempted(), "vehicle"), s.Elapsed.Round(10*time.Millisecond))
	fmt.Fprintf(w, "  ok       %d\n", s.OK)
	if s.FailedCount > 0 {
		fmt.Fprintf(w, "  failed   %d\n", s.FailedCount)
		for _, k := range batchFailureKinds() {
			if v := s.Failed[k]; len(v) > 0 {
				fmt.Fprintf(w, "    %-9s %d: %s\n", k, len(v), firstFew(v, 5))
			}
		}
	}
	if left := s.Lookups - s.attempted(); left > 0 {
		fmt.Fprintf(w, "  not done %d (%s)\n", left, s.resumeAdvice())
	}
	if s.Invalid > 0 {
		fmt.Fprintf(w, "  skipped  %s\n", text.Plural(s.Invalid, "invalid row"))
	}
	if s.Resumed > 0 {
		fmt.Fprintf(w, "  skipped  %s already answered in %s\n", text.Plural(s.Resumed, "row"), s.Output)
	}
	switch s.Output {
	case "":
		fmt.Fprintln(w, "  output   none (use -o FILE to keep the rows)")
	case "-":
		fmt.Fprintf(w, "  output   %s to stdout\n", text.Plural(s.Written, "row"))
	default:
		fmt.Fprintf(w, "  output   %s written to %s\n", text.Plural(s.Written, "row"), s.Output)
	}
	for _, n := range s.Notes {
		fmt.Fprintln(w, "  "+text.Sanitize(n))
	}
}

// firstFew joins the first n items, noting how many more there are.
func firstFew(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// resumeAdvice says how to finish a stopped run.
func (s *batchSummary) resumeAdvice() string {
	if s.Output == "" || s.Output == "-" {
		return "run again; with -o FILE a run can be resumed with --resume"
	}
	return "run the same command with --resume to look up only what is missing"
}

// exitError returns the run's exit status: nil when every lookup
// succeeded, else the most severe of: interrupted (130), auth stop (3),
// network, timeout or upstream failures (4), API refusals (1).
func (s *batchSummary) exitError() error {
	codes := []int{ExitOK}
	if s.Auth != nil {
		codes = append(codes, ExitAuth)
	}
	if s.Interrupted {
		codes = append(codes, ExitInterrupted)
	}
	for k := range s.Failed {
		codes = append(codes, exitCodeForKind(client.Kind(k)))
	}
	switch code := WorstExitCode(codes...); code {
	case ExitOK:
		return nil
	case ExitInterrupted:
		return &ExitError{Code: code, Err: fmt.Errorf("interrupted after %d of %d lookups", s.attempted(), s.Lookups),
			Hint: s.resumeAdvice()}
	case ExitAuth:
		return &ExitError{Code: code, Err: errors.New("authentication failed: " + s.Auth.Message + "; the batch was stopped"),
			Hint: cmp.Or(s.Auth.Hint, "check the credentials settings (AOPFETCH_JWT_SECRET, AOPFETCH_PARTNER_ID, [auth] in the config file)") + "; then " + s.resumeAdvice()}
	default:
		return &ExitError{Code: code, Err: fmt.Errorf("%d of %d lookups failed (see the summary above)", s.FailedCount, s.attempted())}
	}
}
