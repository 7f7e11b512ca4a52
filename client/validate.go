package client

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/internal/text"
)

// Input limits.
const (
	MaxVehicleLen        = 20
	MaxRegistrationIDLen = 64
)

// vehicleFormat is one known Indian registration-number format; looksLike
// matches numbers that fail re but were probably meant to be in it, so the
// warning can name it.
type vehicleFormat struct {
	name, example string
	re, looksLike *regexp.Regexp
}

// vehicleFormats are the known formats, most specific first. Compiled once;
// regexps are safe for concurrent use, and the table is never modified.
var vehicleFormats = [...]vehicleFormat{
	{"Bharat series", "22BH1234AA", regexp.MustCompile(`^[0-9]{2}BH[0-9]{4}[A-Z]{1,2}$`), regexp.MustCompile(`^[0-9]{2}BH`)},
	{"temporary", "T0324KA1234A", regexp.MustCompile(`^T[0-9]{4}[A-Z]{2}[0-9]{4}[A-Z]{1,2}$`), regexp.MustCompile(`^T[0-9]`)},
	{"trade", "KA01A1234TC0001", regexp.MustCompile(`^[A-Z]{2}[0-9]{1,2}[A-Z]{0,3}[0-9]{4}TC[0-9]{4}$`), regexp.MustCompile(`^[A-Z]{2}[0-9].*TC[0-9]+$`)},
	{"standard", "DL12CB4685", regexp.MustCompile(`^[A-Z]{2}[0-9]{1,2}[A-Z]{0,3}[0-9]{4}$`), regexp.MustCompile(`^[A-Z]{2}`)},
}

// NormalizeVehicle upper-cases and strips spaces, '-', '.', '/'; returns a
// *ValidationError for hard errors, and a non-empty warning naming the
// expected formats when the number matches none of the known Indian formats.
func NormalizeVehicle(raw string) (normalized, warning string, err error) {
	n := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '.' || r == '/' {
			return -1
		}
		return upperVehicleRune(r)
	}, strings.ToValidUTF8(raw, "\uFFFD"))
	switch {
	case n == "":
		return "", "", &ValidationError{Field: FieldCANumber, Message: "vehicle number is empty (e.g. DL12CB4685)"}
	case utf8.RuneCountInString(n) > MaxVehicleLen:
		return "", "", &ValidationError{Field: FieldCANumber, Message: fmt.Sprintf(
			"vehicle number is too long (%d characters, at most %d)", utf8.RuneCountInString(n), MaxVehicleLen)}
	}
	for _, r := range n {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return "", "", &ValidationError{Field: FieldCANumber, Message: fmt.Sprintf(
				"vehicle number must be letters and digits only (got %s)", quoteRune(r))}
		}
	}
	return n, vehicleWarning(n), nil
}

// upperVehicleRune upper-cases r, except that a non-ASCII letter never
// becomes an ASCII one: 'ſ' and 'ı' upper-case to 'S' and 'I' but are not
// the letters on the plate, so they stay and are refused.
func upperVehicleRune(r rune) rune {
	u := unicode.ToUpper(r)
	if r >= utf8.RuneSelf && u < utf8.RuneSelf {
		return r
	}
	return u
}

// vehicleWarning returns "" when n matches a known format, else a one-line
// warning naming the format n was probably meant to be in.
func vehicleWarning(n string) string {
	for _, f := range vehicleFormats {
		if f.re.MatchString(n) {
			return ""
		}
	}
	for _, f := range vehicleFormats {
		if f.looksLike.MatchString(n) {
			return fmt.Sprintf("%s does not look like a %s vehicle number (e.g. %s)",
				n, f.name, f.example)
		}
	}
	examples := make([]string, len(vehicleFormats))
	for i, f := range vehicleFormats {
		examples[i] = f.example + " " + f.name
	}
	return fmt.Sprintf("%s matches no known vehicle number format (expected e.g. %s)",
		n, strings.Join(examples, ", "))
}

// quoteRune shows a rune in a message: 'x' when printable, U+XXXX otherwise,
// so control characters never reach the terminal.
func quoteRune(r rune) string {
	if r == utf8.RuneError || !unicode.IsPrint(r) {
		return fmt.Sprintf("%U", r)
	}
	return "'" + string(r) + "'"
}

// ParseOperator parses a positive integer operator code.
func ParseOperator(s string) (int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, &ValidationError{Field: FieldOperator, Message: "operator code is empty (e.g. 311)"}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, &ValidationError{Field: FieldOperator, Message: "operator code is too large"}
		}
		return 0, &ValidationError{Field: FieldOperator, Message: fmt.Sprintf(
			"operator code must be a whole number (got %s)", text.Quote(t))}
	}
	if err := CheckOperator(n); err != nil {
		return 0, err
	}
	return int(n), nil
}

// CheckOperator reports an operator code that is not a positive 32-bit
// integer as a *ValidationError, as Request.Normalize does: for codes that
// come as numbers (a JSON import row), not as text to resolve.
func CheckOperator(n int64) error {
	switch {
	case n <= 0:
		return &ValidationError{Field: FieldOperator, Message: fmt.Sprintf(
			"operator code must be a positive number (got %d)", n)}
	case n > math.MaxInt32:
		return &ValidationError{Field: FieldOperator, Message: "operator code is too large"}
	}
	return nil
}

// NormalizeRegistrationID trims and validates a RegistrationID.
func NormalizeRegistrationID(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", &ValidationError{Field: FieldRegistrationID, Message: "registration ID is empty (e.g. AOP-554)"}
	}
	if !utf8.ValidString(t) {
		return "", &ValidationError{Field: FieldRegistrationID, Message: "registration ID is not valid UTF-8 text"}
	}
	if n := utf8.RuneCountInString(t); n > MaxRegistrationIDLen {
		return "", &ValidationError{Field: FieldRegistrationID, Message: fmt.Sprintf(
			"registration ID is too long (%d characters, at most %d)", n, MaxRegistrationIDLen)}
	}
	for _, r := range t {
		if !unicode.IsPrint(r) {
			return "", &ValidationError{Field: FieldRegistrationID, Message: fmt.Sprintf(
				"registration ID must be printable characters only (got %s)", quoteRune(r))}
		}
	}
	return t, nil
}

// Normalize validates and normalises every field of r. The first invalid
// field is reported as a *ValidationError; warning is the vehicle-number
// format warning (the request may still be sent).
func (r Request) Normalize() (norm Request, warning string, err error) {
	v, warning, err := NormalizeVehicle(r.CANumber)
	if err != nil {
		return Request{}, "", err
	}
	if err := CheckOperator(int64(r.Operator)); err != nil {
		return Request{}, "", err
	}
	id, err := NormalizeRegistrationID(r.RegistrationID)
	if err != nil {
		return Request{}, "", err
	}
	return Request{Operator: r.Operator, CANumber: v, RegistrationID: id}, warning, nil
}
