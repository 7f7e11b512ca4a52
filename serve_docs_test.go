package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeInManAndCompletions: the man pages and shell completions,
// generated from the command tree, cover serve and its flags.
func TestServeInManAndCompletions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dir := filepath.Join(e.dir, "man")
	e.mustRun(0, "", "man", "-d", dir)
	page, err := os.ReadFile(filepath.Join(dir, "aopfetch-serve.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--authorized-keys", "--host-key", "--data-dir", "--audit-log", "--listen", "--idle-timeout", "audit log"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("aopfetch-serve.1 lacks %q", want)
		}
	}
	if root, _ := os.ReadFile(filepath.Join(dir, "aopfetch.1")); !strings.Contains(string(root), "aopfetch-serve(1)") {
		t.Errorf("aopfetch.1 does not point at aopfetch-serve(1)")
	}
	// The completion scripts ask the binary (cobra's __complete) for the
	// commands and flags.
	if r := e.mustRun(0, "", "__complete", "se"); !strings.Contains(r.stdout, "serve\t") {
		t.Errorf("completing se lacks serve:\n%s", r.stdout)
	}
	r := e.mustRun(0, "", "__complete", "serve", "--")
	for _, want := range []string{"--authorized-keys", "--audit-log", "--max-sessions"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("completing serve's flags lacks %s:\n%s", want, r.stdout)
		}
	}
}
