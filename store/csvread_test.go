package store

import (
	"reflect"
	"strings"
	"testing"
)

// TestReadCSVComments: a line starting with # is a comment, before the
// header or after it, even with a stray quote; but a row whose first cell
// starts with # and whose canumber cell holds a vehicle is a row (an
// export of a label "#12 Sharma" reads back whole).
func TestReadCSVComments(t *testing.T) {
	in := "# fleet list, Monday\n" + // 1
		"label,canumber,note\n" + // 2
		"# a note, with 5\" tyres\n" + // 3
		"#12 Sharma,DL12CB4685,x\n" + // 4
		"#MH12AB1234,,\n" + // 5: commented out
		"Van, MH12AB1234 ,\"y, z\"\n" // 6: a space before the quote
	rows, errs, err := ReadCSV([]byte(in), CSVOptions{})
	if err != nil || len(errs) != 0 {
		t.Fatalf("ReadCSV: %v %v", errs, err)
	}
	want := []CSVRow{
		{Line: 4, Label: "#12 Sharma", CANumber: "DL12CB4685", Note: "x"},
		{Line: 6, Label: "Van", CANumber: "MH12AB1234", Note: "y, z"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows\n got %+v\nwant %+v", rows, want)
	}
	// The round trip import relies on: export, then read back.
	var b strings.Builder
	if err := Export(&b, "csv", Data{Accounts: []Account{{Label: "#1 Truck", Operator: 311, CANumber: "DL12CB4685"}}}); err != nil {
		t.Fatal(err)
	}
	accts, errs2, err := parseImport(strings.NewReader(b.String()), "csv")
	if err != nil || len(errs2) != 0 || len(accts) != 1 || accts[0].Label != "#1 Truck" {
		t.Fatalf("export of a # label read back as %+v %v %v\n%s", accts, errs2, err, b.String())
	}
}

// TestReadCSVIgnoreExtra: batch's reading ignores what import refuses.
func TestReadCSVIgnoreExtra(t *testing.T) {
	in := "canumber,label,name,\nDL12CB4685\nMH12AB1234,Van,OWNER,extra,more\n"
	if _, _, err := ReadCSV([]byte(in), CSVOptions{}); err == nil || !strings.Contains(err.Error(), `unknown column "name"`) {
		t.Fatalf("import's reading: %v", err)
	}
	rows, errs, err := ReadCSV([]byte(in), CSVOptions{IgnoreExtra: true})
	want := []CSVRow{{Line: 2, CANumber: "DL12CB4685"}, {Line: 3, CANumber: "MH12AB1234", Label: "Van"}}
	if err != nil || len(errs) != 0 || !reflect.DeepEqual(rows, want) {
		t.Fatalf("batch's reading: %+v %v %v", rows, errs, err)
	}
	_, errs, err = ReadCSV([]byte("canumber,label\nDL12CB4685\nMH12AB1234,Van,extra\n"), CSVOptions{})
	if err != nil || len(errs) != 2 || !strings.Contains(errs[0].Message, "1 fields") || !strings.Contains(errs[1].Message, "3 fields") {
		t.Fatalf("import's field counts: %v %v", errs, err)
	}
}

// TestReadCSVShared: the rules both readers had or now share.
func TestReadCSVShared(t *testing.T) {
	rows, errs, err := ReadCSV([]byte("\n\n# notes\nCANumber , Operator\nDL12CB4685,0\nMH12AB1234,'=1\nKA01AB1234,\"x\"y\nKA01AB1235,311\n"), CSVOptions{IgnoreExtra: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []CSVRow{{Line: 5, CANumber: "DL12CB4685"}, {Line: 6, CANumber: "MH12AB1234", Operator: "=1"}, {Line: 8, CANumber: "KA01AB1235", Operator: "311"}}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows\n got %+v\nwant %+v", rows, want)
	}
	if len(errs) != 1 || errs[0].Line != 7 || !strings.HasPrefix(errs[0].Message, "malformed CSV") {
		t.Fatalf("errors %v, want line 7 malformed", errs)
	}
	for in, want := range map[string]string{
		"":                          "empty",
		"# only a comment\n":        "empty",
		"\n# x\nlabel,note\na,b\n":  "line 3: the header row has no canumber column",
		"label;operator;canumber\n": "separated by ';'",
		"canumber,CANUMBER\n":       "twice",
	} {
		if _, _, err := ReadCSV([]byte(in), CSVOptions{IgnoreExtra: true}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadCSV(%q) = %v, want %q", in, err, want)
		}
	}
}
