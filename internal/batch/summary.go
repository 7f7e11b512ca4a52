package batch

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Summary is what a finished (or stopped) file batch did.
type Summary struct {
	Rows        int                 // valid input rows
	Invalid     int                 // invalid rows left out (--skip-invalid)
	Resumed     int                 // rows already answered in the output file (--resume)
	Lookups     int                 // unique lookups planned
	OK          int                 // lookups that succeeded
	Failed      map[string][]string // error kind -> the vehicles that failed so
	Elapsed     time.Duration
	Output      string // "" none, "-" stdout, else the file
	Written     int    // rows written by this run
	WriteErr    error  // the first failure to write or close the output, which stopped the run
	Interrupted bool
	Auth        *client.Error // the authentication failure that stopped the run
	Notes       []string      // store outcomes, printed last
}

// record counts one finished lookup.
func (s *Summary) record(r Result) {
	if r.Err == nil {
		s.OK++
		return
	}
	if s.Failed == nil {
		s.Failed = map[string][]string{}
	}
	k := r.Kind()
	s.Failed[k] = append(s.Failed[k], r.Req.CANumber)
}

// FailedCount is the number of lookups that failed.
func (s *Summary) FailedCount() int {
	n := 0
	for _, v := range s.Failed {
		n += len(v)
	}
	return n
}

// Attempted is the number of lookups that finished.
func (s *Summary) Attempted() int { return s.OK + s.FailedCount() }

// Write prints the summary.
func (s *Summary) Write(w io.Writer) {
	fmt.Fprintf(w, "batch: %s, %s looked up in %s\n", text.Plural(s.Rows, "row"), text.Plural(s.Attempted(), "vehicle"), s.Elapsed.Round(10*time.Millisecond))
	fmt.Fprintf(w, "  ok       %d\n", s.OK)
	if n := s.FailedCount(); n > 0 {
		fmt.Fprintf(w, "  failed   %d\n", n)
		for _, k := range []string{string(client.KindAuth), string(client.KindAPI), string(client.KindUpstream),
			string(client.KindNetwork), string(client.KindTimeout), string(client.KindCancelled), store.ErrorKindValidation,
			store.ErrorKindOther} {
			if v := s.Failed[k]; len(v) > 0 {
				fmt.Fprintf(w, "    %-9s %d: %s\n", k, len(v), firstFew(v, 5))
			}
		}
	}
	if left := s.Lookups - s.Attempted(); left > 0 {
		fmt.Fprintf(w, "  not done %d (%s)\n", left, s.ResumeAdvice())
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

// ResumeAdvice says how to finish a stopped run.
func (s *Summary) ResumeAdvice() string {
	if s.Output == "" || s.Output == "-" {
		return "run again; with -o FILE a run can be resumed with --resume"
	}
	return "run the same command with --resume to look up only what is missing"
}
