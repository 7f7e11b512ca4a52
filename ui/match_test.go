package ui

import "testing"

// TestMatchRules: as typed (any case), at a word start or within; by the
// starts of words; never scattered mid-word, never across fields.
func TestMatchRules(t *testing.T) {
	tests := []struct {
		query, field string
		compact      bool
		tier         int // -1: no match
		spans        []span
	}{
		{"sharma", "RAJESH KUMAR SHARMA", false, 0, []span{{13, 19}}},
		{"kumar", "RAJESH KUMAR SHARMA", false, 0, []span{{7, 12}}},
		{"umar", "RAJESH KUMAR SHARMA", false, 1, []span{{8, 12}}},
		{"rks", "RAJESH KUMAR SHARMA", false, 2, []span{{0, 1}, {7, 8}, {13, 14}}},
		{"raj sha", "RAJESH KUMAR SHARMA", false, 2, []span{{0, 3}, {13, 16}}},
		{"kuma", "KAVITA KUMAR", false, 0, []span{{7, 11}}},
		{"kaku", "KAVITA KUMAR", false, 2, []span{{0, 2}, {7, 9}}},
		{"sharma", "RAJESH KUMAR VERMA", false, -1, nil},
		{"verma", "KAVITA IYER", false, -1, nil},
		{"dl 12-cb", "DL12CB4685", true, 0, []span{{0, 6}}},
		{"4685", "DL12CB4685", true, 1, []span{{6, 10}}},
		{"dl12cb4685", "DL12CB46850", true, 0, []span{{0, 10}}},
		{"dl1c4", "DL12CB4685", true, -1, nil}, // a plate-like text: as typed only
		{"नित", "नितेश कुमार", false, 0, []span{{0, 9}}},
		{"कु", "नितेश कुमार", false, 0, []span{{16, 22}}},
		{"9876", "98XX9876XX", true, 1, []span{{4, 8}}},
	}
	for _, tt := range tests {
		f := newSearchField(tt.field, tt.compact)
		m, ok := newQuery(tt.query).in(&f)
		if tt.tier < 0 {
			if ok {
				t.Errorf("%q in %q matched: %+v", tt.query, tt.field, m)
			}
			continue
		}
		if !ok || m.tier != tt.tier || len(m.spans) != len(tt.spans) {
			t.Errorf("%q in %q = %+v, %v; want tier %d spans %v", tt.query, tt.field, m, ok, tt.tier, tt.spans)
			continue
		}
		for i := range m.spans {
			if m.spans[i] != tt.spans[i] {
				t.Errorf("%q in %q: spans %v, want %v", tt.query, tt.field, m.spans, tt.spans)
			}
		}
	}
}
