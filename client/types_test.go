package client

import "testing"

// TestShownFields: the top-level fields win, the bill's fill the gaps; the
// TUI and the CLI both show these, so they never disagree.
func TestShownFields(t *testing.T) {
	bill := &Bill{UserName: "RAJ KUMAR", BillAmount: "500.0", DueDate: "2030-01-25"}
	for _, tc := range []struct {
		c                 Consumer
		name, amount, due string
	}{
		{Consumer{Name: "A", Amount: "1", DueDate: "2021-09-20", Bill: bill}, "A", "1", "2021-09-20"},
		{Consumer{Bill: bill}, "RAJ KUMAR", "500.0", "2030-01-25"},
		{Consumer{Name: "A"}, "A", "", ""},
		{Consumer{}, "", "", ""},
	} {
		if got := tc.c.ShownName(); got != tc.name {
			t.Errorf("%+v: ShownName %q, want %q", tc.c, got, tc.name)
		}
		if got := tc.c.ShownAmount(); got != tc.amount {
			t.Errorf("%+v: ShownAmount %q, want %q", tc.c, got, tc.amount)
		}
		if got := tc.c.ShownDueDate(); got != tc.due {
			t.Errorf("%+v: ShownDueDate %q, want %q", tc.c, got, tc.due)
		}
	}
}
