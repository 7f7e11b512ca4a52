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

// jsonlRecord is the JSONL row: the --json record of fetch plus the input
// row's label when it has one.
type jsonlRecord struct {
	Record
	Label string `json:"label,omitempty"`
}

// headerLine is the first line of an output in format (none for JSONL).
func headerLine(format string) []byte {
	if format == FormatJSONL {
		return nil
	}
	return csvLine(csvHeader())
}

// encodeRow renders one output row with its newline: a CSV record, or the
// JSONL record escaped as every JSON output is (text.SafeJSON).
func encodeRow(format string, row Row, r Result) ([]byte, error) {
	if format != FormatJSONL {
		return csvLine(csvRecord(row, r)), nil
	}
	line, err := json.Marshal(jsonlRecord{Record: NewRecord(row.Req, r.Res, r.Err), Label: row.Label})
	return append(text.SafeJSON(line), '\n'), err
}

// csvLine is rec as one CSV line.
func csvLine(rec []string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(rec) // writes to a buffer never fail
	w.Flush()
	return b.Bytes()
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
		b, err := encodeRow(o.format, rows[i], r)
		if err == nil {
			err = o.write(b)
		}
		if err == nil {
			*written++
		}
		return err
	})
}

// Output is where a batch's rows go.
type Output struct {
	w      io.Writer // nil when there is no output
	format string
	file   *os.File // nil for stdout or no output
}

// write writes b (whole rows, at once, so an interruption loses nothing
// written); nothing when b is empty.
func (o *Output) write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := o.w.Write(b)
	return err
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
		o := &Output{w: stdout, format: format}
		return o, o.write(headerLine(format))
	}
	if p.spec.Resume {
		if err := rewriteKept(path, format, p.keep); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return nil, err
		}
		return &Output{w: f, format: format, file: f}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	o := &Output{w: f, format: format, file: f}
	err = private(f)
	if err == nil {
		err = o.write(headerLine(format))
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return o, nil
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
	b := headerLine(format)
	for _, e := range keep {
		b = append(b, e.line...)
	}
	return safefile.WriteAtomic(path, b)
}

// Close syncs and closes the output file.
func (o *Output) Close() error {
	if o.file == nil {
		return nil
	}
	return cmp.Or(o.file.Sync(), o.file.Close())
}
