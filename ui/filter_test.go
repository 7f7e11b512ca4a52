package ui

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/charmbracelet/bubbles/list"
)

func TestFuzzyFilterMatchesDefault(t *testing.T) {
	var targets []string
	for _, e := range seedData(3000, 0).Accounts {
		targets = append(targets, accountEntry(e, 0).FilterValue())
	}
	f := newFuzzyFilter()
	for _, term := range []string{"t", "truck 9", "dl01", "note 12", "zzzz", "CONSUMER", "t"} {
		want := list.DefaultFilter(term, targets)
		got := f(term, targets)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %d ranks, want %d", term, len(got), len(want))
		}
	}
	// Changed targets are never answered from the cache.
	targets[0] = "something else entirely"
	if got, want := f("some", targets), list.DefaultFilter("some", targets); !reflect.DeepEqual(got, want) {
		t.Fatal(fmt.Sprint("stale cache: ", len(got), len(want)))
	}
}
