//go:build unix

package config

import (
	"io/fs"
	"os"
	"syscall"
)

// foreignOwner returns the owner of fi when it is neither this user nor
// root (whom every file must trust anyway).
func foreignOwner(fi fs.FileInfo) (uid int, ok bool) {
	st, isStat := fi.Sys().(*syscall.Stat_t)
	if !isStat {
		return 0, false
	}
	uid = int(st.Uid)
	return uid, uid != 0 && uid != os.Geteuid()
}

// unixModes says that the group and other bits of a mode tell who else may
// write a file.
const unixModes = true
