package cli

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Output formats of batch.
const (
	batchFormatCSV   = "csv"
	batchFormatJSONL = "jsonl"
)

// batchCSVHeader returns the columns of a batch CSV output, in order.
func batchCSVHeader() []string {
	return []string{
		"canumber", "operator", "registration_id", "label", "ok", "error_kind", "message",
		"name", "amount", "due_date", "bill_net_amount", "max_bill_amount",
		"accept_payment", "accept_part_pay", "cell_number", "fetched_at",
	}
}

// batchFormatFor returns the output format: the --format flag, else the one
// the output file's extension implies, else CSV.
func batchFormatFor(flag, output string) (string, error) {
	switch strings.ToLower(flag) {
	case batchFormatCSV:
		return batchFormatCSV, nil
	case batchFormatJSONL, "json":
		return batchFormatJSONL, nil
	case "":
	default:
		return "", fmt.Errorf("unknown --format %q (use csv or jsonl)", flag)
	}
	switch strings.ToLower(filepath.Ext(output)) {
	case ".jsonl", ".json":
		return batchFormatJSONL, nil
	}
	return batchFormatCSV, nil
}

// batchRowWriter writes output rows in one format. Every call writes whole
// rows and flushes them, so an interruption loses nothing written.
type batchRowWriter interface {
	writeHeader() error
	writeResult(row batchRow, out lookupOutcome) error
	writeKept(e resumeEntry) error
}

// newBatchRowWriter returns the writer of format on w.
func newBatchRowWriter(w io.Writer, format string) batchRowWriter {
	if format == batchFormatJSONL {
		return &jsonlRowWriter{w: w}
	}
	return &csvRowWriter{w: csv.NewWriter(w)}
}

// csvRowWriter writes batch CSV rows.
type csvRowWriter struct{ w *csv.Writer }

func (c *csvRowWriter) writeHeader() error { return c.write(batchCSVHeader()) }

func (c *csvRowWriter) writeResult(row batchRow, out lookupOutcome) error {
	return c.write(batchCSVRecord(row, out))
}

func (c *csvRowWriter) writeKept(e resumeEntry) error { return c.write(e.csv) }

func (c *csvRowWriter) write(rec []string) error {
	if err := c.w.Write(rec); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}

// jsonlRowWriter writes one --json record per line.
type jsonlRowWriter struct{ w io.Writer }

// batchJSONRecord is the JSONL row: the --json record of fetch plus the
// input row's label when it has one.
type batchJSONRecord struct {
	Record
	Label string `json:"label,omitempty"`
}

func (j *jsonlRowWriter) writeHeader() error { return nil }

func (j *jsonlRowWriter) writeResult(row batchRow, out lookupOutcome) error {
	line, err := json.Marshal(batchJSONRecord{Record: NewRecord(row.Req, out.Res, out.Err), Label: row.Label})
	if err != nil {
		return err
	}
	_, err = j.w.Write(append(line, '\n'))
	return err
}

func (j *jsonlRowWriter) writeKept(e resumeEntry) error {
	_, err := j.w.Write(append(append([]byte(nil), e.json...), '\n'))
	return err
}

// batchCSVRecord renders one output row: every value sanitised for a
// single line and escaped against spreadsheet formula injection.
func batchCSVRecord(row batchRow, out lookupOutcome) []string {
	var c client.Consumer
	var fetchedAt string
	if res := client.ResultOf(out.Res, out.Err); res != nil {
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
	if out.Err != nil {
		message = outcomeMessage(out.Err)
	}
	rec := []string{
		row.Req.CANumber, strconv.Itoa(row.Req.Operator), row.Req.RegistrationID, row.Label,
		strconv.FormatBool(out.Err == nil), out.kind(), message,
		c.Name, c.Amount, c.DueDate, b.BillNetAmount, b.MaxBillAmount,
		acceptPay, acceptPart, b.CellNumber, fetchedAt,
	}
	for i, v := range rec {
		rec[i] = store.CSVCell(text.Sanitize(v))
	}
	return rec
}

// outcomeMessage is the one-line message of a failed lookup.
func outcomeMessage(err error) string {
	var ce *client.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	return err.Error()
}

// orderedRows writes output rows in input order as their lookups finish,
// holding back rows whose predecessors are still in flight.
type orderedRows struct {
	w       batchRowWriter // nil: rows are not kept
	rows    []batchRow
	outs    []*lookupOutcome
	next    int
	written int
}

func newOrderedRows(w batchRowWriter, rows []batchRow) *orderedRows {
	return &orderedRows{w: w, rows: rows, outs: make([]*lookupOutcome, len(rows))}
}

// complete records the outcome of rows and writes every row now in order.
func (o *orderedRows) complete(rows []int, out lookupOutcome) error {
	for _, i := range rows {
		o.outs[i] = &out
	}
	for o.next < len(o.rows) && o.outs[o.next] != nil {
		if err := o.write(o.next); err != nil {
			return err
		}
		o.next++
	}
	return nil
}

// finish writes the finished rows still held back (after a stop, the rows
// never looked up are left out, so --resume picks them up).
func (o *orderedRows) finish() error {
	for ; o.next < len(o.rows); o.next++ {
		if o.outs[o.next] == nil {
			continue
		}
		if err := o.write(o.next); err != nil {
			return err
		}
	}
	return nil
}

func (o *orderedRows) write(i int) error {
	if o.w == nil {
		return nil
	}
	if err := o.w.writeResult(o.rows[i], *o.outs[i]); err != nil {
		return err
	}
	o.written++
	return nil
}

// batchOutput is where rows go.
type batchOutput struct {
	w    batchRowWriter // nil when there is no output
	file *os.File       // nil for stdout or no output
	path string
}

// openBatchOutput opens the output: nothing for "", stdout for "-", else the
// file (created 0600: it holds consumers' names and phone numbers). When
// resuming, the rows to keep are first written to a temporary file that
// atomically replaces the old one, and new rows are appended to it, so the
// file is whole at every moment.
func openBatchOutput(path, format string, stdout io.Writer, resume bool, keep []resumeEntry) (*batchOutput, error) {
	switch path {
	case "":
		return &batchOutput{}, nil
	case "-":
		w := newBatchRowWriter(stdout, format)
		return &batchOutput{w: w, path: path}, w.writeHeader()
	}
	if resume {
		if err := rewriteKept(path, format, keep); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return nil, err
		}
		return &batchOutput{w: newBatchRowWriter(f, format), file: f, path: path}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	w := newBatchRowWriter(f, format)
	if err := w.writeHeader(); err != nil {
		f.Close()
		return nil, err
	}
	return &batchOutput{w: w, file: f, path: path}, nil
}

// rewriteKept atomically replaces path (the file, when path is a symlink)
// with the header and the kept rows.
func rewriteKept(path, format string, keep []resumeEntry) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if fi, err := os.Stat(path); err == nil {
		if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
			tmp.Close()
			return err
		}
	}
	w := newBatchRowWriter(tmp, format)
	err = w.writeHeader()
	for _, e := range keep {
		if err != nil {
			break
		}
		err = w.writeKept(e)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// close syncs and closes the output file.
func (o *batchOutput) close() error {
	if o.file == nil {
		return nil
	}
	err := o.file.Sync()
	if cerr := o.file.Close(); err == nil {
		err = cerr
	}
	return err
}
