package ui

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// reloadCmd re-reads the store when another session changed it, and
// first retries writing the changes a failed write left in memory (the
// lock another process held may be free again), so that they do not wait
// for the next write or the end of the session.
func reloadCmd(st *store.Store) tea.Cmd {
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		if st.Pending() > 0 && st.Flush() == nil {
			return storeMsg{data: st.Data(), changed: true, note: "now saved to disk"}
		}
		d, changed, err := st.ReloadIfChanged()
		return storeMsg{data: d, changed: changed, err: err}
	}
}

// writeCmd runs one store write and reports the store's data afterwards.
func writeCmd(st *store.Store, note string, write func() error) tea.Cmd {
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		if err := write(); err != nil {
			// The store keeps a failed change in memory: show it anyway.
			// A change refused as it stands (the account is gone, or was
			// saved again) is no problem of the store.
			refused := errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrSavedAgain)
			return storeMsg{data: st.Data(), changed: true, err: err, note: note, refused: refused}
		}
		return storeMsg{data: st.Data(), changed: true, note: note}
	}
}

// recordCmd adds lookups to history in one append (and refreshes the
// snapshots of matching saved accounts).
func recordCmd(st *store.Store, ls ...store.Lookup) tea.Cmd {
	if len(ls) == 0 {
		return nil
	}
	ls = slices.Clone(ls)
	return writeCmd(st, "", func() error { return st.RecordLookups(ls...) })
}

// saveCmd saves or updates an account.
func saveCmd(st *store.Store, a store.Account) tea.Cmd {
	return writeCmd(st, fmt.Sprintf("saved %q", a.Label), func() error { return errOf(st.SaveAccount(a)) })
}

// renameCmd changes only the label of the saved account a (to a.Label),
// or saves a again when another session deleted it meanwhile: the agent
// asked for it saved under that label.
func renameCmd(st *store.Store, a store.Account) tea.Cmd {
	return writeCmd(st, fmt.Sprintf("saved %q", a.Label), func() error {
		_, err := st.RenameAccount(a.CANumber, a.Label)
		if errors.Is(err, store.ErrNotFound) {
			_, err = st.SaveAccount(a)
		}
		return err
	})
}

// removeCmd deletes account id, shown as title; note is the status after.
func removeCmd(st *store.Store, id, title, note string) tea.Cmd {
	return writeCmd(st, note, func() error { return goneAs(title, id, st.RemoveAccount(id)) })
}

// restoreCmd puts a deleted account back at its position; note is the
// status after.
func restoreCmd(st *store.Store, a store.Account, pos int, note string) tea.Cmd {
	return writeCmd(st, note, func() error { return errOf(st.RestoreAccount(a, pos)) })
}

// updateCmd changes the label and note of account id, shown as title.
func updateCmd(st *store.Store, id, title, label, note string) tea.Cmd {
	return writeCmd(st, fmt.Sprintf("updated %q", label), func() error {
		return goneAs(title, id, errOf(st.UpdateAccount(id, label, note)))
	})
}

// goneError is a change refused because another session deleted the
// account first: it names the account as home showed it, not by its id.
type goneError struct {
	title, id string
	err       error // wraps store.ErrNotFound
}

func (e goneError) Error() string {
	return fmt.Sprintf("%q is no longer saved: another session deleted it", e.title)
}

func (e goneError) Unwrap() error { return e.err }

// goneAs is err, as a goneError when account id (shown as title) was not
// found.
func goneAs(title, id string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return goneError{title: title, id: id, err: err}
	}
	return err
}

// errOf drops a store write's result, keeping its error.
func errOf[T any](_ T, err error) error { return err }

// moveCmd moves an account up (negative) or down.
func moveCmd(st *store.Store, id string, delta int) tea.Cmd {
	return writeCmd(st, "", func() error { return st.MoveAccount(id, delta) })
}

// maxClipboard is the largest text copied with OSC 52; many terminals
// refuse more.
const maxClipboard = 100_000

// copyCmd writes s to the terminal's clipboard with OSC 52, which works
// over SSH. Inside tmux the plain sequence is what set-clipboard on takes
// into tmux's buffer (and forwards); the passthrough-wrapped copy reaches
// the outer terminal directly when tmux has allow-passthrough on. Both go
// out in one write so they never split a frame. s is sanitised first
// (text.SanitizeText): what is pasted holds no control, bidi or invisible
// character, whatever the server sent.
func copyCmd(c *common, what, s string) tea.Cmd {
	w, tmux := c.Clipboard, c.tmux
	return func() tea.Msg {
		s := text.SanitizeText(s)
		if len(s) > maxClipboard {
			return copyMsg{what: what, err: fmt.Errorf("%d bytes is more than terminals accept", len(s))}
		}
		seq := osc52.New(s)
		out := seq.String()
		if tmux {
			out += seq.Tmux().String()
		}
		_, err := io.WriteString(w, out)
		return copyMsg{what: what, err: err}
	}
}
