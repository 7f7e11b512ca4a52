package batch

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

// UsageError is a batch asked for wrongly: its flags, its input or its
// output file. Hint says what to do instead (may be empty).
type UsageError struct {
	Err  error
	Hint string
}

// Error returns the message of the wrapped error.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *UsageError) Unwrap() error { return e.Err }

// usageError is a *UsageError without a hint.
func usageError(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Output formats.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// FormatFor returns the output format: the --format flag, else the one the
// output file's extension implies, else CSV.
func FormatFor(flag, output string) (string, error) {
	switch strings.ToLower(flag) {
	case FormatCSV:
		return FormatCSV, nil
	case FormatJSONL, "json":
		return FormatJSONL, nil
	case "":
	default:
		return "", usageError("unknown --format %q (use csv or jsonl)", flag)
	}
	switch strings.ToLower(filepath.Ext(output)) {
	case ".jsonl", ".json":
		return FormatJSONL, nil
	}
	return FormatCSV, nil
}

// Spec is one file batch: the rows to look up and where their rows go.
type Spec struct {
	Rows      []Row  // the valid input rows
	Invalid   int    // invalid rows left out (--skip-invalid), for the summary
	Input     string // the input file, which must not be the output ("" or "-": none)
	Output    string // "" none, "-" stdout, else a file
	Format    string // FormatCSV or FormatJSONL
	Resume    bool   // keep the rows Output already answered and look up the rest
	Overwrite bool   // replace an existing Output
}

// Check refuses to clobber the input, or an earlier run's rows unless
// Resume or Overwrite says what to do with them. Prepare checks too; the
// CLI checks first, before it waits for an input on stdin.
func (s Spec) Check() error {
	if s.Output == "" || s.Output == "-" {
		return nil
	}
	out, err := os.Stat(s.Output)
	if err != nil {
		return nil // does not exist yet (or cannot be read: opening it will say why)
	}
	if in, err := os.Stat(s.Input); err == nil && s.Input != "-" && os.SameFile(in, out) {
		return usageError("-o %s is the input file; choose another output file", s.Output)
	}
	if s.Resume && !out.Mode().IsRegular() {
		// Resuming reads the file back and replaces it by a rename.
		return usageError("--resume needs -o to be a regular file, and %s is not", s.Output)
	}
	if out.Size() > 0 && !s.Resume && !s.Overwrite {
		return &UsageError{Err: fmt.Errorf("%s already exists", s.Output),
			Hint: "add --resume to finish that run, or --overwrite to replace it"}
	}
	return nil
}

// Plan is a prepared batch: its unique lookups and, when resuming, the
// rows kept from the earlier run.
type Plan struct {
	spec    Spec
	rows    []Row             // the rows to look up
	jobs    []client.Request  // unique lookups, in order of first appearance
	rowsOf  [][]int           // job index -> its row indexes, in input order
	labels  map[string]string // vehicle -> its first label in the input ("" when none)
	keep    []resumeEntry     // rows of the earlier run's output to keep
	resumed int               // input rows already answered there
}

// Prepare checks the spec, reads the earlier run's output when resuming,
// and collapses duplicate vehicles into one lookup each. Its errors are
// *UsageError.
func Prepare(s Spec) (*Plan, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	p := &Plan{spec: s, labels: map[string]string{}}
	for _, r := range s.Rows {
		if k := r.key(); p.labels[k] == "" {
			p.labels[k] = r.Label
		}
	}
	todo := s.Rows
	if s.Resume {
		entries, err := readResumeFile(s.Output, s.Format)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		todo, p.keep, p.resumed = applyResume(s.Rows, entries)
	}
	p.rows = todo
	index := map[string]int{}
	for i, r := range todo {
		j, seen := index[r.key()]
		if !seen {
			j = len(p.jobs)
			index[r.key()] = j
			p.jobs = append(p.jobs, r.Req)
			p.rowsOf = append(p.rowsOf, nil)
		}
		p.rowsOf[j] = append(p.rowsOf[j], i)
	}
	return p, nil
}

// account is the saved account of job j's vehicle, with its fresh result.
// (A vehicle's rows are all looked up or all kept, so its label is that of
// its rows in this run.)
func (p *Plan) account(j int, res *client.Result) store.Account {
	req := p.jobs[j]
	return store.Account{
		Operator:       req.Operator,
		CANumber:       req.CANumber,
		RegistrationID: req.RegistrationID,
		Label:          p.labels[lookupKey(req.Operator, req.CANumber, req.RegistrationID)],
		Last:           &store.Snapshot{Consumer: res.Consumer, FetchedAt: res.FetchedAt},
	}
}

// keptAccounts are the saved accounts of the kept rows that answer this
// input's vehicles (--resume --save saves them: the earlier run may have
// been killed before it saved them). A row's label is the input's, else
// the one the output holds.
func (p *Plan) keptAccounts() []store.Account {
	var accts []store.Account
	saved := map[string]bool{} // one account a vehicle
	for _, e := range p.keep {
		label, ours := p.labels[e.key]
		if !ours || !e.ok || e.account == nil || saved[e.key] {
			continue
		}
		saved[e.key] = true
		a := *e.account
		a.Label = cmp.Or(label, a.Label)
		accts = append(accts, a)
	}
	return accts
}
