package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"github.com/aopfetch/aopfetch/store"
	"io"
	"path/filepath"
	"strings"
)

// batchInputRow is one vehicle line of a batch input file, as written.
type batchInputRow struct {
	Line           int // 1-based line number in the input
	CANumber       string
	Operator       string
	RegistrationID string
	Label          string
}

// readBatchInput reads a batch input: a CSV file with a header (detected by a
// .csv name or a first line naming a canumber column) or plain text with one
// vehicle per line, where blank lines and lines starting with '#' are skipped.
// A leading UTF-8 byte order mark is tolerated, and UTF-16 with one decoded.
func readBatchInput(r io.Reader, name string) ([]batchInputRow, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = utf8Text(data)
	if strings.EqualFold(filepath.Ext(name), ".csv") || looksLikeCSVHeader(data) {
		return readBatchCSV(data)
	}
	return readBatchText(data), nil
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

// readBatchText reads one vehicle per line.
func readBatchText(data []byte) []batchInputRow {
	var rows []batchInputRow
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rows = append(rows, batchInputRow{Line: i + 1, CANumber: line})
	}
	return rows
}

// readBatchCSV reads a CSV input with a header row.
func readBatchCSV(data []byte) ([]batchInputRow, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading CSV header: %w", err)
	}
	headerLine, _ := cr.FieldPos(0)
	cols, err := batchHeaderIndex(header, headerLine)
	if err != nil {
		return nil, err
	}
	var rows []batchInputRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if allBlank(rec) {
			continue
		}
		field := func(name string) string {
			if i, ok := cols[name]; ok && i < len(rec) {
				// A CSV written by export or batch guards formula-like cells
				// with an apostrophe: read back the value it guarded.
				return strings.TrimSpace(store.CSVValue(rec[i]))
			}
			return ""
		}
		rows = append(rows, batchInputRow{
			Line:           line,
			CANumber:       field("canumber"),
			Operator:       field("operator"),
			RegistrationID: field("registration_id"),
			Label:          field("label"),
		})
	}
}

// batchHeaderIndex maps known column names to their index. Unknown columns
// are ignored; canumber is required and no column may appear twice.
func batchHeaderIndex(header []string, line int) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case "canumber", "operator", "registration_id", "label":
			if _, dup := cols[h]; dup {
				return nil, fmt.Errorf("line %d: column %q appears twice in the header", line, h)
			}
			cols[h] = i
		}
	}
	if _, ok := cols["canumber"]; !ok {
		return nil, fmt.Errorf("line %d: the CSV header has no canumber column (columns: canumber, operator, registration_id, label)", line)
	}
	return cols, nil
}

func allBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
