package config

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// ServeConfig is the [serve] table: the settings of `aopfetch serve`. A
// zero value is unset, and serve's flag or default applies.
type ServeConfig struct {
	Listen         string // host:port
	AuthorizedKeys string // paths are relative to the config file's directory; "~/" is the home directory
	HostKey        string
	DataDir        string
	AuditLog       string
	// Limits.
	LookupsPerMinute int
	Burst            int
	SessionsPerAgent int
	MaxSessions      int
	IdleTimeout      time.Duration
}

// fileServe is the [serve] table as toml decodes it.
type fileServe struct {
	Listen           any `toml:"listen"`
	AuthorizedKeys   any `toml:"authorized_keys"`
	HostKey          any `toml:"host_key"`
	DataDir          any `toml:"data_dir"`
	AuditLog         any `toml:"audit_log"`
	LookupsPerMinute any `toml:"lookups_per_minute"`
	Burst            any `toml:"burst"`
	SessionsPerAgent any `toml:"sessions_per_agent"`
	MaxSessions      any `toml:"max_sessions"`
	IdleTimeout      any `toml:"idle_timeout"`
}

// serveKeys are the keys of [serve], in the order of the schema.
var serveKeys = []string{"listen", "authorized_keys", "host_key", "data_dir", "audit_log",
	"lookups_per_minute", "burst", "sessions_per_agent", "max_sessions", "idle_timeout"}

// applyServe checks the [serve] table and copies it into c.Serve; each key
// set gets the source "file" under "serve.KEY".
func (d *decoded) applyServe(c *Config) error {
	f, sc := &d.f.Serve, &c.Serve
	dir := filepath.Dir(d.path)
	path := func(dst *string) func(any) error {
		return func(v any) error {
			p, err := textOf(v)
			*dst = resolveStorePath(p, dir)
			return err
		}
	}
	count := func(dst *int) func(any) error {
		return func(v any) error {
			n, ok := v.(int64)
			if !ok || n <= 0 || n > 1_000_000 {
				return fmt.Errorf("must be a positive whole number (no quotes), not %s", shownValue(v))
			}
			*dst = int(n)
			return nil
		}
	}
	for _, s := range []struct {
		key string
		v   any
		set func(any) error
	}{
		{"listen", f.Listen, func(v any) (err error) { sc.Listen, err = textOf(v); return err }},
		{"authorized_keys", f.AuthorizedKeys, path(&sc.AuthorizedKeys)},
		{"host_key", f.HostKey, path(&sc.HostKey)},
		{"data_dir", f.DataDir, path(&sc.DataDir)},
		{"audit_log", f.AuditLog, path(&sc.AuditLog)},
		{"lookups_per_minute", f.LookupsPerMinute, count(&sc.LookupsPerMinute)},
		{"burst", f.Burst, count(&sc.Burst)},
		{"sessions_per_agent", f.SessionsPerAgent, count(&sc.SessionsPerAgent)},
		{"max_sessions", f.MaxSessions, count(&sc.MaxSessions)},
		{"idle_timeout", f.IdleTimeout, func(v any) error {
			s, shown, ok := scalarText(v)
			if !ok {
				return fmt.Errorf(`must be a duration (e.g. "30m") or whole seconds, not %s`, tomlTypeName(v))
			}
			var err error
			sc.IdleTimeout, err = parseTimeout(s, shown)
			return err
		}},
	} {
		if s.v == nil {
			continue
		}
		if err := s.set(s.v); err != nil {
			return d.fail([]string{"serve", s.key}, err.Error())
		}
		c.Sources["serve."+s.key] = SourceFile
	}
	return nil
}

// shownValue is v for a message: a number as written, else its type.
func shownValue(v any) string {
	if n, ok := v.(int64); ok {
		return strconv.FormatInt(n, 10)
	}
	return tomlTypeName(v)
}

// serveSettings are the [serve] lines of `aopfetch config`, shown only
// when the file has a [serve] table.
func (c *Config) serveSettings() []Setting {
	var out []Setting
	for _, k := range serveKeys {
		src, ok := c.Sources["serve."+k]
		if !ok {
			continue
		}
		out = append(out, Setting{"serve." + k, c.Serve.value(k), src})
	}
	return out
}

// value is the text of one [serve] key.
func (sc ServeConfig) value(key string) string {
	switch key {
	case "listen":
		return sc.Listen
	case "authorized_keys":
		return sc.AuthorizedKeys
	case "host_key":
		return sc.HostKey
	case "data_dir":
		return sc.DataDir
	case "audit_log":
		return sc.AuditLog
	case "lookups_per_minute":
		return strconv.Itoa(sc.LookupsPerMinute)
	case "burst":
		return strconv.Itoa(sc.Burst)
	case "sessions_per_agent":
		return strconv.Itoa(sc.SessionsPerAgent)
	case "max_sessions":
		return strconv.Itoa(sc.MaxSessions)
	case "idle_timeout":
		return sc.IdleTimeout.String()
	}
	return ""
}
