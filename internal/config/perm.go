package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// permissionWarnings returns ssh-style warnings about who else can change
// the config file at path (fi is what was opened) or, when it holds
// secrets, read it: one line for the file, and one for each directory on
// its way that another user can write without the sticky bit (they could
// replace the file, say to point base_url at their own server). Nothing is
// changed; each line says what to run.
func permissionWarnings(path string, fi fs.FileInfo, secrets bool) []string {
	var out []string
	if w := fileWarning(path, fi, secrets); w != "" {
		out = append(out, w)
	}
	for _, dir := range parentDirs(path) {
		if w := dirWarning(dir, path); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// fileWarning is the warning about the config file itself, or "".
func fileWarning(path string, fi fs.FileInfo, secrets bool) string {
	mode := fi.Mode().Perm()
	readable, writable := secrets && mode&0o044 != 0, unixModes && mode&0o022 != 0
	q := shellQuote(path)
	switch {
	case readable && writable:
		return fmt.Sprintf("WARNING: config file %s is readable and writable by others (mode %04o) and holds secrets; run: chmod 600 %s", path, mode, q)
	case readable:
		return fmt.Sprintf("WARNING: config file %s is readable by others (mode %04o) and holds secrets; run: chmod 600 %s", path, mode, q)
	case writable:
		return fmt.Sprintf("WARNING: config file %s is writable by others (mode %04o), who could point base_url at their own server; run: chmod go-w %s", path, mode, q)
	}
	if uid, ok := foreignOwner(fi); ok {
		return fmt.Sprintf("WARNING: config file %s is owned by another user (uid %d), who could change it; use a config file of your own", path, uid)
	}
	return ""
}

// dirWarning is the warning about dir, a directory on the way to the config
// file, or "".
func dirWarning(dir, path string) string {
	fi, err := os.Stat(dir)
	if err != nil {
		return ""
	}
	if mode := fi.Mode(); unixModes && mode.Perm()&0o022 != 0 && mode&fs.ModeSticky == 0 {
		return fmt.Sprintf("WARNING: directory %s of config file %s is writable by others (mode %04o) and not sticky, so they could replace the file; run: chmod go-w %s",
			dir, path, mode.Perm(), shellQuote(dir))
	}
	if uid, ok := foreignOwner(fi); ok {
		return fmt.Sprintf("WARNING: directory %s of config file %s is owned by another user (uid %d), who could replace the file; keep the config in a directory of your own",
			dir, path, uid)
	}
	return ""
}

// parentDirs lists the directories that lead to path, from its own up to
// the root, and those of the file a symlink at path points to.
func parentDirs(path string) []string {
	var dirs []string
	seen := map[string]bool{}
	add := func(p string) {
		for d := filepath.Dir(p); !seen[d]; d = filepath.Dir(d) {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	add(path)
	if real, err := filepath.EvalSymlinks(path); err == nil {
		add(real)
	}
	return dirs
}
