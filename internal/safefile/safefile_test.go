//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nobody is the uid of another user, for the tests that need one.
const nobody = 65534

// asRoot skips a test that must give a directory to another user.
func asRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("only root can give a directory to another user")
	}
}

func TestCheckPathRefusesADirectoryOthersControl(t *testing.T) {
	base := t.TempDir()
	os.Chmod(base, 0o700)
	for name, setup := range map[string]func(dir string) error{
		"world-writable": func(dir string) error { return os.Chmod(dir, 0o777) },
		"group-writable": func(dir string) error { return os.Chmod(dir, 0o770) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(base, name)
			os.Mkdir(dir, 0o700)
			if err := setup(dir); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "store.json")
			var ue *UnsafeError
			if err := CheckPath(p); !errors.As(err, &ue) || ue.Dir != dir || !strings.Contains(err.Error(), "writable by") {
				t.Fatalf("CheckPath = %v", err)
			}
		})
	}
	sticky := filepath.Join(base, "sticky")
	os.Mkdir(sticky, 0o700)
	os.Chmod(sticky, 0o777|os.ModeSticky)
	if err := CheckPath(filepath.Join(sticky, "x", "store.json")); err != nil {
		t.Fatalf("a sticky directory (as /tmp) was refused: %v", err)
	}
}

func TestCheckPathRefusesAnotherUsersDirectory(t *testing.T) {
	asRoot(t)
	base := t.TempDir()
	dir := filepath.Join(base, "theirs")
	os.Mkdir(dir, 0o755)
	if err := os.Chown(dir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	err := CheckPath(filepath.Join(dir, "sub", "store.json"))
	if ue, ok := errors.AsType[*UnsafeError](err); !ok || ue.Dir != dir || !strings.Contains(err.Error(), "owned by") || !strings.Contains(err.Error(), "65534") {
		t.Fatalf("CheckPath = %v", err)
	}
	// A link in a safe directory to a file in theirs is refused too.
	mine := filepath.Join(base, "mine")
	os.Mkdir(mine, 0o700)
	target := filepath.Join(dir, "store.json")
	os.WriteFile(target, []byte("{}"), 0o600)
	link := filepath.Join(mine, "store.json")
	os.Symlink(target, link)
	if err := CheckPath(link); err == nil {
		t.Fatal("a link into another user's directory was accepted")
	}
}

func TestOpenRefusesLinksPipesAndDevices(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("x"), 0o600)
	link := filepath.Join(dir, "link")
	os.Symlink(target, link)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{link: "symbolic link", fifo: "named pipe", "/dev/zero": "a device", dir: "a directory"} {
		done := make(chan error, 1)
		go func() {
			f, _, err := Open(path)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Open(%s) = %v, want an error saying %q", path, err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Open(%s) blocked", path)
		}
	}
	if _, err := OpenFile(link, os.O_WRONLY|os.O_APPEND|os.O_CREATE); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("OpenFile through a link = %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "x" {
		t.Fatal("the link's target changed")
	}
}

func TestMkdirAllIsPrivateWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if info, _ := os.Stat(d); info.Mode().Perm() != DirMode {
			t.Errorf("%s: mode %#o", d, info.Mode().Perm())
		}
	}
}
