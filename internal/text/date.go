package text

import (
	"strconv"
	"strings"
	"time"
)

// dueDateLayouts are the other forms accepted (parseISODate reads 2006-01-02), most likely first.
func dueDateLayouts() []string {
	return []string{
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
	if t, ok := parseISODate(s); ok {
		return t, true
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
func DaysUntil(due, now time.Time) int { return Day(due) - Day(now) }

// Day numbers t's calendar date (in t's location): days since 1 Jan 1970.
// The difference of two is DaysUntil; a caller comparing many dates with
// one day computes each number once.
func Day(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / (24 * 60 * 60))
}

// dateLayout is how a date is shown: two-digit days keep table columns
// aligned.
const dateLayout = "02 Jan 2006"

// Date shows t's calendar date: "20 Sep 2021", "01 Oct 2021".
func Date(t time.Time) string { return t.Format(dateLayout) }

// DueDate shows the provider's due-date text: Date of the parsed date, or
// the sanitised text when it does not parse.
func DueDate(s string) string {
	if t, ok := ParseDueDate(s); ok {
		return Date(t)
	}
	return Sanitize(s)
}

// DueIn words the days until a due date (see DaysUntil): "overdue by 3
// days", "due today", "due in 1 day".
func DueIn(days int) string {
	switch {
	case days < 0:
		return "overdue by " + Plural(-days, "day")
	case days == 0:
		return "due today"
	}
	return "due in " + Plural(days, "day")
}

// DueInShort is DueIn for a narrow column: "3d overdue", "due today",
// "in 1d".
func DueInShort(days int) string {
	switch {
	case days < 0:
		return strconv.Itoa(-days) + "d overdue"
	case days == 0:
		return "due today"
	}
	return "in " + strconv.Itoa(days) + "d"
}

// parseISODate reads the provider's usual form, 2021-09-20, without
// time.Parse (a home of 5,000 accounts reads 5,000 of them at start-up).
func parseISODate(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	if !allDigits(s[:4]) || !allDigits(s[5:7]) || !allDigits(s[8:]) {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:])
	if m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 February rolled over
		return time.Time{}, false
	}
	return t, true
}
