package client

import (
	"testing"
	"time"
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
		got, ok := FormatINR(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("FormatINR(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseDueDate(t *testing.T) {
	want := time.Date(2021, 9, 20, 0, 0, 0, 0, time.UTC)
	for _, in := range []string{"2021-09-20", "20-09-2021", "20/09/2021", "2021/09/20", "20 Sep 2021", " 20-Sep-2021 ", "20 September 2021", "Sep 20, 2021", "2021-09-20T00:00:00", "2021-09-20 00:00:00"} {
		got, ok := ParseDueDate(in)
		if !ok || !got.Equal(want) {
			t.Errorf("ParseDueDate(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	got, ok := ParseDueDate("2021-09-20T23:30:00+05:30")
	if !ok || got.Day() != 20 {
		t.Errorf("ParseDueDate(RFC 3339) = %v, %v", got, ok)
	}
	for _, in := range []string{"", "soon", "2021-13-01", "31/02/2021", "20.09.2021x"} {
		if _, ok := ParseDueDate(in); ok {
			t.Errorf("ParseDueDate(%q) ok, want failure", in)
		}
	}
}

func TestDaysUntil(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	pst := time.FixedZone("PST", -8*3600)
	due, _ := ParseDueDate("2021-09-20")
	tests := []struct {
		now  time.Time
		want int
	}{
		{time.Date(2021, 9, 20, 0, 0, 0, 0, ist), 0},
		{time.Date(2021, 9, 20, 23, 59, 0, 0, ist), 0},
		{time.Date(2021, 9, 19, 23, 59, 0, 0, ist), 1},
		{time.Date(2021, 9, 21, 0, 1, 0, 0, ist), -1},
		{time.Date(2021, 9, 15, 12, 0, 0, 0, pst), 5},
		{time.Date(2021, 10, 20, 12, 0, 0, 0, time.UTC), -30},
		{time.Date(2020, 9, 20, 12, 0, 0, 0, time.UTC), 365},
	}
	for _, tt := range tests {
		if got := DaysUntil(due, tt.now); got != tt.want {
			t.Errorf("DaysUntil(%v, %v) = %d, want %d", due, tt.now, got, tt.want)
		}
	}
}
