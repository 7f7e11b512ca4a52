package client

import (
	"strconv"
	"strings"
	"time"
)

// maxExponent bounds the exponent FormatINR expands ("1e400" is not an amount).
const maxExponent = 64

// FormatINR formats a decimal amount text as ₹1,00,000.00 (Indian digit
// grouping, two decimals rounded half-up, "-₹5.00" for negatives); ok is
// false when the text is not a number (then the input is returned
// unchanged). The arithmetic is on the decimal digits, never float64, so
// amounts of any size keep every digit.
func FormatINR(amount string) (formatted string, ok bool) {
	neg, intPart, frac, ok := parseDecimal(strings.TrimSpace(amount))
	if !ok {
		return amount, false
	}
	intPart, frac = roundHalfUp(intPart, frac)
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	sign := ""
	if neg && (intPart != "0" || frac != "00") {
		sign = "-"
	}
	return sign + "₹" + groupIndian(intPart) + "." + frac, true
}

// parseDecimal splits [+-]digits[.digits][e[+-]digits] into sign, integer
// digits and fraction digits with the exponent applied.
func parseDecimal(s string) (neg bool, intPart, frac string, ok bool) {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > maxExponent || e < -maxExponent {
			return false, "", "", false
		}
		exp, s = e, s[:i]
	}
	intPart, frac, _ = strings.Cut(s, ".")
	if intPart+frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return false, "", "", false
	}
	intPart, frac = shiftPoint(intPart, frac, exp)
	return neg, intPart, frac, true
}

// shiftPoint moves the decimal point of intPart.frac by exp places.
func shiftPoint(intPart, frac string, exp int) (string, string) {
	digits := intPart + frac
	point := len(intPart) + exp
	switch {
	case point <= 0:
		return "0", strings.Repeat("0", -point) + digits
	case point >= len(digits):
		return digits + strings.Repeat("0", point-len(digits)), ""
	}
	return digits[:point], digits[point:]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// roundHalfUp rounds intPart.frac to two fraction digits, half away from zero.
func roundHalfUp(intPart, frac string) (string, string) {
	frac += "000"
	up := frac[2] >= '5'
	digits := []byte(intPart + frac[:2])
	for i := len(digits) - 1; up && i >= 0; i-- {
		if digits[i] == '9' {
			digits[i] = '0'
			continue
		}
		digits[i]++
		up = false
	}
	if up {
		digits = append([]byte{'1'}, digits...)
	}
	n := len(digits)
	return string(digits[:n-2]), string(digits[n-2:])
}

// groupIndian groups digits the Indian way: 12,34,567.
func groupIndian(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	head, tail := digits[:len(digits)-3], digits[len(digits)-3:]
	var b strings.Builder
	first := len(head) % 2
	if first == 0 {
		first = 2
	}
	b.WriteString(head[:first])
	for i := first; i < len(head); i += 2 {
		b.WriteByte(',')
		b.WriteString(head[i : i+2])
	}
	b.WriteByte(',')
	b.WriteString(tail)
	return b.String()
}

// dueDateLayouts are the due-date forms accepted, most likely first.
func dueDateLayouts() []string {
	return []string{
		"2006-01-02",
		"02-01-2006",
		"02/01/2006",
		"2006/01/02",
		time.RFC3339,
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
		"2 Jan 2006",
		"2-Jan-2006",
		"2 January 2006",
		"Jan 2, 2006",
	}
}

// ParseDueDate parses the provider's due-date text (2021-09-20 and common
// variants: 20-09-2021, 20/09/2021, 2021/09/20, RFC 3339, 20 Sep 2021).
// Dates without a zone are returned at midnight UTC; use DaysUntil, which
// reads the calendar date as written.
func ParseDueDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range dueDateLayouts() {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// DaysUntil returns whole calendar days from now's date to due's date
// (negative when overdue). now's date is taken in now's location; due's
// date is the calendar date as written (in due's own location), so a
// zone-less "2021-09-20" means the 20th wherever the agent is.
func DaysUntil(due, now time.Time) int {
	dy, dm, dd := due.Date()
	ny, nm, nd := now.Date()
	d := time.Date(dy, dm, dd, 0, 0, 0, 0, time.UTC)
	n := time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)
	return int((d.Unix() - n.Unix()) / (24 * 60 * 60))
}
