//go:build !unix

package safefile

import "io/fs"

// Windows has neither O_NOFOLLOW nor Unix owners and modes (access is by
// ACL, and other users cannot write a user's profile by default).
const (
	noFollow = 0
	nonBlock = 0
)

func unsafeDir(fs.FileInfo) string { return "" }

func foreignOwner(fs.FileInfo) string { return "" }
