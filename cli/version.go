package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func newVersionCmd(app *invocation) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version, commit and build date",
		Example: `  aopfetch version`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(app.stdout, "aopfetch %s\n", app.info.text())
			return err
		},
	}
}

func newManCmd(app *invocation) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "man [-d DIR]",
		Short: "Write the man page to stdout, or one page per command to DIR",
		Long: `Write the aopfetch(1) man page to stdout, or with -d one page per command
(aopfetch.1, aopfetch-fetch.1, ...) into DIR, which is created if needed.`,
		Example: `  aopfetch man | man -l -
  aopfetch man -d ./manpages`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := cmd.Root()
			root.DisableAutoGenTag = true
			if dir == "" {
				return doc.GenMan(root, manHeader(app), app.stdout)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			return doc.GenManTree(root, manHeader(app), dir)
		},
	}
	cmd.Flags().StringVarP(&dir, "dir", "d", "", "write one page per command into this directory")
	return cmd
}

// manHeader is the man pages' header. The date is the build date when it
// parses (reproducible release builds), else today.
func manHeader(app *invocation) *doc.GenManHeader {
	h := &doc.GenManHeader{Title: "AOPFETCH", Section: "1", Source: "aopfetch " + app.info.Version, Manual: "aopfetch manual"}
	if t, err := time.Parse(time.RFC3339, app.info.Date); err == nil {
		h.Date = &t
	}
	return h
}
