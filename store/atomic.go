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

// writeFileAtomic replaces path with the concatenation of pieces (see
// safefile.WriteAtomic) and returns its FileInfo (nil when it cannot be
// read: the next read then compares nothing and re-reads). On error path
// is untouched; the error does not name the temp file (the caller names
// the file being written).
func writeFileAtomic(path string, pieces ...[]byte) (os.FileInfo, error) {
	if err := safefile.WriteAtomic(path, pieces...); err != nil {
		return nil, safefile.Cause(err)
	}
	info, _ := os.Stat(path)
	return info, nil
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
		if errors.Is(err, os.ErrNotExist) {
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
			if strings.HasPrefix(e.Name(), filepath.Base(f)+safefile.TempSuffix) && e.Type().IsRegular() {
				names = append(names, filepath.Join(dir, e.Name()))
			}
		}
	}
	return names
}

// tightenDefaultDir makes aopfetch's own data directory 0700, with a notice.
// A directory chosen with --store (say, the home directory) is left alone.
func (s *Store) tightenDefaultDir() {
	def, err := DefaultPath()
	if err != nil || filepath.Dir(def) != filepath.Dir(s.path) {
		return
	}
	s.tighten(filepath.Dir(s.path), safefile.DirMode)
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
