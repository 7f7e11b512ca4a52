package config

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/aopfetch/aopfetch/internal/safefile"
)

// permissionWarnings returns ssh-style warnings about who else can change
// the config file at path (fi is what was opened) or, when it holds
// secrets, read it: one line about the file, and one about a directory on
// its way that another user owns or may write without the sticky bit (the
// rule the store refuses such directories by, internal/safefile). Whoever
// can change the file can point base_url at their own server. Nothing is
// changed; each line says what to do.
func permissionWarnings(path string, fi fs.FileInfo, secrets bool) []string {
	var out []string
	if w := fileWarning(path, fi, secrets); w != "" {
		out = append(out, w)
	}
	if ue, ok := errors.AsType[*safefile.UnsafeError](safefile.CheckPath(path)); ok && safefile.UnixModes {
		out = append(out, fmt.Sprintf("WARNING: directory %s of config file %s %s, so another user could replace the file; "+
			"keep it in a directory only you can write", ue.Dir, path, ue.Reason))
	}
	return out
}

// fileWarning is the warning about the config file itself, or "".
func fileWarning(path string, fi fs.FileInfo, secrets bool) string {
	mode := fi.Mode().Perm()
	readable, writable := secrets && mode&0o044 != 0, safefile.UnixModes && mode&0o022 != 0
	q := shellQuote(path)
	switch {
	case readable && writable:
		return fmt.Sprintf("WARNING: config file %s is readable and writable by others (mode %04o) and holds secrets; run: chmod 600 %s", path, mode, q)
	case readable:
		return fmt.Sprintf("WARNING: config file %s is readable by others (mode %04o) and holds secrets; run: chmod 600 %s", path, mode, q)
	case writable:
		return fmt.Sprintf("WARNING: config file %s is writable by others (mode %04o), who could point base_url at their own server; run: chmod go-w %s", path, mode, q)
	}
	if uid, ok := safefile.ForeignOwner(fi); ok {
		return fmt.Sprintf("WARNING: config file %s is owned by another user (uid %d), who could change it; use a config file of your own", path, uid)
	}
	return ""
}
