package store

import "testing"

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+91": "'+91", "-5": "'-5", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "plain": "plain", "1000.0": "1000.0", "'": "'", "'abc": "'abc",
		"'=x": "''=x", "''@x": "'''@x",
	} {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
		if got := CSVValue(CSVCell(in)); got != in {
			t.Errorf("CSVValue(CSVCell(%q)) = %q", in, got)
		}
	}
}
