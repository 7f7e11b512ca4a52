package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// rowLines returns the line numbers of errs.
func rowLines(errs []RowError) []int {
	return pluck(errs, func(e RowError) int { return e.Line })
}

func TestParseImportGoodCSV(t *testing.T) {
	in := "\uFEFFlabel, Operator ,canumber,registration_id,note\n" +
		"Van,311,dl 12 cb 4685, AOP-554 ,\"night, shift\"\n" +
		",,ka-01-a-1234,,\"two\nlines\"\n" +
		",,,,\n" + // a spreadsheet's empty row
		"\n" +
		"Truck,0,MH12AB1234,,\n"
	accts, errs, err := parseImport(strings.NewReader(in), "CSV")
	if err != nil || len(errs) != 0 {
		t.Fatalf("ParseImport: %v %v", errs, err)
	}
	want := []Account{
		{Label: "Van", Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554", Note: "night, shift"},
		{CANumber: "KA01A1234", Note: "two\nlines"},
		{Label: "Truck", CANumber: "MH12AB1234"},
	}
	if !reflect.DeepEqual(accts, want) {
		t.Fatalf("accounts:\n got %+v\nwant %+v", accts, want)
	}
	// Columns in any order, optional ones left out.
	accts, errs, err = parseImport(strings.NewReader("canumber,label\nDL12CB4685,x\n"), "csv")
	if err != nil || len(errs) != 0 || len(accts) != 1 || accts[0].Label != "x" {
		t.Fatalf("reordered columns: %+v %v %v", accts, errs, err)
	}
}

func TestParseImportBadCSVRowsHaveLineNumbers(t *testing.T) {
	in := "label,operator,canumber,registration_id,note\n" + // 1
		"ok,311,DL12CB4685,,\n" + // 2
		"bad vehicle,,DL-12-CB-46#5,,\n" + // 3
		"multi,,KA01A1234,,\"a\nb\nc\"\n" + // 4-6
		"bad op,abc,MH12AB1234,,\n" + // 7
		"neg op,-5,MH12AB1235,,\n" + // 8
		"short,1,MH12AB1236\n" + // 9
		"regid,,MH12AB1237," + strings.Repeat("x", 65) + ",\n" + // 10
		"empty vehicle,,  ,,\n" + // 11
		"bad \"quote,,MH12AB1238,,\n" + // 12
		"last,,MH12AB1239,,\n" // 13
	accts, errs, err := parseImport(strings.NewReader(in), "csv")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowLines(errs), []int{3, 7, 8, 9, 10, 11, 12}; !reflect.DeepEqual(got, want) {
		t.Fatalf("error lines %v, want %v: %v", got, want, errs)
	}
	if len(accts) != 3 || accts[2].CANumber != "MH12AB1239" {
		t.Fatalf("valid rows: %+v", accts)
	}
	for _, e := range errs {
		if e.Message == "" || !strings.HasPrefix(e.Error(), "line ") || strings.Contains(e.Message, "\n") {
			t.Errorf("row error %q", e.Error())
		}
	}
	if !strings.Contains(errs[0].Message, "letters and digits") || !strings.Contains(errs[3].Message, "3 fields") {
		t.Errorf("messages: %v", errs)
	}
}

func TestParseImportCSVHeaderErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  "empty",
		"label,vehicle\nx,DL12CB4685\n":     `unknown column "vehicle"`,
		"label,note\nx,y\n":                 "no canumber column",
		"canumber,canumber\nA,B\n":          "twice",
		"label,\"canumber\nDL12CB4685\n":    "CSV header",
		"label,operator,canumber\r\n\r\n":   "",
		"canumber\r\nDL12CB4685\r\n":        "",
		"label,operator,canumber,note\n,,,": "",
	} {
		accts, _, err := parseImport(strings.NewReader(in), "csv")
		if want == "" {
			if err != nil {
				t.Errorf("parseImport(%q): %v", in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseImport(%q) = %v, %v; want an error containing %q", in, accts, err, want)
		}
	}
	if _, _, err := parseImport(strings.NewReader("x"), "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestParseImportJSON(t *testing.T) {
	obj := `{
  "version": 1,
  "comment": {"ignored": [1, 2]},
  "accounts": [
    {"id": "keep-me", "label": "Van", "operator": 311, "canumber": "dl 12 cb 4685",
     "registration_id": "AOP-554", "use_count": 4,
     "last": {"consumer": {"name": "Ravi"}, "fetched_at": "2026-01-02T03:04:05Z"}},
    {"canumber": "DL12#"},
    {"canumber": "KA01A1234", "operator": "311"},
    {"canumber": "KA01A1235", "operator": -2},
    "not an object",
    {"canumber": "MH12AB1234"}
  ]
}`
	accts, errs, err := parseImport(strings.NewReader(obj), "json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowLines(errs), []int{8, 9, 10, 11}; !reflect.DeepEqual(got, want) {
		t.Fatalf("error lines %v, want %v: %v", got, want, errs)
	}
	if len(accts) != 2 || accts[0].CANumber != "DL12CB4685" || accts[0].ID != "keep-me" || accts[0].UseCount != 4 ||
		accts[0].Last == nil || accts[0].Last.Consumer.Name != "Ravi" || accts[1].CANumber != "MH12AB1234" {
		t.Fatalf("accounts: %+v", accts)
	}
	if errs[1].Message != "operator: want a number, got a JSON string" || !strings.Contains(errs[2].Message, "positive") {
		t.Errorf("messages: %v", errs)
	}

	arr := `[{"canumber": "DL12CB4685"}, {"canumber": "KA01A1234", "note": "x"}]`
	accts, errs, err = parseImport(strings.NewReader(arr), "json")
	if err != nil || len(errs) != 0 || len(accts) != 2 || accts[1].Note != "x" {
		t.Fatalf("bare array: %+v %v %v", accts, errs, err)
	}

	for in, want := range map[string]string{
		"":                                 "empty",
		`"x"`:                              "want an export object",
		`{"version": 1}`:                   `no "accounts"`,
		`{"version": 3, "accounts": []}`:   "newer aopfetch",
		`{"accounts": {}}`:                 "must be an array",
		"[\n{\"canumber\": \"A\"},\n{]":    "line 3",
		`[{"canumber": "DL12CB4685"}`:      "ends too early",
		`{"version": "1", "accounts": []}`: "version",
	} {
		if _, _, err := parseImport(strings.NewReader(in), "json"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseImport(%q) error = %v, want it to contain %q", in, err, want)
		}
	}
}

func TestImportMergesAndCounts(t *testing.T) {
	s := openAt(t, testPath(t))
	old := mustSave(t, s, Account{CANumber: "DL12CB4685", Label: "Van", Note: "keep"})
	mustSave(t, s, Account{CANumber: "KA01A1234", Label: "Same"})
	rep, err := s.Import([]Account{
		{CANumber: "DL12CB4685", Label: "Van 2"},            // updated
		{CANumber: "KA01A1234", Label: "Same"},              // skipped: nothing new
		{CANumber: "KA01A1234"},                             // skipped
		{CANumber: "MH12AB1234", ID: old.ID, Label: "New"},  // added; its id is taken
		{CANumber: "MH12AB1234", Note: "second row merges"}, // updated
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportReport{Added: 1, Updated: 2, Skipped: 2}); rep != want {
		t.Fatalf("report %+v, want %+v", rep, want)
	}
	d := s.Data()
	if len(d.Accounts) != 3 {
		t.Fatalf("%d accounts", len(d.Accounts))
	}
	a, b := d.Accounts[0], d.Accounts[2]
	if a.Label != "Van 2" || a.Note != "keep" || a.ID != old.ID {
		t.Fatalf("merged account %+v", a)
	}
	if b.ID == old.ID || b.Label != "New" || b.Note != "second row merges" || b.Position != 2 {
		t.Fatalf("added account %+v", b)
	}
	if _, err := s.Import([]Account{{Label: "no vehicle"}}); err == nil {
		t.Fatal("Import accepted an account without a vehicle number")
	}
}

// richStore is a store whose accounts use every field.
func richStore(t *testing.T) *Store {
	t.Helper()
	s := openAt(t, testPath(t))
	mustSave(t, s, Account{CANumber: "DL12CB4685", Label: "Van, \"blue\"", Operator: 311, RegistrationID: "AOP-554",
		Note: "line one\nline two, ₹ =SUM(A1)", LastUsedAt: t0.Add(time.Hour), UseCount: 7,
		Last: snap("Ravi Kumar", t0.Add(time.Hour))})
	mustSave(t, s, Account{CANumber: "KA01A1234"})
	mustSave(t, s, Account{CANumber: "MH12AB1234", Label: "Truck", Operator: 7})
	if err := s.MoveAccount("MH12AB1234", -2); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExportImportRoundTripIsLossless(t *testing.T) {
	src := richStore(t).Data()
	var out bytes.Buffer
	if err := Export(&out, "json", src); err != nil {
		t.Fatal(err)
	}
	accts, errs, err := parseImport(bytes.NewReader(out.Bytes()), "json")
	if err != nil || len(errs) != 0 {
		t.Fatalf("parseImport(export): %v %v", errs, err)
	}
	dst := openAt(t, testPath(t))
	rep, err := dst.Import(accts)
	if err != nil || rep != (ImportReport{Added: 3}) {
		t.Fatalf("Import = %+v, %v", rep, err)
	}
	if got, want := (Data{Version: 1, Accounts: dst.Data().Accounts}), (Data{Version: 1, Accounts: src.Accounts}); !sameData(got, want) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, want)
	}
	var again bytes.Buffer
	Export(&again, "json", dst.Data())
	if again.String() != out.String() {
		t.Fatal("exporting the imported store gives a different file")
	}
	// Importing the export into its own store changes nothing.
	rep, err = dst.Import(accts)
	if err != nil || rep != (ImportReport{Skipped: 3}) {
		t.Fatalf("re-import = %+v, %v", rep, err)
	}
}

func TestExportImportCSVRoundTrip(t *testing.T) {
	src := richStore(t).Data()
	var out bytes.Buffer
	if err := Export(&out, "csv", src); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "label,operator,canumber,registration_id,note\nTruck,7,MH12AB1234,,\n") {
		t.Fatalf("CSV export:\n%s", out.String())
	}
	accts, errs, err := parseImport(&out, "csv")
	if err != nil || len(errs) != 0 || len(accts) != len(src.Accounts) {
		t.Fatalf("parseImport(csv export) = %d accounts, %v, %v", len(accts), errs, err)
	}
	for i, a := range accts {
		w := src.Accounts[i]
		if a.Label != w.Label || a.Operator != w.Operator || a.CANumber != w.CANumber || a.RegistrationID != w.RegistrationID || a.Note != w.Note {
			t.Errorf("row %d: %+v, want %+v", i, a, w)
		}
	}
}

func TestExportFormats(t *testing.T) {
	var out bytes.Buffer
	if err := Export(&out, "json", Data{}); err != nil || strings.TrimSpace(out.String()) != "{\n  \"version\": 1,\n  \"accounts\": []\n}" {
		t.Fatalf("empty JSON export %q, %v", out.String(), err)
	}
	if err := Export(&out, "yaml", Data{}); err == nil {
		t.Fatal("unknown export format accepted")
	}
	if err := Export(failWriter{}, "csv", richStore(t).Data()); err == nil {
		t.Fatal("a failed write was not reported")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestStoreWithBOMIsRead: a store saved by an editor that adds a UTF-8

// byte order mark (Windows Notepad) holds valid JSON; it must be read, not

// moved aside as corrupt.

// TestDanglingSymlinkStoreIsWrittenThrough: a store path that is a

// symlink to a file not created yet (the agent points store.json at another

// disk before the first run) must be written through, keeping the link, as

// an existing target is.

// TestJSONImportRefusesTrailingText: two exports joined with cat, or an

// export followed by junk, must not import only the first part silently.

func TestJSONImportRefusesTrailingText(t *testing.T) {
	for in, want := range map[string]string{
		"[{\"canumber\": \"DL12CB4685\"}]\ngarbage":                            "line 2",
		"{\"accounts\": [{\"canumber\": \"DL12CB4685\"}]}\n{\"accounts\": []}": "line 2",
		"[] []": "after",
		`{"accounts": [{"canumber": "DL12CB4685"}], "accounts": []}`: "twice",
	} {
		if accts, _, err := parseImport(strings.NewReader(in), "json"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseImport(%q) = %d accounts, %v; want an error containing %q", in, len(accts), err, want)
		}
	}
	for _, in := range []string{"[]\n\n", "{\"accounts\": []} \r\n"} {
		if _, _, err := parseImport(strings.NewReader(in), "json"); err != nil {
			t.Errorf("parseImport(%q): %v", in, err)
		}
	}
}

// TestJSONRowErrorsNameTheAccount: on a one-line JSON file every row is on

// line 1, so the error also says which account of the array it is.

func TestJSONRowErrorsNameTheAccount(t *testing.T) {
	in := `[{"canumber":"DL12CB4685"},{"canumber":"X#"},` + "\n" + `{"canumber":"KA01A1234"}, {"canumber":""}]`
	_, errs, err := parseImport(strings.NewReader(in), "json")
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

// TestCSVExportDefusesEveryTextCell: a registration ID is free text too; a

// spreadsheet must not run it as a formula, and import restores it.

func TestCSVExportDefusesEveryTextCell(t *testing.T) {
	d := Data{Accounts: []Account{{CANumber: "DL12CB4685", Operator: 311, RegistrationID: `=HYPERLINK("http://x","y")`, Label: "+1", Note: "@SUM(A1)"}}}
	var out bytes.Buffer
	if err := Export(&out, "csv", d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), ",=") || strings.Contains(out.String(), ",\"=") {
		t.Fatalf("formula left in the export:\n%s", out.String())
	}
	accts, errs, err := parseImport(&out, "csv")
	if err != nil || len(errs) != 0 || len(accts) != 1 {
		t.Fatalf("%v %v", errs, err)
	}
	if a := accts[0]; a.RegistrationID != d.Accounts[0].RegistrationID || a.Label != "+1" || a.Note != "@SUM(A1)" {
		t.Fatalf("round trip %+v", a)
	}
}

// TestCSVExportHasNoTerminalEscapes: `aopfetch export --format csv` goes

// to a terminal as often as to a file; a label holding escape sequences or

// bidi controls must not reach it raw. Line breaks and tabs of notes stay.

func TestCSVExportHasNoTerminalEscapes(t *testing.T) {
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

// TestImportRowsCarryLinesAndResolveOperatorNames: the operator column may

// hold a configured operator's name, as batch files and --operator do.

func TestImportRowsCarryLinesAndResolveOperatorNames(t *testing.T) {
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

// TestImportIntoABigStore merges many rows into many accounts (the path

// that used to scan the whole list once per row) and checks the result.

func TestImportIntoABigStore(t *testing.T) {
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

// BenchmarkImportJSON parses and imports a 5,000-account JSON export

// into a store holding the same accounts (every row a merge).

func BenchmarkImportJSON(b *testing.B) {
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
	accts, _, _ := parseImport(bytes.NewReader(buf.Bytes()), "json")
	if _, err := s.Import(accts); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		accts, _, err := parseImport(bytes.NewReader(buf.Bytes()), "json")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Import(accts); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseImport: no input makes the import parsers panic, every row

// error has a line, and every valid row holds a normalised vehicle.

func FuzzParseImport(f *testing.F) {
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

// TestImportedIDsArePlain: an id from a hand-edited or foreign JSON file

// that holds escapes, spaces or kilobytes is replaced by a fresh one; ids of

// our own exports and other plain ones are kept.

func TestImportedIDsArePlain(t *testing.T) {
	in := `[{"canumber":"DL12CB4685","id":"0123456789abcdef"},{"canumber":"KA01A1234","id":"old-ID_7"},` +
		`{"canumber":"MH12AB1234","id":"\u001b[2J"},{"canumber":"MH12AB1235","id":"a b"},{"canumber":"MH12AB1236","id":"` + strings.Repeat("x", 65) + `"}]`
	accts, errs, err := parseImport(strings.NewReader(in), "json")
	if err != nil || len(errs) != 0 || len(accts) != 5 {
		t.Fatalf("%v %v", errs, err)
	}
	ids := pluck(accts, func(a Account) string { return a.ID })
	if want := []string{"0123456789abcdef", "old-ID_7", "", "", ""}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids %q, want %q", ids, want)
	}
}

// TestCSVTrailingEmptyColumn: a spreadsheet's trailing comma leaves an

// unnamed column; it is accepted while empty, and a value in it is a row

// error rather than silently dropped.

func TestCSVTrailingEmptyColumn(t *testing.T) {
	in := "label,operator,canumber,registration_id,note,\r\nVan,311,DL12CB4685,AOP-554,n,\r\nX,311,KA01A1234,,,lost?\r\n"
	accts, errs, err := parseImport(strings.NewReader(in), "csv")
	if err != nil || len(accts) != 1 || accts[0].Label != "Van" {
		t.Fatalf("%+v %v %v", accts, errs, err)
	}
	if len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Message, "column 6") {
		t.Fatalf("errors %v", errs)
	}
}

// TestCSVOtherSeparators: a spreadsheet saving "CSV" with semicolons (or

// a TSV) is told what is wrong, not that the whole header is one column.

func TestCSVOtherSeparators(t *testing.T) {
	for in, want := range map[string]string{
		"label;operator;canumber\nx;311;DL12CB4685\n": `separated by ';'`,
		"label\tcanumber\nx\tDL12CB4685\n":            `separated by '\t'`,
	} {
		if _, _, err := parseImport(strings.NewReader(in), "csv"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseImport(%q): %v, want %q", in, err, want)
		}
	}
}

// TestNotAStoreIsNotMovedAside: --store naming a file that is plainly not

// a store (a CSV meant for import, config.toml) must be refused, not renamed

// to .corrupt-… by a mere `saved list` (the config then disappears).

// TestIsStoreFile: stores, copies of stores and moved-aside stores are

// recognised; exports, other files, pipes and missing files are not.

// TestForeignFileErrorQuotesNothing: the refusal of a file that is not a

// store never shows its content (a config file may start with a secret).

// parseImport is ParseImportRows with the default options, without the lines.
func parseImport(r io.Reader, format string) ([]Account, []RowError, error) {
	rows, errs, err := ParseImportRows(r, format, ImportOptions{})
	if err != nil {
		return nil, nil, err
	}
	accts := make([]Account, len(rows))
	for i, row := range rows {
		accts[i] = row.Account
	}
	return accts, errs, nil
}
