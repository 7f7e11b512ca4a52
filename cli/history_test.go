package cli

import (
	"strings"
	"testing"

	"github.com/aopfetch/aopfetch/store"
)

// TestHistorySaysWhenItIsOff: with history_limit = 0 an empty history is
// explained, not just reported empty.
func TestHistorySaysWhenItIsOff(t *testing.T) {
	e := newCLIEnv(t, "history_limit = 0\n")
	if r := e.run(t, "", "history"); r.code != 0 || !strings.Contains(r.stderr, "history is off") {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
	if r := e.run(t, "", "history", "--json"); r.code != 0 || r.stderr != "" || strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("--json: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	s, err := store.Open(e.store, store.Options{HistoryLimit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordLookups(store.Lookup{Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554"}); err != nil {
		t.Fatal(err)
	}
	if r := e.run(t, "", "history"); r.code != 0 || !strings.Contains(r.stderr, "history clear") || !strings.Contains(r.stdout, "DL12CB4685") {
		t.Fatalf("stale history: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}
