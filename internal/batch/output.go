package batch

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/safefile"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// csvHeader returns the columns of a batch CSV output, in order.
func csvHeader() []string {
	return []string{
		"canumber", "operator", "registration_id", "label", "ok", "error_kind", "message",
		"name", "amount", "due_date", "bill_net_amount", "max_bill_amount",
		"accept_payment", "accept_part_pay", "cell_number", "fetched_at",
	}
}

// rowWriter writes output rows in one format. Every call writes whole rows
// and flushes them, so an interruption loses nothing written.
type rowWriter interface {
	writeHeader() error
	writeResult(row Row, r Result) error
	writeKept(e resumeEntry) error
}

// newRowWriter returns the writer of format on w.
func newRowWriter(w io.Writer, format string) rowWriter {
	if format == FormatJSONL {
		return &jsonlWriter{w: w}
	}
	return &csvWriter{w: csv.NewWriter(w)}
}

// csvWriter writes batch CSV rows.
type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) writeHeader() error { return c.write(csvHeader()) }

func (c *csvWriter) writeResult(row Row, r Result) error { return c.write(csvRecord(row, r)) }

func (c *csvWriter) writeKept(e resumeEntry) error { return c.write(e.csv) }

func (c *csvWriter) write(rec []string) error {
	if err := c.w.Write(rec); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}

// jsonlWriter writes one --json record per line, escaped as every JSON
// output is (text.SafeJSON).
type jsonlWriter struct{ w io.Writer }

// jsonlRecord is the JSONL row: the --json record of fetch plus the input
// row's label when it has one.
type jsonlRecord struct {
	Record
	Label string `json:"label,omitempty"`
}

func (j *jsonlWriter) writeHeader() error { return nil }

func (j *jsonlWriter) writeResult(row Row, r Result) error {
	line, err := json.Marshal(jsonlRecord{Record: NewRecord(row.Req, r.Res, r.Err), Label: row.Label})
	if err != nil {
		return err
	}
	_, err = j.w.Write(append(text.SafeJSON(line), '\n'))
	return err
}

func (j *jsonlWriter) writeKept(e resumeEntry) error {
	_, err := j.w.Write(append(text.SafeJSON(e.json), '\n'))
	return err
}

// csvRecord renders one output row: every value sanitised for a single
// line and escaped against spreadsheet formula injection.
func csvRecord(row Row, r Result) []string {
	var c client.Consumer
	var fetchedAt string
	if res := client.ResultOf(r.Res, r.Err); res != nil {
		c = res.Consumer
		if !res.FetchedAt.IsZero() {
			fetchedAt = res.FetchedAt.UTC().Format(time.RFC3339)
		}
	}
	var b client.Bill
	var acceptPay, acceptPart string
	if c.Bill != nil {
		b = *c.Bill
		acceptPay, acceptPart = strconv.FormatBool(b.AcceptPayment), strconv.FormatBool(b.AcceptPartPay)
	}
	message := c.Message
	if r.Err != nil {
		_, message = store.FailureOf(r.Err)
	}
	rec := []string{
		row.Req.CANumber, strconv.Itoa(row.Req.Operator), row.Req.RegistrationID, row.Label,
		strconv.FormatBool(r.Err == nil), r.Kind(), message,
		c.Name, c.Amount, c.DueDate, b.BillNetAmount, b.MaxBillAmount,
		acceptPay, acceptPart, b.CellNumber, fetchedAt,
	}
	for i, v := range rec {
		rec[i] = store.CSVCell(text.Sanitize(v))
	}
	return rec
}

// inOrder writes the results of rows to o in input order as their lookups
// finish, holding back rows whose predecessors are still in flight, and
// counts them in *written.
func (o *Output) inOrder(rows []Row, written *int) *inOrder[Result] {
	return newInOrder(len(rows), func(i int, r Result) error {
		if o.w == nil {
			return nil
		}
		if err := o.w.writeResult(rows[i], r); err != nil {
			return err
		}
		*written++
		return nil
	})
}

// Output is where a batch's rows go.
type Output struct {
	w    rowWriter // nil when there is no output
	file *os.File  // nil for stdout or no output
}

// Open opens the plan's output: nothing for "", stdout for "-", else the
// file, 0600 whatever the umask and whatever its mode was (it holds
// consumers' names and phone numbers). When resuming, the rows to keep are
// first written to a temporary file that atomically replaces the old one,
// and new rows are appended to it, so the file is whole at every moment.
// Opening a FIFO waits for its reader: the CLI runs Open so that ctrl+c
// ends the wait.
func (p *Plan) Open(stdout io.Writer) (*Output, error) {
	path, format := p.spec.Output, p.spec.Format
	switch path {
	case "":
		return &Output{}, nil
	case "-":
		w := newRowWriter(stdout, format)
		return &Output{w: w}, w.writeHeader()
	}
	if p.spec.Resume {
		if err := rewriteKept(path, format, p.keep); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return nil, err
		}
		return &Output{w: newRowWriter(f, format), file: f}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := private(f); err != nil {
		f.Close()
		return nil, err
	}
	w := newRowWriter(f, format)
	if err := w.writeHeader(); err != nil {
		f.Close()
		return nil, err
	}
	return &Output{w: w, file: f}, nil
}

// private makes an existing regular file f 0600 and empties it (a new one
// already is); a FIFO or device is written as it is.
func private(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return err
	}
	if fi.Mode().Perm() != 0o600 {
		if err := f.Chmod(0o600); err != nil {
			return fmt.Errorf("cannot make it private (mode 0600) before writing consumers' details into it: %w", err)
		}
	}
	return f.Truncate(0)
}

// rewriteKept atomically replaces path (the file, when path is a symlink)
// with the header and the kept rows, in a new file of mode 0600.
func rewriteKept(path, format string, keep []resumeEntry) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	var b bytes.Buffer // writes to it never fail
	w := newRowWriter(&b, format)
	_ = w.writeHeader()
	for _, e := range keep {
		_ = w.writeKept(e)
	}
	return safefile.WriteAtomic(path, b.Bytes())
}

// Close syncs and closes the output file.
func (o *Output) Close() error {
	if o.file == nil {
		return nil
	}
	return cmp.Or(o.file.Sync(), o.file.Close())
}
