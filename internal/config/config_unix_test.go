//go:build unix

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestConfigFIFORefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// Opening a FIFO would block until a writer comes; Load must not.
	if got := loadErr(t, LoadOptions{Path: fifo}); got != "config "+fifo+": is not a regular file" {
		t.Errorf("err = %q", got)
	}
}

// TestConfigWritableByOthersWarns: whoever can change the config can point
// base_url at a server of their own, so a file or directory others can
// write is warned about (ssh-style), with or without secrets, in one line
// per path.
func TestConfigWritableByOthersWarns(t *testing.T) {
	const secret = "[auth]\njwt_secret = \"x\"\n"
	tests := []struct {
		name, text string
		mode       os.FileMode
		want       string // "" = no warning
	}{
		{"group-writable", "operator = 1\n", 0o620, "WARNING: config file %s is writable by others (mode 0620), who could point base_url at their own server; run: chmod go-w %s"},
		{"world-writable", "operator = 1\n", 0o602, "WARNING: config file %s is writable by others (mode 0602), who could point base_url at their own server; run: chmod go-w %s"},
		{"readable and writable with a secret", secret, 0o666, "WARNING: config file %s is readable and writable by others (mode 0666) and holds secrets; run: chmod 600 %s"},
		{"readable without a secret", "operator = 1\n", 0o644, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.text, tt.mode)
			c := mustLoad(t, LoadOptions{Path: p})
			var want []string
			if tt.want != "" {
				want = []string{fmt.Sprintf(tt.want, p, p)}
			}
			if !slices.Equal(c.Warnings, want) {
				t.Errorf("Warnings = %q\nwant %q", c.Warnings, want)
			}
		})
	}
}

func TestConfigWritableDirectoryWarns(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte("operator = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		mode os.FileMode
		want string
	}{
		{0o777, fmt.Sprintf("WARNING: directory %s of config file %s is writable by others (mode 0777), so another user could replace the file; keep it in a directory only you can write", dir, p)},
		{0o770, fmt.Sprintf("WARNING: directory %s of config file %s is writable by its group (mode 0770), so another user could replace the file; keep it in a directory only you can write", dir, p)},
		{0o777 | os.ModeSticky, ""}, // like /tmp: others cannot rename or remove the file
		{0o755, ""},
	} {
		if err := os.Chmod(dir, tt.mode); err != nil {
			t.Fatal(err)
		}
		c := mustLoad(t, LoadOptions{Path: p})
		var want []string
		if tt.want != "" {
			want = []string{tt.want}
		}
		if !slices.Equal(c.Warnings, want) {
			t.Errorf("directory %v: Warnings = %q\nwant %q", tt.mode, c.Warnings, want)
		}
	}
	// A symlinked config (a dotfiles checkout) is judged where it lives too.
	link := filepath.Join(parent, "link.toml")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if c := mustLoad(t, LoadOptions{Path: link}); len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "directory "+dir+" ") {
		t.Errorf("symlink: Warnings = %q", c.Warnings)
	}
}

// TestConfigForeignOwnerWarns needs root to give the file away.
func TestConfigForeignOwnerWarns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	p := writeConfig(t, "operator = 1\n", 0o644)
	if err := os.Chown(p, 65534, 65534); err != nil {
		t.Skip("chown:", err)
	}
	// The file is nobody's: neither this user's nor root's.
	c := mustLoad(t, LoadOptions{Path: p})
	want := fmt.Sprintf("WARNING: config file %s is owned by another user (uid 65534), who could change it; use a config file of your own", p)
	if len(c.Warnings) != 1 || c.Warnings[0] != want {
		t.Errorf("Warnings = %q\nwant [%q]", c.Warnings, want)
	}
}
