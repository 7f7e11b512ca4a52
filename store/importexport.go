package store

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/aopfetch/aopfetch/client"
)

// csvHeaderRow is the header of a CSV export, naming the columns an import knows.
const csvHeaderRow = "label,operator,canumber,registration_id,note"

// csvColumns returns the columns of csvHeaderRow.
func csvColumns() []string { return strings.Split(csvHeaderRow, ",") }

// exportFile is the JSON export: the store without its history.
type exportFile struct {
	Version  int       `json:"version"`
	Accounts []Account `json:"accounts"`
}

// ImportReport counts an import's effects: accounts added, saved accounts
// changed, and rows skipped because the store already held them as given.
type ImportReport struct{ Added, Updated, Skipped int }

// RowError is a bad import row. Line is the physical line the row starts on
// (the CSV header is line 1).
type RowError struct {
	Line    int
	Message string
}

// Error formats the row error as "line N: message".
func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// ParseImport reads accounts from CSV or JSON ("csv" | "json") and validates
// every row: the vehicle number is normalised with client.NormalizeVehicle,
// a non-empty registration id with client.NormalizeRegistrationID, and an
// operator must be a positive integer when present; an empty or 0 operator
// is returned as 0, which means "the configured default" (the caller may
// fill it in). It returns the valid rows and one RowError per invalid row;
// the error is for input that cannot be read at all (unknown format, broken
// JSON, a CSV header without a canumber column).
//
// CSV needs a header row naming its columns, any of label, operator,
// canumber, registration_id and note in any order (canumber is required).
// JSON is either an export object {"version":1,"accounts":[...]} or a bare
// array of accounts; their other fields (id, created_at, last, ...) are kept.
func ParseImport(r io.Reader, format string) ([]Account, []RowError, error) {
	switch strings.ToLower(format) {
	case "csv":
		return parseCSV(r)
	case "json":
		return parseJSON(r)
	}
	return nil, nil, fmt.Errorf("unknown import format %q (want csv or json)", format)
}

// Import merges accounts into the store in one write. An account whose
// CANumber is already saved is merged into it: its non-empty label,
// operator, registration id and note replace the saved ones and a newer
// snapshot wins (Updated), or nothing changes (Skipped). Others are added at
// the end in the given order, keeping their id when it is unused.
func (s *Store) Import(accts []Account) (ImportReport, error) {
	rows := make([]Account, len(accts))
	ids := make([]string, len(accts))
	for i, a := range accts {
		if strings.TrimSpace(a.CANumber) == "" {
			return ImportReport{}, fmt.Errorf("account #%d has no vehicle number", i+1)
		}
		rows[i], ids[i] = a.Clone(), newID()
	}
	now := s.opts.Now().UTC()
	apply := func(d *Data) ImportReport {
		var rep ImportReport
		for i, a := range rows {
			switch mergeAccount(d, a, ids[i], now) {
			case added:
				rep.Added++
			case updated:
				rep.Updated++
			default:
				rep.Skipped++
			}
		}
		return rep
	}
	var rep ImportReport
	_, err := s.update(
		func(d *Data) error { rep = apply(d); return nil },
		func(d *Data) error { apply(d); return nil })
	return rep, err
}

// Export writes all saved accounts of d as "json" (an object with the schema
// version and the accounts, every field kept) or "csv" (a header row and the
// columns label,operator,canumber,registration_id,note; operator 0 is
// empty). Values are written as they are, meant for re-import: a field
// starting with '=', '+', '-' or '@' is not defused for spreadsheets.
func Export(w io.Writer, format string, d Data) error {
	accts := d.Accounts
	if accts == nil {
		accts = []Account{}
	}
	switch strings.ToLower(format) {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(exportFile{Version: SchemaVersion, Accounts: accts})
	case "csv":
		return exportCSV(w, accts)
	}
	return fmt.Errorf("unknown export format %q (want csv or json)", format)
}

func exportCSV(w io.Writer, accts []Account) error {
	cw := csv.NewWriter(w)
	cw.Write(csvColumns())
	for _, a := range accts {
		op := ""
		if a.Operator != 0 {
			op = strconv.Itoa(a.Operator)
		}
		// Cells are defused for spreadsheets; import undoes it exactly.
		cw.Write([]string{CSVCell(a.Label), op, a.CANumber, a.RegistrationID, CSVCell(a.Note)})
	}
	cw.Flush()
	return cw.Error()
}

// validate normalises and checks the fields of an imported row.
func validate(a Account) (Account, error) {
	v, _, err := client.NormalizeVehicle(a.CANumber)
	if err != nil {
		return a, err
	}
	a.CANumber = v
	if a.Operator != 0 {
		if _, err := client.ParseOperator(strconv.Itoa(a.Operator)); err != nil {
			return a, err
		}
	}
	if strings.TrimSpace(a.RegistrationID) != "" {
		if a.RegistrationID, err = client.NormalizeRegistrationID(a.RegistrationID); err != nil {
			return a, err
		}
	} else {
		a.RegistrationID = ""
	}
	return a, nil
}

// rows collects valid accounts and row errors.
type rows struct {
	accts []Account
	errs  []RowError
}

func (r *rows) add(line int, a Account, err error) {
	if err == nil {
		a, err = validate(a)
	}
	if err != nil {
		r.errs = append(r.errs, RowError{Line: line, Message: err.Error()})
		return
	}
	r.accts = append(r.accts, a)
}

// ---- CSV ----

func parseCSV(r io.Reader) ([]Account, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("the CSV file is empty; it needs a header row %s", csvHeaderRow)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("CSV header: %w", err)
	}
	cols, err := csvHeader(header)
	if err != nil {
		return nil, nil, err
	}
	var out rows
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			out.errs = append(out.errs, RowError{Line: pe.StartLine, Message: "malformed CSV: " + pe.Err.Error()})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		a, err := csvAccount(rec, cols, len(header))
		out.add(line, a, err)
	}
	return out.accts, out.errs, nil
}

// csvHeader maps column names to their index; canumber is required.
func csvHeader(header []string) (map[string]int, error) {
	cols := make(map[string]int, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if !slices.Contains(csvColumns(), name) {
			return nil, fmt.Errorf("line 1: unknown column %q (the header row names columns among %s)", name, csvHeaderRow)
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Errorf("line 1: column %q appears twice", name)
		}
		cols[name] = i
	}
	if _, ok := cols["canumber"]; !ok {
		return nil, fmt.Errorf("line 1: the header row has no canumber column (want %s)", csvHeaderRow)
	}
	return cols, nil
}

// csvAccount builds the account of one CSV record.
func csvAccount(rec []string, cols map[string]int, n int) (Account, error) {
	if len(rec) != n {
		return Account{}, fmt.Errorf("has %d fields, the header has %d", len(rec), n)
	}
	get := func(name string) string {
		if i, ok := cols[name]; ok {
			return strings.TrimSpace(CSVValue(rec[i]))
		}
		return ""
	}
	a := Account{Label: get("label"), CANumber: get("canumber"), RegistrationID: get("registration_id"), Note: get("note")}
	if op := get("operator"); op != "" && op != "0" {
		n, err := client.ParseOperator(op)
		if err != nil {
			return Account{}, err
		}
		a.Operator = n
	}
	return a, nil
}

// blank reports whether every field of rec is empty (a spreadsheet's ",,,,").
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// ---- JSON ----

func parseJSON(r io.Reader) ([]Account, []RowError, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("the JSON file is empty")
	}
	if err != nil {
		return nil, nil, jsonError(b, err)
	}
	switch tok {
	case json.Delim('['):
		return jsonRows(dec, b)
	case json.Delim('{'):
		return jsonExport(dec, b)
	}
	return nil, nil, errors.New(`want an export object {"version":1,"accounts":[...]} or an array of accounts`)
}

// jsonExport reads the rest of an export object.
func jsonExport(dec *json.Decoder, b []byte) ([]Account, []RowError, error) {
	var accts []Account
	var errs []RowError
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, jsonError(b, err)
		}
		switch tok {
		case "accounts":
			if tok, err = dec.Token(); err != nil {
				return nil, nil, jsonError(b, err)
			}
			if tok != json.Delim('[') {
				return nil, nil, errors.New(`"accounts" must be an array`)
			}
			if accts, errs, err = jsonRows(dec, b); err != nil {
				return nil, nil, err
			}
			found = true
		case "version":
			var v int
			if err := dec.Decode(&v); err != nil {
				return nil, nil, fmt.Errorf(`"version" must be a number: %w`, jsonError(b, err))
			}
			if v > SchemaVersion {
				return nil, nil, fmt.Errorf("the file was exported by a newer aopfetch (schema %d); upgrade aopfetch", v)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, jsonError(b, err)
			}
		}
	}
	if !found {
		return nil, nil, errors.New(`the JSON object has no "accounts" array`)
	}
	return accts, errs, nil
}

// jsonRows reads array elements up to and including the closing ']'.
func jsonRows(dec *json.Decoder, b []byte) ([]Account, []RowError, error) {
	var out rows
	for dec.More() {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, jsonError(b, err)
		}
		var a Account
		err := json.Unmarshal(raw, &a)
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			err = typeError(te)
		}
		out.add(lineOf(b, start), a, err)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, jsonError(b, err)
	}
	return out.accts, out.errs, nil
}

// typeError words a JSON type mismatch for a person.
func typeError(te *json.UnmarshalTypeError) error {
	if te.Field == "" {
		return fmt.Errorf("want an account object, got a JSON %s", te.Value)
	}
	return fmt.Errorf("%s: want %s, got a JSON %s", te.Field, kindName(te.Type.Kind()), te.Value)
}

// kindName names the JSON value a Go kind is decoded from.
func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array"
	}
	return "an object"
}

// jsonError adds the line number to a JSON syntax error. A json.Decoder's
// offsets are relative to the value it was reading, so the whole input is
// checked again for the absolute position.
func jsonError(b []byte, err error) error {
	if _, ok := errors.AsType[*json.SyntaxError](err); ok {
		var v any
		if se, ok := errors.AsType[*json.SyntaxError](json.Unmarshal(b, &v)); ok {
			line := 1 + bytes.Count(b[:min(max(se.Offset, 0), int64(len(b)))], []byte("\n"))
			return fmt.Errorf("line %d: invalid JSON: %w", line, se)
		}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("invalid JSON: the file ends too early")
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// lineOf returns the 1-based line of the first value byte at or after off,
// skipping whitespace and the ',' between array elements.
func lineOf(b []byte, off int64) int {
	i := int(min(max(off, 0), int64(len(b))))
	for i < len(b) && strings.IndexByte(" \t\r\n,", b[i]) >= 0 {
		i++
	}
	return 1 + bytes.Count(b[:min(i, len(b))], []byte("\n"))
}
