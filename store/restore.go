package store

import (
	"errors"
	"fmt"
	"slices"
)

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
		d.Accounts = slices.Insert(d.Accounts, i, d.adopt(a.Clone(), id, now))
		renumber(d.Accounts)
		return nil
	})
	if errors.Is(err, ErrSavedAgain) {
		return Account{}, err
	}
	return d.withVehicle(a.CANumber), err
}
