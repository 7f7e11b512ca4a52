package store

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// ErrNotFound is wrapped by errors about a saved account that does not exist.
var ErrNotFound = errors.New("no such saved account")

// SaveAccount adds a (or updates the one with the same CANumber); returns it.
// a.CANumber must already be normalised (client.NormalizeVehicle). On
// update, the zero-valued fields of a leave the saved values alone; the id,
// created_at and position of the saved account are kept. A new account gets
// a fresh id (unless a.ID is set and unused) and created_at now (unless set).
// Without a snapshot of its own, a takes that of the newest successful
// recent lookup of the same vehicle, so a vehicle saved after looking it up
// shows its bill at once.
//
// When the write fails the account is still returned with the error: it is
// kept in memory (see Update).
func (s *Store) SaveAccount(a Account) (Account, error) {
	if strings.TrimSpace(a.CANumber) == "" {
		return Account{}, errors.New("cannot save an account without a vehicle number")
	}
	id, now := newID(), s.opts.Now().UTC()
	d, err := s.mutate(func(d *Data) error {
		b, key := a, a
		if i := d.indexOfVehicle(a.CANumber); i >= 0 { // blank fields keep the saved values
			key.Operator = cmp.Or(a.Operator, d.Accounts[i].Operator)
			key.RegistrationID = cmp.Or(a.RegistrationID, d.Accounts[i].RegistrationID)
		}
		if l := d.lastOK(key); b.Last == nil && l != nil {
			b.Last = l.Snapshot
			if b.LastUsedAt.IsZero() {
				b.LastUsedAt = l.At
			}
		}
		mergeAccount(d, b, id, now)
		return nil
	})
	return d.withVehicle(a.CANumber), err
}

// RemoveAccount removes by id or vehicle number.
func (s *Store) RemoveAccount(idOrVehicle string) error {
	_, err := s.mutate(func(d *Data) error {
		i, err := d.find(idOrVehicle)
		if err != nil {
			return err
		}
		d.Accounts = slices.Delete(d.Accounts, i, i+1)
		return nil
	})
	return err
}

// UpdateAccount changes label and note of the account with id or vehicle
// number (empty values clear them).
func (s *Store) UpdateAccount(idOrVehicle, label, note string) (Account, error) {
	return s.editAccount(idOrVehicle, func(a *Account) { a.Label, a.Note = label, note })
}

// RenameAccount changes only the label of the account with id or vehicle
// number, so a note another session changed meanwhile is kept.
func (s *Store) RenameAccount(idOrVehicle, label string) (Account, error) {
	return s.editAccount(idOrVehicle, func(a *Account) { a.Label = label })
}

// editAccount applies edit to the freshly read account and returns it.
func (s *Store) editAccount(idOrVehicle string, edit func(*Account)) (Account, error) {
	d, err := s.mutate(func(d *Data) error {
		i, err := d.find(idOrVehicle)
		if err != nil {
			return err
		}
		edit(&d.Accounts[i])
		return nil
	})
	a, _ := d.Account(idOrVehicle)
	return a, err
}

// MoveAccount moves an account (by id or vehicle number) delta positions
// (negative = up), clamped to the ends of the list, persisted.
func (s *Store) MoveAccount(id string, delta int) error {
	_, err := s.mutate(func(d *Data) error {
		i, err := d.find(id)
		if err != nil {
			return err
		}
		j := min(max(i+delta, 0), len(d.Accounts)-1)
		a := d.Accounts[i]
		d.Accounts = slices.Insert(slices.Delete(d.Accounts, i, i+1), j, a)
		renumber(d.Accounts)
		return nil
	})
	return err
}

// Account returns the saved account with id or vehicle number.
func (d Data) Account(idOrVehicle string) (Account, bool) {
	i, err := d.find(idOrVehicle)
	if err != nil {
		return Account{}, false
	}
	return d.Accounts[i].Clone(), true
}

// find returns the index of the account whose id or vehicle number is s; the
// vehicle number may be given in any spelling client.NormalizeVehicle accepts.
func (d Data) find(s string) (int, error) {
	if i := slices.IndexFunc(d.Accounts, func(a Account) bool { return a.ID == s }); i >= 0 {
		return i, nil
	}
	if i := d.indexOfVehicle(s); i >= 0 {
		return i, nil
	}
	if norm, _, err := client.NormalizeVehicle(s); err == nil {
		if i := d.indexOfVehicle(norm); i >= 0 {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%w: %q is neither a saved vehicle nor an account id", ErrNotFound, s)
}

// lastOK returns the newest successful recent lookup with a snapshot of
// a's vehicle, operator (any, if a has none) and registration ID (any, if a
// has none), or nil.
func (d Data) lastOK(a Account) *Lookup {
	for i := range d.Recent { // newest first
		l := &d.Recent[i]
		if l.OK && l.Snapshot != nil && l.CANumber == a.CANumber &&
			refreshes(a.Operator, l.Operator) && (a.RegistrationID == "" || l.RegistrationID == a.RegistrationID) {
			return l
		}
	}
	return nil
}

// indexOfVehicle returns the index of the account with CANumber v, or -1.
func (d Data) indexOfVehicle(v string) int {
	return slices.IndexFunc(d.Accounts, func(a Account) bool { return a.CANumber == v })
}

// hasID reports whether an account of d has the id id.
func (d Data) hasID(id string) bool {
	return slices.ContainsFunc(d.Accounts, func(a Account) bool { return a.ID == id })
}

// withVehicle returns a copy of the account with CANumber v, or a zero
// Account.
func (d Data) withVehicle(v string) Account {
	if i := d.indexOfVehicle(v); i >= 0 {
		return d.Accounts[i].Clone()
	}
	return Account{}
}

// renumber sets the positions of accts to their indexes.
func renumber(accts []Account) {
	for i := range accts {
		accts[i].Position = i
	}
}

// adopt is a as a new account: its id kept unless empty or taken (else
// id), created now unless it says when.
func adopt(a Account, taken bool, id string, now time.Time) Account {
	if a.ID == "" || taken {
		a.ID = id
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	return a
}

// mergeResult is what mergeAccount did.
type mergeResult int

const (
	unchanged mergeResult = iota // nothing changed
	added                        // a new account was appended
	updated                      // an existing account changed
)

// mergeAccount adds a to d, or merges it into the account with the same
// CANumber: non-empty label, operator, registration id and note replace the
// saved ones, the newer snapshot and last use win, the higher use count wins.
func mergeAccount(d *Data, a Account, newID string, now time.Time) mergeResult {
	i := d.indexOfVehicle(a.CANumber)
	if i < 0 {
		a = adopt(a, d.hasID(a.ID), newID, now)
		a.Position = len(d.Accounts)
		d.Accounts = append(d.Accounts, a.Clone())
		return added
	}
	cur := &d.Accounts[i]
	old := cur.Clone()
	cur.Label = cmp.Or(a.Label, cur.Label)
	cur.RegistrationID = cmp.Or(a.RegistrationID, cur.RegistrationID)
	cur.Note = cmp.Or(a.Note, cur.Note)
	if a.Operator > 0 {
		cur.Operator = a.Operator
	}
	if a.LastUsedAt.After(cur.LastUsedAt) {
		cur.LastUsedAt = a.LastUsedAt
	}
	cur.UseCount = max(cur.UseCount, a.UseCount)
	if a.Last != nil && (cur.Last == nil || a.Last.FetchedAt.After(cur.Last.FetchedAt)) {
		cur.Last = a.Last.Clone()
	}
	if reflect.DeepEqual(old, *cur) {
		return unchanged
	}
	return updated
}

// newID returns a random account id (16 hex digits).
func newID() string {
	var b [8]byte
	rand.Read(b[:]) // never fails (it crashes the program instead)
	return hex.EncodeToString(b[:])
}

// ErrSavedAgain is wrapped by RestoreAccount's error when the vehicle was
// saved again (by this or another session) since it was removed.
var ErrSavedAgain = errors.New("saved again since it was removed")

// RestoreAccount puts back an account that RemoveAccount removed: a is the
// account as it was (its id, label, note, snapshot, use and created_at are
// kept; its id only while no other account holds it) and pos its position
// then; it is inserted there, or last when fewer accounts are left. It is
// an undo: when the store already holds a's vehicle again, nothing changes
// and the error wraps ErrSavedAgain. Returns the account as restored.
//
// When the write fails the account is still returned with the error: it is
// kept in memory (see Update).
func (s *Store) RestoreAccount(a Account, pos int) (Account, error) {
	if a.CANumber == "" {
		return Account{}, errors.New("cannot restore an account without a vehicle number")
	}
	id, now := newID(), s.opts.Now().UTC()
	d, err := s.mutate(func(d *Data) error {
		if d.indexOfVehicle(a.CANumber) >= 0 {
			return fmt.Errorf("%s was %w", a.CANumber, ErrSavedAgain)
		}
		i := min(max(pos, 0), len(d.Accounts))
		d.Accounts = slices.Insert(d.Accounts, i, adopt(a.Clone(), d.hasID(a.ID), id, now))
		renumber(d.Accounts)
		return nil
	})
	if errors.Is(err, ErrSavedAgain) {
		return Account{}, err
	}
	return d.withVehicle(a.CANumber), err
}
