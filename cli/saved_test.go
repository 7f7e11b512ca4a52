package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aopfetch/aopfetch/client/sandbox"
	"github.com/aopfetch/aopfetch/store"
)

// TestSavedAddEmptyFlagClears: "the flags you pass replace its values",
// so --note "" clears the note (and --label "" the label).
func TestSavedAddEmptyFlagClears(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--label", "L", "--note", "N"); r.code != 0 {
		t.Fatalf("add: exit %d %s", r.code, r.stderr)
	}
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--note", ""); r.code != 0 {
		t.Fatalf("update: exit %d %s", r.code, r.stderr)
	}
	d := mustStore(t, e).Data()
	if len(d.Accounts) != 1 || d.Accounts[0].Note != "" || d.Accounts[0].Label != "L" {
		t.Fatalf("accounts %+v", d.Accounts)
	}
}

// TestSavedAddTakesAVehicleNotAnID: `saved add` of an account's id (copied
// from `saved list`) must not update "it" under the id as a vehicle number,
// cloning its label into a bogus second account.
func TestSavedAddTakesAVehicleNotAnID(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--label", "Sharma"); r.code != 0 {
		t.Fatalf("add: exit %d %s", r.code, r.stderr)
	}
	id := mustStore(t, e).Data().Accounts[0].ID
	r := e.run(t, "", "saved", "add", id, "--note", "x")
	d := mustStore(t, e).Data()
	for _, a := range d.Accounts[1:] {
		if a.Label == "Sharma" {
			t.Fatalf("saved add ID cloned the account: exit %d %s%s %+v", r.code, r.stdout, r.stderr, d.Accounts)
		}
	}
	if strings.Contains(r.stdout, "updated") {
		t.Fatalf("saved add ID said %q", r.stdout)
	}
}

// TestSavedLabelsAreTextOnly: a label or note typed with escape sequences or
// control characters is stored as the text it shows; a label that is
// nothing but such characters is an empty label.
func TestSavedLabelsAreTextOnly(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	if r := e.run(t, "", "saved", "add", "DL12CB4685", "--label", " \x1b[31mRed\x1b[0m\u202e ", "--note", "a\nb\x1b]0;t\a"); r.code != 0 {
		t.Fatalf("add: exit %d %s", r.code, r.stderr)
	}
	if a := mustStore(t, e).Data().Accounts[0]; a.Label != "Red" || a.Note != "a\nb" {
		t.Fatalf("stored %q %q", a.Label, a.Note)
	}
	r := e.run(t, "", "saved", "rename", "DL12CB4685", "\x1b]0;title\a")
	if r.code != exitUsage || !strings.Contains(r.stderr, "empty") {
		t.Fatalf("rename to escapes only: exit %d %s", r.code, r.stderr)
	}
}

// TestJSONOutputEscapesTerminalControls: labels are the user's but may
// hold anything (an import, another tool); --json output and the JSON export
// keep the values yet must not emit raw bidi or C1 controls to a terminal.
func TestJSONOutputEscapesTerminalControls(t *testing.T) {
	e := newCLIEnv(t, namedOperatorConfig)
	label := "evil\u202egnp.exe\u009b2J\u2066x"
	in := `[{"canumber": "DL12CB4685", "label": "evil\u202egnp.exe\u009b2J\u2066x"}]`
	if r := e.run(t, in, "import", "-"); r.code != 0 {
		t.Fatalf("import: exit %d %s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"saved", "list", "--json"}, {"export"}} {
		r := e.run(t, "", args...)
		if r.code != 0 || strings.ContainsAny(r.stdout, "\u202e\u009b\u2066") || !strings.Contains(r.stdout, `\u202e`) {
			t.Errorf("%v: exit %d %q", args, r.code, r.stdout)
		}
	}
	r := e.run(t, "", "saved", "list", "--json")
	var accts []store.Account
	if err := json.Unmarshal([]byte(r.stdout), &accts); err != nil || len(accts) != 1 || accts[0].Label != label {
		t.Fatalf("the label changed: %v %+v", err, accts)
	}
}

// TestTablesUnderCLocaleAreASCII: with LANG=C the saved list and a lookup's
// detail block print ASCII only ("Rs", "?", "..."), the columns still
// aligned; --json keeps the UTF-8 text.
func TestTablesUnderCLocaleAreASCII(t *testing.T) {
	e := newCLIEnv(t, "registration_id = \"AOP-554\"\noperator = 311\n")
	if r := e.run(t, "", "--demo", "saved", "add", sandbox.VehicleSuccess, "--label", "नितेश डिपो"); r.code != 0 {
		t.Fatalf("saved add: %d %s", r.code, r.stderr)
	}
	if r := e.run(t, "", "--demo", "fetch", sandbox.VehicleSuccess); r.code != 0 {
		t.Fatalf("fetch: %d %s", r.code, r.stderr)
	}
	e.env["LANG"] = "C"
	for _, args := range [][]string{{"--demo", "saved", "list"}, {"--demo", "fetch", sandbox.VehicleSuccess}, {"--demo", "history"}} {
		r := e.run(t, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
		mustBeASCII(t, strings.Join(append(args, "(stdout)"), " "), r.stdout)
		if !strings.Contains(r.stdout, "Rs 1,000.00") {
			t.Errorf("%v: no Rs amount:\n%s", args, r.stdout)
		}
	}
	list := e.run(t, "", "--demo", "saved", "list").stdout
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if col := strings.Index(lines[0], "VEHICLE"); col < 0 || strings.Index(lines[1], sandbox.VehicleSuccess) != col {
		t.Errorf("columns not aligned under LANG=C:\n%s", list)
	}
	if !strings.Contains(list, "????? ????") {
		t.Errorf("label not shown as ?:\n%s", list)
	}
	if js := e.run(t, "", "--demo", "saved", "list", "--json").stdout; !strings.Contains(js, "नितेश डिपो") {
		t.Errorf("--json lost the UTF-8 label: %s", js)
	}
}

// TestStderrUnderCLocaleIsASCII: with LANG=C what aopfetch itself writes
// to stderr is ASCII too: the DEMO line ("DEMO - data ...") and the
// "... and N more" after the first invalid batch rows.
func TestStderrUnderCLocaleIsASCII(t *testing.T) {
	e := newCLIEnv(t, "")
	e.env["LANG"] = "C"
	input := filepath.Join(e.dir, "list.txt")
	if err := os.WriteFile(input, []byte(strings.Repeat("bad!\n", 25)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--demo", "fetch", "--no-history", sandbox.VehicleSuccess}, {"--demo", "batch", input}} {
		r := e.run(t, "", args...)
		if !strings.HasPrefix(r.stderr, "DEMO - data from the built-in sandbox, not AOPay\n") {
			t.Errorf("%v: stderr does not start with the ASCII DEMO line:\n%s", args, r.stderr)
		}
		mustBeASCII(t, strings.Join(append(args, "(stderr)"), " "), r.stderr)
	}
}

// Under a locale that is not UTF-8, saved add's confirmation shows a
// label in ASCII stand-ins, as the tables do.
func TestSavedAddUnderCLocaleIsASCII(t *testing.T) {
	e := newCLIEnv(t, "")
	e.env["LANG"] = "C"
	r := e.run(t, "", "--demo", "saved", "add", "--label", "Trück — नया", sandbox.VehicleSuccess)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "saved "+sandbox.VehicleSuccess+" (") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	mustBeASCII(t, "stdout", r.stdout)
}

// Under a locale that is not UTF-8, saved rename's and saved rm's
// confirmations show the label in ASCII stand-ins too, as saved add's does.
func TestSavedRenameAndRmUnderCLocaleAreASCII(t *testing.T) {
	e := newCLIEnv(t, "")
	if r := e.run(t, "", "--demo", "saved", "add", sandbox.VehicleSuccess); r.code != 0 {
		t.Fatalf("saved add: %d %s", r.code, r.stderr)
	}
	e.env["LANG"] = "C"
	for _, args := range [][]string{
		{"--demo", "saved", "rename", sandbox.VehicleSuccess, "Trück — नया"},
		{"--demo", "saved", "rm", sandbox.VehicleSuccess},
	} {
		r := e.run(t, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "(Tr?ck - ???)") && !strings.Contains(r.stdout, "to Tr?ck - ???") {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
		mustBeASCII(t, strings.Join(append(args, "(stdout)"), " "), r.stdout)
	}
}

// Everything on stderr is in the locale's glyphs, whichever command wrote
// it: here an import's row error quoting a cell in Devanagari.
func TestStderrOfAnyCommandUnderCLocaleIsASCII(t *testing.T) {
	e := newCLIEnv(t, "")
	e.env["LANG"] = "C"
	input := filepath.Join(e.dir, "rows.csv")
	if err := os.WriteFile(input, []byte("label,canumber\nट्रक,दिल्ली12\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "", "--demo", "import", input)
	if r.code == 0 || !strings.Contains(r.stderr, "line 2") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	mustBeASCII(t, "stderr", r.stderr)
}

// mustBeASCII fails t when out (what's output) holds a byte that is not
// ASCII, as nothing may under LANG=C.
func mustBeASCII(t *testing.T, what, out string) {
	t.Helper()
	for i, b := range []byte(out) {
		if b >= 0x80 {
			t.Fatalf("%s: byte %#x at %d under LANG=C:\n%s", what, b, i, out)
		}
	}
}
