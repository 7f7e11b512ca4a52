//go:build !unix

package safefile

import "io/fs"

// Windows has neither O_NOFOLLOW nor Unix owners and modes (access is by
// ACL, and other users cannot write a user's profile by default).
const (
	noFollow = 0
	nonBlock = 0
)

// UnixModes is false where the mode bits are made up (Windows reports
// every writable file as 0666).
const UnixModes = false

func unsafeDir(fs.FileInfo) string { return "" }

// ForeignOwner is unknown where files have no Unix owner.
func ForeignOwner(fs.FileInfo) (int, bool) { return 0, false }
