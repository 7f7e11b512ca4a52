package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/spf13/pflag"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/serve"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
	"github.com/aopfetch/aopfetch/ui"
)

// demo defaults, used under --demo when the config sets none.
const (
	demoRegistrationID = "AOP-554"
	demoOperator       = 311
	demoSource         = "demo"
	demoStoreName      = "demo-store.json" // beside the real store, under --demo
)

// demoNotice is the first line of every human output under --demo.
const demoNotice = "DEMO " + text.Dash + " data from the built-in sandbox, not AOPay"

// BuildInfo is set by main from ldflags.
type BuildInfo struct{ Version, Commit, Date string }

// text is the one-line version text: "VERSION (commit C, built D)".
func (b BuildInfo) text() string {
	return fmt.Sprintf("%s (commit %s, built %s)", b.Version, b.Commit, b.Date)
}

// globalFlags are the root's persistent flags.
// (--base-url, --timeout and --store are read through flagSet).
type globalFlags struct {
	demo   bool
	config string
	debug  bool
}

// invocation is the shared state of one run of aopfetch: global flags and
// lazily built config, client (one per process) and store. Sub-commands get it.
type invocation struct {
	info           BuildInfo
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) (string, bool)

	flags     globalFlags
	flagSet   *pflag.FlagSet // the root's persistent flags, to tell set flags apart
	quiet     bool           // config warnings and store notices are shown by the caller, not on stderr
	startDemo func() (*sandbox.Server, error)

	cfgOnce sync.Once
	cfg     *config.Config
	cfgErr  error

	clientOnce    sync.Once
	api           *client.Client
	sandbox       *sandbox.Server
	clientErr     error
	clientNotices []string // what the client will not do, said once (see Client)

	storeOnce    sync.Once
	noticesShown int // store notices printed so far
	st           *store.Store
	storeErr     error

	noticeOnce sync.Once

	// session is set when the invocation runs one SSH session of `aopfetch serve`
	// (RunSession): its Config, Fetcher and Demo instead of the process's
	// config, environment and client.
	session *serve.Command
}

// newApp returns an invocation writing to the given streams.
func newApp(info BuildInfo, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) (string, bool)) *invocation {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	g := text.GlyphsFor(getenv)
	return &invocation{
		info: info, stdin: stdin, stdout: glyphWriter{Writer: stdout, g: g}, stderr: glyphWriter{Writer: stderr, g: g, people: true}, getenv: getenv,
		startDemo: func() (*sandbox.Server, error) { return sandbox.Start("", sandbox.DefaultDemoOptions()) },
	}
}

// bindFlags registers the global flags on fs (the root's persistent flags).
func (a *invocation) bindFlags(fs *pflag.FlagSet) {
	a.flagSet = fs
	fs.BoolVar(&a.flags.demo, "demo", false, "use the built-in sandbox instead of AOPay (no credentials needed)")
	fs.String("base-url", "", "API base URL (env AOPFETCH_BASE_URL, config base_url)")
	fs.String("timeout", "", "whole-request timeout, e.g. 10s (env AOPFETCH_TIMEOUT, config timeout)")
	fs.StringVar(&a.flags.config, "config", "", "config file (env AOPFETCH_CONFIG; default $XDG_CONFIG_HOME/aopfetch/config.toml)")
	fs.String("store", "", "store file (env AOPFETCH_STORE; default $XDG_DATA_HOME/aopfetch/store.json)")
	fs.BoolVar(&a.flags.debug, "debug", false, "write a debug log under $XDG_STATE_HOME/aopfetch/")
}

// changedFlags returns the global flags the user set, keyed as LoadConfig expects.
func (a *invocation) changedFlags() map[string]string {
	out := map[string]string{}
	for name, key := range map[string]string{"base-url": "base_url", "timeout": "timeout", "store": "store"} {
		if f := a.flagSet.Lookup(name); f != nil && f.Changed {
			out[key] = f.Value.String()
		}
	}
	return out
}

// config returns the effective config (flags > env > file > defaults).
// Under --demo, an unset registration ID and operator get demo values and
// the store is the demo's own.
func (a *invocation) config() (*config.Config, error) {
	if a.session != nil {
		return a.session.Config, nil
	}
	a.cfgOnce.Do(func() {
		a.cfg, a.cfgErr = config.Load(config.LoadOptions{Path: a.flags.config, Getenv: a.getenv, Flags: a.changedFlags()})
		if a.cfgErr != nil {
			a.cfgErr = &exitError{code: exitUsage, err: a.cfgErr, hint: fixHint(a.cfgErr) + hintSeeConfig}
			return
		}
		if a.flags.demo {
			if a.cfgErr = applyDemoDefaults(a.cfg); a.cfgErr != nil {
				return
			}
		}
		if !a.quiet {
			// config warnings carry their own ssh-style "WARNING:" word.
			for _, w := range a.cfg.Warnings {
				fmt.Fprintln(a.stderr, "aopfetch: "+text.Sanitize(w))
			}
		}
	})
	return a.cfg, a.cfgErr
}

// applyDemoDefaults fills the registration ID and operator of the doc's
// example and points the store at the demo's own file.
func applyDemoDefaults(cfg *config.Config) error {
	if cfg.Sources == nil {
		cfg.Sources = map[string]string{}
	}
	if cfg.RegistrationID == "" {
		cfg.RegistrationID = demoRegistrationID
		cfg.Sources["registration_id"] = demoSource
	}
	if cfg.Operator == 0 {
		cfg.Operator = demoOperator
		cfg.Sources["operator"] = demoSource
	}
	// Sandbox answers are invented: they must never land in the agent's real
	// history or overwrite a saved account's last result. Unless --store
	// names a file for this run, the demo keeps a store of its own.
	if cfg.Sources["store"] != config.SourceFlag {
		p, err := store.DefaultPath()
		if err != nil {
			return err
		}
		cfg.StorePath = filepath.Join(filepath.Dir(p), demoStoreName)
		cfg.Sources["store"] = demoSource
	}
	return nil
}

// client returns the process's single client (pointing at the in-process
// sandbox under --demo).
func (a *invocation) client() (*client.Client, error) {
	if a.session != nil {
		return nil, errNoClientInSession
	}
	a.clientOnce.Do(func() {
		cfg, err := a.config()
		if err != nil {
			a.clientErr = err
			return
		}
		opts := cfg.ClientOptions("aopfetch/" + a.info.Version)
		if a.flags.demo {
			if a.sandbox, err = a.startDemo(); err != nil {
				a.clientErr = fmt.Errorf("starting the demo sandbox: %w", err)
				return
			}
			opts.BaseURL = a.sandbox.URL
		}
		a.api, err = client.New(opts)
		if err != nil {
			a.clientErr = &exitError{code: exitUsage, err: err, hint: "check base_url, timeout and [auth] with `aopfetch config`"}
			return
		}
		if w := withheldWarning(a.api); w != "" && !a.flags.demo { // the sandbox needs no credentials
			a.clientNotices = append(a.clientNotices, w)
			if !a.quiet {
				a.warn("%s", w)
			}
		}
	})
	return a.api, a.clientErr
}

// fetcher is what looks vehicles up: the session's under serve, else the
// process's client.
func (a *invocation) fetcher() (ui.Fetcher, error) {
	if a.session != nil {
		return a.session.Fetcher, nil
	}
	return a.client()
}

// withheldWarning says that c will not send its credentials, or is "".
func withheldWarning(c *client.Client) string {
	if !c.CredentialsWithheld() {
		return ""
	}
	return "not sending credentials to " + c.BaseURL() + " (plain http); set insecure_http_auth = true " +
		"(or AOPFETCH_INSECURE_HTTP_AUTH=1) for a test server"
}

// store opens the store once (path from --store / AOPFETCH_STORE / config /
// XDG) and reads it. Notices about recovered problems go to stderr, once.
func (a *invocation) store() (*store.Store, error) { return a.openStore(false) }

// openStore opens the store once, deferred or not (the first call
// decides): a command that only records lookups (fetch) opens it deferred,
// so recording appends to the history file without reading the accounts.
func (a *invocation) openStore(deferred bool) (*store.Store, error) {
	a.storeOnce.Do(func() {
		cfg, err := a.config()
		if err != nil {
			a.storeErr = err
			return
		}
		path := cfg.StorePath
		if path == "" {
			if path, err = store.DefaultPath(); err != nil {
				a.storeErr = err
				return
			}
		}
		a.st, a.storeErr = store.Open(path, store.Options{HistoryLimit: cfg.HistoryLimit, Deferred: deferred})
		if a.storeErr == nil {
			a.storeNotices()
		}
	})
	return a.st, a.storeErr
}

// storeNotices prints the store's notices not printed yet on stderr.
func (a *invocation) storeNotices() {
	if a.quiet || a.st == nil {
		return
	}
	n := a.st.Notices()
	for _, s := range n[min(a.noticesShown, len(n)):] {
		fmt.Fprintln(a.stderr, "aopfetch: "+text.Sanitize(s))
	}
	a.noticesShown = len(n)
}

// saidAlready reports whether err only repeats a store notice that was
// already printed on stderr (a read-only store's reason, say).
func (a *invocation) saidAlready(err error) bool {
	if a.st == nil || a.quiet {
		return false
	}
	return slices.Contains(a.st.Notices(), err.Error())
}

// checkNotOwnFile refuses an output file (-o) that is one of aopfetch's own
// files: the store, its lock, the config file, or any other store or its
// backup would be replaced.
func (a *invocation) checkNotOwnFile(out string) error {
	target, err := os.Stat(out)
	if err != nil {
		return nil // nothing there yet (or unreadable: writing will say why)
	}
	own := map[string]string{}
	if cfg, err := a.config(); err == nil && cfg.File != "" {
		own[cfg.File] = "the config file"
	}
	if p, err := store.DefaultPath(); err == nil {
		own[p] = "the store file" // the real one, even under --demo and even damaged
	}
	if s, err := a.store(); err == nil {
		own[s.Path()], own[s.LockPath()] = "the store file", "the store's lock file"
	}
	for path, what := range own {
		if fi, err := os.Stat(path); err == nil && os.SameFile(fi, target) {
			return newUsageError("-o takes a file of its own", "-o %s is %s; choose another file", text.Sanitize(out), what)
		}
	}
	if store.IsStoreFile(out) { // another store (the real one under --demo), a copy or a backup
		return newUsageError("choose another file, or delete it first if you mean to",
			"-o %s is an aopfetch store or a backup of one; writing would replace it", text.Sanitize(out))
	}
	return nil
}

// demo reports whether --demo is on (for a session of serve: on the server).
func (a *invocation) demo() bool { return a.flags.demo || (a.session != nil && a.session.Demo) }

// printDemoNotice writes the DEMO line to stderr once, under --demo only.
// Commands call it before their human output.
func (a *invocation) printDemoNotice() {
	if a.demo() {
		// In the glyphs of the terminal (ASCII when the locale is not UTF-8).
		a.noticeOnce.Do(func() { fmt.Fprintln(a.stderr, demoNotice) })
	}
}

// warn writes a one-line warning to stderr, sanitised (it may quote paths
// and errors that hold anything).
func (a *invocation) warn(format string, args ...any) {
	fmt.Fprintln(a.stderr, "aopfetch: warning: "+text.Sanitize(fmt.Sprintf(format, args...)))
}

// close stops the demo sandbox, if one was started.
func (a *invocation) close() error {
	if a.sandbox != nil {
		return a.sandbox.Close()
	}
	return nil
}
