// Command aopfetch is a terminal client for AOPay's FASTag Fetch Consumer
// Details API.
package main

import (
	"os"

	"github.com/aopfetch/aopfetch/cli"
)

// Set by the release build with -ldflags "-X main.version=...".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(cli.Execute(cli.BuildInfo{Version: version, Commit: commit, Date: date}))
}
