package config

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
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

// serveKey is one key of [serve] and the field of ServeConfig it sets:
// text (a path when path is set), count or dur.
type serveKey struct {
	name  string
	text  *string
	path  bool // relative to the config file's directory; "~/" is the home directory
	count *int // a positive whole number
	dur   *time.Duration
}

// keys lists the keys of [serve] with the fields of sc they set, in the
// order of the schema.
func (sc *ServeConfig) keys() []serveKey {
	return []serveKey{
		{name: "listen", text: &sc.Listen},
		{name: "authorized_keys", text: &sc.AuthorizedKeys, path: true},
		{name: "host_key", text: &sc.HostKey, path: true},
		{name: "data_dir", text: &sc.DataDir, path: true},
		{name: "audit_log", text: &sc.AuditLog, path: true},
		{name: "lookups_per_minute", count: &sc.LookupsPerMinute},
		{name: "burst", count: &sc.Burst},
		{name: "sessions_per_agent", count: &sc.SessionsPerAgent},
		{name: "max_sessions", count: &sc.MaxSessions},
		{name: "idle_timeout", dur: &sc.IdleTimeout},
	}
}

// serveKeyNames are the keys of [serve], in the order of the schema.
func serveKeyNames() []string {
	var names []string
	for _, k := range (&ServeConfig{}).keys() {
		names = append(names, k.name)
	}
	return names
}

// set checks v, the key's value in the file in dir, and sets its field.
func (k serveKey) set(v any, dir string) (err error) {
	switch {
	case k.text != nil:
		*k.text, err = textOf(v)
		if k.path {
			*k.text = resolveStorePath(*k.text, dir)
		}
	case k.count != nil:
		const want = "a positive whole number (no quotes)"
		var s string
		if s, _, err = fileText(v, tomlInt, want); err == nil {
			*k.count, _ = strconv.Atoi(s)
			if *k.count <= 0 || *k.count > 1_000_000 {
				err = fmt.Errorf("must be %s, not %s", want, s) // the number as written
			}
		}
	default:
		var s, shown string
		if s, shown, err = fileText(v, tomlString|tomlInt, `a duration (e.g. "30m") or whole seconds`); err == nil {
			*k.dur, err = parseTimeout(strings.TrimSpace(s), shown)
		}
	}
	return err
}

// value is the text of the key's field.
func (k serveKey) value() string {
	switch {
	case k.text != nil:
		return *k.text
	case k.count != nil:
		return strconv.Itoa(*k.count)
	}
	return k.dur.String()
}

// applyServe checks the [serve] table and copies it into c.Serve; each key
// set gets the source "file" under "serve.KEY".
func (d *decoded) applyServe(c *Config) error {
	for _, k := range c.Serve.keys() {
		v, ok := d.f.Serve[k.name]
		if !ok {
			continue
		}
		if err := k.set(v, filepath.Dir(d.path)); err != nil {
			return d.fail([]string{"serve", k.name}, err.Error())
		}
		c.Sources["serve."+k.name] = SourceFile
	}
	return nil
}

// serveSettings are the [serve] lines of `aopfetch config`, shown only
// when the file has a [serve] table.
func (c *Config) serveSettings() []Setting {
	var out []Setting
	for _, k := range c.Serve.keys() {
		if src, ok := c.Sources["serve."+k.name]; ok {
			out = append(out, Setting{"serve." + k.name, k.value(), src})
		}
	}
	return out
}
