package ui

import (
	"runtime"
	"sort"
	"sync"

	"github.com/charmbracelet/bubbles/list"
	"github.com/sahilm/fuzzy"
)

// parallelFilterMin is the number of targets from which matching is split
// across CPUs.
const parallelFilterMin = 1000

// filterCacheSize is how many recent filter texts keep their answers, so
// backspace is instant.
const filterCacheSize = 16

// fuzzyFilter ranks like list.DefaultFilter (sahilm/fuzzy, same order) but
// matches large lists in parallel chunks and remembers the answers for the
// last few filter texts while the targets stay the same. It is safe for the
// concurrent filter commands of the list.
type fuzzyFilter struct {
	mu      sync.Mutex
	targets []string
	answers map[string][]list.Rank
	order   []string
}

// newFuzzyFilter returns the filter function of a home list.
func newFuzzyFilter() list.FilterFunc {
	f := &fuzzyFilter{}
	return f.filter
}

// filter implements list.FilterFunc.
func (f *fuzzyFilter) filter(term string, targets []string) []list.Rank {
	if r, ok := f.cached(term, targets); ok {
		return r
	}
	matches := findParallel(term, targets)
	// list.DefaultFilter sorts the matches twice with fuzzy's comparator
	// (fuzzy.Find, then again); doing the same on a permutation gives the
	// identical order while swapping ints instead of large structs.
	p := byScore{m: matches, idx: make([]int, len(matches))}
	for i := range p.idx {
		p.idx[i] = i
	}
	sort.Stable(p)
	sort.Stable(p)
	ranks := make([]list.Rank, len(matches))
	for i, j := range p.idx {
		ranks[i] = list.Rank{Index: matches[j].Index, MatchedIndexes: matches[j].MatchedIndexes}
	}
	f.remember(term, targets, ranks)
	return ranks
}

// byScore sorts a permutation of matches with fuzzy.Matches' comparator.
type byScore struct {
	m   fuzzy.Matches
	idx []int
}

func (b byScore) Len() int           { return len(b.idx) }
func (b byScore) Less(i, j int) bool { return b.m[b.idx[i]].Score >= b.m[b.idx[j]].Score }
func (b byScore) Swap(i, j int)      { b.idx[i], b.idx[j] = b.idx[j], b.idx[i] }

// cached returns the answer for term when the targets are unchanged.
func (f *fuzzyFilter) cached(term string, targets []string) ([]list.Rank, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !sameStrings(f.targets, targets) {
		f.targets = append(f.targets[:0], targets...)
		f.answers, f.order = nil, nil
		return nil, false
	}
	r, ok := f.answers[term]
	return r, ok
}

// remember stores the answer for term, evicting the oldest.
func (f *fuzzyFilter) remember(term string, targets []string, ranks []list.Rank) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !sameStrings(f.targets, targets) {
		return
	}
	if f.answers == nil {
		f.answers = make(map[string][]list.Rank, filterCacheSize)
	}
	if _, ok := f.answers[term]; !ok {
		f.order = append(f.order, term)
	}
	f.answers[term] = ranks
	for len(f.order) > filterCacheSize {
		delete(f.answers, f.order[0])
		f.order = f.order[1:]
	}
}

// sameStrings reports whether a and b hold the same strings (cheap when they
// share their backing data, as the list's filter values do).
func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// findParallel is fuzzy.FindNoSort over chunks of targets on every CPU,
// concatenated in target order.
func findParallel(term string, targets []string) fuzzy.Matches {
	n := runtime.GOMAXPROCS(0)
	if len(targets) < parallelFilterMin || n < 2 {
		return fuzzy.FindNoSort(term, targets)
	}
	size := (len(targets) + n - 1) / n
	parts := make([]fuzzy.Matches, n)
	var wg sync.WaitGroup
	for i := range n {
		lo, hi := i*size, min(len(targets), (i+1)*size)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ms := fuzzy.FindNoSort(term, targets[lo:hi])
			for j := range ms {
				ms[j].Index += lo
			}
			parts[i] = ms
		}()
	}
	wg.Wait()
	var out fuzzy.Matches
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
