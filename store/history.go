package store

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/safefile"
)

// RecordLookups adds lookups to history and refreshes the snapshot,
// last_used_at and use_count of matching saved accounts.
//
// A lookup without a time gets now. History is newest first by At,
// de-duplicated on (operator, canumber, registration_id) keeping the newest,
// and capped at Options.HistoryLimit. The lookups are appended to the
// history file (without reading a deferred store not read yet): the saved
// accounts they match (the same CANumber and the same operator, or none
// saved) take their use and result from it when read. With a limit of 0
// no history is recorded (existing entries stay until ClearHistory): only
// the accounts they match are refreshed, and nothing is written when none
// does.
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
	if done, err := s.appendUnread(ls); done {
		return err
	}
	if s.opts.HistoryLimit > 0 {
		_, err := s.update(nil, nil, lookupEntries(ls))
		return err
	}
	_, err := s.mutate(func(d *Data) error {
		matched := false
		for _, l := range ls {
			matched = refreshAccounts(d, l) || matched
		}
		if !matched {
			return errUnchanged // history off and nothing saved: no write at all
		}
		return nil
	})
	return err
}

// lookupEntries are the history lines of ls.
func lookupEntries(ls []Lookup) []entry {
	es := make([]entry, len(ls))
	for i, l := range ls {
		es[i] = lookupEntry(l)
	}
	return es
}

// appendUnread appends what ls write (their lookups, or with history off
// the account entries of the saved accounts they match) to the history
// file of a store not read yet, reading no more than the accounts file,
// when that is all there is to do: the accounts file is of this layout (or
// missing), the history file is not from a newer aopfetch and is not due
// for compaction, and nothing is pending. done is false when the whole
// store must be read instead.
func (s *Store) appendUnread(ls []Lookup) (done bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded || len(s.pending) > 0 || len(s.pendingLookups) > 0 {
		return false, nil
	}
	historyOff := s.opts.HistoryLimit == 0
	l, err := s.lock()
	if err != nil {
		if historyOff {
			return false, nil // which accounts match is known only from the file
		}
		s.pendingLookups = append(s.pendingLookups, lookupEntries(ls)...)
		return true, &PendingError{Err: err}
	}
	defer l.unlock()
	if !currentLayout(s.path) {
		return false, nil
	}
	var es []entry
	if historyOff {
		accts, err := s.accountsOf(ls)
		if err != nil {
			return false, nil
		}
		es = accountEntries(accts, ls)
	} else {
		es = lookupEntries(ls)
	}
	if len(es) == 0 {
		return true, nil // history off and nothing saved: no write at all
	}
	h, n, err := peekJournal(s.history)
	if err != nil || h.Journal > journalVersion || n+int64(len(es)) > compactAfter(s.opts.HistoryLimit) {
		return false, nil
	}
	lines, err := encodeEntries(nil, es)
	if err != nil {
		return true, err
	}
	if _, err := appendJournal(s.history, lines); err != nil {
		s.pendingLookups = append(s.pendingLookups, es...)
		return true, &PendingError{Err: &writeError{path: s.history, err: err}}
	}
	return true, nil
}

// accountsOf reads the saved accounts of the vehicles of ls from the
// accounts file (none when it is missing).
func (s *Store) accountsOf(ls []Lookup) ([]diskAccount, error) {
	text, info, err := readFile(s.path)
	if err != nil || info == nil {
		return nil, err
	}
	return accountsOf(bytes.TrimPrefix(text, []byte("\uFEFF")), ls)
}

// accountEntries are the account entries that record lookups ls on the
// saved accounts accts they match (see refreshAccounts).
func accountEntries(accts []diskAccount, ls []Lookup) []entry {
	byVehicle := make(map[string]*diskAccount, len(accts))
	for i := range accts {
		byVehicle[accts[i].CANumber] = &accts[i]
	}
	var es []entry
	for _, l := range ls {
		a, ok := byVehicle[l.CANumber]
		if !ok || !refreshes(a.Operator, l.Operator) {
			continue
		}
		e := entry{ID: a.ID, Uses: 1, At: l.At}
		if l.OK {
			e.Snapshot = l.Snapshot
		}
		es = append(es, e)
	}
	return es
}

// currentLayout reports whether the accounts file at path is missing or
// starts as this build writes it, reading only its first bytes.
func currentLayout(path string) bool {
	f, _, err := safefile.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return true
	}
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(accountsPrefix))
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return bytes.Equal(head, []byte(accountsPrefix))
}

// ClearHistory empties Recent: the history file is rewritten without any
// lookup (the saved accounts keep their last results). A clear that has to
// wait (see Update) then removes the lookups it was asked to clear, not
// those made since.
func (s *Store) ClearHistory() error {
	type lookupKey struct {
		historyKey
		at int64
	}
	keyOf := func(l Lookup) lookupKey { return lookupKey{historyKeyOf(l), l.At.UnixNano()} }
	cleared := map[lookupKey]bool{}
	_, err := s.update(func(d *Data) error {
		for _, l := range d.Recent {
			cleared[keyOf(l)] = true
		}
		d.Recent = []Lookup{}
		return nil
	}, func(d *Data) error {
		d.Recent = slices.DeleteFunc(d.Recent, func(l Lookup) bool { return cleared[keyOf(l)] })
		return nil
	}, nil)
	return err
}

// refreshAccounts records l on the saved accounts it matches, if any.
func refreshAccounts(d *Data, l Lookup) bool {
	matched := false
	for i := range d.Accounts {
		a := &d.Accounts[i]
		if a.CANumber != l.CANumber || !refreshes(a.Operator, l.Operator) {
			continue
		}
		matched = true
		var snap *Snapshot
		if l.OK {
			snap = l.Snapshot.Clone()
		}
		use(a, l.At, 1, snap)
	}
	return matched
}

// refreshes reports whether a lookup with operator op refreshes a saved
// account of its vehicle with operator saved: the same one, or any when
// the account has none (it takes the default's).
func refreshes(saved, op int) bool { return saved == 0 || saved == op }

// historyKey identifies a lookup for de-duplication.
type historyKey struct {
	operator        int
	canumber, regID string
}

// historyKeyOf is the key of l.
func historyKeyOf(l Lookup) historyKey { return historyKey{l.Operator, l.CANumber, l.RegistrationID} }

// newestDistinct returns ls newest first (later in ls = newer on a tie),
// one entry per key, at most limit entries. Snapshots are shared.
func newestDistinct(ls []Lookup, limit int) []Lookup {
	all := make([]Lookup, len(ls))
	for i, l := range ls {
		all[len(ls)-1-i] = l
	}
	slices.SortStableFunc(all, func(a, b Lookup) int { return b.At.Compare(a.At) })
	seen := make(map[historyKey]bool, len(all))
	out := all[:0]
	for _, l := range all {
		k := historyKeyOf(l)
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

// The error kinds of a failed lookup that is not a *client.Error (whose
// kind is its client.Kind).
const (
	ErrorKindValidation = "validation" // the request was invalid; nothing was sent
	ErrorKindOther      = "error"      // any other failure
)

// NewLookup is the history entry of one lookup of req that returned res and
// err. It is stamped with the time of the answer when there was one (also
// the answer a *client.Error carries), else with now, in UTC. A successful
// lookup keeps the answer as its snapshot; a failed one keeps FailureOf err.
func NewLookup(req client.Request, res *client.Result, err error, now time.Time) Lookup {
	l := Lookup{Operator: req.Operator, CANumber: req.CANumber, RegistrationID: req.RegistrationID, At: now, OK: err == nil}
	if r := client.ResultOf(res, err); r != nil && !r.FetchedAt.IsZero() {
		l.At = r.FetchedAt
	}
	l.At = l.At.UTC()
	if err != nil {
		l.ErrorKind, l.ErrorMessage = FailureOf(err)
		return l
	}
	if res != nil {
		l.Snapshot = &Snapshot{Consumer: res.Consumer, FetchedAt: l.At}
	}
	return l
}

// FailureOf is the error kind and message a failed lookup is recorded
// with: a *client.Error's kind and message, ErrorKindValidation and the
// message of a *client.ValidationError, else ErrorKindOther and err's text.
func FailureOf(err error) (kind, message string) {
	var ce *client.Error
	if errors.As(err, &ce) {
		return string(ce.Kind), ce.Message
	}
	var ve *client.ValidationError
	if errors.As(err, &ve) {
		return ErrorKindValidation, ve.Error()
	}
	return ErrorKindOther, err.Error()
}
