package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aopfetch/aopfetch/client"
)

// TestQAStoreWithBOMIsRead: a store saved by an editor that adds a UTF-8
// byte order mark (Windows Notepad) holds valid JSON; it must be read, not
// moved aside as corrupt.
func TestQAStoreWithBOMIsRead(t *testing.T) {
	src := openAt(t, testPath(t))
	mustSave(t, src, Account{CANumber: "DL12CB4685", Label: "Van"})
	raw, err := os.ReadFile(src.Path())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "store.json")
	if err := os.WriteFile(path, append([]byte("\uFEFF"), raw...), 0o600); err != nil {
		t.Fatal(err)
	}
	if !IsStoreFile(path) { // so that no -o replaces it
		t.Fatal("a store with a BOM is not recognised by IsStoreFile")
	}
	s := openAt(t, path)
	if n := s.Notices(); len(n) != 0 {
		t.Fatalf("notices %q", n)
	}
	if d := s.Data(); len(d.Accounts) != 1 || d.Accounts[0].Label != "Van" {
		t.Fatalf("accounts %+v", d.Accounts)
	}
}

// TestQADanglingSymlinkStoreIsWrittenThrough: a store path that is a
// symlink to a file not created yet (the agent points store.json at another
// disk before the first run) must be written through, keeping the link, as
// an existing target is.
func TestQADanglingSymlinkStoreIsWrittenThrough(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "disk2", "store.json")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "store.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	mustSave(t, openAt(t, link), Account{CANumber: "DL12CB4685"})
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if raw, err := os.ReadFile(target); err != nil || !strings.Contains(string(raw), "DL12CB4685") {
		t.Fatalf("target not written: %v", err)
	}
}

// TestQAJSONImportRefusesTrailingText: two exports joined with cat, or an
// export followed by junk, must not import only the first part silently.
func TestQAJSONImportRefusesTrailingText(t *testing.T) {
	for in, want := range map[string]string{
		"[{\"canumber\": \"DL12CB4685\"}]\ngarbage":                            "line 2",
		"{\"accounts\": [{\"canumber\": \"DL12CB4685\"}]}\n{\"accounts\": []}": "line 2",
		"[] []": "after",
		`{"accounts": [{"canumber": "DL12CB4685"}], "accounts": []}`: "twice",
	} {
		if accts, _, err := ParseImport(strings.NewReader(in), "json"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseImport(%q) = %d accounts, %v; want an error containing %q", in, len(accts), err, want)
		}
	}
	for _, in := range []string{"[]\n\n", "{\"accounts\": []} \r\n"} {
		if _, _, err := ParseImport(strings.NewReader(in), "json"); err != nil {
			t.Errorf("ParseImport(%q): %v", in, err)
		}
	}
}

// TestQAJSONRowErrorsNameTheAccount: on a one-line JSON file every row is on
// line 1, so the error also says which account of the array it is.
func TestQAJSONRowErrorsNameTheAccount(t *testing.T) {
	in := `[{"canumber":"DL12CB4685"},{"canumber":"X#"},` + "\n" + `{"canumber":"KA01A1234"}, {"canumber":""}]`
	_, errs, err := ParseImport(strings.NewReader(in), "json")
	if err != nil || len(errs) != 2 {
		t.Fatalf("%v %v", errs, err)
	}
	if got := errs[0].Error(); !strings.HasPrefix(got, "line 1 (account 2): ") {
		t.Errorf("error %q", got)
	}
	if got := errs[1].Error(); !strings.HasPrefix(got, "line 2 (account 4): ") {
		t.Errorf("error %q", got)
	}
}

// TestQACSVExportDefusesEveryTextCell: a registration ID is free text too; a
// spreadsheet must not run it as a formula, and import restores it.
func TestQACSVExportDefusesEveryTextCell(t *testing.T) {
	d := Data{Accounts: []Account{{CANumber: "DL12CB4685", Operator: 311, RegistrationID: `=HYPERLINK("http://x","y")`, Label: "+1", Note: "@SUM(A1)"}}}
	var out bytes.Buffer
	if err := Export(&out, "csv", d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), ",=") || strings.Contains(out.String(), ",\"=") {
		t.Fatalf("formula left in the export:\n%s", out.String())
	}
	accts, errs, err := ParseImport(&out, "csv")
	if err != nil || len(errs) != 0 || len(accts) != 1 {
		t.Fatalf("%v %v", errs, err)
	}
	if a := accts[0]; a.RegistrationID != d.Accounts[0].RegistrationID || a.Label != "+1" || a.Note != "@SUM(A1)" {
		t.Fatalf("round trip %+v", a)
	}
}

// TestQACSVExportHasNoTerminalEscapes: `aopfetch export --format csv` goes
// to a terminal as often as to a file; a label holding escape sequences or
// bidi controls must not reach it raw. Line breaks and tabs of notes stay.
func TestQACSVExportHasNoTerminalEscapes(t *testing.T) {
	d := Data{Accounts: []Account{{CANumber: "DL12CB4685", Label: "\x1b]0;pwned\a\x1b[31mRed\u202e", Note: "a\nb\tc\u009b2J"}}}
	var out bytes.Buffer
	if err := Export(&out, "csv", d); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if strings.ContainsAny(s, "\x1b\a\u202e\u009b") {
		t.Fatalf("raw control characters in %q", s)
	}
	if !strings.Contains(s, "Red") || !strings.Contains(s, "\"a\nb\tc2J\"") {
		t.Fatalf("text lost: %q", s)
	}
}

// TestQAImportRowsCarryLinesAndResolveOperatorNames: the operator column may
// hold a configured operator's name, as batch files and --operator do.
func TestQAImportRowsCarryLinesAndResolveOperatorNames(t *testing.T) {
	names := func(s string) (int, error) {
		if strings.EqualFold(s, "FASTag ICICI") {
			return 311, nil
		}
		return client.ParseOperator(s)
	}
	in := "canumber,operator\nDL12CB4685,fastag icici\n\nKA01A1234,312\nMH12AB1234,nope\n"
	rows, errs, err := ParseImportRows(strings.NewReader(in), "csv", ImportOptions{Operator: names})
	if err != nil || len(errs) != 1 || errs[0].Line != 5 {
		t.Fatalf("%v %v", errs, err)
	}
	want := []ImportRow{{Line: 2, Account: Account{CANumber: "DL12CB4685", Operator: 311}}, {Line: 4, Account: Account{CANumber: "KA01A1234", Operator: 312}}}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows %+v, want %+v", rows, want)
	}
}

// TestQAImportIntoABigStore merges many rows into many accounts (the path
// that used to scan the whole list once per row) and checks the result.
func TestQAImportIntoABigStore(t *testing.T) {
	s := openAt(t, testPath(t))
	var first []Account
	for i := range 300 {
		first = append(first, Account{CANumber: fmt.Sprintf("KA01A%04d", i), Label: "old", ID: fmt.Sprintf("id%d", i)})
	}
	if rep, err := s.Import(first); err != nil || rep != (ImportReport{Added: 300}) {
		t.Fatalf("%+v %v", rep, err)
	}
	next := []Account{
		{CANumber: "KA01A0007", Label: "new"},    // updated
		{CANumber: "KA01A0008", Label: "old"},    // skipped
		{CANumber: "MH12AB0001", ID: "id5"},      // added; id taken
		{CANumber: "MH12AB0001", Note: "second"}, // updated (same file)
		{CANumber: "MH12AB0002", ID: "fresh"},    // added with its id
		{CANumber: "MH12AB0003", ID: "fresh"},    // added; id taken by the row above
	}
	rep, err := s.Import(next)
	if err != nil || rep != (ImportReport{Added: 3, Updated: 2, Skipped: 1}) {
		t.Fatalf("%+v %v", rep, err)
	}
	d := s.Data()
	ids := map[string]bool{}
	for i, a := range d.Accounts {
		if a.Position != i || ids[a.ID] {
			t.Fatalf("account %d: %+v", i, a)
		}
		ids[a.ID] = true
	}
	if len(d.Accounts) != 303 || d.Accounts[7].Label != "new" || d.Accounts[300].Note != "second" ||
		d.Accounts[300].ID == "id5" || d.Accounts[301].ID != "fresh" || d.Accounts[302].ID == "fresh" || d.Accounts[300].CreatedAt != t0 {
		t.Fatalf("accounts %+v", d.Accounts[300:])
	}
}

// BenchmarkQAImportJSON parses and imports a 5,000-account JSON export
// into a store holding the same accounts (every row a merge).
func BenchmarkQAImportJSON(b *testing.B) {
	var d Data
	for i := range 5000 {
		d.Accounts = append(d.Accounts, Account{CANumber: fmt.Sprintf("KA01A%04d", i), Label: strings.Repeat("x", 40), Position: i})
	}
	var buf bytes.Buffer
	if err := Export(&buf, "json", d); err != nil {
		b.Fatal(err)
	}
	s, err := Open(filepath.Join(b.TempDir(), "store.json"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	accts, _, _ := ParseImport(bytes.NewReader(buf.Bytes()), "json")
	if _, err := s.Import(accts); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		accts, _, err := ParseImport(bytes.NewReader(buf.Bytes()), "json")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Import(accts); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzQAParseImport: no input makes the import parsers panic, every row
// error has a line, and every valid row holds a normalised vehicle.
func FuzzQAParseImport(f *testing.F) {
	f.Add("label,operator,canumber\nx,311,DL12CB4685\n", true)
	f.Add("canumber\n\"a\nb\",\n", true)
	f.Add(`{"version":1,"accounts":[{"canumber":"DL12CB4685"}]} x`, false)
	f.Add(`[{"canumber":"KA01A1234","last":{"fetched_at":"x"}}, 7, null]`, false)
	f.Fuzz(func(t *testing.T, in string, csv bool) {
		format := "json"
		if csv {
			format = "csv"
		}
		rows, errs, err := ParseImportRows(strings.NewReader(in), format, ImportOptions{})
		if err != nil && (rows != nil || errs != nil) {
			t.Fatalf("rows and an error: %v", err)
		}
		for _, e := range errs {
			if e.Line < 1 {
				t.Fatalf("row error without a line: %+v", e)
			}
		}
		for _, r := range rows {
			if v, _, verr := client.NormalizeVehicle(r.Account.CANumber); verr != nil || v != r.Account.CANumber || r.Line < 1 {
				t.Fatalf("row %+v", r)
			}
		}
	})
}

// TestQAImportedIDsArePlain: an id from a hand-edited or foreign JSON file
// that holds escapes, spaces or kilobytes is replaced by a fresh one; ids of
// our own exports and other plain ones are kept.
func TestQAImportedIDsArePlain(t *testing.T) {
	in := `[{"canumber":"DL12CB4685","id":"0123456789abcdef"},{"canumber":"KA01A1234","id":"old-ID_7"},` +
		`{"canumber":"MH12AB1234","id":"\u001b[2J"},{"canumber":"MH12AB1235","id":"a b"},{"canumber":"MH12AB1236","id":"` + strings.Repeat("x", 65) + `"}]`
	accts, errs, err := ParseImport(strings.NewReader(in), "json")
	if err != nil || len(errs) != 0 || len(accts) != 5 {
		t.Fatalf("%v %v", errs, err)
	}
	ids := pluck(accts, func(a Account) string { return a.ID })
	if want := []string{"0123456789abcdef", "old-ID_7", "", "", ""}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids %q, want %q", ids, want)
	}
}

// TestQACSVTrailingEmptyColumn: a spreadsheet's trailing comma leaves an
// unnamed column; it is accepted while empty, and a value in it is a row
// error rather than silently dropped.
func TestQACSVTrailingEmptyColumn(t *testing.T) {
	in := "label,operator,canumber,registration_id,note,\r\nVan,311,DL12CB4685,AOP-554,n,\r\nX,311,KA01A1234,,,lost?\r\n"
	accts, errs, err := ParseImport(strings.NewReader(in), "csv")
	if err != nil || len(accts) != 1 || accts[0].Label != "Van" {
		t.Fatalf("%+v %v %v", accts, errs, err)
	}
	if len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Message, "column 6") {
		t.Fatalf("errors %v", errs)
	}
}

// TestQACSVOtherSeparators: a spreadsheet saving "CSV" with semicolons (or
// a TSV) is told what is wrong, not that the whole header is one column.
func TestQACSVOtherSeparators(t *testing.T) {
	for in, want := range map[string]string{
		"label;operator;canumber\nx;311;DL12CB4685\n": `separated by ';'`,
		"label\tcanumber\nx\tDL12CB4685\n":            `separated by '\t'`,
	} {
		if _, _, err := ParseImport(strings.NewReader(in), "csv"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseImport(%q): %v, want %q", in, err, want)
		}
	}
}

// TestQANotAStoreIsNotMovedAside: --store naming a file that is plainly not
// a store (a CSV meant for import, config.toml) must be refused, not renamed
// to .corrupt-… by a mere `saved list` (the config then disappears).
func TestQANotAStoreIsNotMovedAside(t *testing.T) {
	for _, text := range []string{"label,canumber\nx,DL12CB4685\n", "operator = 311\n"} {
		path := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(path, Options{}); err == nil {
			t.Errorf("Open(%q) accepted it", text)
		}
		if raw, err := os.ReadFile(path); err != nil || string(raw) != text {
			t.Errorf("the file was moved or changed: %v", err)
		}
	}
}

// TestQAIsStoreFile: stores, copies of stores and moved-aside stores are
// recognised; exports, other files, pipes and missing files are not.
func TestQAIsStoreFile(t *testing.T) {
	s := openAt(t, testPath(t))
	mustSave(t, s, Account{CANumber: "DL12CB4685"})
	dir := t.TempDir()
	files := map[string]string{
		"export.json":                         `{"version": 1, "accounts": [{"canumber": "DL12CB4685"}]}`,
		"other.json":                          `[1, 2]`,
		"store.json.corrupt-20261126T130620Z": `{"version": 1, "accou`,
		"notes.txt":                           "recent",
		"copy.json":                           `{"version": 1, "accounts": [], "recent": []}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]bool{
		s.Path(): true, filepath.Join(dir, "copy.json"): true, filepath.Join(dir, "store.json.corrupt-20261126T130620Z"): true,
		filepath.Join(dir, "export.json"): false, filepath.Join(dir, "other.json"): false, filepath.Join(dir, "notes.txt"): false,
		filepath.Join(dir, "missing.json"): false, dir: false,
	} {
		if got := IsStoreFile(path); got != want {
			t.Errorf("IsStoreFile(%s) = %v, want %v", filepath.Base(path), got, want)
		}
	}
}

// TestForeignFileErrorQuotesNothing: the refusal of a file that is not a
// store never shows its content (a config file may start with a secret).
func TestForeignFileErrorQuotesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("auth.jwt_secret = \"s3cr3t-abc\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open = %v", err)
	}
}
