package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
)

// defaultSandboxAddr is where `aopfetch sandbox` listens by default.
const defaultSandboxAddr = "127.0.0.1:8089"

func newSandboxCmd(app *invocation) *cobra.Command {
	var addr string
	var latency bool
	cmd := &cobra.Command{
		Use:   "sandbox [--addr HOST:PORT] [--latency]",
		Short: "Serve the built-in fake API in the foreground (until ctrl+c)",
		Long: `Serve the built-in sandbox: a fake Fetch Consumer Details API with fixed
scenarios, for curl, other tools, or another aopfetch (--base-url). It
answers like the real endpoint; the vehicle number picks the scenario.`,
		Example: `  aopfetch sandbox
  aopfetch sandbox --addr 127.0.0.1:9000 --latency
  aopfetch --base-url http://127.0.0.1:8089 fetch --operator 311 --registration-id AOP-554 DL01AA0404`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := sandbox.Options{}
			if latency {
				opts = sandbox.DefaultDemoOptions()
			}
			srv, err := sandbox.Start(addr, opts)
			if err != nil {
				return newUsageError("pick another address with --addr HOST:PORT", "cannot serve the sandbox on %s: %v", addr, err)
			}
			defer srv.Close()
			if err := writeString(app.stdout, sandboxBanner(srv.URL)); err != nil {
				return err
			}
			<-cmd.Context().Done()
			fmt.Fprintln(app.stderr, "aopfetch: sandbox stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", defaultSandboxAddr, "address to listen on (host:port; port 0 picks a free one)")
	cmd.Flags().BoolVar(&latency, "latency", false, "add 100-400 ms of random latency per request, like --demo")
	return cmd
}

// sandboxBanner is what `aopfetch sandbox` prints once it listens.
func sandboxBanner(url string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Sandbox API listening on %s\n\n", url)
	fmt.Fprintf(&b, "Try:\n  curl -s %s%s \\\n    -H 'Content-Type: application/json' \\\n    -d '{\"operator\": 311, \"canumber\": \"%s\", \"RegistrationID\": \"AOP-554\"}'\n\n",
		url, client.EndpointPath, sandbox.VehicleSuccess)
	fmt.Fprintf(&b, "or: aopfetch --base-url %s fetch --operator 311 --registration-id AOP-554 %s\n\n", url, sandbox.VehicleSuccess)
	b.WriteString("Scenarios:\n")
	rows := make([][]string, 0, len(sandbox.Scenarios()))
	for _, s := range sandbox.Scenarios() {
		v := s.Vehicle
		if v == sandbox.VehicleAny {
			v = "(any other)"
		}
		rows = append(rows, []string{"  " + v, s.Description})
	}
	_ = writeTable(&b, []string{"  VEHICLE", "WHAT HAPPENS"}, rows)
	b.WriteString("\nPress ctrl+c to stop.\n")
	return b.String()
}
