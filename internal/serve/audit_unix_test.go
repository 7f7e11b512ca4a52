//go:build unix

package serve

import (
	"os"
	"syscall"
	"testing"
)

// TestAuditLogMustBeARegularFile: an audit log path that names a pipe or
// a symbolic link is refused at open, and what it names is left as it was
// (a device or another file is never written to or chmod-ed).
func TestAuditLogMustBeARegularFile(t *testing.T) {
	dir := t.TempDir()
	target := dir + "/elsewhere"
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, dir+"/link.jsonl"); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(dir+"/fifo.jsonl", 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"link.jsonl", "fifo.jsonl"} {
		a := &auditLog{path: dir + "/" + name}
		if err := a.open(); err == nil {
			a.Close()
			t.Errorf("%s: opened as an audit log", name)
		}
	}
	if info, err := os.Stat(target); err != nil || info.Mode().Perm() != 0o644 || info.Size() != 0 {
		t.Errorf("the link's target was changed: %v %v", info.Mode(), err)
	}
}
