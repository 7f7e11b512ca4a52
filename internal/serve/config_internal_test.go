package serve

import (
	"reflect"
	"testing"

	"github.com/aopfetch/aopfetch/internal/config"
)

// TestSessionConfigWithoutServerSettings: a session's settings hold none of
// the server's secrets, file or [serve] paths, and the agent's store.
func TestSessionConfigWithoutServerSettings(t *testing.T) {
	srv := &Server{opts: Options{DataDir: "/srv/aopfetch", Config: &config.Config{
		Operator: 311, File: "/etc/aopfetch/config.toml",
		Auth:  config.AuthConfig{JWTSecret: "the-jwt-secret", PartnerID: "PS001"},
		Serve: config.ServeConfig{AuthorizedKeys: "/etc/aopfetch/authorized_keys", AuditLog: "/var/log/aopfetch.jsonl"},
	}}}
	ss := &session{s: srv, agent: Agent{ID: "abc"}}
	c := ss.config()
	if !reflect.DeepEqual(c.Auth, config.AuthConfig{}) || c.Serve != (config.ServeConfig{}) || c.File != "" {
		t.Errorf("the session sees the server's settings: auth %+v, serve %+v, file %q", c.Auth, c.Serve, c.File)
	}
	if c.Operator != 311 || c.StorePath != "/srv/aopfetch/agents/abc/store.json" {
		t.Errorf("operator %d, store %q", c.Operator, c.StorePath)
	}
	if srv.opts.Config.Serve.AuditLog == "" || srv.opts.Config.Auth.JWTSecret == "" {
		t.Errorf("the server's own settings changed")
	}
}
