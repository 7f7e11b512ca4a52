// Package store owns the JSON store of saved accounts and recent lookups
// under the XDG directories, its locking and atomic writes. It knows nothing
// of HTTP, the UI or the config file (internal/config).
//
// # The data store
//
// The store is one JSON file (DefaultPath: $XDG_DATA_HOME/aopfetch/store.json)
// holding the saved accounts and the recent lookups (see Data). Every
// mutation (Store.Update and the helpers built on it) is a read-modify-write
// under a cross-process lock on "<store>.lock": the file is re-read, the
// change applied and the result written atomically (a unique temp file in the
// same directory, fsync, rename over the store, fsync the directory). A crash
// at any moment leaves the old or the new file, never a torn one, and two
// processes changing the store at the same time both keep their changes.
//
// The directory is created 0700 and the file 0600 whatever the umask; a
// looser existing file is tightened. Problems Open recovers from (a corrupt or
// empty file moved aside to "store.json.corrupt-<timestamp>", tightened
// permissions, a file from a newer aopfetch opened read-only) are reported by
// Store.Notices as one-line messages, never as silent data loss.
//
// When a write fails (disk full, read-only filesystem, lock timeout) the file
// on disk is left as it was, the error is returned, and the change is kept in
// memory for the running session: Store.Data shows it, Store.Pending counts
// it, the error is a *PendingError, and it is written with the next
// successful Update (or Store.Flush).
//
// Secrets are never stored: none of these types holds one. Server strings are
// stored as received; sanitising them is the job of whoever displays them.
package store
