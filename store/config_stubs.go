package store

// CONTRACT STUBS (config part): the config helper replaces these with real
// code in store/config.go and deletes this file.

import (
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// ---- config (store/config.go) ----

// Operator is a named operator code from the config file.
type Operator struct {
	Code         int    `toml:"code"`
	Name         string `toml:"name"`
	VehicleRegex string `toml:"vehicle_regex"`
}

// AuthConfig is the [auth] table. Secrets never leave the process.
type AuthConfig struct {
	JWTSecret   string            `toml:"jwt_secret"`
	PartnerID   string            `toml:"partner_id"`
	TokenHeader string            `toml:"token_header"`
	Headers     map[string]string `toml:"headers"`
}

// Config is the effective configuration.
type Config struct {
	BaseURL        string
	RegistrationID string
	Operator       int
	Timeout        time.Duration
	HistoryLimit   int    // default 200; 0 turns history off
	StorePath      string // store file: --store > AOPFETCH_STORE > store_path in file > XDG default
	Operators      []Operator
	Auth           AuthConfig
	File           string            // config file read ("" when none exists)
	Sources        map[string]string // setting key -> "default" | "file" | "env" | "flag"
	Warnings       []string          // e.g. the ssh-style permissions warning
}

// LoadOptions carries the inputs of LoadConfig.
type LoadOptions struct {
	Path   string                      // --config; "" = AOPFETCH_CONFIG or XDG default
	Getenv func(string) (string, bool) // nil = os.LookupEnv
	Flags  map[string]string           // set flags by key: base_url, timeout, store, operator, registration_id
}

// LoadConfig applies flags > environment > file > defaults.
func LoadConfig(o LoadOptions) (*Config, error) { panic("stub") }

// OperatorName returns the configured name of code, or "".
func (c *Config) OperatorName(code int) string { panic("stub") }

// ClientOptions builds client options from the config.
func (c *Config) ClientOptions(userAgent string) client.Options { panic("stub") }

// Setting is one line of `aopfetch config`.
type Setting struct {
	Key, Value, Source string // Value is "[redacted]" for secrets
}

// Settings lists the effective settings, secrets redacted.
func (c *Config) Settings() []Setting { panic("stub") }
