package ui

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/client"
)

// The searchable fields of a row, in the order a tie between two fields of
// one row is broken.
const (
	srcVehicle = iota
	srcLabel
	srcName
	srcPhone
	srcNote
	srcCount
)

// minFuzzyLen is the shortest filter text that also matches by the
// starts of words (within one field); shorter texts match only as typed.
const minFuzzyLen = 2

// searchField is one field of a row prepared for matching. ASCII text
// (nearly every field) is matched as it is, folding case on the fly, so
// building 5,000 rows allocates nothing for it; other text keeps a copy
// lower-cased rune by rune and where each of its runes is in the text.
type searchField struct {
	text string
	fold *folded // nil for ASCII text
	// compact: match the query without its spaces and dashes (vehicle
	// numbers and phone numbers are stored without them).
	compact bool
}

// folded is text that is not ASCII, lower-cased rune by rune.
type folded struct {
	s    string
	offs []int // byte offsets in the text of s's runes, plus the text's length
}

// newSearchField prepares s for matching.
func newSearchField(s string, compact bool) searchField {
	f := searchField{text: s, compact: compact}
	if isASCII(s) {
		return f
	}
	f.fold = &folded{s: strings.Map(unicode.ToLower, s)}
	for i := range s {
		f.fold.offs = append(f.fold.offs, i)
	}
	f.fold.offs = append(f.fold.offs, len(s))
	return f
}

// index is the byte offset of needle (lower case) in the field's folded
// text, or -1.
func (f *searchField) index(needle string) int {
	if f.fold != nil {
		return strings.Index(f.fold.s, needle)
	}
	return indexFoldASCII(f.text, needle)
}

// indexFoldASCII is strings.Index of a lower-case needle in ASCII text of
// any case.
func indexFoldASCII(s, needle string) int {
	n := len(needle)
	if n == 0 || n > len(s) {
		return -1
	}
	first := needle[0]
	for i := 0; i+n <= len(s); i++ {
		if lowerASCII(s[i]) != first {
			continue
		}
		j := 1
		for j < n && lowerASCII(s[i+j]) == needle[j] {
			j++
		}
		if j == n {
			return i
		}
	}
	return -1
}

// lowerASCII lower-cases one ASCII byte.
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// searched is the text index searches: the folded copy, or the ASCII text
// itself, read through lowerASCII (a no-op on folded text).
func (f *searchField) searched() string {
	if f.fold != nil {
		return f.fold.s
	}
	return f.text
}

// isASCII reports whether s is ASCII only.
func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
}

// span is a byte range [lo, hi) of a field's text.
type span struct{ lo, hi int }

// match is where a filter text matched one row.
type match struct {
	field int // one of the src* constants
	// tier ranks matches: 0 at the start of the field or of a word in it,
	// 1 elsewhere as typed, 2 by the starts of words (see inOrder).
	tier  int
	spans []span // the matched text, in the field's text
}

// query is a filter text prepared for matching.
type query struct {
	fold    string // lower-cased, rune by rune
	compact string // fold without spaces, dashes, dots and slashes
	fuzzy   bool   // matches by the starts of words count too
}

// newQuery prepares the filter text s. A text that is a whole vehicle
// number matches only as typed: letters scattered through another plate
// would open the wrong vehicle where a lookup was meant.
func newQuery(s string) query {
	q := query{fold: strings.Map(unicode.ToLower, strings.TrimSpace(s))}
	q.compact = strings.Map(func(r rune) rune {
		if strings.ContainsRune(" -./", r) {
			return -1
		}
		return r
	}, q.fold)
	_, warn, err := client.NormalizeVehicle(s)
	plate := err == nil && warn == ""
	q.fuzzy = utf8.RuneCountInString(q.fold) >= minFuzzyLen && !plate
	return q
}

// empty reports whether q matches everything.
func (q query) empty() bool { return q.fold == "" }

// best is the best match of q in fields, or false when no field matches.
// Every match lies within one field: letters spread over a label and a
// name never match.
func (q query) best(fields *[srcCount]searchField) (match, bool) {
	var out match
	found := false
	for i := range fields {
		f := &fields[i]
		if f.text == "" {
			continue
		}
		m, ok := q.in(f)
		if ok && (!found || m.tier < out.tier) {
			m.field = i
			out, found = m, true
			if m.tier == 0 {
				break
			}
		}
	}
	return out, found
}

// in matches q in one field.
func (q query) in(f *searchField) (match, bool) {
	needle := q.fold
	if f.compact {
		needle = q.compact
	}
	if needle == "" {
		return match{}, false
	}
	if i := f.index(needle); i >= 0 {
		tier := 1
		if i == 0 || f.text[f.byteAt(i)-1] == ' ' {
			tier = 0
		}
		return match{tier: tier, spans: []span{f.span(i, i+len(needle))}}, true
	}
	if !q.fuzzy {
		return match{}, false
	}
	return f.inOrder(needle)
}

// inOrder matches needle's letters in order within the field, each run of
// them as typed and each jump landing at the start of a word: "rkv" and
// "raj ver" find "RAJESH KUMAR VERMA", "sharma" does not (its letters are
// in it in order, but scattered mid-word). Spaces in needle are ignored.
func (f *searchField) inOrder(needle string) (match, bool) {
	fold := f.searched() // compared through lowerASCII: no lower-cased copy per keystroke
	n := strings.ReplaceAll(needle, " ", "")
	if n == "" {
		return match{}, false
	}
	var spans []span
	var try func(pos, j int) bool
	try = func(pos, j int) bool {
		if j == len(n) {
			return true
		}
		if k := len(spans) - 1; k >= 0 && spans[k].hi == pos && pos < len(fold) && lowerASCII(fold[pos]) == n[j] {
			spans[k].hi++ // the run goes on
			if try(pos+1, j+1) {
				return true
			}
			spans[k].hi--
		}
		for i := pos; i < len(fold); i++ {
			if lowerASCII(fold[i]) != n[j] || !wordStart(fold, i) {
				continue
			}
			spans = append(spans, span{i, i + 1})
			if try(i+1, j+1) {
				return true
			}
			spans = spans[:len(spans)-1]
		}
		return false
	}
	if !try(0, 0) {
		return match{}, false
	}
	for i, sp := range spans {
		spans[i] = f.span(sp.lo, sp.hi)
	}
	return match{tier: 2, spans: spans}, true
}

// wordStart reports whether byte i of s starts a word: the text's start,
// or after a space or punctuation.
func wordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	return strings.IndexByte(" -./,(&_", s[i-1]) >= 0
}

// span converts a byte range of the folded text to one of text.
func (f *searchField) span(lo, hi int) span { return span{f.byteAt(lo), f.byteAt(hi)} }

// byteAt converts a byte offset of the folded text to one of text (the
// runes of both correspond one to one).
func (f *searchField) byteAt(i int) int {
	if f.fold == nil {
		return i
	}
	return f.fold.offs[utf8.RuneCountInString(f.fold.s[:i])]
}

// filterEntries returns the rows q matches as entries, best tier first and in
// their order within a tier, each with its match.
func filterEntries(rows []*row, q query) []entry {
	if q.empty() {
		out := make([]entry, len(rows))
		for i, r := range rows {
			out[i] = entry{row: r}
		}
		return out
	}
	var tiers [3][]entry
	for _, r := range rows {
		if m, ok := q.best(&r.fields); ok {
			hit := m // on the heap only when the row matched
			tiers[m.tier] = append(tiers[m.tier], entry{row: r, hit: &hit})
		}
	}
	return slices.Concat(tiers[0], tiers[1], tiers[2])
}
