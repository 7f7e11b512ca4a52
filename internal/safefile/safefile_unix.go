//go:build unix

package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

const (
	noFollow = syscall.O_NOFOLLOW
	nonBlock = syscall.O_NONBLOCK
)

// foreignOwner names the owner of info when it is neither this user nor
// root, else "".
func foreignOwner(info fs.FileInfo) string {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	if uid := int(st.Uid); uid != os.Geteuid() && uid != 0 {
		return userName(uid)
	}
	return ""
}

// unsafeDir says why a directory is unsafe, or "".
func unsafeDir(info fs.FileInfo) string {
	if owner := foreignOwner(info); owner != "" {
		return "is owned by " + owner
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

// userName names uid for a person: "user nobody (uid 65534)".
func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return fmt.Sprintf("user %s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("uid %d", uid)
}
