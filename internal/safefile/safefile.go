// Package safefile opens and creates the files aopfetch keeps for a user
// (store, history, lock, logs) so that another user of a shared machine
// cannot redirect them: like OpenSSH's StrictModes, a directory that
// someone else owns or may write to is refused, a file is never opened
// through a final symbolic link, and only regular files are read (a named
// pipe or a device would block or never end).
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
)

// File and directory permissions of what aopfetch creates, whatever the umask.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// UnsafeError is a directory another user could use to replace aopfetch's
// files: owned by someone else, or writable by others without the sticky bit.
type UnsafeError struct {
	Dir    string // the directory at fault
	Reason string // "is owned by user nobody (uid 65534)", "is writable by others"
	Path   string // the file aopfetch was to keep in it
}

// Error names the directory, why it is unsafe and what to do.
func (e *UnsafeError) Error() string {
	return fmt.Sprintf("refusing to use %s: the directory %s %s, so another user could replace or redirect the file; "+
		"keep aopfetch's files in a directory only you can write (e.g. under your home directory)", e.Path, e.Dir, e.Reason)
}

// CheckPath returns an *UnsafeError when the directory that holds path, or
// a directory above it, is owned by a user other than this one or root,
// or is writable by group or others without the sticky bit (as /tmp is).
// Directories not created yet are skipped: MkdirAll creates them private.
// path may be a symbolic link: the link's directory and its target's are
// both checked.
func CheckPath(path string) error {
	dirs := []string{filepath.Dir(path)}
	if target, err := filepath.EvalSymlinks(path); err == nil && target != path {
		dirs = append(dirs, filepath.Dir(target))
	}
	for _, dir := range dirs {
		if err := checkDirs(dir, path); err != nil {
			return err
		}
	}
	return nil
}

// checkDirs checks dir and every directory above it that exists, where
// they really are (a linked directory's target and the directories above it).
func checkDirs(dir, path string) error {
	dir, err := realDir(dir)
	if err != nil {
		return err
	}
	for ; ; dir = filepath.Dir(dir) {
		info, err := os.Stat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("check %s: %w", dir, err)
		default:
			if reason := unsafeDir(info); reason != "" {
				return &UnsafeError{Dir: dir, Reason: reason, Path: path}
			}
		}
		if filepath.Dir(dir) == dir {
			return nil
		}
	}
}

// realDir is dir made absolute with the links of the part that exists
// resolved: the directories a file created in dir will really be in.
func realDir(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	missing := ""
	for d := dir; ; d = filepath.Dir(d) {
		if real, err := filepath.EvalSymlinks(d); err == nil {
			return filepath.Join(real, missing), nil
		}
		if filepath.Dir(d) == d {
			return dir, nil
		}
		missing = filepath.Join(filepath.Base(d), missing)
	}
}

// MkdirAll creates dir and any missing parents with mode 0700, chmod-ing
// each one it created so the umask cannot loosen or tighten them.
func MkdirAll(dir string) error {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		_, err := os.Stat(d)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return err
	}
	for _, d := range missing {
		if err := os.Chmod(d, DirMode); err != nil {
			return err
		}
	}
	return nil
}

// NotRegularError is a path that is not a regular file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

// Error names the path and what it is instead.
func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, kind(e.Mode))
}

// kind names a file mode's type for a person.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a plain file"
}

// Open opens path for reading, never through a final symbolic link and
// without waiting (a named pipe with no writer), and only when it is a
// regular file of this user's (or root's). A missing file is fs.ErrNotExist, as os.Open says.
func Open(path string) (*os.File, fs.FileInfo, error) { return open(path, os.O_RDONLY) }

// open opens path with flag and refuses what is not a regular file, or
// belongs to another user (who could read what is written to it, or
// change it): only this user's and root's files are used.
func open(path string, flag int) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, flag|noFollow|nonBlock, FileMode)
	if err != nil {
		return nil, nil, linkError(path, err)
	}
	info, err := f.Stat()
	if err == nil {
		err = CheckFile(path, info)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// CheckFile returns an error when info (of the file at path) is not a
// regular file or belongs to a user other than this one or root.
func CheckFile(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return &NotRegularError{Path: path, Mode: info.Mode()}
	}
	if uid, ok := ForeignOwner(info); ok {
		return fmt.Errorf("refusing to use %s: it belongs to %s, who could read or change it; remove it or choose another file", path, userName(uid))
	}
	return nil
}

// userName names uid for a person: "user nobody (uid 65534)".
func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return fmt.Sprintf("user %s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("uid %d", uid)
}

// OpenFile opens path with flag (os.O_WRONLY|os.O_APPEND|os.O_CREATE, say),
// never through a final symbolic link, creating it with mode 0600; an
// existing file must be a regular one of this user's (or root's).
func OpenFile(path string, flag int) (*os.File, error) {
	f, _, err := open(path, flag)
	return f, err
}

// NoFollow is the open(2) flag that refuses a final symbolic link (0 where
// the system has none), for openers given a flag (a lock file).
const NoFollow = noFollow

// linkError words the error of an open refused because path is a
// symbolic link.
func linkError(path string, err error) error {
	if info, lerr := os.Lstat(path); lerr == nil && info.Mode()&fs.ModeSymlink != 0 && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("refusing to open %s: it is a symbolic link (aopfetch opens its own files only directly)", path)
	}
	return err
}

// TempSuffix follows a file's name in the temp files WriteAtomic writes
// beside it ("store.json.tmp-1234").
const TempSuffix = ".tmp-"

// WriteAtomic replaces path with the concatenation of data: a unique temp
// file beside it is written, made 0600, synced and renamed over it, and
// the directory is synced. On error path is untouched and the temp file
// removed; once the rename succeeded the write counts as done.
func WriteAtomic(path string, data ...[]byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+TempSuffix+"*")
	if err != nil {
		return err
	}
	for _, d := range data {
		if _, err = f.Write(d); err != nil {
			break
		}
	}
	if err == nil {
		err = f.Chmod(FileMode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	// A failure to sync the directory must not look like a failed write:
	// the new file is in place.
	_ = SyncDir(dir)
	return nil
}

// SyncDir makes a rename in dir durable. Windows cannot sync a directory
// (its renames are journaled by NTFS).
func SyncDir(dir string) error {
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

// Cause is err without the path a *fs.PathError or *os.LinkError names,
// for a caller that names the file itself: "file too large" rather than
// "write store.json.tmp-1234: file too large".
func Cause(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	if le, ok := errors.AsType[*os.LinkError](err); ok {
		return le.Err
	}
	return err
}
