//go:build unix

package store

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStoreInAnotherUsersDirectoryIsRefused: with XDG_DATA_HOME inside a
// directory another user owns and can write, that user's planted links
// (the store to a victim file, the lock to a new file) are not followed:
// the store is refused with the directory's owner named, and the victim is
// neither renamed, replaced nor created.
func TestStoreInAnotherUsersDirectoryIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a directory to another user")
	}
	base := t.TempDir()
	shared := filepath.Join(base, "shared", "aopfetch")
	os.MkdirAll(shared, 0o777)
	os.Chown(filepath.Join(base, "shared"), 65534, 65534)
	os.Chown(shared, 65534, 65534)
	os.Chmod(shared, 0o777)
	victim := filepath.Join(base, "victim")
	os.WriteFile(victim, []byte("\x00binary victim"), 0o644)
	os.Symlink(victim, filepath.Join(shared, "store.json"))
	created := filepath.Join(base, "created")
	os.Symlink(created, filepath.Join(shared, "store.json.lock"))
	for _, o := range []Options{{}, {Deferred: true}} {
		_, err := Open(filepath.Join(shared, "store.json"), o)
		if err == nil || !strings.Contains(err.Error(), "owned by") || !strings.Contains(err.Error(), shared) {
			t.Fatalf("Open = %v, want a refusal naming %s and its owner", err, shared)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "\x00binary victim" {
		t.Fatal("the victim changed")
	}
	if m, _ := filepath.Glob(victim + ".corrupt-*"); len(m) != 0 {
		t.Fatalf("the victim was moved aside: %v", m)
	}
	if _, err := os.Lstat(created); !os.IsNotExist(err) {
		t.Fatal("the planted lock link created a file")
	}
}

func TestWorldWritableStoreDirectoryIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "open")
	os.Mkdir(dir, 0o700)
	os.Chmod(dir, 0o777)
	if _, err := Open(filepath.Join(dir, "store.json"), Options{}); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Fatalf("Open = %v", err)
	}
}

// TestPipeAndDeviceStoresEndPromptly: a named pipe or /dev/zero given as
// the store is refused at once, with bounded memory, for every command's
// way in (reading, recording a lookup).
func TestPipeAndDeviceStoresEndPromptly(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan []error, 1)
	go func() {
		var errs []error
		for _, path := range []string{fifo, "/dev/zero"} {
			_, err := Open(path, Options{HistoryLimit: 200})
			errs = append(errs, err)
			if s, err := Open(path, Options{HistoryLimit: 200, Deferred: true}); err != nil {
				errs = append(errs, err)
			} else {
				errs = append(errs, s.RecordLookups(Lookup{Operator: 1, CANumber: "AA11A1111", OK: true}))
			}
		}
		done <- errs
	}()
	select {
	case errs := <-done:
		for i, want := range []string{"named pipe", "named pipe", "a device", "a device"} {
			if errs[i] == nil || !strings.Contains(errs[i].Error(), want) {
				t.Errorf("case %d: %v, want an error saying %q", i, errs[i], want)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a pipe or device store blocked")
	}
}

func TestLinkedLockFileIsNotFollowed(t *testing.T) {
	p := testPath(t)
	os.MkdirAll(filepath.Dir(p), 0o700)
	target := filepath.Join(t.TempDir(), "elsewhere")
	os.Symlink(target, p+".lock")
	s := openAt(t, p)
	if _, err := s.SaveAccount(Account{CANumber: "AA11A1111"}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("SaveAccount with a linked lock file = %v", err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatal("the lock link's target was created")
	}
}
