package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/internal/safefile"
)

// File and directory permissions, applied whatever the umask.
const (
	fileMode = safefile.FileMode
	dirMode  = safefile.DirMode
)

// tempSuffix follows the store's base name in its temp files.
const tempSuffix = ".tmp-"

// writeFileAtomic replaces path with the concatenation of pieces: a unique temp file in the same
// directory is written, synced and made 0600, renamed over path, and the
// directory synced. On error path is untouched and the temp file removed;
// once the rename succeeded the write counts as done.
func writeFileAtomic(path string, pieces [][]byte) (os.FileInfo, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+tempSuffix+"*")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	if err := writeSync(f, pieces); err != nil {
		os.Remove(tmp)
		return nil, withoutTemp(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, withoutTemp(err)
	}
	// The new state is in place from here on. A failure to sync the
	// directory or to stat the file must not look like a failed write: the
	// caller would keep the change pending and apply it a second time.
	_ = syncDir(dir)
	info, _ := os.Stat(path) // nil: the next read compares nothing and re-reads
	return info, nil
}

// withoutTemp is err without the temp file's name (the caller names the
// file being written): "file too large" rather than "write store.json.tmp-1234: file too large".
func withoutTemp(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	if le, ok := errors.AsType[*os.LinkError](err); ok {
		return le.Err
	}
	return err
}

// writeSync writes pieces to f, makes it 0600, syncs and closes it.
func writeSync(f *os.File, pieces [][]byte) error {
	var err error
	for _, p := range pieces {
		if _, err = f.Write(p); err != nil {
			break
		}
	}
	if err == nil {
		err = f.Chmod(fileMode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a rename in dir durable. Windows cannot sync a directory
// (its renames are journaled by NTFS).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, errors.ErrUnsupported) {
		return nil
	}
	return err
}

// moveAside renames a corrupt store to "<path>.corrupt-<UTC timestamp>",
// never replacing an earlier backup, and returns the new name.
func moveAside(path string, now time.Time) (string, error) {
	base := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	for i := 0; ; i++ {
		name := base
		if i > 0 {
			name += "-" + strconv.Itoa(i)
		}
		_, err := os.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			return name, os.Rename(path, name)
		}
		if err != nil {
			return "", err
		}
	}
}

// removeStaleTemps deletes temp files left by a writer that crashed. Writers
// only create temp files while holding the lock, so they are removed only
// when the lock can be taken at once; otherwise a later start cleans up.
func (s *Store) removeStaleTemps() {
	if len(s.tempFiles()) == 0 {
		return
	}
	fl, ok := s.tryLock()
	if !ok {
		return
	}
	defer fl.unlock()
	for _, name := range s.tempFiles() {
		os.Remove(name)
	}
}

// tempFiles lists the temp files of the store's files.
func (s *Store) tempFiles() []string {
	dir := filepath.Dir(s.path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		for _, f := range []string{s.path, s.history, s.path + backupSuffix} {
			if strings.HasPrefix(e.Name(), filepath.Base(f)+tempSuffix) && e.Type().IsRegular() {
				names = append(names, filepath.Join(dir, e.Name()))
			}
		}
	}
	return names
}

// tightenFile makes the existing store files 0600, with a notice.
func (s *Store) tightenFile() {
	s.tighten(s.path, fileMode)
	s.tighten(s.history, fileMode)
}

// tightenDefaultDir makes aopfetch's own data directory 0700, with a notice.
// A directory chosen with --store (say, the home directory) is left alone.
func (s *Store) tightenDefaultDir() {
	def, err := DefaultPath()
	if err != nil || filepath.Dir(def) != filepath.Dir(s.path) {
		return
	}
	s.tighten(filepath.Dir(s.path), dirMode)
}

// tighten chmods an existing path to want when group or others have access.
// Windows has no such permission bits (access is by ACL): nothing to do.
func (s *Store) tighten(path string, want fs.FileMode) {
	if runtime.GOOS == "windows" {
		return
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm()&0o077 == 0 {
		return
	}
	got := info.Mode().Perm()
	if err := os.Chmod(path, want); err != nil {
		s.notices = append(s.notices, fmt.Sprintf("%s has permissions %#o, readable by others; could not tighten them to %#o: %v", path, got, want, err))
		return
	}
	s.notices = append(s.notices, fmt.Sprintf("tightened permissions of %s from %#o to %#o", path, got, want))
}
