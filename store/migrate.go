package store

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aopfetch/aopfetch/internal/safefile"
)

// backupSuffix names the copy of a store of the old layout kept while it
// is upgraded.
const backupSuffix = ".bak-v1"

// migrate upgrades a store of the old layout (one file holding accounts,
// results and history, rewritten whole by every lookup) to this one, while
// holding the lock: a copy of the old file is kept beside it until the
// history file and the new accounts file are written, in that order. On
// failure the old file is untouched and d (the old content, in memory) is
// returned with an error saying so; the next write tries again.
func (s *Store) migrate(d disk) (disk, error) {
	fail := func(err error) (disk, error) {
		return d, fmt.Errorf("could not upgrade %s to the new layout, it is unchanged (a later write tries again): %v", s.path, err)
	}
	backup := s.path + backupSuffix
	if err := keepCopy(s.path, backup, d.v1); err != nil {
		return fail(err)
	}
	entries := make([]entry, len(d.j.folded))
	for i, e := range d.j.folded {
		entries[i] = *e
	}
	lineage := newID()
	if err := compactJournal(s.history, 0, lineage, entries); err != nil {
		return fail(err)
	}
	b, err := encodeAccounts(d.accounts, filepath.Base(s.history), newID(), lineage)
	if err != nil {
		return fail(err)
	}
	if _, err := writeFileAtomic(s.path, b); err != nil {
		return fail(err)
	}
	os.Remove(backup)
	nd, err := (disk{}).read(s.path, s.history)
	if err != nil {
		return fail(err)
	}
	return nd, nil
}

// keepCopy keeps the old file at path as backup: a second name for it (a
// hard link, which takes no space on a full disk), else a copy of text.
func keepCopy(path, backup string, text []byte) error {
	os.Remove(backup) // a copy left by an upgrade cut short
	if os.Link(path, backup) == nil {
		return safefile.SyncDir(filepath.Dir(path))
	}
	_, err := writeFileAtomic(backup, text)
	return err
}

// removeLeftoverCopy removes the copy an upgrade cut short left beside an
// upgraded store (its lookups would outlive "history clear"). The caller
// holds the lock.
func (s *Store) removeLeftoverCopy() {
	if s.disk.v1 == nil && s.disk.version == SchemaVersion {
		os.Remove(s.path + backupSuffix)
	}
}
