// Package ui is the Bubble Tea program of aopfetch: one root model routing
// between views. It reaches the network and the disk only through tea.Cmd.
package ui

// CONTRACT STUBS: the ui helper replaces these and deletes this file.

import (
	"context"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

// Fetcher performs lookups (*client.Client satisfies it).
type Fetcher interface {
	Fetch(ctx context.Context, r client.Request) (*client.Result, error)
}

// Options wires the program.
type Options struct {
	Fetcher Fetcher
	Config  *store.Config
	Store   *store.Store // nil when the store could not be opened
	Notices []string     // store/config notices to show as a banner
	Demo    bool         // show the DEMO badge
	Vehicle string       // `aopfetch VEHICLE`: open straight on this vehicle's result
	Debug   bool         // tea.LogToFile under $XDG_STATE_HOME/aopfetch/
	Version string
}

// Run runs the TUI until the user quits; it restores the terminal on exit
// and on panic.
func Run(ctx context.Context, o Options) error { panic("stub") }
