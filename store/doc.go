// Package store keeps the saved accounts and the recent lookups under the
// XDG data directory: locking, atomic writes, an append-only history. It
// knows nothing of HTTP or the UI.
//
// # Files
//
// A store is two files side by side (DefaultPath:
// $XDG_DATA_HOME/aopfetch/store.json):
//
//   - the accounts file, store.json: the saved accounts' own fields (label,
//     operator, vehicle, registration ID, note, order), one a line,
//     rewritten atomically (a unique temp file in the same directory, fsync,
//     rename, fsync of the directory) only when accounts change;
//   - the history file, store.history.jsonl: JSON Lines appended under the
//     lock with O_APPEND and fsync — every lookup, and the last result and
//     use of saved accounts — compacted by an atomic rewrite once it holds
//     about twice Options.HistoryLimit lines since the last compaction.
//
// A lookup therefore writes one line and reads nothing (Options.Deferred),
// and the saved accounts take their last result and use count from the
// history when read (see disk.go for the layout). A crash mid-append leaves
// a torn last line, which is skipped and ended by the next append; a crash
// anywhere else leaves the old or the new file, never a torn one. Every
// change is made under a cross-process lock on "store.json.lock" on the
// files as they are then, so two processes changing the store at the same
// time both keep their changes.
//
// A store of the first layout (one file with accounts, results and history,
// schema 1) is upgraded when first read, with a copy kept as
// "store.json.bak-v1" until the new files are written. A file from a newer
// aopfetch is opened read-only.
//
// The directory is created 0700 and the files 0600 whatever the umask; a
// looser existing file is tightened. A directory another user owns or may
// write is refused (see internal/safefile). Problems Open recovers from (a
// corrupt file moved aside to "<file>.corrupt-<timestamp>", tightened
// permissions, a file from a newer aopfetch opened read-only) are reported
// by Store.Notices as one-line messages, never as silent data loss.
//
// When a write fails (disk full, read-only filesystem, lock timeout) the
// files are left as they were, the error is returned, and the change is
// kept in memory for the running session: Store.Data shows it,
// Store.Pending counts it, the error is a *PendingError, and it is written
// with the next successful write (or Store.Flush).
//
// Secrets are never stored: none of these types holds one. Server strings
// are stored as received; sanitising them is the job of whoever displays
// them.
package store
