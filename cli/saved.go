package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Widths (terminal cells) of the free-text columns of list tables.
const (
	labelWidth = 24
	nameWidth  = 24
	noteWidth  = 30
)

func newSavedCmd(app *invocation) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "saved",
		Short: "List, add, remove and rename saved accounts",
		Long: `Saved accounts are the vehicles you look up again and again. Each keeps its
operator, registration ID, a label, a note and the last result (refreshed by
every fetch of that vehicle).`,
		Example: `  aopfetch saved list
  aopfetch saved add DL12CB4685 --label "Sharma (Noida)" --note "calls on Mondays"
  aopfetch saved rename DL12CB4685 "Sharma"
  aopfetch saved rm DL12CB4685`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newSavedListCmd(app), newSavedAddCmd(app), newSavedRmCmd(app), newSavedRenameCmd(app))
	return cmd
}

func newSavedListCmd(app *invocation) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list [--json]",
		Aliases: []string{"ls"},
		Short:   "List saved accounts in their saved order",
		Example: `  aopfetch saved list
  aopfetch saved list --json | jq -r '.[].canumber'`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			s, err := app.store()
			if err != nil {
				return err
			}
			accts := s.Data().Accounts
			if asJSON {
				if accts == nil {
					accts = []store.Account{}
				}
				return writeJSON(app.stdout, accts)
			}
			if len(accts) == 0 {
				fmt.Fprintln(app.stderr, "no saved accounts yet; add one with `"+app.commandLine("saved add VEHICLE")+"`")
				return nil
			}
			cfg, err := app.config()
			if err != nil {
				return err
			}
			return writeAccounts(app.stdout, accts, cfg, time.Now())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the accounts as a JSON array")
	return cmd
}

// writeAccounts writes saved accounts as a table.
func writeAccounts(w io.Writer, accts []store.Account, cfg *config.Config, now time.Time) error {
	rows := make([][]string, 0, len(accts))
	for i, a := range accts {
		amount, due := none, none
		if a.Last != nil {
			amount = formatAmount(a.Last.Consumer.ShownAmount())
			due = formatDueDate(a.Last.Consumer.ShownDueDate(), now, 12)
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), cell(a.Label, labelWidth), cell(a.CANumber, 0),
			operatorText(a.Operator, cfg), cell(a.RegistrationID, 0), amount, due, cell(a.ID, 0), cell(a.Note, noteWidth)})
	}
	header := []string{"#", "LABEL", "VEHICLE", "OPERATOR", "REG ID", "AMOUNT", "DUE", "ID", "NOTE"}
	// On a narrow terminal: the ID, then the note, registration ID,
	// operator and due date are left out (saved rm takes the vehicle too).
	return writeFitTable(w, header, rows, []int{1, 8}, []int{7, 8, 4, 3, 6})
}

// savedAddOptions are the flags of `saved add`.
type savedAddOptions struct {
	req         requestFlags
	label, note string
}

func newSavedAddCmd(app *invocation) *cobra.Command {
	var o savedAddOptions
	cmd := &cobra.Command{
		Use:   "add VEHICLE [--label L] [--operator N] [--registration-id ID] [--note T]",
		Short: "Save a vehicle (or update the saved one with the same number)",
		Long: `Save a vehicle. The operator and registration ID default to the config's.
Adding a vehicle that is already saved updates it: the flags you pass replace
its values, the others are kept.`,
		Example: `  aopfetch saved add DL12CB4685 --label "Sharma (Noida)"
  aopfetch saved add MH01AB1234 --operator 311 --registration-id AOP-554 --note "fleet"`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSavedAdd(cmd, app, o, args[0])
		},
	}
	o.req.bind(cmd)
	cmd.Flags().StringVar(&o.label, "label", "", "a name to recognise the account by (default: none; lists show the consumer's name once fetched)")
	cmd.Flags().StringVar(&o.note, "note", "", "a free-text note")
	return cmd
}

// runSavedAdd validates and saves one account.
func runSavedAdd(cmd *cobra.Command, app *invocation, o savedAddOptions, vehicle string) error {
	cfg, err := app.config()
	if err != nil {
		return err
	}
	s, err := app.store()
	if err != nil {
		return err
	}
	acct, existed := s.Data().Account(vehicle)
	if existed && acct.ID == vehicle && acct.CANumber != vehicle {
		return newUsageError("saved add takes the vehicle number: aopfetch saved add "+cell(acct.CANumber, 0)+" "+text.Ellipsis,
			"%s is the id of the saved account %s, not a vehicle number", cell(vehicle, 0), cell(acct.CANumber, 0))
	}
	// Unset flags keep the saved values (none for a new account), not the
	// config's defaults.
	flags := cmd.Flags()
	if !flags.Changed("operator") && acct.Operator != 0 {
		o.req.operator = strconv.Itoa(acct.Operator)
	}
	if !flags.Changed("registration-id") {
		o.req.registrationID = acct.RegistrationID
	}
	if flags.Changed("label") {
		acct.Label = labelText(o.label)
	}
	if flags.Changed("note") {
		acct.Note = noteText(o.note)
	}
	op, regID, err := o.req.resolve(cfg)
	if err != nil {
		return err
	}
	reqs, err := normalizeRequests(app.stderr, "saving", cfg, op, regID, []string{vehicle})
	if err != nil {
		return err
	}
	acct.Operator, acct.CANumber, acct.RegistrationID = reqs[0].Operator, reqs[0].CANumber, reqs[0].RegistrationID
	saved, err := s.SaveAccount(acct)
	if err != nil {
		return err
	}
	clearLabel := existed && flags.Changed("label") && labelText(o.label) == ""
	clearNote := existed && flags.Changed("note") && noteText(o.note) == ""
	if clearLabel || clearNote {
		if saved, err = clearFields(s, saved.CANumber, clearLabel, clearNote); err != nil {
			return err
		}
	}
	verb := "saved"
	if existed {
		verb = "updated"
	}
	app.confirm("%s %s (%s)", verb, cell(saved.CANumber, 0), cell(saved.Label, 0))
	return nil
}

// labelText is a label as typed, minus escape sequences, control
// characters and surrounding spaces.
func labelText(s string) string { return strings.TrimSpace(text.Sanitize(s)) }

// noteText is a note as typed, minus escape sequences and control
// characters other than line breaks.
func noteText(s string) string { return strings.TrimSpace(text.SanitizeText(s)) }

// clearFields empties the label and/or the note of the saved account with
// vehicle v (SaveAccount keeps a saved value when given an empty one) and
// returns the account.
func clearFields(s *store.Store, v string, label, note bool) (store.Account, error) {
	d, err := s.Update(func(d *store.Data) error {
		for i := range d.Accounts {
			if a := &d.Accounts[i]; a.CANumber == v {
				if label {
					a.Label = ""
				}
				if note {
					a.Note = ""
				}
			}
		}
		return nil
	})
	a, _ := d.Account(v)
	return a, err
}

// mustFindAccount opens the store and finds the account with id or vehicle
// number idOrVehicle, with a usage error when there is none.
func mustFindAccount(app *invocation, idOrVehicle string) (*store.Store, store.Account, error) {
	s, err := app.store()
	if err != nil {
		return nil, store.Account{}, err
	}
	a, ok := s.Data().Account(idOrVehicle)
	if !ok {
		return nil, a, newUsageError("run `aopfetch saved list` to see the saved accounts", "no saved account %s", quoteArg(idOrVehicle))
	}
	return s, a, nil
}

func newSavedRmCmd(app *invocation) *cobra.Command {
	return &cobra.Command{
		Use:     "rm VEHICLE|ID",
		Aliases: []string{"remove", "delete"},
		Short:   "Remove a saved account",
		Example: `  aopfetch saved rm DL12CB4685`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			s, a, err := mustFindAccount(app, args[0])
			if err != nil {
				return err
			}
			if err := s.RemoveAccount(a.ID); err != nil {
				return err
			}
			app.confirm("removed %s (%s)", cell(a.CANumber, 0), cell(a.Label, 0))
			return nil
		},
	}
}

func newSavedRenameCmd(app *invocation) *cobra.Command {
	return &cobra.Command{
		Use:     "rename VEHICLE|ID NEW_LABEL",
		Short:   "Change the label of a saved account",
		Example: `  aopfetch saved rename DL12CB4685 "Sharma (Noida)"`,
		Args:    usageArgs(cobra.ExactArgs(2)),
		RunE: func(_ *cobra.Command, args []string) error {
			s, a, err := mustFindAccount(app, args[0])
			if err != nil {
				return err
			}
			label := labelText(args[1])
			if label == "" {
				return newUsageError("give a label, e.g. \"Sharma (Noida)\"", "the new label is empty")
			}
			if a, err = s.RenameAccount(a.ID, label); err != nil {
				return err
			}
			app.confirm("renamed %s to %s", cell(a.CANumber, 0), cell(a.Label, 0))
			return nil
		},
	}
}

// confirm writes one line saying what a command did to stdout, in its
// glyphs (ASCII stand-ins when the locale is not UTF-8), as the tables
// are. The arguments must already be safe for a terminal (see cell).
func (a *invocation) confirm(format string, args ...any) {
	fmt.Fprintln(a.stdout, glyphsOf(a.stdout).Text(fmt.Sprintf(format, args...)))
}

// writeJSON writes v as JSON indented only so deep (text.IndentJSON: a
// server's raw answer nested thousands deep in fetch --json must not become
// hundreds of megabytes of indentation; JSON too deep even for that is
// written on one line), escaped by text.SafeJSON.
func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if ib, err := text.IndentJSON(b); err == nil {
		b = ib
	} else {
		b = append(b, '\n')
	}
	_, err = w.Write(text.SafeJSON(b))
	return err
}
