package config

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/client"
)

// ResolveOperator turns what a person typed to pick an operator into its
// code: a positive whole number (configured or not) or the name of one of
// ops, ignoring case and surrounding spaces. Text that is no configured
// name is read as a code unless it starts with a letter. Every place that takes an
// operator from a person (flags, the form, batch and import rows, the
// config's own operator setting) resolves it here.
//
// A malformed code (including "") is a *client.ValidationError for
// client.FieldOperator; a word that names none of ops is an
// *UnknownOperatorError.
func ResolveOperator(ops []Operator, s string) (int, error) {
	s = strings.TrimSpace(s)
	if s != "" && strings.Trim(s, "+-0123456789") == "" {
		return client.ParseOperator(s)
	}
	for _, op := range ops {
		if strings.EqualFold(op.Name, s) {
			return op.Code, nil
		}
	}
	if r, _ := utf8.DecodeRuneInString(s); !unicode.IsLetter(r) {
		return client.ParseOperator(s) // not a name: a mistyped code such as "311.0" or "311x", or nothing
	}
	names := make([]string, len(ops))
	for i, op := range ops {
		names[i] = op.Name
	}
	return 0, &UnknownOperatorError{Input: s, Names: names}
}

// ResolveOperator is ResolveOperator with the configured operators; a nil
// Config has none.
func (c *Config) ResolveOperator(s string) (int, error) {
	if c == nil {
		return ResolveOperator(nil, s)
	}
	return ResolveOperator(c.Operators, s)
}

// UnknownOperatorError is a word that names no configured operator.
type UnknownOperatorError struct {
	Input string   // what was typed, trimmed
	Names []string // the configured operators' names
}

// Error is `unknown operator "Airtel"`; the input is Go-quoted, so no control
// character in it reaches a terminal.
func (e *UnknownOperatorError) Error() string {
	return fmt.Sprintf("unknown operator %q", e.Input)
}

// Hint says what the operator may be instead.
func (e *UnknownOperatorError) Hint() string {
	if len(e.Names) == 0 {
		return "name operators with [[operators]] in config.toml, or pass the numeric code"
	}
	return "configured operators: " + strings.Join(e.Names, ", ")
}

// resolveSetting resolves the operator setting of the file or the
// environment, hint included in the one-line message.
func resolveSetting(ops []Operator, s string) (int, error) {
	code, err := ResolveOperator(ops, s)
	if ue, ok := err.(*UnknownOperatorError); ok {
		return 0, fmt.Errorf("%v; %s", ue, ue.Hint())
	}
	return code, err
}

// VehicleWarning returns a one-line warning when vehicle, a normalised
// vehicle number, does not match the vehicle_regex of the configured
// operator code, and "" when it does or there is no such regex. Like the
// format warning of client.NormalizeVehicle it does not stop the lookup.
func (c *Config) VehicleWarning(code int, vehicle string) string {
	op, ok := c.operator(code)
	if !ok || op.VehicleRegex == "" {
		return ""
	}
	re, err := regexp.Compile(op.VehicleRegex) // checked when loaded; hand-built configs may hold anything
	if err != nil || re.MatchString(vehicle) {
		return ""
	}
	return fmt.Sprintf("%s does not match the vehicle_regex of operator %d (%s)", vehicle, op.Code, op.Name)
}
