package cli

import (
	"cmp"
	"context"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/adrg/xdg"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/serve"
)

func newServeCmd(app *invocation) *cobra.Command {
	var o serve.Options // the flags' part
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
	f.StringVar(&o.Listen, "listen", serve.DefaultListen, "address to listen on (host:port)")
	f.StringVar(&o.AuthorizedKeys, "authorized-keys", "", "OpenSSH authorized_keys file of the agents (default $XDG_CONFIG_HOME/aopfetch/authorized_keys)")
	f.StringVar(&o.HostKey, "host-key", "", "the server's SSH host key, created if missing (default DATA_DIR/host_ed25519_key)")
	f.StringVar(&o.DataDir, "data-dir", "", "the agents' stores (default $XDG_DATA_HOME/aopfetch/serve)")
	f.StringVar(&o.AuditLog, "audit-log", "", "JSON Lines audit log of every lookup (default DATA_DIR/audit.jsonl)")
	f.IntVar(&o.Limits.LookupsPerMinute, "lookups-per-minute", serve.DefaultLookupsPerMinute, "lookups each agent may make a minute")
	f.IntVar(&o.Limits.Burst, "burst", serve.DefaultBurst, "lookups an agent may make at once before the per-minute rate applies")
	f.IntVar(&o.Limits.SessionsPerAgent, "sessions-per-agent", serve.DefaultSessionsPerAgent, "sessions each agent may hold open")
	f.IntVar(&o.Limits.Sessions, "max-sessions", serve.DefaultSessions, "sessions the server holds open in all")
	f.DurationVar(&o.IdleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "close a session after this long without a key")
	_ = cmd.MarkFlagFilename("authorized-keys")
	_ = cmd.MarkFlagFilename("host-key")
	_ = cmd.MarkFlagFilename("audit-log", "jsonl")
	_ = cmd.MarkFlagDirname("data-dir")
	return cmd
}

// runServe serves until SIGINT or SIGTERM; SIGHUP reads the authorized
// keys again.
func runServe(parent context.Context, app *invocation, flags *pflag.FlagSet, o serve.Options) error {
	cfg, err := app.config()
	if err != nil {
		return err
	}
	serveFromConfig(&o, flags, cfg.Serve, app.demo())
	if err := serveDefaults(&o, app.demo()); err != nil {
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
	o.Config, o.Fetcher, o.Demo, o.Version = cfg, c, app.demo(), app.info.Version
	o.RunCommand = func(ctx context.Context, sc serve.Command) int { return RunSession(ctx, app.info, sc) }
	o.Log = slog.New(slog.NewTextHandler(app.stderr, nil))
	srv, err := serve.New(o)
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

// serveFromConfig takes each setting whose flag is not set from the [serve]
// table of config.toml. Under --demo the table's data_dir, host_key and
// audit_log are not used: sandbox answers never reach the real agents'
// stores or audit log.
func serveFromConfig(o *serve.Options, flags *pflag.FlagSet, sc config.ServeConfig, demo bool) {
	if demo {
		sc.DataDir, sc.HostKey, sc.AuditLog = "", "", ""
	}
	fromConfigValue(flags, "listen", &o.Listen, sc.Listen)
	fromConfigValue(flags, "authorized-keys", &o.AuthorizedKeys, sc.AuthorizedKeys)
	fromConfigValue(flags, "host-key", &o.HostKey, sc.HostKey)
	fromConfigValue(flags, "data-dir", &o.DataDir, sc.DataDir)
	fromConfigValue(flags, "audit-log", &o.AuditLog, sc.AuditLog)
	fromConfigValue(flags, "lookups-per-minute", &o.Limits.LookupsPerMinute, sc.LookupsPerMinute)
	fromConfigValue(flags, "burst", &o.Limits.Burst, sc.Burst)
	fromConfigValue(flags, "sessions-per-agent", &o.Limits.SessionsPerAgent, sc.SessionsPerAgent)
	fromConfigValue(flags, "max-sessions", &o.Limits.Sessions, sc.MaxSessions)
	fromConfigValue(flags, "idle-timeout", &o.IdleTimeout, sc.IdleTimeout)
}

// fromConfigValue sets *dst to the config's v, unless the flag is set or v
// is unset (zero).
func fromConfigValue[T comparable](flags *pflag.FlagSet, flag string, dst *T, v T) {
	var zero T
	if !flags.Changed(flag) && v != zero {
		*dst = v
	}
}

// serveDefaults fills the unset paths: authorized_keys beside the config,
// the rest under the data directory (its own under --demo, so sandbox
// answers never reach the agents' real stores).
func serveDefaults(o *serve.Options, demo bool) error {
	if o.DataDir == "" {
		if xdg.DataHome == "" {
			return newUsageError("pass --data-dir DIR", "cannot locate the data directory: set XDG_DATA_HOME or HOME")
		}
		name := "serve"
		if demo {
			name = "serve-demo"
		}
		o.DataDir = filepath.Join(xdg.DataHome, "aopfetch", name)
	}
	if o.AuthorizedKeys == "" {
		if xdg.ConfigHome == "" {
			return newUsageError("pass --authorized-keys FILE", "cannot locate the config directory: set XDG_CONFIG_HOME or HOME")
		}
		o.AuthorizedKeys = filepath.Join(xdg.ConfigHome, "aopfetch", "authorized_keys")
	}
	o.HostKey = cmp.Or(o.HostKey, filepath.Join(o.DataDir, "host_ed25519_key"))
	o.AuditLog = cmp.Or(o.AuditLog, filepath.Join(o.DataDir, "audit.jsonl"))
	return nil
}
