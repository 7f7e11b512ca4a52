//go:build unix

package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

const (
	noFollow = syscall.O_NOFOLLOW
	nonBlock = syscall.O_NONBLOCK
)

// UnixModes says that the group and other bits of a mode tell who else
// may read or write a file.
const UnixModes = true

// ForeignOwner returns the owner of info when it is neither this user nor
// root (whom every file must trust anyway).
func ForeignOwner(info fs.FileInfo) (uid int, ok bool) {
	st, isStat := info.Sys().(*syscall.Stat_t)
	if !isStat {
		return 0, false
	}
	uid = int(st.Uid)
	return uid, uid != 0 && uid != os.Geteuid()
}

// unsafeDir says why a directory is unsafe, or "".
func unsafeDir(info fs.FileInfo) string {
	if uid, ok := ForeignOwner(info); ok {
		return "is owned by " + userName(uid)
	}
	if info.Mode().Perm()&0o022 != 0 && info.Mode()&fs.ModeSticky == 0 {
		who := "others"
		if info.Mode().Perm()&0o002 == 0 {
			who = "its group"
		}
		return fmt.Sprintf("is writable by %s (mode %#o)", who, info.Mode().Perm())
	}
	return ""
}
