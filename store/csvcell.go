package store

import "strings"

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
