package text

import (
	"strconv"
	"strings"
)

// maxExponent bounds the exponent formatINR expands ("1e400" is not an amount).
const maxExponent = 64

// Amount shows the provider's amount text: ₹1,00,000.00 when it is a
// number (see formatINR), the sanitised text when it is not, and "" when it
// is blank (callers show their own placeholder).
func Amount(amount string) string {
	if strings.TrimSpace(amount) == "" {
		return ""
	}
	if f, ok := formatINR(amount); ok {
		return f
	}
	return Sanitize(amount)
}

// formatINR formats a decimal amount text as ₹1,00,000.00 (Indian digit
// grouping, two decimals rounded half-up, "-₹5.00" for negatives); ok is
// false when the text is not a number (then the input is returned
// unchanged). The arithmetic is on the decimal digits, never float64, so
// amounts of any size keep every digit.
func formatINR(amount string) (formatted string, ok bool) {
	if f, ok := formatPlainINR(strings.TrimSpace(amount)); ok {
		return f, true
	}
	neg, intPart, frac, ok := parseDecimal(strings.TrimSpace(amount))
	if !ok {
		return amount, false
	}
	intPart, frac = roundHalfUp(intPart, frac)
	return inr(neg, intPart, frac), true
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

// formatPlainINR is formatINR for the common form, digits with at most two
// decimals and no sign or exponent ("1000.0", "999", "12.50"), without the
// general parser; ok is false for any other form.
func formatPlainINR(s string) (string, bool) {
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" || len(frac) > 2 || !allDigits(intPart) || !allDigits(frac) {
		return "", false
	}
	return inr(false, intPart, (frac + "00")[:2]), true
}

// inr writes "-" when neg and the amount is not zero, the rupee sign, the
// integer digits without leading zeros in Indian grouping (the last three,
// then pairs: 12,34,567), "." and the two fraction digits, in one allocation.
func inr(neg bool, intPart, frac string) string {
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	n := len(intPart)
	b := make([]byte, 0, 1+len(Rupee)+n+n/2+1+len(frac))
	if neg && (intPart != "0" || frac != "00") {
		b = append(b, '-')
	}
	b = append(b, Rupee...)
	for i := range n {
		if i > 0 && i <= n-3 && (n-3-i)%2 == 0 {
			b = append(b, ',')
		}
		b = append(b, intPart[i])
	}
	b = append(b, '.')
	return string(append(b, frac...))
}
