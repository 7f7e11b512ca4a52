package text

import (
	"testing"
	"time"
)

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

func TestDate(t *testing.T) {
	if got := Date(time.Date(2021, 10, 1, 23, 0, 0, 0, time.UTC)); got != "01 Oct 2021" {
		t.Errorf("Date = %q, want 01 Oct 2021", got)
	}
	wantEach(t, "DueDate", DueDate, map[string]string{
		"2021-09-20":       "20 Sep 2021",
		"next week":        "next week",
		"soon\x1b]0;x\x07": "soon",
		"":                 "",
	})
}

func TestDueIn(t *testing.T) {
	wantEach(t, "DueIn", DueIn, map[int]string{
		-3: "overdue by 3 days", -1: "overdue by 1 day", 0: "due today", 1: "due in 1 day", 10: "due in 10 days",
	})
	wantEach(t, "DueInShort", DueInShort, map[int]string{
		-3: "3d overdue", -1: "1d overdue", 0: "due today", 1: "in 1d", 10: "in 10d",
	})
}

func TestPlural(t *testing.T) {
	wantEach(t, "Plural", func(n int) string { return Plural(n, "row") }, map[int]string{0: "0 rows", 1: "1 row", 2: "2 rows"})
}

// TestParseISODateAgreesWithTimeParse covers the fast path's edges.
func TestParseISODateAgreesWithTimeParse(t *testing.T) {
	for _, in := range []string{"2021-09-20", "2024-02-29", "2023-02-29", "2021-13-01", "2021-00-10", "2021-04-31", "2021-04-00", "20x1-01-01", "2021-1-011", "0001-01-01"} {
		got, ok := parseISODate(in)
		want, err := time.Parse("2006-01-02", in)
		if ok != (err == nil) || (ok && !got.Equal(want)) {
			t.Errorf("parseISODate(%q) = %v, %v; time.Parse %v, %v", in, got, ok, want, err)
		}
	}
}

func TestDay(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	for _, c := range []struct {
		t    time.Time
		want int
	}{
		{time.Date(1970, 1, 1, 23, 59, 0, 0, time.UTC), 0},
		{time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC), 1},
		{time.Date(1969, 12, 31, 12, 0, 0, 0, time.UTC), -1},
		{time.Date(1970, 1, 2, 1, 0, 0, 0, ist), 1}, // the date where t is, not in UTC
	} {
		if got := Day(c.t); got != c.want {
			t.Errorf("Day(%v) = %d, want %d", c.t, got, c.want)
		}
	}
}
