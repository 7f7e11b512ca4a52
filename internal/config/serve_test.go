package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigServeTable(t *testing.T) {
	p := writeConfig(t, `[serve]
listen = "127.0.0.1:2200"
authorized_keys = "authorized_keys"
host_key = "/var/lib/aopfetch/host_ed25519_key"
data_dir = "~/serve"
audit_log = "/var/log/aopfetch/audit.jsonl"
lookups_per_minute = 30
burst = 5
sessions_per_agent = 2
max_sessions = 20
idle_timeout = "10m"
`, 0o600)
	c := mustLoad(t, LoadOptions{Path: p})
	want := ServeConfig{
		Listen: "127.0.0.1:2200", AuthorizedKeys: filepath.Join(filepath.Dir(p), "authorized_keys"),
		HostKey: "/var/lib/aopfetch/host_ed25519_key", DataDir: expandHome("~/serve"), AuditLog: "/var/log/aopfetch/audit.jsonl",
		LookupsPerMinute: 30, Burst: 5, SessionsPerAgent: 2, MaxSessions: 20, IdleTimeout: 10 * time.Minute,
	}
	if c.Serve != want {
		t.Errorf("Serve = %+v\nwant    %+v", c.Serve, want)
	}
	s := settingsMap(c)
	if s["serve.idle_timeout"].Value != "10m0s" || s["serve.listen"].Source != SourceFile || s["serve.max_sessions"].Value != "20" {
		t.Errorf("settings: %+v", s)
	}
}

func TestConfigServeTableAbsent(t *testing.T) {
	c := mustLoad(t, LoadOptions{Path: writeConfig(t, "operator = 311\n", 0o600)})
	if c.Serve != (ServeConfig{}) {
		t.Errorf("Serve = %+v, want zero", c.Serve)
	}
	for _, st := range c.Settings() {
		if strings.HasPrefix(st.Key, "serve.") {
			t.Errorf("a serve setting without a [serve] table: %+v", st)
		}
	}
}

func TestConfigServeBadValues(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unknown key", "[serve]\nport = 22\n", `:2: serve.port: unknown key (known: listen, authorized_keys, host_key, data_dir, audit_log, lookups_per_minute, burst, sessions_per_agent, max_sessions, idle_timeout)`},
		{"not a table", "serve = true\n", `:1: serve: must be a table: [serve]`},
		{"quoted count", "[serve]\nburst = \"10\"\n", `:2: serve.burst: must be a positive whole number (no quotes), not a string`},
		{"zero count", "[serve]\nmax_sessions = 0\n", `:2: serve.max_sessions: must be a positive whole number (no quotes), not 0`},
		{"bad duration", "[serve]\n\nidle_timeout = \"soon\"\n", `:3: serve.idle_timeout: "soon" is not a duration`},
		{"path not text", "[serve]\ndata_dir = 5\n", `:2: serve.data_dir: must be a string in quotes, not an integer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.text, 0o600)
			if got, want := loadErr(t, LoadOptions{Path: p}), "config "+p+tt.want; !strings.HasPrefix(got, want) {
				t.Errorf("err = %q\nwant prefix %q", got, want)
			}
		})
	}
}
