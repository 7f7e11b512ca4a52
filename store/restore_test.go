package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// seedThree saves three accounts, the middle one with a note and a
// snapshot, and returns them as stored.
func seedThree(t *testing.T, s *Store) []Account {
	t.Helper()
	mustSave(t, s, Account{Label: "First", Operator: 311, CANumber: "DL01AA0001"})
	mustSave(t, s, Account{Label: "Second", Operator: 312, CANumber: "DL02AA0002", RegistrationID: "AOP-9", Note: "call after 5",
		Last: &Snapshot{Consumer: client.Consumer{Name: "RAVI", Amount: "500"}, FetchedAt: t0.Add(-time.Hour)}})
	mustSave(t, s, Account{Label: "Third", Operator: 311, CANumber: "DL03AA0003"})
	return s.Data().Accounts
}

func TestRestoreAccountPutsItBackWhereItWas(t *testing.T) {
	path := testPath(t)
	s := openAt(t, path)
	before := seedThree(t, s)
	gone := before[1]
	mustRemove(t, s, gone.ID)
	got, err := s.RestoreAccount(gone, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, gone) {
		t.Errorf("restored\n%+v\nwant\n%+v", got, gone)
	}
	// A fresh read (another process) sees the same three in the same order.
	d, _, err := readStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Accounts, before) {
		t.Errorf("after restore\n%+v\nwant\n%+v", d.Accounts, before)
	}
}

func TestRestoreAccountAfterOtherChanges(t *testing.T) {
	path := testPath(t)
	s := openAt(t, path)
	before := seedThree(t, s)
	mustRemove(t, s, before[2].ID)
	// Another session removes one more and saves a new one meanwhile.
	other := openAt(t, path)
	mustRemove(t, other, before[0].ID)
	if _, err := s.RestoreAccount(before[2], 2); err != nil {
		t.Fatal(err)
	}
	d, _, _ := readStore(path)
	checkPositions(t, d)
	if vs, want := vehicles(d), []string{"DL02AA0002", "DL03AA0003"}; !reflect.DeepEqual(vs, want) {
		t.Errorf("accounts %v, want %v (restored last: fewer are left)", vs, want)
	}
}

func TestRestoreAccountSavedAgainChangesNothing(t *testing.T) {
	path := testPath(t)
	s := openAt(t, path)
	before := seedThree(t, s)
	mustRemove(t, s, before[1].ID)
	again := mustSave(t, openAt(t, path), Account{Label: "New label", CANumber: "DL02AA0002"})
	_, err := s.RestoreAccount(before[1], 1)
	if !errors.Is(err, ErrSavedAgain) {
		t.Fatalf("err = %v, want ErrSavedAgain", err)
	}
	a, ok := s.Data().Account("DL02AA0002")
	if !ok || a.Label != "New label" || a.ID != again.ID {
		t.Errorf("account saved again was changed: %+v", a)
	}
}

func TestRestoreAccountTakesNewIDWhenTaken(t *testing.T) {
	s := openAt(t, testPath(t))
	before := seedThree(t, s)
	mustRemove(t, s, before[0].ID)
	clash := before[0]
	clash.ID = before[1].ID
	got, err := s.RestoreAccount(clash, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == before[1].ID || got.ID == "" {
		t.Errorf("restored with a clashing id %q", got.ID)
	}
	if _, err := s.RestoreAccount(Account{}, 0); err == nil {
		t.Error("restored an account without a vehicle")
	}
}
