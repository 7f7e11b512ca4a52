package text

import "strconv"

// Plural counts a unit: "1 day", "3 days", "0 rows".
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
