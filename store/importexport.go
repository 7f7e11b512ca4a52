package store

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
)

// csvHeaderRow is the header of a CSV export, naming the columns an import knows.
const csvHeaderRow = "label,operator,canumber,registration_id,note"

// csvColumns returns the columns of csvHeaderRow.
func csvColumns() []string { return strings.Split(csvHeaderRow, ",") }

// csvColumnList names the columns of csvHeaderRow, for messages.
func csvColumnList() string { return strings.ReplaceAll(csvHeaderRow, ",", ", ") }

// exportVersion is the schema of a JSON export: the accounts with every
// field, as the store's first layout held them.
const exportVersion = 1

// exportFile is the JSON export: the store without its history.
type exportFile struct {
	Version  int       `json:"version"`
	Accounts []Account `json:"accounts"`
}

// IsStoreFile reports whether path is a regular file holding an aopfetch
// store or a copy of one: a JSON object with a "recent" member, which an
// export never has, or a store moved aside as unreadable (its name holds
// ".corrupt-": what can be saved from it is in there). Only regular files
// are read (a pipe would block).
func IsStoreFile(path string) bool {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if strings.Contains(filepath.Base(path), ".corrupt-") {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	r := bufio.NewReader(f)
	if bom, err := r.Peek(3); err == nil && string(bom) == "\uFEFF" {
		r.Discard(3) // the store reads past a byte order mark too
	}
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return false
		}
		if key == "recent" || key == "history" || key == "journal" {
			return true
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false
		}
	}
	return false
}

// ImportReport counts an import's effects: accounts added, saved accounts
// changed, and rows skipped because the store already held them as given.
type ImportReport struct{ Added, Updated, Skipped int }

// RowError is a bad import row. Line is the physical line the row starts on
// (the CSV header is line 1); Item is a JSON row's 1-based position in its
// array (several may share a line), 0 for CSV.
type RowError struct {
	Line    int
	Item    int
	Message string
}

// Error formats the row error as "line N: message", or "line N (account
// I): message" for a JSON row.
func (e RowError) Error() string {
	if e.Item > 0 {
		return fmt.Sprintf("line %d (account %d): %s", e.Line, e.Item, e.Message)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// ImportRow is a valid import row and the line it starts on.
type ImportRow struct {
	Line    int
	Account Account
}

// ImportOptions tune ParseImportRows.
type ImportOptions struct {
	// Operator turns a CSV operator cell other than "" and "0" into a code.
	// Callers pass config.ResolveOperator bound to the configured operators
	// (store cannot import config), so a cell takes what --operator and a
	// batch row take. nil takes numeric codes only, read by
	// client.ParseOperator: the number rule of that same resolver.
	Operator func(string) (int, error)
}

// ParseImportRows reads accounts from CSV or JSON ("csv" | "json") and
// validates every row: the vehicle number is normalised with
// client.NormalizeVehicle, a non-empty registration id with
// client.NormalizeRegistrationID, and an operator must be a positive
// integer when present; an empty or 0 operator is returned as 0, which
// means "the configured default" (the caller may fill it in). It returns
// the valid rows with the line each starts on, and one RowError per
// invalid row; the error is for input that cannot be read at all (unknown
// format, broken JSON, a CSV header without a canumber column).
//
// CSV is read by ReadCSV. JSON is one value, either an export object
// {"version":1,"accounts":[...]} or a bare array of accounts; their other
// fields (id, created_at, last, ...) are kept.
func ParseImportRows(r io.Reader, format string, o ImportOptions) ([]ImportRow, []RowError, error) {
	switch strings.ToLower(format) {
	case "csv":
		return parseCSV(r, o)
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
		m := newMerger(d)
		for i, a := range rows {
			switch m.merge(a, ids[i], now) {
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
		func(d *Data) error { apply(d); return nil }, nil)
	return rep, err
}

// merger merges imported accounts into d as mergeAccount does, finding
// accounts by vehicle and ids in maps rather than scanning the list once per
// row (an import of thousands of rows into thousands of accounts).
type merger struct {
	d         *Data
	byVehicle map[string]int  // CANumber -> index in d.Accounts
	ids       map[string]bool // ids in use
}

func newMerger(d *Data) *merger {
	m := &merger{d: d, byVehicle: make(map[string]int, len(d.Accounts)), ids: make(map[string]bool, len(d.Accounts))}
	for i, a := range d.Accounts {
		m.byVehicle[a.CANumber], m.ids[a.ID] = i, true
	}
	return m
}

// merge applies mergeAccount to a one-account view of d (the saved account
// with a's vehicle), or adds a as mergeAccount does.
func (m *merger) merge(a Account, newID string, now time.Time) mergeResult {
	if i, ok := m.byVehicle[a.CANumber]; ok {
		return mergeAccount(&Data{Accounts: m.d.Accounts[i : i+1 : i+1]}, a, newID, now)
	}
	a = adopt(a, m.ids[a.ID], newID, now)
	a.Position = len(m.d.Accounts)
	m.byVehicle[a.CANumber], m.ids[a.ID] = a.Position, true
	m.d.Accounts = append(m.d.Accounts, a.Clone())
	return added
}

// Export writes all saved accounts of d as "json" (an object with the schema
// version and the accounts, every field kept) or "csv" (a header row and the
// columns label,operator,canumber,registration_id,note; operator 0 is
// empty). CSV is also opened in spreadsheets and printed on terminals: its
// text cells are defused with CSVCell (ParseImportRows undoes it exactly), and
// escape sequences and control characters other than a note's line breaks
// and tabs are dropped from labels and notes.
func Export(w io.Writer, format string, d Data) error {
	accts := d.Accounts
	if accts == nil {
		accts = []Account{}
	}
	switch strings.ToLower(format) {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(exportFile{Version: exportVersion, Accounts: accts})
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
		cw.Write([]string{CSVCell(text.Sanitize(a.Label)), op, a.CANumber, CSVCell(a.RegistrationID), CSVCell(csvText(a.Note))})
	}
	cw.Flush()
	return cw.Error()
}

// csvText is text.SanitizeText keeping tabs: a note's line breaks and
// tabs survive, escape sequences and other control characters do not.
func csvText(s string) string {
	parts := strings.Split(s, "\t")
	for i, p := range parts {
		parts[i] = text.SanitizeText(p)
	}
	return strings.Join(parts, "\t")
}

// validate normalises and checks the fields of an imported row.
func validate(a Account) (Account, error) {
	v, _, err := client.NormalizeVehicle(a.CANumber)
	if err != nil {
		return a, err
	}
	a.CANumber = v
	if a.Operator != 0 {
		if err := client.CheckOperator(int64(a.Operator)); err != nil {
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
	if !plainID(a.ID) {
		a.ID = "" // Import gives it a fresh one
	}
	return a, nil
}

// maxIDLen bounds an imported account id (ours are 16 hex digits).
const maxIDLen = 64

// plainID reports whether id can be kept as an account id: 1 to maxIDLen
// ASCII letters, digits, '-' and '_', so it is typed and shown as it is.
func plainID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// rows collects valid rows and row errors.
type rows struct {
	ok   []ImportRow
	errs []RowError
}

// add validates the account of the row at line (item: its place in a JSON
// array, else 0), or records err.
func (r *rows) add(line, item int, a Account, err error) {
	if err == nil {
		a, err = validate(a)
	}
	if err != nil {
		r.errs = append(r.errs, RowError{Line: line, Item: item, Message: err.Error()})
		return
	}
	r.ok = append(r.ok, ImportRow{Line: line, Account: a})
}

// ---- CSV ----

func parseCSV(r io.Reader, o ImportOptions) ([]ImportRow, []RowError, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	recs, errs, err := ReadCSV(data, CSVOptions{})
	if err != nil {
		return nil, nil, err
	}
	out := rows{errs: errs}
	for _, row := range recs {
		a, err := csvAccount(row, o)
		out.add(row.Line, 0, a, err)
	}
	slices.SortStableFunc(out.errs, func(a, b RowError) int { return a.Line - b.Line })
	return out.ok, out.errs, nil
}

// csvAccount builds the account of one CSV row.
func csvAccount(row CSVRow, o ImportOptions) (Account, error) {
	a := Account{Label: row.Label, CANumber: row.CANumber, RegistrationID: row.RegistrationID, Note: row.Note}
	if row.Operator != "" {
		parse := o.Operator
		if parse == nil {
			parse = client.ParseOperator
		}
		n, err := parse(row.Operator)
		if err != nil {
			return Account{}, err
		}
		a.Operator = n
	}
	return a, nil
}

// unnamedValue returns the index of the first non-blank field of rec in a
// column the header does not name, or -1.
func unnamedValue(rec []string, cols map[string]int) int {
	named := make(map[int]bool, len(cols))
	for _, i := range cols {
		named[i] = true
	}
	for i, f := range rec {
		if !named[i] && strings.TrimSpace(f) != "" {
			return i
		}
	}
	return -1
}

// blank reports whether every field of rec is empty (a spreadsheet's ",,,,").
func blank(rec []string) bool {
	return !slices.ContainsFunc(rec, func(f string) bool { return strings.TrimSpace(f) != "" })
}

// ---- JSON ----

// jsonInput is a JSON import being read.
type jsonInput struct {
	b     []byte
	dec   *json.Decoder
	lines lineCounter
	out   rows
}

func parseJSON(r io.Reader) ([]ImportRow, []RowError, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	in := &jsonInput{b: b, dec: json.NewDecoder(bytes.NewReader(b)), lines: lineCounter{b: b, line: 1}}
	tok, err := in.dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("the JSON file is empty")
	}
	if err != nil {
		return nil, nil, jsonError(b, err)
	}
	switch tok {
	case json.Delim('['):
		err = in.rows()
	case json.Delim('{'):
		err = in.export()
	default:
		return nil, nil, errors.New(`want an export object {"version":1,"accounts":[...]} or an array of accounts`)
	}
	if err == nil {
		err = in.end()
	}
	if err != nil {
		return nil, nil, err
	}
	return in.out.ok, in.out.errs, nil
}

// end checks that only white space follows the top-level value.
func (in *jsonInput) end() error {
	off := in.dec.InputOffset()
	if _, err := in.dec.Token(); errors.Is(err, io.EOF) {
		return nil
	}
	return fmt.Errorf("line %d: more text after the end of the JSON value (two files joined?); import them one at a time", in.lines.at(off))
}

// export reads the rest of an export object, its closing '}' included.
func (in *jsonInput) export() error {
	found := false
	for in.dec.More() {
		tok, err := in.dec.Token()
		if err != nil {
			return jsonError(in.b, err)
		}
		switch tok {
		case "accounts":
			if found {
				return errors.New(`"accounts" appears twice in the JSON object`)
			}
			if tok, err = in.dec.Token(); err != nil {
				return jsonError(in.b, err)
			}
			if tok != json.Delim('[') {
				return errors.New(`"accounts" must be an array`)
			}
			if err := in.rows(); err != nil {
				return err
			}
			found = true
		case "version":
			var v int
			if err := in.dec.Decode(&v); err != nil {
				return fmt.Errorf(`"version" must be a number: %w`, jsonError(in.b, err))
			}
			if v > SchemaVersion {
				return fmt.Errorf("the file was exported by a newer aopfetch (schema %d); upgrade aopfetch", v)
			}
		default:
			var skip json.RawMessage
			if err := in.dec.Decode(&skip); err != nil {
				return jsonError(in.b, err)
			}
		}
	}
	if _, err := in.dec.Token(); err != nil {
		return jsonError(in.b, err)
	}
	if !found {
		return errors.New(`the JSON object has no "accounts" array`)
	}
	return nil
}

// rows reads array elements into in.out up to and including the closing ']'.
func (in *jsonInput) rows() error {
	for item := 1; in.dec.More(); item++ {
		start := in.dec.InputOffset()
		var raw json.RawMessage
		if err := in.dec.Decode(&raw); err != nil {
			return jsonError(in.b, err)
		}
		var a Account
		err := json.Unmarshal(raw, &a)
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			err = typeError(te)
		}
		in.out.add(in.lines.at(start), item, a, err)
	}
	if _, err := in.dec.Token(); err != nil {
		return jsonError(in.b, err)
	}
	return nil
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

// lineCounter numbers the lines of b at offsets that never decrease,
// counting each byte once however many rows are asked for.
type lineCounter struct {
	b    []byte
	off  int // bytes counted so far
	line int // the line at off, 1-based
}

// at returns the 1-based line of the first value byte at or after off,
// skipping whitespace and the ',' between array elements.
func (c *lineCounter) at(off int64) int {
	i := int(min(max(off, int64(c.off)), int64(len(c.b))))
	for i < len(c.b) && strings.IndexByte(" \t\r\n,", c.b[i]) >= 0 {
		i++
	}
	c.line += bytes.Count(c.b[c.off:i], []byte("\n"))
	c.off = i
	return c.line
}
