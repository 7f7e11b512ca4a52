package store

import "slices"

// RecordLookups adds lookups to history (dedup, cap) and refreshes the
// snapshot, last_used_at and use_count of matching saved accounts, in one write.
//
// A lookup without a time gets now. History is newest first by At,
// de-duplicated on (operator, canumber, registration_id) keeping the newest,
// and capped at Options.HistoryLimit; with a limit of 0 no history is
// recorded (existing entries stay until ClearHistory) but saved accounts are
// still refreshed. A saved account matches a lookup with the same CANumber
// and the same operator (or none saved); an ok lookup's snapshot replaces an
// older one.
func (s *Store) RecordLookups(ls ...Lookup) error {
	if len(ls) == 0 {
		return nil
	}
	now := s.opts.Now().UTC()
	ls = slices.Clone(ls)
	for i := range ls {
		if ls[i].At.IsZero() {
			ls[i].At = now
		}
		ls[i].Snapshot = ls[i].Snapshot.Clone()
	}
	limit := s.opts.HistoryLimit
	_, err := s.mutate(func(d *Data) error {
		matched := false
		for _, l := range ls {
			matched = refreshAccounts(d, l) || matched
		}
		if limit == 0 && !matched {
			return errUnchanged // history off and nothing saved: no write at all
		}
		if limit > 0 {
			d.Recent = addHistory(d.Recent, ls, limit)
		}
		return nil
	})
	return err
}

// ClearHistory empties Recent.
func (s *Store) ClearHistory() error {
	_, err := s.mutate(func(d *Data) error {
		d.Recent = []Lookup{}
		return nil
	})
	return err
}

// refreshAccounts records l on the saved accounts it matches, if any.
func refreshAccounts(d *Data, l Lookup) bool {
	matched := false
	for i := range d.Accounts {
		a := &d.Accounts[i]
		if a.CANumber != l.CANumber || (a.Operator != 0 && a.Operator != l.Operator) {
			continue
		}
		matched = true
		a.UseCount++
		if l.At.After(a.LastUsedAt) {
			a.LastUsedAt = l.At
		}
		if l.OK && l.Snapshot != nil && (a.Last == nil || !l.Snapshot.FetchedAt.Before(a.Last.FetchedAt)) {
			a.Last = l.Snapshot.Clone()
		}
	}
	return matched
}

// historyKey identifies a lookup for de-duplication.
type historyKey struct {
	operator        int
	canumber, regID string
}

// addHistory merges ls into recent: newest first, one entry per key, at most
// limit entries. It does not modify ls's snapshots (they are cloned).
func addHistory(recent, ls []Lookup, limit int) []Lookup {
	all := make([]Lookup, 0, len(recent)+len(ls))
	for i := len(ls) - 1; i >= 0; i-- { // later in ls = newer on a tie
		l := ls[i]
		l.Snapshot = l.Snapshot.Clone()
		all = append(all, l)
	}
	all = append(all, recent...)
	slices.SortStableFunc(all, func(a, b Lookup) int { return b.At.Compare(a.At) })
	seen := make(map[historyKey]bool, len(all))
	out := all[:0]
	for _, l := range all {
		k := historyKey{l.Operator, l.CANumber, l.RegistrationID}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, l)
		if len(out) == limit {
			break
		}
	}
	return slices.Clip(out)
}
