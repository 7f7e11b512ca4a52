package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// configReport is the --json shape of `aopfetch config`.
type configReport struct {
	ConfigFile string        `json:"config_file"` // "" when none was read
	StorePath  string        `json:"store_path"`
	Demo       bool          `json:"demo"`
	Settings   []settingJSON `json:"settings"`
	Warnings   []string      `json:"warnings"`
}

// settingJSON is one setting in `aopfetch config --json`.
type settingJSON struct {
	Key    string `json:"key"`
	Value  string `json:"value"` // "[redacted]" for secrets
	Source string `json:"source"`
}

func newConfigCmd(app *invocation) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "config [--json]",
		Short: "Show the effective settings and where each came from",
		Long: `Show the effective settings, where each one came from (flag, env, file or
default), the config file read and the store file. Secrets are shown as
[redacted].

Precedence: flags > environment (AOPFETCH_*) > config file > defaults.`,
		Example: `  aopfetch config
  aopfetch --config ./team.toml config
  aopfetch config --json | jq -r '.settings[] | "\(.key)=\(.value)"'`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			app.quiet = true
			rep, err := buildConfigReport(app)
			if ee, ok := errors.AsType[*exitError](err); ok {
				ee.hint = strings.TrimSuffix(ee.hint, hintSeeConfig)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(app.stdout, rep)
			}
			return writeString(app.stdout, formatConfigReport(rep, glyphsOf(app.stdout)))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the settings as JSON")
	return cmd
}

// buildConfigReport gathers the effective settings.
func buildConfigReport(app *invocation) (configReport, error) {
	cfg, err := app.config()
	if err != nil {
		return configReport{}, err
	}
	rep := configReport{ConfigFile: cfg.File, StorePath: cfg.StorePath, Demo: app.demo(),
		Settings: []settingJSON{}, Warnings: append([]string{}, cfg.Warnings...)}
	for _, s := range cfg.Settings() {
		rep.Settings = append(rep.Settings, settingJSON{Key: s.Key, Value: s.Value, Source: s.Source})
	}
	if c, err := client.New(cfg.ClientOptions("")); err == nil && !app.demo() {
		if w := withheldWarning(c); w != "" {
			rep.Warnings = append(rep.Warnings, w)
		}
	}
	if rep.StorePath == "" {
		if rep.StorePath, err = store.DefaultPath(); err != nil {
			return configReport{}, err
		}
	}
	return rep, nil
}

// formatConfigReport renders the report as text in g's glyphs.
func formatConfigReport(rep configReport, g text.Glyphs) string {
	var b strings.Builder
	if rep.ConfigFile != "" {
		fmt.Fprintf(&b, "config file: %s\n", g.Sanitize(rep.ConfigFile))
	} else {
		b.WriteString("config file: none\n")
	}
	fmt.Fprintf(&b, "store file:  %s\n", g.Sanitize(rep.StorePath))
	if rep.Demo {
		b.WriteString("demo:        on (lookups go to the built-in sandbox, not AOPay)\n")
	}
	b.WriteByte('\n')
	rows := make([][]string, 0, len(rep.Settings))
	for _, s := range rep.Settings {
		rows = append(rows, []string{s.Key, cell(s.Value, 0), s.Source})
	}
	_ = writeTable(glyphWriter{Writer: &b, g: g}, []string{"SETTING", "VALUE", "SOURCE"}, rows)
	for _, w := range rep.Warnings {
		fmt.Fprintf(&b, "\n%s\n", g.Sanitize(w))
	}
	return b.String()
}

// hintSeeConfig follows the hint of an invalid setting, except under
// `aopfetch config` itself (which fails the same way).
const hintSeeConfig = "; `aopfetch config` shows the effective settings"

// fixHint is what to do about the invalid setting err names: its flag,
// variable or file.
func fixHint(err error) string {
	if ce, ok := errors.AsType[*config.Error](err); ok {
		switch ce.Source {
		case config.SourceFlag:
			return "fix the flag named above"
		case config.SourceEnv:
			return "fix or unset the environment variable named above"
		case config.SourceFile:
			return "fix the config file named above"
		}
	}
	return "fix the flag, the AOPFETCH_* environment variable or the config file named above"
}
