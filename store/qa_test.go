package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQAStoreWithBOMIsRead: a store saved by an editor that adds a UTF-8
// byte order mark (Windows Notepad) holds valid JSON; it must be read, not
// moved aside as corrupt.
func TestQAStoreWithBOMIsRead(t *testing.T) {
	t.Skip("bug: a store.json starting with a UTF-8 BOM is called corrupt (not a JSON object) and moved aside (store/decode.go)")
	src := openAt(t, testPath(t))
	mustSave(t, src, Account{CANumber: "DL12CB4685", Label: "Van"})
	raw, err := os.ReadFile(src.Path())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "store.json")
	if err := os.WriteFile(path, append([]byte("\uFEFF"), raw...), 0o600); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	if n := s.Notices(); len(n) != 0 {
		t.Fatalf("notices %q", n)
	}
	if d := s.Data(); len(d.Accounts) != 1 || d.Accounts[0].Label != "Van" {
		t.Fatalf("accounts %+v", d.Accounts)
	}
}

// TestQADanglingSymlinkStoreIsWrittenThrough: a store path that is a
// symlink to a file not created yet (the agent points store.json at another
// disk before the first run) must be written through, keeping the link, as
// an existing target is.
func TestQADanglingSymlinkStoreIsWrittenThrough(t *testing.T) {
	t.Skip("bug: Open resolves a store symlink only when its target exists; the first write replaces a dangling link with a regular file (store/store.go)")
	dir := t.TempDir()
	target := filepath.Join(dir, "disk2", "store.json")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "store.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	mustSave(t, openAt(t, link), Account{CANumber: "DL12CB4685"})
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if raw, err := os.ReadFile(target); err != nil || !strings.Contains(string(raw), "DL12CB4685") {
		t.Fatalf("target not written: %v", err)
	}
}
