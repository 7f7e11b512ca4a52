package config

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// maxTimeout (24h) bounds the request timeout; anything longer is surely a typo.
const maxTimeout = 24 * time.Hour

// Value parsers shared by the config file, the environment and flags. Each
// takes the text to parse and how to show the value in a message (quoted
// text, or a bare number from TOML) and returns a message without the
// setting's name, which the caller adds.

// parseBaseURL checks a base URL with the client's own rules, so config and
// client never disagree; an explicitly empty value is an error here.
func parseBaseURL(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("is empty (e.g. %q)", client.DefaultBaseURL)
	}
	return client.CheckBaseURL(s)
}

// parseRegistrationID accepts what the client would send: "" (not set), or
// at most 64 printable characters once trimmed.
func parseRegistrationID(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", nil
	}
	return client.NormalizeRegistrationID(t)
}

// parseBool accepts true/false, 1/0 (as AOPFETCH_INSECURE_HTTP_AUTH=1) and
// the other spellings of strconv.ParseBool.
func parseBool(s, shown string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%s is not a boolean (1 or 0, true or false)", shown)
	}
	return b, nil
}

// parseHistoryLimit accepts a whole number >= 0.
func parseHistoryLimit(s, shown string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s is not a history limit (a whole number; 0 turns history off)", shown)
	}
	if n > MaxHistoryLimit {
		return 0, fmt.Errorf("%s is more recent lookups than aopfetch keeps (at most %d)", shown, MaxHistoryLimit)
	}
	return n, nil
}

// MaxHistoryLimit bounds history_limit: the history file is compacted at
// about twice the limit, and is read whole whenever the store is.
const MaxHistoryLimit = 50000

// parseTheme accepts "auto", "dark" or "light", in any case.
func parseTheme(s, shown string) (string, error) {
	switch t := strings.ToLower(s); t {
	case ThemeAuto, ThemeDark, ThemeLight:
		return t, nil
	}
	return "", fmt.Errorf(`%s is not a theme ("auto", "dark" or "light")`, shown)
}

// parseConcurrency accepts a whole number from 1 to client.MaxConcurrency.
func parseConcurrency(s, shown string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > client.MaxConcurrency {
		return 0, fmt.Errorf("%s is not a concurrency (a whole number from 1 to %d)", shown, client.MaxConcurrency)
	}
	return n, nil
}

// parseRate accepts a number of lookups per second >= 0 (0: no limit).
func parseRate(s, shown string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%s is not a rate (lookups per second, e.g. 5 or 0.5; 0 is no limit)", shown)
	}
	return f, nil
}

// parseTimeout accepts a Go duration ("30s", "1m30s") or whole seconds ("30").
func parseTimeout(s, shown string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		d = time.Duration(min(n, int64(maxTimeout/time.Second)+1)) * time.Second
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, fmt.Errorf(`%s is not a duration (e.g. "30s")`, shown)
	}
	switch {
	case d <= 0:
		return 0, fmt.Errorf(`%s is not a positive duration (e.g. "30s")`, shown)
	case d > maxTimeout:
		return 0, fmt.Errorf("%s is longer than 24h", shown)
	}
	return d, nil
}

// The kinds of TOML value a setting of the file may take.
const (
	tomlString = 1 << iota
	tomlInt
	tomlFloat
	tomlBool
)

// inQuotes is what a setting that takes a string must be.
const inQuotes = "a string in quotes"

// fileText turns v, a value of the file, into text for the parsers and how
// to show it in a message (a string quoted, a number as written); a value
// of a kind not in kinds is refused as not want, naming its TOML type only
// (the value may be a secret).
func fileText(v any, kinds int, want string) (s, shown string, err error) {
	kind, typ := 0, "a date/time"
	switch x := v.(type) {
	case string:
		kind, s, shown, typ = tomlString, x, strconv.Quote(x), "a string"
	case int64:
		kind, s, typ = tomlInt, strconv.FormatInt(x, 10), "an integer"
	case float64:
		kind, s, typ = tomlFloat, strconv.FormatFloat(x, 'g', -1, 64), "a float"
	case bool:
		kind, s, typ = tomlBool, strconv.FormatBool(x), "a boolean"
	case map[string]any:
		typ = "a table"
	case []any, []map[string]any:
		typ = "an array"
	}
	if kind&kinds == 0 {
		return "", "", fmt.Errorf("must be %s, not %s", want, typ)
	}
	return s, cmp.Or(shown, s), nil
}

// textOf returns v when it is a TOML string; the error names the type only.
func textOf(v any) (string, error) {
	s, _, err := fileText(v, tomlString, inQuotes)
	return s, err
}
