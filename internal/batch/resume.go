package batch

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// resumeEntry is one row of an earlier run's output file.
type resumeEntry struct {
	key     string
	ok      bool
	account *store.Account // a successful row's vehicle and result, as far as the row tells
	line    []byte         // the row as it is written back, with its newline
}

// newResumeEntry is the entry of a row of a (for a successful row) and line.
func newResumeEntry(ok bool, a *store.Account, line []byte) resumeEntry {
	e := resumeEntry{key: lookupKey(a.Operator, a.CANumber, a.RegistrationID), ok: ok, line: line}
	if ok {
		e.account = a
	}
	return e
}

// readResumeFile reads an earlier run's output. A missing file is an empty
// run. A last line without its newline (the run was killed mid-write) is
// dropped, so that vehicle is looked up again.
func readResumeFile(path, format string) ([]resumeEntry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(data, '\n'); i < len(data)-1 {
		data = data[:i+1]
	}
	if format == FormatJSONL {
		return readResumeJSONL(path, data)
	}
	return readResumeCSV(path, data)
}

// readResumeCSV reads a batch CSV output; its header must be ours. A
// damaged row is an error: rewriting the file without it would lose it.
func readResumeCSV(path string, data []byte) ([]resumeEntry, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil || !slices.Equal(header, csvHeader()) {
		return nil, notBatchOutput(path, "csv", 1)
	}
	var entries []resumeEntry
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		e, ok := resumeCSVEntry(rec)
		if err != nil || !ok {
			line, _ := cr.FieldPos(0)
			return nil, notBatchOutput(path, "csv", line)
		}
		entries = append(entries, e)
	}
}

// notBatchOutput is the error of a resume file that is not ours.
func notBatchOutput(path, format string, line int) error {
	return fmt.Errorf("%s line %d: not a batch %s output row; choose another -o file (or --format), or drop --resume", path, line, format)
}

// resumeCSVEntry decodes one CSV output row; ok is false for a damaged row.
func resumeCSVEntry(rec []string) (resumeEntry, bool) {
	if len(rec) != len(csvHeader()) {
		return resumeEntry{}, false
	}
	op, err := strconv.Atoi(rec[1])
	if err != nil || (rec[4] != "true" && rec[4] != "false") {
		return resumeEntry{}, false
	}
	v := func(i int) string { return store.CSVValue(rec[i]) }
	return newResumeEntry(rec[4] == "true", csvAccount(op, v), csvLine(rec)), true
}

// csvAccount is the account of a CSV output row: its result as far as the
// columns tell (an answer that succeeded said status true and, as every
// answer the provider documents, response code 1).
func csvAccount(op int, v func(int) string) *store.Account {
	c := client.Consumer{ResponseCode: 1, Status: true, Message: v(6), Name: v(7), Amount: v(8), DueDate: v(9)}
	if v(12) != "" || v(13) != "" {
		c.Bill = &client.Bill{BillNetAmount: v(10), MaxBillAmount: v(11), AcceptPayment: v(12) == "true",
			AcceptPartPay: v(13) == "true", CellNumber: v(14)}
	}
	a := &store.Account{Operator: op, CANumber: v(0), RegistrationID: v(2), Label: v(3),
		Last: &store.Snapshot{Consumer: c}}
	if t, err := time.Parse(time.RFC3339, v(15)); err == nil {
		a.Last.FetchedAt = t
	}
	return a
}

// readResumeJSONL reads a batch JSONL output; a line that is not a batch
// record is an error.
func readResumeJSONL(path string, data []byte) ([]resumeEntry, error) {
	var entries []resumeEntry
	n := 0
	for line := range bytes.Lines(data) {
		n++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var r jsonlRecord
		if json.Unmarshal(line, &r) != nil || r.CANumber == "" {
			return nil, notBatchOutput(path, "jsonl", n)
		}
		c := r.Consumer
		c.Bill = r.Bill
		a := &store.Account{Operator: r.Operator, CANumber: r.CANumber, RegistrationID: r.RegistrationID,
			Label: r.Label, Last: &store.Snapshot{Consumer: c, FetchedAt: r.FetchedAt}}
		e := newResumeEntry(r.OK, a, slices.Concat(text.SafeJSON(line), []byte{'\n'}))
		entries = append(entries, e)
	}
	return entries, nil
}

// applyResume drops the rows an earlier run already answered: a vehicle is
// done, its rows kept and not looked up again, when the file holds a
// successful row for every input row of it. Other rows of this input's
// vehicles are dropped and looked up again; rows of other vehicles are
// kept. It returns the rows to do, the entries to keep and the rows skipped.
func applyResume(rows []Row, entries []resumeEntry) (todo []Row, keep []resumeEntry, skipped int) {
	want := map[string]int{}
	for _, r := range rows {
		want[r.key()]++
	}
	okCount := map[string]int{}
	for _, e := range entries {
		if e.ok {
			okCount[e.key]++
		}
	}
	done := func(k string) bool { return want[k] > 0 && okCount[k] >= want[k] }
	for _, e := range entries {
		if want[e.key] == 0 || (e.ok && done(e.key)) {
			keep = append(keep, e)
		}
	}
	for _, r := range rows {
		if done(r.key()) {
			skipped++
			continue
		}
		todo = append(todo, r)
	}
	return todo, keep, skipped
}
