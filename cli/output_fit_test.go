package cli

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aopfetch/aopfetch/internal/text"
)

func TestFitTable(t *testing.T) {
	header := []string{"#", "LABEL", "VEHICLE", "ID", "NOTE"}
	rows := func() [][]string {
		return [][]string{{"1", "A very long label for the fleet", "DL12CB4685", "18f5b2133adb95a9", "call before nine"}}
	}
	for _, tt := range []struct {
		width      int
		wantHeader []string
	}{
		{0, header},   // not a terminal: whole cells
		{200, header}, // fits as it is
		{70, header},  // fits once the label and note are cut
		{50, header},  // fits with the label and note at their narrowest
		{40, []string{"#", "LABEL", "VEHICLE", "NOTE"}},
		{25, []string{"#", "LABEL", "VEHICLE"}},
	} {
		h, r := fitTable(text.UTF8Glyphs(), header, rows(), tt.width, []int{1, 4}, []int{3, 4})
		if !reflect.DeepEqual(h, tt.wantHeader) {
			t.Errorf("width %d: header %q, want %q", tt.width, h, tt.wantHeader)
		}
		var b strings.Builder
		if err := writeTable(&b, h, r); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			if w := text.Width(line); tt.width > 0 && w > tt.width {
				t.Errorf("width %d: line %q is %d wide", tt.width, line, w)
			}
		}
		if tt.width == 0 && r[0][1] != rows()[0][1] {
			t.Errorf("width 0 cut a cell: %q", r[0][1])
		}
		if !strings.Contains(b.String(), "DL12CB4685") {
			t.Errorf("width %d: the vehicle was cut or left out:\n%s", tt.width, b.String())
		}
	}
}
