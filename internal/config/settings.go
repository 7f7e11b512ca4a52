package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Display values of Settings.
const (
	redacted = "[redacted]"
	notSet   = "(not set)"
)

// Setting is one line of `aopfetch config`.
type Setting struct {
	Key, Value, Source string // Value is "[redacted]" for secrets
}

// Settings lists the effective settings as `aopfetch config` shows them,
// secrets redacted: one auth.headers.<name> line per static header, and a
// serve.<key> line for each key of a [serve] table. Values are as configured
// (not sanitised); an empty store means the default location (store.DefaultPath).
func (c *Config) Settings() []Setting {
	s := []Setting{
		{"config", c.fileValue(), c.Sources["config"]},
		{"base_url", c.BaseURL, c.Sources["base_url"]},
		{"insecure_http_auth", strconv.FormatBool(c.InsecureHTTPAuth), c.Sources["insecure_http_auth"]},
		{"registration_id", cmp.Or(c.RegistrationID, notSet), c.Sources["registration_id"]},
		{"operator", c.operatorValue(), c.Sources["operator"]},
		{"timeout", c.Timeout.String(), c.Sources["timeout"]},
		{"history_limit", c.historyValue(), c.Sources["history_limit"]},
		{"store", cmp.Or(c.StorePath, "(default location)"), c.Sources["store"]},
		{"theme", c.Theme, c.Sources["theme"]},
		{"concurrency", strconv.Itoa(c.Concurrency), c.Sources["concurrency"]},
		{"rate", c.rateValue(), c.Sources["rate"]},
		{"operators", c.operatorsValue(), c.Sources["operators"]},
		{"auth.jwt_secret", secret(c.Auth.JWTSecret), c.Sources["auth.jwt_secret"]},
		{"auth.partner_id", cmp.Or(c.Auth.PartnerID, notSet), c.Sources["auth.partner_id"]},
		{"auth.token_header", cmp.Or(c.Auth.TokenHeader, notSet), c.Sources["auth.token_header"]},
	}
	if len(c.Auth.Headers) == 0 {
		s = append(s, Setting{"auth.headers", "(none)", c.Sources["auth.headers"]})
	}
	for _, name := range slices.Sorted(maps.Keys(c.Auth.Headers)) {
		s = append(s, Setting{"auth.headers." + name, secret(c.Auth.Headers[name]), c.Sources["auth.headers"]})
	}
	return append(s, c.serveSettings()...)
}

// fileValue is the config file read, or where one would be read.
func (c *Config) fileValue() string {
	switch {
	case c.File != "":
		return c.File
	case c.searched != "":
		return "(none; " + c.searched + " does not exist)"
	}
	return "(none)"
}

// operatorValue is the default operator code with its configured name.
func (c *Config) operatorValue() string {
	if c.Operator == 0 {
		return notSet
	}
	v := strconv.Itoa(c.Operator)
	if name := c.OperatorName(c.Operator); name != "" {
		v += " (" + name + ")"
	}
	return v
}

// rateValue is refresh-all's rate, saying when there is no limit.
func (c *Config) rateValue() string {
	if c.Rate == 0 {
		return "0 (no limit)"
	}
	return strconv.FormatFloat(c.Rate, 'g', -1, 64) + " per second"
}

// historyValue is the history limit, saying when history is off.
func (c *Config) historyValue() string {
	if c.HistoryLimit == 0 {
		return "0 (history off)"
	}
	return strconv.Itoa(c.HistoryLimit)
}

// operatorsValue counts and names the configured operators.
func (c *Config) operatorsValue() string {
	if len(c.Operators) == 0 {
		return "(none)"
	}
	names := make([]string, len(c.Operators))
	for i, op := range c.Operators {
		names[i] = fmt.Sprintf("%s %d", op.Name, op.Code)
	}
	return fmt.Sprintf("%d: %s", len(c.Operators), strings.Join(names, ", "))
}

// secret shows whether a secret is set, never its value.
func secret(v string) string {
	if v == "" {
		return notSet
	}
	return redacted
}
