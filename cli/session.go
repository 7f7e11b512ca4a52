package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aopfetch/aopfetch/internal/serve"
)

// sessionCommands are the commands an SSH session of `aopfetch serve` may
// run without a terminal: the ones that touch nothing but the agent's own
// store and the session's stdin and stdout.
var sessionCommands = []string{"fetch", "saved", "history", "export", "import", "version", "help"}

// errNoClientInSession guards the paths a session never reaches (batch,
// the TUI): a session looks up through its fetcher only.
var errNoClientInSession = errors.New("no API client in an SSH session")

// serverFlags are the global flags a session may not set: the server
// decides them, and each names a file, an address or a mode of the server.
var serverFlags = []string{"config", "store", "base-url", "timeout", "debug", "demo"}

// RunSession runs the CLI for one exec session of `aopfetch serve` and
// returns its exit code (0/1/2/3/4/130 as locally). Commands other than
// sessionCommands, the server's own flags, and any argument that names a
// file of the server (import FILE, export -o FILE) are refused with exit 2
// before anything runs.
func RunSession(ctx context.Context, b BuildInfo, o serve.Command) int {
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) (string, bool) { return "", false }
	}
	app := newApp(b, o.Stdin, o.Stdout, o.Stderr, getenv)
	if o.Config == nil || o.Config.StorePath == "" || o.Fetcher == nil {
		writeLookupError(o.Stderr, "", errors.New("the server gave this session no store or fetcher"))
		return exitAPI
	}
	app.session = &o
	if err := checkSessionArgs(b, o.Args); err != nil {
		writeLookupError(app.stderr, "", err)
		return exitCodeFor(err)
	}
	return run(ctx, app, o.Args)
}

// checkSessionArgs refuses what a session may not run, on a command tree
// of its own (parsing the flags does not touch the one that runs).
func checkSessionArgs(b BuildInfo, args []string) error {
	root := newRootCmd(newApp(b, strings.NewReader(""), io.Discard, io.Discard, nil))
	root.InitDefaultHelpCmd()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return refusal("%s is not a command this server runs", firstWord(args))
	}
	cmd.InitDefaultHelpFlag()
	if cmd == root {
		// Only --version and --help run without a sub-command.
		root.InitDefaultVersionFlag()
		if root.ParseFlags(rest) == nil && len(root.Flags().Args()) == 0 && (root.Flags().Changed("version") || root.Flags().Changed("help")) {
			return nil
		}
		return refusal("%s is not a command this server runs", firstWord(args))
	}
	top := cmd
	for top.HasParent() && top.Parent() != root {
		top = top.Parent()
	}
	if !slices.Contains(sessionCommands, top.Name()) {
		return refusal("%s is not available over ssh: %s", top.Name(), whyRefused(top.Name()))
	}
	if cmd.Name() == "help" {
		return nil
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return newUsageError(fmt.Sprintf("run `%s --help` for the flags", cmd.CommandPath()), "%v", err)
	}
	for _, name := range serverFlags {
		if cmd.Flags().Changed(name) {
			return refusal("--%s is set by the server over ssh; the session already has its own store and settings", name)
		}
	}
	switch cmd.Name() {
	case "export":
		if f := cmd.Flags().Lookup("output"); f != nil && f.Changed && f.Value.String() != "-" {
			return refusal("over ssh, export writes to stdout: ssh HOST export > accounts.json")
		}
	case "import":
		for _, a := range cmd.Flags().Args() {
			if a != "-" {
				return refusal("over ssh, import reads stdin: ssh HOST import - < accounts.csv")
			}
		}
	}
	return nil
}

// whyRefused says why a command does not run over ssh.
func whyRefused(name string) string {
	switch name {
	case "config":
		return "the server's settings stay on the server"
	case "serve", "sandbox":
		return "it runs on the server only"
	case "batch":
		return "it reads and writes files; use fetch with several vehicles (ssh HOST fetch V1 V2 ...)"
	case "man", "completion":
		return "install aopfetch on your own machine for the man page and completions"
	}
	return "it is not one of the commands served"
}

// refusal is the usage error of a refused session command, with the list
// of what works as its hint.
func refusal(format string, args ...any) *exitError {
	return newUsageError("over ssh: "+strings.Join(sessionCommands, ", ")+
		"; connect with a terminal (ssh -t HOST) for the terminal UI", format, args...)
}

// firstWord is the first argument that is not a flag, quoted for a message.
func firstWord(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return quoteArg(a)
		}
	}
	if len(args) == 0 {
		return "nothing"
	}
	return quoteArg(args[0])
}

// commandLine is how the user runs args: "aopfetch args" here, "ssh HOST
// args" in a session of aopfetch serve.
func (a *invocation) commandLine(args string) string {
	if a.session != nil {
		return "ssh HOST " + args
	}
	return "aopfetch " + args
}
