// Command aopfetch is a terminal client for AOPay's FASTag Fetch Consumer
// Details API.
package main

import (
	"os"
	"runtime/debug"

	"github.com/aopfetch/aopfetch/cli"
)

// Set by the release build with -ldflags "-X main.version=...".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(cli.Execute(buildInfo()))
}

// buildInfo is the release build's stamp, or for `go install` and `go build`
// binaries what Go recorded: the module version and the VCS revision and time.
func buildInfo() cli.BuildInfo {
	b := cli.BuildInfo{Version: version, Commit: commit, Date: date}
	info, ok := debug.ReadBuildInfo()
	if version != "dev" || !ok {
		return b
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		b.Version = v
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Date = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				b.Commit += "-dirty"
			}
		}
	}
	return b
}
