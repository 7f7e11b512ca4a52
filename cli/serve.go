package cli

import (
	"cmp"
	"context"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/adrg/xdg"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/serve"
)

// serveOptions are the flags of `aopfetch serve`.
type serveOptions struct {
	listen, authorizedKeys, hostKey, dataDir, auditLog string
	limits                                             serve.Limits
	idleTimeout                                        time.Duration
}

func newServeCmd(app *invocation) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR] [--authorized-keys FILE] [--host-key FILE] [--data-dir DIR] [--audit-log FILE]",
		Short: "Serve aopfetch over SSH to every agent of a shared box",
		Long: `Run an SSH server that gives each agent the terminal UI (ssh -t) or the
commands fetch, saved, history, export, import, version and help (ssh HOST
COMMAND), with their own saved accounts and history, through this account's
credentials. Agents log in with their own SSH keys, listed in an OpenSSH
authorized_keys file whose comments name them; passwords are refused, and so
are port, agent and X11 forwarding and sftp.

Every lookup is appended to the audit log (JSON Lines: time, agent, key,
remote address, vehicle, operator, outcome, latency; never a name, phone or
secret). Each agent may make --lookups-per-minute lookups (after a burst of
--burst) and hold --sessions-per-agent sessions; a session without a key for
--idle-timeout is closed. The authorized_keys file is read again when it
changes and on SIGHUP; SIGTERM or ctrl+c ends every session (their stores
saved) and stops within 10 s.

Each flag may also be set in config.toml's [serve] table (listen,
authorized_keys, host_key, data_dir, audit_log, lookups_per_minute, burst,
sessions_per_agent, max_sessions, idle_timeout); a flag wins, and --demo
keeps a data dir, host key and audit log of its own unless flags name them.

Defaults: authorized_keys in $XDG_CONFIG_HOME/aopfetch/, everything else
under $XDG_DATA_HOME/aopfetch/serve/ (serve-demo/ with --demo): the host key
(ed25519, created on first start), agents/<key sha256>/store.json and
audit.jsonl.`,
		Example: `  aopfetch serve --demo                               # try it: the sandbox, no credentials
  aopfetch serve --listen :2222 --authorized-keys /etc/aopfetch/authorized_keys
  ssh -t -p 2222 box                                  # an agent: the terminal UI
  ssh -p 2222 box fetch --json DL12CB4685             # an agent: one lookup for a script`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			defaultGC() // one process for many agents
			return runServe(cmd.Context(), app, cmd.Flags(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", serve.DefaultListen, "address to listen on (host:port)")
	f.StringVar(&o.authorizedKeys, "authorized-keys", "", "OpenSSH authorized_keys file of the agents (default $XDG_CONFIG_HOME/aopfetch/authorized_keys)")
	f.StringVar(&o.hostKey, "host-key", "", "the server's SSH host key, created if missing (default DATA_DIR/host_ed25519_key)")
	f.StringVar(&o.dataDir, "data-dir", "", "the agents' stores (default $XDG_DATA_HOME/aopfetch/serve)")
	f.StringVar(&o.auditLog, "audit-log", "", "JSON Lines audit log of every lookup (default DATA_DIR/audit.jsonl)")
	f.IntVar(&o.limits.LookupsPerMinute, "lookups-per-minute", serve.DefaultLookupsPerMinute, "lookups each agent may make a minute")
	f.IntVar(&o.limits.Burst, "burst", serve.DefaultBurst, "lookups an agent may make at once before the per-minute rate applies")
	f.IntVar(&o.limits.SessionsPerAgent, "sessions-per-agent", serve.DefaultSessionsPerAgent, "sessions each agent may hold open")
	f.IntVar(&o.limits.Sessions, "max-sessions", serve.DefaultSessions, "sessions the server holds open in all")
	f.DurationVar(&o.idleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "close a session after this long without a key")
	_ = cmd.MarkFlagFilename("authorized-keys")
	_ = cmd.MarkFlagFilename("host-key")
	_ = cmd.MarkFlagFilename("audit-log", "jsonl")
	_ = cmd.MarkFlagDirname("data-dir")
	return cmd
}

// runServe serves until SIGINT or SIGTERM; SIGHUP reads the authorized
// keys again.
func runServe(parent context.Context, app *invocation, flags *pflag.FlagSet, o serveOptions) error {
	cfg, err := app.config()
	if err != nil {
		return err
	}
	o.fromConfig(flags, cfg.Serve, app.demo())
	if err := o.applyDefaults(app.demo()); err != nil {
		return err
	}
	c, err := app.client()
	if err != nil {
		return err
	}
	// Sessions style with their own terminal's renderer; the process's
	// default one (still used by a few bubbles styles) must never query
	// the server's own terminal from a session.
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	srv, err := serve.New(serve.Options{
		Listen: o.listen, AuthorizedKeys: o.authorizedKeys, HostKey: o.hostKey, DataDir: o.dataDir, AuditLog: o.auditLog,
		Limits: o.limits, IdleTimeout: o.idleTimeout,
		Config: cfg, Fetcher: c, Demo: app.demo(), Version: app.info.Version,
		RunCommand: func(ctx context.Context, sc serve.Command) int { return RunSession(ctx, app.info, sc) },
		Log:        slog.New(slog.NewTextHandler(app.stderr, nil)),
	})
	if err != nil {
		return &exitError{code: exitUsage, err: err, hint: "see `aopfetch serve --help` and the README's \"Serve a team from a shared box\""}
	}
	// SIGHUP reloads rather than stops, whatever the rest of the CLI does
	// with it: the server has its own signal handling.
	ctx, stop := signal.NotifyContext(context.WithoutCancel(parent), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-hup:
				srv.Reload()
			case <-ctx.Done():
				return
			}
		}
	}()
	return srv.ListenAndServe(ctx)
}

// fromConfig takes each setting whose flag is not set from the [serve]
// table of config.toml. Under --demo the table's data_dir, host_key and
// audit_log are not used: sandbox answers never reach the real agents'
// stores or audit log.
func (o *serveOptions) fromConfig(flags *pflag.FlagSet, sc config.ServeConfig, demo bool) {
	if demo {
		sc.DataDir, sc.HostKey, sc.AuditLog = "", "", ""
	}
	fromConfigValue(flags, "listen", &o.listen, sc.Listen)
	fromConfigValue(flags, "authorized-keys", &o.authorizedKeys, sc.AuthorizedKeys)
	fromConfigValue(flags, "host-key", &o.hostKey, sc.HostKey)
	fromConfigValue(flags, "data-dir", &o.dataDir, sc.DataDir)
	fromConfigValue(flags, "audit-log", &o.auditLog, sc.AuditLog)
	fromConfigValue(flags, "lookups-per-minute", &o.limits.LookupsPerMinute, sc.LookupsPerMinute)
	fromConfigValue(flags, "burst", &o.limits.Burst, sc.Burst)
	fromConfigValue(flags, "sessions-per-agent", &o.limits.SessionsPerAgent, sc.SessionsPerAgent)
	fromConfigValue(flags, "max-sessions", &o.limits.Sessions, sc.MaxSessions)
	fromConfigValue(flags, "idle-timeout", &o.idleTimeout, sc.IdleTimeout)
}

// fromConfigValue sets *dst to the config's v, unless the flag is set or v
// is unset (zero).
func fromConfigValue[T comparable](flags *pflag.FlagSet, flag string, dst *T, v T) {
	var zero T
	if !flags.Changed(flag) && v != zero {
		*dst = v
	}
}

// applyDefaults fills the unset paths: authorized_keys beside the config,
// the rest under the data directory (its own under --demo, so sandbox
// answers never reach the agents' real stores).
func (o *serveOptions) applyDefaults(demo bool) error {
	if o.dataDir == "" {
		if xdg.DataHome == "" {
			return newUsageError("pass --data-dir DIR", "cannot locate the data directory: set XDG_DATA_HOME or HOME")
		}
		name := "serve"
		if demo {
			name = "serve-demo"
		}
		o.dataDir = filepath.Join(xdg.DataHome, "aopfetch", name)
	}
	if o.authorizedKeys == "" {
		if xdg.ConfigHome == "" {
			return newUsageError("pass --authorized-keys FILE", "cannot locate the config directory: set XDG_CONFIG_HOME or HOME")
		}
		o.authorizedKeys = filepath.Join(xdg.ConfigHome, "aopfetch", "authorized_keys")
	}
	o.hostKey = cmp.Or(o.hostKey, filepath.Join(o.dataDir, "host_ed25519_key"))
	o.auditLog = cmp.Or(o.auditLog, filepath.Join(o.dataDir, "audit.jsonl"))
	return nil
}
