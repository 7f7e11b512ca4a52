// Package config is aopfetch's configuration: config.toml, the AOPFETCH_*
// environment variables and the global flags, merged with flags > env >
// file > defaults and with where each value came from. It also resolves
// what a person types to pick an operator. It knows nothing of the store,
// the UI or the commands.
package config

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/adrg/xdg"

	"github.com/aopfetch/aopfetch/client"
)

// DefaultHistoryLimit is the number of recent lookups kept when no setting
// says otherwise.
const DefaultHistoryLimit = 200

// DefaultConcurrency is the concurrency setting's default: the client's.
const DefaultConcurrency = client.DefaultConcurrency

// Themes: the palette of the terminal UI.
const (
	ThemeAuto  = "auto"  // from the terminal's background, as detected
	ThemeDark  = "dark"  // for dark backgrounds, whatever is detected
	ThemeLight = "light" // for light backgrounds
)

// Where a setting's value came from, as recorded in Config.Sources.
const (
	SourceDefault = "default"
	SourceFile    = "file"
	SourceEnv     = "env"
	SourceFlag    = "flag"
)

const envConfig = "AOPFETCH_CONFIG"

// Operator is a named operator code from the config file.
type Operator struct {
	Code int
	Name string
	// VehicleRegex, when set, is what this operator's normalised vehicle
	// numbers look like (anchor it with ^…$); see VehicleWarning.
	VehicleRegex string
}

// AuthConfig is the [auth] table, as the client takes it. Secrets never
// leave the process.
type AuthConfig = client.Auth

// Config is the effective configuration.
type Config struct {
	BaseURL        string
	RegistrationID string
	// Operator is the default operator code; 0 means none is configured and
	// the caller decides (the CLI asks for --operator, the UI for a choice).
	Operator     int
	Timeout      time.Duration
	HistoryLimit int    // default 200; 0 turns history off
	StorePath    string // store file: --store > AOPFETCH_STORE > store_path in file > "" (caller uses DefaultPath)
	// InsecureHTTPAuth lets the client send credentials to a plain http://
	// base URL (a local test server); without it they are withheld there.
	InsecureHTTPAuth bool
	// Theme picks the terminal UI's palette: ThemeAuto (the default),
	// ThemeDark or ThemeLight, for terminals where detection fails (inside
	// tmux the background cannot be asked).
	Theme string
	// Concurrency and Rate pace refresh-all (ctrl+r on home): lookups in
	// flight at once (1 to client.MaxConcurrency, default DefaultConcurrency) and
	// started per second at most (0, the default, is no limit).
	Concurrency int
	Rate        float64
	Operators   []Operator
	Auth        AuthConfig
	Serve       ServeConfig       // the [serve] table
	File        string            // config file read ("" when none exists)
	Sources     map[string]string // setting key -> "default" | "file" | "env" | "flag"
	Warnings    []string          // e.g. the ssh-style permissions warning

	// searched is the default config file path looked for when no file was
	// read, so `aopfetch config` can say where to create one.
	searched string
}

// LoadOptions carries the inputs of Load.
type LoadOptions struct {
	Path   string                      // --config; "" = AOPFETCH_CONFIG or XDG default
	Getenv func(string) (string, bool) // nil = os.LookupEnv
	Flags  map[string]string           // set flags by key: base_url, timeout, store, operator, registration_id
}

// Load applies flags > environment > file > defaults.
//
// The default file, $XDG_CONFIG_HOME/aopfetch/config.toml, is computed at
// call time from xdg.ConfigHome, which adrg/xdg reads from the process
// environment at init and on xdg.Reload (tests that set XDG_CONFIG_HOME must
// call xdg.Reload first; Getenv does not affect it). A missing default file
// is fine (File is ""); a missing named one is an error. Empty environment
// variables count as unset.
//
// The file's keys, the variables and the flags are those of settings, plus
// [[operators]], [auth.headers] and [serve]; any other key is an error. A
// config file that others could change (or read, when it holds secrets)
// adds an ssh-style entry to Warnings. Errors are *Error values; an unknown
// Flags key is a programming error reported as a plain error.
func Load(o LoadOptions) (*Config, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	c := defaultConfig()
	path, named := c.configPath(o.Path, getenv)
	if err := c.loadFile(path, named); err != nil {
		return nil, err
	}
	if err := c.applyEnv(getenv, o.Flags); err != nil {
		return nil, err
	}
	if err := c.applyFlags(o.Flags); err != nil {
		return nil, err
	}
	return c, nil
}

// defaultConfig returns the built-in defaults, every setting sourced "default".
func defaultConfig() *Config {
	c := &Config{
		BaseURL:      client.DefaultBaseURL,
		Timeout:      client.DefaultTimeout,
		HistoryLimit: DefaultHistoryLimit,
		Theme:        ThemeAuto,
		Concurrency:  DefaultConcurrency,
		Auth:         AuthConfig{TokenHeader: client.DefaultTokenHeader},
		Sources:      map[string]string{},
	}
	for _, s := range settings(c, &file{}) {
		c.Sources[s.key] = SourceDefault
	}
	for _, k := range []string{"config", "operators", "auth.headers"} {
		c.Sources[k] = SourceDefault
	}
	return c
}

// configPath picks the config file; named reports whether the user named it
// (then it must exist). It records the choice in Sources["config"].
func (c *Config) configPath(flagPath string, getenv func(string) (string, bool)) (path, named string) {
	if flagPath != "" {
		c.Sources["config"] = SourceFlag
		return flagPath, "--config"
	}
	if p, ok := getenv(envConfig); ok && p != "" {
		c.Sources["config"] = SourceEnv
		return p, envConfig
	}
	return filepath.Join(xdg.ConfigHome, "aopfetch", "config.toml"), ""
}

// setting is one setting of the config file, the environment and flags.
type setting struct {
	key   string                      // Sources key
	file  string                      // dotted key in config.toml
	env   string                      // environment variable; "" = none
	flag  bool                        // a flag sets it, under LoadOptions.Flags[key]
	v     any                         // the file's value; nil when not set (TOML has no null)
	kinds int                         // the TOML kinds the file's value may be
	want  string                      // what the file's value must be, for one of another kind
	set   func(s, shown string) error // parses s (shown: s for a message) into c; the error omits the name
}

// settings lists the settings of c, with their values in f (empty for the
// environment and flags), in the order they are applied.
func settings(c *Config, f *file) []setting {
	const str, scalar = tomlString, tomlString | tomlInt
	return []setting{
		{"base_url", "base_url", "AOPFETCH_BASE_URL", true, f.BaseURL, str, inQuotes,
			into(&c.BaseURL, parseBaseURL)},
		{"insecure_http_auth", "insecure_http_auth", "AOPFETCH_INSECURE_HTTP_AUTH", false, f.InsecureHTTPAuth, tomlBool, "true or false (no quotes)",
			parsed(&c.InsecureHTTPAuth, parseBool)},
		{"registration_id", "registration_id", "AOPFETCH_REGISTRATION_ID", true, f.RegistrationID, str, inQuotes,
			into(&c.RegistrationID, parseRegistrationID)},
		{"operator", "operator", "AOPFETCH_OPERATOR", true, f.Operator, scalar, "an operator code (a positive whole number, e.g. 311) or a configured operator's name",
			into(&c.Operator, func(s string) (int, error) { return resolveSetting(c.Operators, s) })},
		{"timeout", "timeout", "AOPFETCH_TIMEOUT", true, f.Timeout, scalar, `a duration (e.g. "30s") or whole seconds`,
			parsed(&c.Timeout, parseTimeout)},
		{"history_limit", "history_limit", "AOPFETCH_HISTORY_LIMIT", false, f.HistoryLimit, scalar, "a whole number (0 turns history off)",
			parsed(&c.HistoryLimit, parseHistoryLimit)},
		{"store", "store_path", "AOPFETCH_STORE", true, f.StorePath, str, inQuotes, // the file's is resolved by apply
			into(&c.StorePath, func(s string) (string, error) { return expandHome(s), nil })}, // a quoted "~/…" the shell did not expand
		{"theme", "theme", "AOPFETCH_THEME", false, f.Theme, str, inQuotes,
			parsed(&c.Theme, parseTheme)},
		{"concurrency", "concurrency", "AOPFETCH_CONCURRENCY", false, f.Concurrency, tomlInt, fmt.Sprintf("a whole number from 1 to %d", client.MaxConcurrency),
			parsed(&c.Concurrency, parseConcurrency)},
		{"rate", "rate", "AOPFETCH_RATE", false, f.Rate, tomlInt | tomlFloat, "a number of lookups per second (0 is no limit)",
			parsed(&c.Rate, parseRate)},
		{"auth.jwt_secret", "auth.jwt_secret", "AOPFETCH_JWT_SECRET", false, f.Auth.JWTSecret, str, inQuotes, // the file's error names its type only
			into(&c.Auth.JWTSecret, func(s string) (string, error) { return s, nil })},
		{"auth.partner_id", "auth.partner_id", "AOPFETCH_PARTNER_ID", false, f.Auth.PartnerID, str, inQuotes,
			into(&c.Auth.PartnerID, func(s string) (string, error) { return strings.TrimSpace(s), nil })},
		{"auth.token_header", "auth.token_header", "", false, f.Auth.TokenHeader, str, inQuotes,
			into(&c.Auth.TokenHeader, headerName)},
	}
}

// parsed is a setting's set that parses the trimmed text (and how to show
// it) into field.
func parsed[T any](field *T, parse func(s, shown string) (T, error)) func(s, shown string) error {
	return func(s, shown string) (err error) {
		*field, err = parse(strings.TrimSpace(s), shown)
		return err
	}
}

// into is a setting's set that parses the text as given into field.
func into[T any](field *T, parse func(string) (T, error)) func(s, shown string) error {
	return func(s, _ string) (err error) {
		*field, err = parse(s)
		return err
	}
}

// applyEnv applies the non-empty AOPFETCH_* variables, skipping those a
// flag overrides (a bad value there does not matter).
func (c *Config) applyEnv(getenv func(string) (string, bool), flags map[string]string) error {
	for _, s := range settings(c, &file{}) {
		v, ok := getenv(s.env)
		if _, flagged := flags[s.key]; s.env == "" || !ok || v == "" || s.flag && flagged {
			continue
		}
		if err := s.set(v, strconv.Quote(v)); err != nil {
			return &Error{Source: SourceEnv, Name: s.env, Message: err.Error()}
		}
		c.Sources[s.key] = SourceEnv
	}
	return nil
}

// applyFlags applies the flags the user set.
func (c *Config) applyFlags(flags map[string]string) error {
	all := settings(c, &file{})
	for _, s := range all {
		v, ok := flags[s.key]
		if !s.flag || !ok {
			continue
		}
		if err := s.set(v, strconv.Quote(v)); err != nil {
			return &Error{Source: SourceFlag, Name: "--" + strings.ReplaceAll(s.key, "_", "-"), Message: err.Error()}
		}
		c.Sources[s.key] = SourceFlag
	}
	for _, k := range slices.Sorted(maps.Keys(flags)) {
		if !slices.ContainsFunc(all, func(s setting) bool { return s.flag && s.key == k }) {
			return fmt.Errorf("config: unknown flag key %q", k)
		}
	}
	return nil
}

// OperatorName returns the configured name of code, or "".
func (c *Config) OperatorName(code int) string {
	if op, ok := c.operator(code); ok {
		return op.Name
	}
	return ""
}

// operator returns the configured operator with code.
func (c *Config) operator(code int) (Operator, bool) {
	if c == nil {
		return Operator{}, false
	}
	for _, op := range c.Operators {
		if op.Code == code {
			return op, true
		}
	}
	return Operator{}, false
}

// ClientOptions builds client options from the config. The headers map is a
// copy, so the client and the config never share it.
func (c *Config) ClientOptions(userAgent string) client.Options {
	auth := c.Auth
	auth.Headers = maps.Clone(c.Auth.Headers)
	return client.Options{
		BaseURL:           c.BaseURL,
		Timeout:           c.Timeout,
		Retries:           client.DefaultRetries,
		UserAgent:         userAgent,
		AllowInsecureAuth: c.InsecureHTTPAuth,
		Auth:              auth,
	}
}

// Error is invalid configuration: a bad config file, environment variable
// or flag. Its text never holds a secret value.
type Error struct {
	Source  string // SourceFile, SourceEnv or SourceFlag
	Name    string // the file path, the variable (AOPFETCH_TIMEOUT) or the flag (--timeout)
	Line    int    // file only: 1-based line, 0 when unknown
	Key     string // file only: the dotted TOML key, "" when the problem is not one key's
	Message string // what is wrong, one line
	Err     error  // underlying cause (e.g. fs.ErrNotExist), may be nil
}

// Error formats the problem as one line, e.g.
// `config /home/a/.config/aopfetch/config.toml:4: timeout: "abc" is not a duration (e.g. "30s")`.
func (e *Error) Error() string {
	var where string
	switch e.Source {
	case SourceFile:
		where = "config " + e.Name
		if e.Line > 0 {
			where += ":" + strconv.Itoa(e.Line)
		}
	case SourceEnv:
		where = "environment variable " + e.Name
	default:
		where = "flag " + e.Name
	}
	if e.Key != "" {
		where += ": " + e.Key
	}
	return where + ": " + e.Message
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }
