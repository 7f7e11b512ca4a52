package store

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/safefile"
	"github.com/go-json-experiment/json/jsontext"
)

// corruptError is a store file that cannot be understood.
type corruptError struct {
	path string // set by the reader that knows it
	err  error
}

func (e *corruptError) Error() string { return e.err.Error() }

// isCorrupt reports whether err is a *corruptError.
func isCorrupt(err error) bool {
	_, ok := errors.AsType[*corruptError](err)
	return ok
}

// foreignError is a file that is plainly not a store (say, a CSV or a
// config file given as --store): it is left alone rather than moved aside.
// Its text is not quoted: it may hold a secret.
type foreignError struct{}

func (e *foreignError) Error() string {
	return "it holds text that is not an aopfetch store and was left as it is; point --store or " +
		"AOPFETCH_STORE at a store file (if this is your store, damaged, rename it and aopfetch starts an empty one)"
}

// storeKeys are the top-level keys of a store file, of any schema.
var storeKeys = []string{`"version"`, `"accounts"`, `"recent"`, `"history"`}

// foreign reports whether t (trimmed, not starting with '{') is text that no
// store ever held: not JSON, none of a store's keys, not binary garbage such
// as a crash may leave. A store damaged by hand (a stray character before
// the '{', conflict markers) still has its keys and is moved aside.
func foreign(t []byte) bool {
	for _, key := range storeKeys {
		if bytes.Contains(t, []byte(key)) {
			return false
		}
	}
	return t[0] != '[' && utf8.Valid(t) && !bytes.ContainsRune(t, 0) && !jsontext.Value(t).IsValid()
}

// emptyData is the state of a store that does not exist yet.
func emptyData() Data {
	return Data{Version: SchemaVersion, Accounts: []Account{}, Recent: []Lookup{}}
}

// dirError is the error of a store path that is a directory.
func dirError(path string) error {
	return fmt.Errorf("store %s is a directory; the store is a file, such as %s", path, filepath.Join(path, "store.json"))
}

// readFile returns the content and FileInfo of the file at path, or a nil
// FileInfo when it does not exist.
func readFile(path string) ([]byte, os.FileInfo, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return nil, nil, dirError(path)
	}
	f, info, err := safefile.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read store: %w", err)
	}
	defer f.Close()
	b, err := readAll(f, info)
	if err != nil {
		return nil, nil, fmt.Errorf("read store %s: %w", path, err)
	}
	return b, info, nil
}

// maxFileBytes caps what is read of a store file: far beyond any real
// store, it stops a file that never ends (a device, a runaway writer)
// from taking all memory.
const maxFileBytes = 512 << 20

// errTooBig is a store file over maxFileBytes.
var errTooBig = fmt.Errorf("it is larger than %d MiB, far larger than any store; it was left as it is", maxFileBytes>>20)

// readAll reads the rest of f, whose FileInfo is info, in one allocation
// when its size is known, refusing more than maxFileBytes.
func readAll(f *os.File, info os.FileInfo) ([]byte, error) {
	if info.Size() > maxFileBytes {
		return nil, errTooBig
	}
	b := bytes.NewBuffer(make([]byte, 0, info.Size()+512))
	if _, err := b.ReadFrom(io.LimitReader(f, maxFileBytes+1)); err != nil {
		return nil, err
	}
	if b.Len() > maxFileBytes {
		return nil, errTooBig
	}
	return b.Bytes(), nil
}

// decodeStore decodes an accounts file of any schema. Anything but a JSON
// object with a positive version is a *corruptError (a *foreignError for
// text that is plainly no store). A file of the old layout (schema 1)
// comes back with its content in accounts and j, and its bytes in v1; a
// newer one with what can be read of its accounts, to show.
func decodeStore(src []byte) (disk, error) {
	t := bytes.TrimSpace(bytes.TrimPrefix(src, []byte("\uFEFF"))) // a byte order mark an editor added
	if len(t) == 0 {
		return disk{}, &corruptError{err: errors.New("the file is empty")}
	}
	if t[0] != '{' {
		if foreign(t) {
			return disk{}, &foreignError{}
		}
		return disk{}, &corruptError{err: errors.New("not a JSON object")}
	}
	if bytes.HasPrefix(t, []byte(accountsPrefix)) {
		if f, err := decodeAccounts(t); err == nil {
			return f.disk(), nil
		}
	}
	var v struct {
		Version int `json:"version"`
	}
	if err := unmarshal(t, &v); err != nil {
		return disk{}, &corruptError{err: err}
	}
	switch {
	case v.Version < 1:
		return disk{}, &corruptError{err: errors.New("no schema version")}
	case v.Version == 1:
		var d Data
		if err := unmarshal(t, &d); err != nil {
			return disk{}, &corruptError{err: err}
		}
		return fromV1(d, src), nil
	case v.Version == SchemaVersion:
		f, err := decodeAccounts(t)
		if err != nil {
			return disk{}, &corruptError{err: err}
		}
		return f.disk(), nil
	}
	// A newer schema may have changed a field's type: never call its file
	// corrupt (and move it aside); show what can be read, read-only.
	nd := disk{version: v.Version}
	var f accountsFile
	if unmarshal(t, &f) == nil {
		nd.accounts = f.Accounts
	}
	return nd, nil
}

// disk is the state of an accounts file of this layout.
func (f accountsFile) disk() disk {
	return disk{version: SchemaVersion, accounts: f.Accounts, gen: f.Gen, lineage: f.Lineage}
}

// fromV1 is the state of a store file of the old layout, d, read from src:
// its accounts, and their results and the history as a compacted history.
func fromV1(d Data, src []byte) disk {
	normalize(&d)
	seen := make(map[string]bool, len(d.Accounts))
	for i := range d.Accounts { // an id a person left empty or copied: each state needs its own
		if a := &d.Accounts[i]; !plainID(a.ID) || seen[a.ID] {
			a.ID = newID()
		}
		seen[d.Accounts[i].ID] = true
	}
	nd := disk{version: 1, v1: src, j: emptyJournal()}
	for _, a := range d.Accounts {
		nd.accounts = append(nd.accounts, onDisk(a, 0))
	}
	for _, e := range compacted(d, nil) {
		nd.j.folded = append(nd.j.folded, &e)
	}
	return nd
}

// normalize makes nil lists empty and Accounts sorted by Position with
// positions 0..n-1 (a stable sort keeps the file order of equal positions).
func normalize(d *Data) {
	if d.Accounts == nil {
		d.Accounts = []Account{}
	}
	if d.Recent == nil {
		d.Recent = []Lookup{}
	}
	byPos := func(a, b Account) int { return cmp.Compare(a.Position, b.Position) }
	if !slices.IsSortedFunc(d.Accounts, byPos) {
		slices.SortStableFunc(d.Accounts, byPos)
	}
	renumber(d.Accounts)
}

// Clone returns a deep copy of d.
func (d Data) Clone() Data {
	c := Data{Version: d.Version, Accounts: make([]Account, len(d.Accounts)), Recent: make([]Lookup, len(d.Recent))}
	sl := newSlab(d)
	for i, a := range d.Accounts {
		a.Last = sl.clone(a.Last)
		c.Accounts[i] = a
	}
	for i, l := range d.Recent {
		l.Snapshot = sl.clone(l.Snapshot)
		c.Recent[i] = l
	}
	return c
}

// slab hands out snapshot and bill copies from blocks allocated together.
type slab struct {
	snaps []Snapshot
	bills []client.Bill
}

// newSlab returns a slab with room for exactly the snapshots and bills of d.
func newSlab(d Data) slab {
	var snaps, bills int
	count := func(s *Snapshot) {
		if s != nil {
			snaps++
			if s.Consumer.Bill != nil {
				bills++
			}
		}
	}
	for i := range d.Accounts {
		count(d.Accounts[i].Last)
	}
	for i := range d.Recent {
		count(d.Recent[i].Snapshot)
	}
	return slab{snaps: make([]Snapshot, snaps), bills: make([]client.Bill, bills)}
}

// clone returns a deep copy of s (nil for nil) carved from the slab.
func (sl *slab) clone(s *Snapshot) *Snapshot {
	if s == nil {
		return nil
	}
	c := &sl.snaps[0]
	sl.snaps = sl.snaps[1:]
	*c = *s
	if s.Consumer.Bill != nil {
		b := &sl.bills[0]
		sl.bills = sl.bills[1:]
		*b = *s.Consumer.Bill
		c.Consumer.Bill = b
	}
	return c
}

// Clone returns a deep copy of a.
func (a Account) Clone() Account {
	a.Last = a.Last.Clone()
	return a
}

// Clone returns a deep copy of s (nil for nil).
func (s *Snapshot) Clone() *Snapshot {
	if s == nil {
		return nil
	}
	c := *s
	if s.Consumer.Bill != nil {
		b := *s.Consumer.Bill
		c.Consumer.Bill = &b
	}
	return &c
}

// sameFile reports whether a and b describe the same unchanged file (both
// nil: both missing).
func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
