package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/store"
)

func newHistoryCmd(app *invocation) *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "history [--json] [--limit N]",
		Short: "Show recent lookups, newest first",
		Long: `Show recent lookups, newest first. Repeat lookups of the same vehicle,
operator and registration ID keep only the newest entry. The history keeps
history_limit entries (config, default 200); history_limit = 0 turns it off.`,
		Example: `  aopfetch history
  aopfetch history --limit 10
  aopfetch history --json | jq -r '.[] | select(.ok) | .canumber'
  aopfetch history clear`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if limit < 0 {
				return newUsageError("--limit 0 shows everything", "--limit must not be negative")
			}
			s, err := app.store()
			if err != nil {
				return err
			}
			recent := s.Data().Recent
			if limit > 0 && len(recent) > limit {
				recent = recent[:limit]
			}
			if asJSON {
				if recent == nil {
					recent = []store.Lookup{}
				}
				return writeJSON(app.stdout, recent)
			}
			cfg, err := app.config()
			if err != nil {
				return err
			}
			if cfg.HistoryLimit == 0 { // the entries shown were recorded before it was turned off
				note := "history is off (history_limit = 0): lookups are not recorded"
				if len(recent) > 0 {
					note = "history is off (history_limit = 0): these lookups are from before; `aopfetch history clear` forgets them"
				}
				fmt.Fprintln(app.stderr, note)
			}
			if len(recent) == 0 {
				fmt.Fprintln(app.stderr, "no recent lookups")
				return nil
			}
			return writeHistory(app.stdout, recent, cfg, time.Now())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the lookups as a JSON array")
	cmd.Flags().IntVar(&limit, "limit", 0, "show at most N lookups (0 = all)")
	cmd.AddCommand(&cobra.Command{
		Use:     "clear",
		Short:   "Forget all recent lookups (saved accounts are kept)",
		Example: `  aopfetch history clear`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			s, err := app.store()
			if err != nil {
				return err
			}
			if err := s.ClearHistory(); err != nil {
				return err
			}
			fmt.Fprintln(app.stdout, "history cleared")
			return nil
		},
	})
	return cmd
}

// writeHistory writes recent lookups as a table.
func writeHistory(w io.Writer, recent []store.Lookup, cfg *config.Config, now time.Time) error {
	rows := make([][]string, 0, len(recent))
	for _, l := range recent {
		outcome, name, amount, due := "ok", none, none, none
		if !l.OK {
			outcome = cell(l.ErrorKind, 0) + ": " + cell(l.ErrorMessage, noteWidth)
		}
		if l.Snapshot != nil {
			c := l.Snapshot.Consumer
			name = cell(c.ShownName(), nameWidth)
			amount = formatAmount(c.ShownAmount())
			due = formatDueDate(c.ShownDueDate(), now, 12)
		}
		rows = append(rows, []string{l.At.Local().Format("2006-01-02 15:04"), cell(l.CANumber, 0),
			operatorText(l.Operator, cfg), name, amount, due, outcome})
	}
	header := []string{"WHEN", "VEHICLE", "OPERATOR", "NAME", "AMOUNT", "DUE", "OUTCOME"}
	return writeFitTable(w, header, rows, []int{3, 6}, []int{2, 5, 0})
}
