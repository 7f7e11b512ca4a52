package store

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
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
	accts, errs, err := ParseImport(strings.NewReader(in), "CSV")
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
	accts, errs, err = ParseImport(strings.NewReader("canumber,label\nDL12CB4685,x\n"), "csv")
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
	accts, errs, err := ParseImport(strings.NewReader(in), "csv")
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
		accts, _, err := ParseImport(strings.NewReader(in), "csv")
		if want == "" {
			if err != nil {
				t.Errorf("ParseImport(%q): %v", in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseImport(%q) = %v, %v; want an error containing %q", in, accts, err, want)
		}
	}
	if _, _, err := ParseImport(strings.NewReader("x"), "xml"); err == nil {
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
	accts, errs, err := ParseImport(strings.NewReader(obj), "json")
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
	accts, errs, err = ParseImport(strings.NewReader(arr), "json")
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
		if _, _, err := ParseImport(strings.NewReader(in), "json"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseImport(%q) error = %v, want it to contain %q", in, err, want)
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
	accts, errs, err := ParseImport(bytes.NewReader(out.Bytes()), "json")
	if err != nil || len(errs) != 0 {
		t.Fatalf("ParseImport(export): %v %v", errs, err)
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
	accts, errs, err := ParseImport(&out, "csv")
	if err != nil || len(errs) != 0 || len(accts) != len(src.Accounts) {
		t.Fatalf("ParseImport(csv export) = %d accounts, %v, %v", len(accts), errs, err)
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
