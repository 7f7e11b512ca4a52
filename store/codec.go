package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/client"
)

// corruptError is a store file that cannot be understood.
type corruptError struct{ err error }

func (e *corruptError) Error() string { return e.err.Error() }

// foreignError is a file that is plainly not a store (say, a CSV or a
// config file given as --store): it is left alone rather than moved aside.
// Its text is not quoted: it may hold a secret.
type foreignError struct{}

func (e *foreignError) Error() string {
	return "it holds text that is not an aopfetch store and was left as it is; point --store or " +
		"AOPFETCH_STORE at a store file (if this is your store, damaged, rename it and aopfetch starts an empty one)"
}

// foreign reports whether t (trimmed, not starting with '{') is text that no
// store ever held: not JSON, none of a store's keys, not binary garbage such
// as a crash may leave. A store damaged by hand (a stray character before
// the '{', conflict markers) still has its keys and is moved aside.
func foreign(t string) bool {
	for _, key := range []string{`"version"`, `"accounts"`, `"recent"`} {
		if strings.Contains(t, key) {
			return false
		}
	}
	return t[0] != '[' && utf8.ValidString(t) && !strings.ContainsRune(t, 0) && !json.Valid([]byte(t))
}

// emptyData is the state of a store that does not exist yet.
func emptyData() Data {
	return Data{Version: SchemaVersion, Accounts: []Account{}, Recent: []Lookup{}}
}

// content is what the store file held when this process last read or
// wrote it: the text it read (the decoded Data shares its memory), or the
// pieces it wrote (the next write reuses their memory). The zero value
// matches no file.
type content struct {
	text   string
	pieces [][]byte
}

// size is the length of the file c describes.
func (c content) size() int {
	n := len(c.text)
	for _, p := range c.pieces {
		n += len(p)
	}
	return n
}

// readFile returns the content and FileInfo of the file at path, or a nil
// FileInfo when it does not exist. When the file holds exactly known (say,
// what was last written) it reports same and returns no text.
func readFile(path string, known content) (text string, same bool, info os.FileInfo, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", false, nil, nil
	}
	if err != nil {
		return "", false, nil, fmt.Errorf("read store: %w", err)
	}
	defer f.Close()
	info, err = f.Stat()
	if err != nil {
		return "", false, nil, fmt.Errorf("read store: %w", err)
	}
	if info.IsDir() {
		return "", false, nil, fmt.Errorf("store %s is a directory; the store is a file, such as %s", path, filepath.Join(path, "store.json"))
	}
	if size := known.size(); size > 0 && info.Size() == int64(size) {
		buf := make([]byte, readBufSize)
		if known.pieces != nil {
			same, err = holds(f, known.pieces, buf)
		} else {
			same, err = holds(f, []string{known.text}, buf)
		}
		if err == nil && same {
			return "", true, info, nil
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", false, nil, fmt.Errorf("read store %s: %w", path, err)
		}
	}
	var sb strings.Builder
	sb.Grow(int(info.Size()) + 512)
	if _, err := io.Copy(&sb, f); err != nil {
		return "", false, nil, fmt.Errorf("read store %s: %w", path, err)
	}
	return sb.String(), false, info, nil
}

// readBufSize is the size of the reads comparing the store file with known
// content (small enough to stay in the processor's cache).
const readBufSize = 32 << 10

// holds reports whether the rest of f is exactly the concatenation of
// pieces, reading into buf.
func holds[P string | []byte](f io.Reader, pieces []P, buf []byte) (bool, error) {
	var want P // the rest of the piece being compared
	for {
		n, err := f.Read(buf)
		for got := buf[:n]; len(got) > 0; {
			for len(want) == 0 {
				if len(pieces) == 0 {
					return false, nil // the file is longer
				}
				want, pieces = pieces[0], pieces[1:]
			}
			k := min(len(got), len(want))
			if string(got[:k]) != string(want[:k]) {
				return false, nil
			}
			got, want = got[k:], want[k:]
		}
		if err == io.EOF {
			for len(want) == 0 && len(pieces) > 0 {
				want, pieces = pieces[0], pieces[1:]
			}
			return len(want) == 0, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// decode parses a store file. Anything but a JSON object with a positive
// version is a *corruptError. The result is normalised (see normalize) and
// its strings share src's memory.
func decode(src string) (Data, error) {
	t := strings.TrimSpace(strings.TrimPrefix(src, "\uFEFF")) // a byte order mark an editor added
	if len(t) == 0 {
		return Data{}, &corruptError{errors.New("the file is empty")}
	}
	if t[0] != '{' {
		if foreign(t) {
			return Data{}, &foreignError{}
		}
		return Data{}, &corruptError{errors.New("not a JSON object")}
	}
	d, err := parseData(t)
	if err != nil {
		// A newer schema may have changed a field's type: never call its
		// file corrupt (and move it aside); open it read-only instead.
		if v, ok := schemaVersion(t); ok && v > SchemaVersion {
			return Data{Version: v, Accounts: []Account{}, Recent: []Lookup{}}, nil
		}
		return Data{}, &corruptError{err}
	}
	if d.Version < 1 {
		return Data{}, &corruptError{errors.New("no schema version")}
	}
	normalize(&d)
	return d, nil
}

// schemaVersion reads the top-level "version" of a store file that the
// schema parser refused, skipping the values of any other keys.
func schemaVersion(src string) (int, bool) {
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0, false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return 0, false
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return 0, false
		}
		if key == "version" {
			n, ok := v.(json.Number)
			if !ok {
				return 0, false
			}
			i, err := n.Int64()
			return int(i), err == nil && i > 0 && i <= math.MaxInt32
		}
	}
	return 0, false
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
	for i := range d.Accounts {
		d.Accounts[i].Position = i
	}
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
	c := carve(&sl.snaps)
	*c = *s
	if s.Consumer.Bill != nil {
		b := carve(&sl.bills)
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
