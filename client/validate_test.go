package client

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeVehicle(t *testing.T) {
	tests := []struct {
		in, want string
		warn     string // substring of the warning; "" means no warning
	}{
		{in: "DL12CB4685", want: "DL12CB4685"},
		{in: " dl-12 cb.4685 ", want: "DL12CB4685"},
		{in: "dl/3c/ab/1234", want: "DL3CAB1234"},
		{in: "MH 01 5678", want: "MH015678"},
		{in: "22 BH 1234 AA", want: "22BH1234AA"},
		{in: "22bh1234a", want: "22BH1234A"},
		{in: "t0324ka1234a", want: "T0324KA1234A"},
		{in: "T0324KA1234AB", want: "T0324KA1234AB"},
		{in: "KA01A1234TC0001", want: "KA01A1234TC0001"},
		{in: "ka-01-a-1234-tc-0001", want: "KA01A1234TC0001"},
		{in: "DL12", want: "DL12", warn: "standard vehicle number (e.g. DL12CB4685)"},
		{in: "22BH12", want: "22BH12", warn: "Bharat series"},
		{in: "T03KA1", want: "T03KA1", warn: "temporary"},
		{in: "KA01TC1", want: "KA01TC1", warn: "trade"},
		{in: "12345", want: "12345", warn: "matches no known vehicle number format"},
		{in: "DL12CB46850", want: "DL12CB46850", warn: "standard"},
	}
	for _, tt := range tests {
		got, warn, err := NormalizeVehicle(tt.in)
		if err != nil {
			t.Errorf("NormalizeVehicle(%q) error %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("NormalizeVehicle(%q) = %q, want %q", tt.in, got, tt.want)
		}
		switch {
		case tt.warn == "" && warn != "":
			t.Errorf("NormalizeVehicle(%q) warning %q, want none", tt.in, warn)
		case tt.warn != "" && !strings.Contains(warn, tt.warn):
			t.Errorf("NormalizeVehicle(%q) warning %q, want it to mention %q", tt.in, warn, tt.warn)
		}
		if strings.ContainsAny(warn, "\n\r") {
			t.Errorf("warning is not one line: %q", warn)
		}
	}
}

func TestNormalizeVehicleErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "vehicle number is empty"},
		{" - . / ", "vehicle number is empty"},
		{"DL12#4685", "vehicle number must be letters and digits only (got '#')"},
		{"DL12\x1b4685", "(got U+001B)"},
		{"DL12\u202e4685", "(got U+202E)"},
		{"DL12é4685", "(got 'É')"},
		{"dlſ12ab1234", "(got 'ſ')"}, // long s upper-cases to 'S': not the letter typed
		{"DL12ıA1234", "(got 'ı')"},  // dotless i upper-cases to 'I'
		{"ＤＬ12CB4685", "(got 'Ｄ')"},  // fullwidth letters are not A-Z
		{"DL१२CB4685", "(got '१')"},  // Devanagari digits are not 0-9
		{"DL12\xff4685", "(got U+FFFD)"},
		{strings.Repeat("A", 21), "vehicle number is too long (21 characters, at most 20)"},
	}
	for _, tt := range tests {
		_, _, err := NormalizeVehicle(tt.in)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("NormalizeVehicle(%q) err = %v, want *ValidationError", tt.in, err)
			continue
		}
		if ve.Field != FieldCANumber || !strings.Contains(ve.Error(), tt.msg) {
			t.Errorf("NormalizeVehicle(%q) = %s %q, want canumber %q", tt.in, ve.Field, ve.Error(), tt.msg)
		}
		if strings.ContainsRune(ve.Error(), '\x1b') || strings.ContainsRune(ve.Error(), '\u202e') {
			t.Errorf("message carries a control character: %q", ve.Error())
		}
	}
}

// fieldCase is one input of a field's parser: with msg "" it must give
// want, otherwise a *ValidationError whose message contains msg.
type fieldCase[T comparable] struct {
	in   string
	want T
	msg  string
}

// checkField runs the cases through parse (named name), the parser of
// field.
func checkField[T comparable](t *testing.T, name, field string, parse func(string) (T, error), cases []fieldCase[T]) {
	t.Helper()
	for _, tt := range cases {
		got, err := parse(tt.in)
		if tt.msg == "" {
			if err != nil || got != tt.want {
				t.Errorf("%s(%q) = %v, %v; want %v", name, tt.in, got, err, tt.want)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != field || !strings.Contains(ve.Message, tt.msg) {
			t.Errorf("%s(%q) err = %v, want a %s error containing %q", name, tt.in, err, field, tt.msg)
		}
	}
}

func TestParseOperator(t *testing.T) {
	checkField(t, "ParseOperator", FieldOperator, ParseOperator, []fieldCase[int]{
		{in: "311", want: 311},
		{in: " 7 ", want: 7},
		{in: "", msg: "operator code is empty"},
		{in: "abc", msg: "operator code must be a whole number (got 'abc')"},
		{in: "3.5", msg: "must be a whole number"},
		{in: "0", msg: "operator code must be a positive number (got 0)"},
		{in: "-4", msg: "must be a positive number (got -4)"},
		{in: "99999999999", msg: "operator code is too large"},
		{in: "999999999999999999999999", msg: "operator code is too large"},
		{in: "1\x1b[2J", msg: `got "1\x1b[2J"`},
	})
}

func TestNormalizeRegistrationID(t *testing.T) {
	checkField(t, "NormalizeRegistrationID", FieldRegistrationID, NormalizeRegistrationID, []fieldCase[string]{
		{in: "AOP-554", want: "AOP-554"},
		{in: "  AOP 554\t", want: "AOP 554"},
		{in: strings.Repeat("x", 64), want: strings.Repeat("x", 64)},
		{in: "   ", msg: "registration ID is empty"},
		{in: strings.Repeat("x", 65), msg: "too long (65 characters, at most 64)"},
		{in: "AOP\x07554", msg: "printable characters only (got U+0007)"},
		{in: "AOP\xff", msg: "not valid UTF-8"},
	})
}

func TestRequestNormalize(t *testing.T) {
	norm, warn, err := Request{Operator: 311, CANumber: "dl 12 cb 4685", RegistrationID: " AOP-554 "}.Normalize()
	if err != nil || warn != "" {
		t.Fatalf("Normalize: %v, warning %q", err, warn)
	}
	want := Request{Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554"}
	if norm != want {
		t.Fatalf("Normalize = %+v, want %+v", norm, want)
	}
	_, warn, err = Request{Operator: 311, CANumber: "XY1", RegistrationID: "A"}.Normalize()
	if err != nil || warn == "" {
		t.Fatalf("Normalize(XY1) = %v, warning %q; want only a warning", err, warn)
	}
	for field, r := range map[string]Request{
		FieldCANumber:       {Operator: 311, CANumber: "", RegistrationID: "A"},
		FieldOperator:       {Operator: 0, CANumber: "DL12CB4685", RegistrationID: "A"},
		FieldRegistrationID: {Operator: 311, CANumber: "DL12CB4685", RegistrationID: ""},
	} {
		_, _, err := r.Normalize()
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != field {
			t.Errorf("Normalize(%+v) err = %v, want a %s error", r, err, field)
		}
	}
}
