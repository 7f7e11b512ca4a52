package text

import (
	"strings"
	"testing"
)

func TestFormatINR(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"1000.0", "₹1,000.00", true},
		{"1000", "₹1,000.00", true},
		{"100000", "₹1,00,000.00", true},
		{"1250.5", "₹1,250.50", true},
		{"0", "₹0.00", true},
		{"0.5", "₹0.50", true},
		{".5", "₹0.50", true},
		{"5.", "₹5.00", true},
		{"999", "₹999.00", true},
		{"12345678", "₹1,23,45,678.00", true},
		{"1234567.891", "₹12,34,567.89", true},
		{"0.005", "₹0.01", true},
		{"0.004", "₹0.00", true},
		{"2.675", "₹2.68", true}, // float64 would give 2.67
		{"999.995", "₹1,000.00", true},
		{"99999.999", "₹1,00,000.00", true},
		{"-1250.5", "-₹1,250.50", true},
		{"-0.001", "₹0.00", true},
		{"+42", "₹42.00", true},
		{" 00100.10 ", "₹100.10", true},
		{"1e3", "₹1,000.00", true},
		{"1.5E+2", "₹150.00", true},
		{"125e-2", "₹1.25", true},
		{"123456789012345678901234567890.125", "₹1,23,45,67,89,01,23,45,67,89,01,23,45,67,890.13", true},
		{"", "", false},
		{"abc", "abc", false},
		{"1,000", "1,000", false},
		{"₹100", "₹100", false},
		{"NaN", "NaN", false},
		{"Infinity", "Infinity", false},
		{"-", "-", false},
		{".", ".", false},
		{"1.2.3", "1.2.3", false},
		{"1e999", "1e999", false},
		{"1e", "1e", false},
		{"0x10", "0x10", false},
	}
	for _, tt := range tests {
		got, ok := formatINR(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("formatINR(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAmount(t *testing.T) {
	wantEach(t, "Amount", Amount, map[string]string{
		"1000.0":      "₹1,000.00",
		"":            "",
		"  ":          "",
		"pending":     "pending",
		"12\x1b[2J34": "1234",
	})
}

// TestFormatPlainINRAgreesWithTheGeneralPath: the fast path for plain
// amounts gives what the general one gives, for every grouping length.
func TestFormatPlainINRAgreesWithTheGeneralPath(t *testing.T) {
	ins := []string{"0", "0.5", "5.", ".5", "7", "99", "999", "1000", "12345", "123456", "1234567", "12345678.9", "00012.34", "100000.00"}
	for n := 1; n <= 25; n++ {
		ins = append(ins, strings.Repeat("9", n), strings.Repeat("1", n)+".05")
	}
	groupIndian := func(d string) string { // the grouping written out: 12,34,567
		if len(d) <= 3 {
			return d
		}
		head, parts := d[:len(d)-3], []string{d[len(d)-3:]}
		for ; len(head) > 2; head = head[:len(head)-2] {
			parts = append([]string{head[len(head)-2:]}, parts...)
		}
		return strings.Join(append([]string{head}, parts...), ",")
	}
	for _, in := range ins {
		fast, ok := formatPlainINR(in)
		if !ok {
			if !strings.HasPrefix(in, ".") {
				t.Errorf("formatPlainINR(%q) declined", in)
			}
			continue
		}
		neg, ip, frac, _ := parseDecimal(in)
		ip, frac = roundHalfUp(ip, frac)
		ip = strings.TrimLeft(ip, "0")
		if ip == "" {
			ip = "0"
		}
		if want := map[bool]string{true: "-"}[neg] + Rupee + groupIndian(ip) + "." + frac; fast != want {
			t.Errorf("formatPlainINR(%q) = %q, general %q", in, fast, want)
		}
	}
	for _, in := range []string{"1.234", "-5", "+5", "1e3", "1,000", "abc", ""} {
		if _, ok := formatPlainINR(in); ok {
			t.Errorf("formatPlainINR(%q) took a form it does not handle", in)
		}
	}
}
