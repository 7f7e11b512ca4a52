//go:build !unix

package config

import "io/fs"

// foreignOwner is unknown where files have no unix owner.
func foreignOwner(fs.FileInfo) (int, bool) { return 0, false }

// unixModes is false where the mode bits are made up (Windows reports
// every writable file as 0666): only the secrets warning applies.
const unixModes = false
