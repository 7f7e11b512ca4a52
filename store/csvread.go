package store

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/text"
)

// CSVRow is one row of an accounts CSV file as written: every cell trimmed,
// with the guard of CSVCell undone, and "" for a column the file lacks. An
// operator cell of 0 reads as "" (no operator: the default's).
type CSVRow struct {
	Line                                            int // the physical line the row starts on, 1-based
	Label, Operator, CANumber, RegistrationID, Note string
}

// CSVOptions tune ReadCSV.
type CSVOptions struct {
	// IgnoreExtra reads the known columns only: unknown and unnamed
	// columns, and the fields a row has beyond the header's or lacks, are
	// ignored. batch wants that (it only looks vehicles up, often from a
	// wider sheet such as its own output); import does not (it saves what
	// it reads, and a misspelt column or a shifted row would lose data), so
	// without it they are errors.
	IgnoreExtra bool
}

// ReadCSV reads the rows of an accounts CSV file (import's, and batch's
// CSV input): a header row naming its columns, any of label, operator,
// canumber, registration_id and note in any order and letter case
// (canumber is required), then one account per row.
//
// Blank lines and rows of blank fields are skipped, and so are comments:
// lines starting with '#', unless the header has been read and the line's
// canumber cell holds a valid vehicle number — then it is a row whose first
// cell starts with '#' (a label such as "#12 Sharma", as export writes it).
// Leading spaces before a field are ignored. A malformed row is a RowError,
// as is (without IgnoreExtra) a row whose field count is not the header's or
// that holds a value in an unnamed column. The error is for a file that
// cannot be read at all: empty, or a header that is not one.
func ReadCSV(data []byte, o CSVOptions) ([]CSVRow, []RowError, error) {
	r := &csvReader{cr: csv.NewReader(bytes.NewReader(data)), lines: lineStarts{b: data, line: 1}, o: o}
	r.cr.FieldsPerRecord = -1
	r.cr.TrimLeadingSpace = true
	if err := r.header(); err != nil {
		return nil, nil, err
	}
	var rows []CSVRow
	var errs []RowError
	for {
		rec, line, err := r.next()
		if errors.Is(err, io.EOF) {
			return rows, errs, nil
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			errs = append(errs, RowError{Line: pe.StartLine, Message: "malformed CSV: " + pe.Err.Error()})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if blank(rec) {
			continue
		}
		row, err := r.row(rec, line)
		if err != nil {
			errs = append(errs, RowError{Line: line, Message: err.Error()})
			continue
		}
		rows = append(rows, row)
	}
}

// csvReader is an accounts CSV file being read.
type csvReader struct {
	cr     *csv.Reader
	lines  lineStarts
	o      CSVOptions
	cols   map[string]int // known column -> index
	fields int            // the header's field count
}

// next returns the next record that is not a comment, with its line.
func (r *csvReader) next() ([]string, int, error) {
	for {
		rec, err := r.cr.Read()
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			// A stray quote in a comment is no error: the reader goes on
			// at the next line.
			if errors.Is(pe.Err, csv.ErrBareQuote) && r.lines.hash(pe.StartLine) {
				continue
			}
			return nil, pe.StartLine, err
		}
		if err != nil {
			return nil, 0, err
		}
		line, _ := r.cr.FieldPos(0)
		if r.lines.hash(line) && !r.holdsVehicle(rec) {
			continue
		}
		return rec, line, nil
	}
}

// holdsVehicle reports whether rec, read after the header, has a valid
// vehicle number in its canumber column.
func (r *csvReader) holdsVehicle(rec []string) bool {
	i, ok := r.cols["canumber"]
	if !ok || i >= len(rec) {
		return false
	}
	_, _, err := client.NormalizeVehicle(CSVValue(strings.TrimSpace(rec[i])))
	return err == nil
}

// header reads and checks the header row.
func (r *csvReader) header() error {
	var header []string
	var line int
	for {
		rec, l, err := r.next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("the CSV file is empty; it needs a header row naming its columns (%s)", csvColumnList())
		}
		if err != nil {
			return fmt.Errorf("CSV header: %w", err)
		}
		if !blank(rec) {
			header, line = rec, l
			break
		}
	}
	r.fields = len(header)
	r.cols = make(map[string]int, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if name == "" {
			continue
		}
		if sep := strings.IndexAny(name, ";\t|"); sep >= 0 && len(header) == 1 {
			return fmt.Errorf("line %d: the columns are separated by %q; save the file with commas (CSV) between them", line, name[sep])
		}
		if !slices.Contains(csvColumns(), name) {
			if r.o.IgnoreExtra {
				continue
			}
			return fmt.Errorf("line %d: unknown column %q (the header row names columns among %s)", line, name, csvHeaderRow)
		}
		if _, dup := r.cols[name]; dup {
			return fmt.Errorf("line %d: column %q appears twice in the header", line, name)
		}
		r.cols[name] = i
	}
	if _, ok := r.cols["canumber"]; !ok {
		return fmt.Errorf("line %d: the header row has no canumber column (its columns are among %s)", line, csvColumnList())
	}
	return nil
}

// row builds the CSVRow of one record.
func (r *csvReader) row(rec []string, line int) (CSVRow, error) {
	if !r.o.IgnoreExtra {
		if len(rec) != r.fields {
			return CSVRow{}, fmt.Errorf("has %d fields, the header has %d", len(rec), r.fields)
		}
		if i := unnamedValue(rec, r.cols); i >= 0 {
			return CSVRow{}, fmt.Errorf("column %d holds %q but the header row does not name it", i+1, text.Truncate(text.Sanitize(rec[i]), 30))
		}
	}
	get := func(name string) string {
		if i, ok := r.cols[name]; ok && i < len(rec) {
			return strings.TrimSpace(CSVValue(rec[i]))
		}
		return ""
	}
	row := CSVRow{Line: line, Label: get("label"), Operator: get("operator"), CANumber: get("canumber"),
		RegistrationID: get("registration_id"), Note: get("note")}
	if row.Operator == "0" {
		row.Operator = ""
	}
	return row, nil
}

// lineStarts tells whether lines of b start with '#', for line numbers
// that never decrease, scanning each byte once.
type lineStarts struct {
	b    []byte
	off  int // the offset of line
	line int // 1-based
}

// hash reports whether line n starts with '#'.
func (l *lineStarts) hash(n int) bool {
	for l.line < n {
		i := bytes.IndexByte(l.b[l.off:], '\n')
		if i < 0 {
			return false
		}
		l.off += i + 1
		l.line++
	}
	return l.line == n && l.off < len(l.b) && l.b[l.off] == '#'
}

// formulaStart holds the first characters that make a spreadsheet run a
// cell as a formula.
const formulaStart = "=+-@\t\r"

// CSVCell makes v safe to open in a spreadsheet: a value it would run as a
// formula gets a leading apostrophe (shown as text, not run). A value that
// already starts with apostrophes before such a character gets one more, so
// CSVValue(CSVCell(v)) == v for every v.
func CSVCell(v string) string {
	if formulaLike(v) {
		return "'" + v
	}
	return v
}

// CSVValue undoes CSVCell when a CSV file is read back.
func CSVValue(v string) string {
	if len(v) > 1 && v[0] == '\'' && formulaLike(v[1:]) {
		return v[1:]
	}
	return v
}

// formulaLike reports whether v, after any leading apostrophes, starts
// with a formula character.
func formulaLike(v string) bool {
	rest := strings.TrimLeft(v, "'")
	return rest != "" && strings.IndexByte(formulaStart, rest[0]) >= 0
}
