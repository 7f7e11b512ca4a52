package batch

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Row is one valid input row, normalised.
type Row struct {
	Line  int // 1-based line of the input (the position, for saved accounts)
	Req   client.Request
	Label string
}

// key identifies the row's vehicle lookup.
func (r Row) key() string {
	return lookupKey(r.Req.Operator, r.Req.CANumber, r.Req.RegistrationID)
}

// lookupKey identifies a lookup: the same operator, vehicle and
// registration id give the same answer.
func lookupKey(operator int, canumber, registrationID string) string {
	return strconv.Itoa(operator) + "\x00" + canumber + "\x00" + registrationID
}

// Problem is a message about one input line.
type Problem struct {
	Line    int
	Message string
}

// Defaults fill what a row leaves empty. A row's own operator and
// registration id come first, then those of the saved account of its
// vehicle, then Operator and RegistrationID.
type Defaults struct {
	Operator       string                    // --operator, else the config's code ("" when neither)
	RegistrationID string                    // --registration-id, else the config's
	Resolve        func(string) (int, error) // an operator code or configured name -> code; nil: codes only
	Saved          []store.Account           // the saved accounts
}

// ReadRows reads a batch input and normalises its rows with the client's
// rules. The input is a CSV file with a header (detected by a .csv name or
// a first line naming a canumber column; see store.ReadCSV) or plain text
// with one vehicle per line, where blank lines and lines starting with '#'
// are skipped. data must be UTF-8 (its reader decodes UTF-16 and drops a
// byte order mark). It returns the valid rows, the invalid ones and soft
// warnings (unusual vehicle formats; those rows are still looked up); err
// is for a file that cannot be read as a batch input at all.
func ReadRows(data []byte, name string, d Defaults) (rows []Row, bad, warnings []Problem, err error) {
	in, bad, err := readInput(data, name)
	if err != nil {
		return nil, nil, nil, err
	}
	rows, invalid, warnings := d.validate(in)
	bad = append(bad, invalid...)
	slices.SortStableFunc(bad, func(a, b Problem) int { return a.Line - b.Line }) // by line, keeping the order within one
	return rows, bad, warnings, nil
}

// SavedRows are the rows that look up every saved account (batch --saved,
// the TUI's refresh-all), in saved order, with the account's label.
func SavedRows(d Defaults) (rows []Row, bad, warnings []Problem) {
	in := make([]store.CSVRow, len(d.Saved))
	for i, a := range d.Saved {
		in[i] = store.CSVRow{Line: i + 1, CANumber: a.CANumber, RegistrationID: a.RegistrationID, Label: a.Label}
		if a.Operator != 0 {
			in[i].Operator = strconv.Itoa(a.Operator)
		}
	}
	rows, bad, warnings = d.validate(in)
	for _, ps := range [][]Problem{bad, warnings} {
		for i := range ps {
			ps[i].Message = text.Sanitize(d.Saved[ps[i].Line-1].CANumber) + ": " + ps[i].Message
		}
	}
	return rows, bad, warnings
}

// readInput reads the vehicle rows of a CSV or plain text input, as written.
func readInput(data []byte, name string) ([]store.CSVRow, []Problem, error) {
	if !strings.EqualFold(filepath.Ext(name), ".csv") && !looksLikeCSVHeader(data) {
		return readText(data), nil, nil
	}
	recs, errs, err := store.ReadCSV(data, store.CSVOptions{IgnoreExtra: true})
	if err != nil {
		return nil, nil, err
	}
	bad := make([]Problem, len(errs))
	for i, e := range errs {
		bad[i] = Problem{e.Line, text.Sanitize(e.Message)}
	}
	return recs, bad, nil
}

// looksLikeCSVHeader reports whether the first non-blank, non-comment line
// of data is a header naming a canumber column.
func looksLikeCSVHeader(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, f := range strings.Split(line, ",") {
			if strings.EqualFold(strings.Trim(strings.TrimSpace(f), `"`), "canumber") {
				return true
			}
		}
		return false
	}
	return false
}

// readText reads one vehicle per line.
func readText(data []byte) []store.CSVRow {
	var rows []store.CSVRow
	n := 0
	for line := range bytes.Lines(data) {
		n++
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		rows = append(rows, store.CSVRow{Line: n, CANumber: string(line)})
	}
	return rows
}

// validate normalises every row; see ReadRows.
func (d Defaults) validate(in []store.CSVRow) (rows []Row, bad, warnings []Problem) {
	saved := make(map[string]store.Account, len(d.Saved))
	for _, a := range d.Saved {
		saved[a.CANumber] = a
	}
	for _, r := range in {
		req, warn, err := d.request(r, saved)
		if err != nil {
			bad = append(bad, Problem{r.Line, text.Sanitize(err.Error())})
			continue
		}
		if warn != "" {
			warnings = append(warnings, Problem{r.Line, text.Sanitize(warn)})
		}
		rows = append(rows, Row{Line: r.Line, Req: req, Label: r.Label})
	}
	return rows, bad, warnings
}

// errNoOperator is the problem of a row without an operator.
var errNoOperator = errors.New("no operator: add an operator column, or set --operator or operator in the config")

// request builds the normalised request of one input row.
func (d Defaults) request(r store.CSVRow, saved map[string]store.Account) (client.Request, string, error) {
	op, regID := r.Operator, r.RegistrationID
	if v, _, err := client.NormalizeVehicle(r.CANumber); err == nil {
		if a, ok := saved[v]; ok {
			if op == "" && a.Operator != 0 {
				op = strconv.Itoa(a.Operator)
			}
			regID = cmp.Or(regID, strings.TrimSpace(a.RegistrationID))
		}
	}
	op = cmp.Or(op, d.Operator)
	if op == "" {
		return client.Request{}, "", errNoOperator
	}
	resolve := d.Resolve
	if resolve == nil {
		resolve = client.ParseOperator
	}
	code, err := resolve(op)
	if err != nil {
		return client.Request{}, "", err
	}
	req := client.Request{Operator: code, CANumber: r.CANumber, RegistrationID: cmp.Or(regID, d.RegistrationID)}
	return req.Normalize()
}
