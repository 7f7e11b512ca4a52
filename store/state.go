package store

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// disk is what the store's files held when this process last read or
// wrote them.
type disk struct {
	version  int // the accounts file's schema: 0 no file, 1 the old layout, 2 this one, more: newer
	accounts []diskAccount
	accInfo  os.FileInfo // nil: no accounts file
	gen      string      // the accounts file's generation
	lineage  string      // the history lineage the accounts' seqs count in
	j        journal
	// v1 holds the bytes of an accounts file of the old layout (schema 1),
	// which accounts and j then hold as read, until it is upgraded.
	v1 []byte
}

// newer reports whether a file is from a newer aopfetch.
func (d *disk) newer() bool { return d.version > SchemaVersion || d.j.newer() }

// newerVersion is the schema of the newer file.
func (d *disk) newerVersion() int {
	if d.version > SchemaVersion {
		return d.version
	}
	return d.j.header.Journal
}

// needsLock reports whether the state read must be fixed by a lock holder.
func (d *disk) needsLock() bool { return d.v1 != nil && !d.newer() }

// read returns the files' state, reading only what changed since d. The
// history file is read while the accounts file is decoded.
func (d disk) read(path, history string) (disk, error) {
	type read struct {
		j   journal
		err error
	}
	jc := make(chan read, 1)
	go func() {
		j, err := refreshJournal(history, d.j)
		jc <- read{j, err}
	}()
	nd, err := d.readAccounts(path)
	r := <-jc
	switch {
	case err != nil:
		return disk{}, err
	case r.err == nil && r.j.newer():
		nd.j, nd.v1 = r.j, nil // read-only: never upgraded over a newer history file
		return nd, nil
	case nd.v1 != nil || nd.newer():
		return nd, nil // the history file is not read beside these
	case isCorrupt(r.err):
		ce, _ := errors.AsType[*corruptError](r.err)
		ce.path = history
		return disk{}, ce
	case r.err != nil:
		return disk{}, r.err
	}
	nd.j = r.j
	return nd, nil
}

// readAccounts returns d with the accounts file's state, read again only
// when it changed.
func (d disk) readAccounts(path string) (disk, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return disk{j: d.j}, nil
	case err != nil:
		return disk{}, fmt.Errorf("read store: %w", err)
	case info.IsDir():
		return disk{}, dirError(path)
	case sameFile(d.accInfo, info) && accountsGen(path) == d.gen:
		return d, nil
	}
	text, info, err := readFile(path)
	if err != nil || info == nil {
		return disk{j: d.j}, err
	}
	nd, err := decodeStore(text)
	if err != nil {
		return disk{}, storeError(path, err)
	}
	nd.accInfo = info
	return nd, nil
}

// storeError names path in the error of decoding the accounts file.
func storeError(path string, err error) error {
	if ce, ok := errors.AsType[*corruptError](err); ok {
		ce.path = path
		return ce
	}
	if _, ok := errors.AsType[*foreignError](err); ok {
		return fmt.Errorf("%s: %w", path, err)
	}
	return err
}

// view is the Data of d's accounts with journal j (d's own, or it with
// entries not yet written).
func (d *disk) view(j journal, limit int) Data {
	return Data{Version: SchemaVersion, Accounts: deriveAccounts(d.counted(&j), &j), Recent: recentOf(&j, limit)}
}

// withEntries returns j with es added as raw entries, as if appended.
func (j journal) withEntries(es []entry) journal {
	if len(es) == 0 {
		return j
	}
	j = j.clone()
	for i := range es {
		j.raw = append(j.raw, rawEntry{seq: j.nextSeq(), e: &es[i]})
		j.lines++
	}
	return j
}

// counted is d's accounts with the seqs that count in j: their own when
// they are line numbers of j's lineage, else 0 (every raw line counts, as
// the accounts predate a history file started afresh).
func (d *disk) counted(j *journal) []diskAccount {
	if d.lineage != "" && d.lineage == j.header.Lineage {
		return d.accounts
	}
	accts := slices.Clone(d.accounts)
	for i := range accts {
		accts[i].Seq = 0
	}
	return accts
}

// deriveAccounts returns the accounts of accts with the use count, last
// use and last result their history gives them: their own account entries,
// and the raw lookups of their vehicle (and operator, when they have one)
// made since they were saved.
func deriveAccounts(accts []diskAccount, j *journal) []Account {
	out := make([]Account, len(accts))
	byID := make(map[string]int, len(accts))
	byVehicle := make(map[string]int, len(accts))
	for i := range accts {
		out[i] = accts[i].account(i)
		byID[accts[i].ID] = i
		byVehicle[accts[i].CANumber] = i
	}
	own := func(e *entry) {
		if i, ok := byID[e.ID]; ok {
			use(&out[i], e.At, e.Uses, e.Snapshot)
		}
	}
	for _, e := range j.folded {
		if e.isAccount() {
			own(e)
		}
	}
	for _, r := range j.raw {
		if r.e.isAccount() {
			own(r.e)
			continue
		}
		i, ok := byVehicle[r.e.CANumber]
		if !ok || r.seq < accts[i].Seq || !refreshes(out[i].Operator, r.e.Operator) {
			continue
		}
		var snap *Snapshot
		if r.e.OK {
			snap = r.e.Snapshot
		}
		use(&out[i], r.e.At, 1, snap)
	}
	return out
}

// use records on a uses lookups, the last at at, with result snap (nil
// for none): a snapshot replaces one fetched no later.
func use(a *Account, at time.Time, uses int, snap *Snapshot) {
	a.UseCount += uses
	if at.After(a.LastUsedAt) {
		a.LastUsedAt = at
	}
	if snap != nil && (a.Last == nil || !snap.FetchedAt.Before(a.Last.FetchedAt)) {
		a.Last = snap
	}
}

// account is d as an Account at position pos, without its history.
func (d *diskAccount) account(pos int) Account {
	return Account{ID: d.ID, Label: d.Label, Operator: d.Operator, CANumber: d.CANumber,
		RegistrationID: d.RegistrationID, Note: d.Note, CreatedAt: d.CreatedAt, Position: pos}
}

// onDisk is a as the accounts file holds it, with seq.
func onDisk(a Account, seq int64) diskAccount {
	return diskAccount{ID: a.ID, Label: a.Label, Operator: a.Operator, CANumber: a.CANumber,
		RegistrationID: a.RegistrationID, Note: a.Note, CreatedAt: a.CreatedAt, Seq: seq}
}

// recentOf is the history of j: newest first, one entry per (operator,
// vehicle, registration ID), at most limit entries (with a limit of 0,
// those recorded before history was turned off, until cleared).
func recentOf(j *journal, limit int) []Lookup {
	var ls []Lookup
	for _, e := range j.folded {
		if !e.isAccount() {
			ls = append(ls, e.lookup())
		}
	}
	for _, r := range j.raw {
		if !r.e.isAccount() {
			ls = append(ls, r.e.lookup())
		}
	}
	if limit == 0 {
		limit = len(ls)
	}
	return newestDistinct(ls, limit)
}

// plan is what a commit writes.
type plan struct {
	accounts []diskAccount // the new accounts file; nil: unchanged
	appends  []entry       // history entries to append
	compact  *compaction   // or: the history file to write instead
}

// compaction is a rewritten history file.
type compaction struct {
	base    int64
	lineage string
	entries []entry
}

// compactAfter is how many raw lines the history file may hold before it
// is compacted: about twice the history kept.
func compactAfter(limit int) int64 { return int64(max(2*limit, 200)) }

// plan works out how to take the files from d (with journal j) to next:
// the accounts file is rewritten only when an account's own fields or
// their order changed; a use count, last use or result that grew is an
// account entry appended to the history; anything else (history changed,
// a result taken away) compacts the history file to what next holds.
func (d *disk) plan(j journal, next Data, limit int) (plan, error) {
	seqs := make(map[string]int64, len(d.accounts))
	for _, a := range d.counted(&j) {
		seqs[a.ID] = a.Seq
	}
	accts := make([]diskAccount, len(next.Accounts))
	for i, a := range next.Accounts {
		seq, ok := seqs[a.ID]
		if !ok {
			seq = newAccount // no lookup yet counts for it; write numbers it
		}
		accts[i] = onDisk(a, seq)
	}
	var p plan
	have := deriveAccounts(accts, &j)
	compact := !sameRecent(recentOf(&j, limit), next.Recent)
	for i := range next.Accounts {
		if compact {
			break
		}
		e, ok := stateDelta(have[i], next.Accounts[i])
		switch {
		case !ok:
			compact = true
		case e != nil:
			p.appends = append(p.appends, *e)
		}
	}
	compact = compact || j.lines+int64(len(p.appends)) > compactAfter(limit)
	if compact {
		p.appends = nil
		p.compact = &compaction{base: j.nextSeq(), lineage: j.header.Lineage, entries: compacted(next, deriveAccounts(d.counted(&j), &j))}
	}
	if !sameAccounts(d.accounts, accts) || d.version != SchemaVersion {
		p.accounts = accts
	}
	return p, nil
}

// newAccount is the seq of an account not written yet: write gives it the
// number of the first line after those it writes.
const newAccount = math.MaxInt64

// stateDelta is the account entry that takes have (an account's state as
// its history gives it) to want, nil when they agree; ok is false when
// want has less than have (fewer uses, an older or no result), which no
// entry can express.
func stateDelta(have, want Account) (e *entry, ok bool) {
	uses := want.UseCount - have.UseCount
	if uses < 0 || want.LastUsedAt.Before(have.LastUsedAt) {
		return nil, false
	}
	var snap *Snapshot
	if !sameSnapshot(have.Last, want.Last) {
		if want.Last == nil || have.Last != nil && want.Last.FetchedAt.Before(have.Last.FetchedAt) {
			return nil, false
		}
		snap = want.Last
	}
	if uses == 0 && snap == nil && want.LastUsedAt.Equal(have.LastUsedAt) {
		return nil, true
	}
	return &entry{ID: want.ID, Uses: uses, At: want.LastUsedAt, Snapshot: snap}, true
}

// compacted is the folded region of a history file holding next: each
// account's state (and that of accounts in old but not next, in case the
// accounts file is not written after all), then the history, oldest first.
func compacted(next Data, old []Account) []entry {
	var es []entry
	ids := make(map[string]bool, len(next.Accounts))
	state := func(a Account) {
		if a.UseCount > 0 || !a.LastUsedAt.IsZero() || a.Last != nil {
			es = append(es, entry{ID: a.ID, Uses: a.UseCount, At: a.LastUsedAt, Snapshot: a.Last})
		}
	}
	for _, a := range next.Accounts {
		ids[a.ID] = true
		state(a)
	}
	for _, a := range old {
		if !ids[a.ID] {
			state(a)
		}
	}
	for i := len(next.Recent) - 1; i >= 0; i-- {
		es = append(es, lookupEntry(next.Recent[i]))
	}
	return es
}

// sameAccounts reports whether two accounts files hold the same accounts
// (their seqs aside: a seq alone is no reason to write).
func sameAccounts(a, b []diskAccount) bool {
	return slices.EqualFunc(a, b, func(x, y diskAccount) bool {
		return x.ID == y.ID && x.Label == y.Label && x.Operator == y.Operator && x.CANumber == y.CANumber &&
			x.RegistrationID == y.RegistrationID && x.Note == y.Note && x.CreatedAt.Equal(y.CreatedAt)
	})
}

// sameRecent reports whether two histories hold the same lookups.
func sameRecent(a, b []Lookup) bool {
	return slices.EqualFunc(a, b, func(x, y Lookup) bool {
		return x.Operator == y.Operator && x.CANumber == y.CANumber && x.RegistrationID == y.RegistrationID &&
			x.At.Equal(y.At) && x.OK == y.OK && x.ErrorKind == y.ErrorKind && x.ErrorMessage == y.ErrorMessage &&
			sameSnapshot(x.Snapshot, y.Snapshot)
	})
}

// sameSnapshot reports whether two snapshots (nil for none) are equal.
func sameSnapshot(a, b *Snapshot) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !a.FetchedAt.Equal(b.FetchedAt) || (a.Consumer.Bill == nil) != (b.Consumer.Bill == nil) {
		return false
	}
	ca, cb := a.Consumer, b.Consumer
	ca.Bill, cb.Bill = nil, nil
	return ca == cb && (a.Consumer.Bill == nil || *a.Consumer.Bill == *b.Consumer.Bill)
}

// write writes p: the history file first (so that an accounts file never
// names results that are not written), then the accounts file. Lookups
// pending before this write are in p.appends (or the compaction) and are
// no longer pending once the history is written.
func (s *Store) write(p plan, adds []entry) error {
	switch {
	case p.compact != nil:
		if err := compactJournal(s.history, p.compact.base, p.compact.lineage, p.compact.entries); err != nil {
			s.pendingLookups = adds
			return err
		}
		s.pendingLookups = nil
		j, err := refreshJournal(s.history, emptyJournal())
		if err != nil {
			j = emptyJournal() // re-read next time
		}
		s.disk.j = j
	case len(p.appends) > 0:
		lines, err := encodeEntries(nil, p.appends)
		if err != nil {
			return &fnError{err}
		}
		if _, err := appendJournal(s.history, lines); err != nil {
			s.pendingLookups = adds
			return &writeError{path: s.history, err: err}
		}
		s.pendingLookups = nil
		if j, err := refreshJournal(s.history, s.disk.j); err == nil {
			s.disk.j = j
		} else {
			s.disk.j.info = nil // re-read next time
		}
	}
	if p.accounts == nil {
		return nil
	}
	// New accounts count the lines written after them, in the history file
	// as it now is (a file just started, a torn line just ended, renumber).
	for i := range p.accounts {
		if p.accounts[i].Seq == newAccount {
			p.accounts[i].Seq = s.disk.j.nextSeq()
		}
	}
	gen, lineage := newID(), s.disk.j.header.Lineage
	b, err := encodeAccounts(p.accounts, filepath.Base(s.history), gen, lineage)
	if err != nil {
		return &fnError{err}
	}
	info, err := writeFileAtomic(s.path, b)
	if err != nil {
		return &writeError{path: s.path, err: err}
	}
	s.disk.accounts, s.disk.accInfo, s.disk.gen, s.disk.lineage = p.accounts, info, gen, lineage
	s.disk.version, s.disk.v1 = SchemaVersion, nil
	return nil
}
