package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aopfetch/aopfetch/internal/safefile"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The store's two files, as this build writes them (schema 2):
//
// The accounts file (store.json) holds the saved accounts' own fields, one
// account a line, and is rewritten (atomically) only when accounts change:
//
//	{"version":2,"history":"store.history.jsonl","accounts":[
//	{"id":"…","label":"…","operator":311,"canumber":"DL12CB4685",…,"seq":12},
//	…
//	]}
//
// The history file beside it (store.history.jsonl) is JSON Lines, appended
// under the lock: a header line, then entries. An entry is either a lookup
// (operator, canumber, … as Lookup) or, when it has an "id", the state of
// the saved account with that id (a result it was saved or imported with,
// or the fold of many lookups at a compaction). The header says how many
// bytes after it are "folded": what a compaction wrote. Entries there are
// history only (their effect on the accounts is in the account entries
// written with them); entries after it are "raw" and also refresh the saved
// accounts they match. Raw lines are numbered from the header's base, and
// an account's seq is the number of the first raw line written after it was
// saved, so a lookup made before it was saved does not count as its use.

// journalVersion is the history file layout this build writes.
const journalVersion = 2

// journalHeader is the first line of the history file.
type journalHeader struct {
	Journal int    `json:"journal"`
	Gen     string `json:"gen,omitzero"`     // random, new with each rewrite: tells a new file from an old one
	Lineage string `json:"lineage,omitzero"` // random, new with a new file and kept by compactions: what line numbers count in
	Base    int64  `json:"base"`             // the number of the first raw line
	Folded  int64  `json:"folded"`           // bytes of compacted entries after this line
}

// diskAccount is an account as the accounts file holds it: the fields the
// agent edits, and seq (see above). Results and use counts are in the history file.
type diskAccount struct {
	ID             string    `json:"id"`
	Label          string    `json:"label,omitzero"`
	Operator       int       `json:"operator,omitzero"`
	CANumber       string    `json:"canumber"`
	RegistrationID string    `json:"registration_id,omitzero"`
	Note           string    `json:"note,omitzero"`
	CreatedAt      time.Time `json:"created_at,omitzero"`
	Seq            int64     `json:"seq,omitzero"`
}

// accountsFile is the accounts file.
type accountsFile struct {
	Version  int           `json:"version"`
	History  string        `json:"history,omitzero"` // the history file's name, for people reading the file
	Gen      string        `json:"gen,omitzero"`     // random, new with each write: tells a new file from an old one
	Lineage  string        `json:"lineage,omitzero"` // the history file lineage the accounts' seqs are line numbers of
	Accounts []diskAccount `json:"accounts"`
}

// entry is one line of the history file after the header.
type entry struct {
	ID   string `json:"id,omitzero"`   // set: the state of this saved account
	Uses int    `json:"uses,omitzero"` // an account entry: lookups it stands for

	Operator       int       `json:"operator,omitzero"`
	CANumber       string    `json:"canumber,omitzero"`
	RegistrationID string    `json:"registration_id,omitzero"`
	At             time.Time `json:"at,omitzero"` // a lookup's time; an account's last use
	OK             bool      `json:"ok,omitzero"`
	ErrorKind      string    `json:"error_kind,omitzero"`
	ErrorMessage   string    `json:"error_message,omitzero"`
	Snapshot       *Snapshot `json:"snapshot,omitzero"`
}

// isAccount reports whether e is an account's state rather than a lookup.
func (e *entry) isAccount() bool { return e.ID != "" }

// lookup returns the lookup e records.
func (e *entry) lookup() Lookup {
	return Lookup{Operator: e.Operator, CANumber: e.CANumber, RegistrationID: e.RegistrationID, At: e.At,
		OK: e.OK, ErrorKind: e.ErrorKind, ErrorMessage: e.ErrorMessage, Snapshot: e.Snapshot}
}

// lookupEntry is the history line of l.
func lookupEntry(l Lookup) entry {
	return entry{Operator: l.Operator, CANumber: l.CANumber, RegistrationID: l.RegistrationID, At: l.At,
		OK: l.OK, ErrorKind: l.ErrorKind, ErrorMessage: l.ErrorMessage, Snapshot: l.Snapshot}
}

// jsonOptions are the options of every store encode and decode: server
// text that is not valid UTF-8 is kept (as U+FFFD) rather than refused, a
// name given twice takes the last value (as encoding/json), and names are
// matched exactly (the files are ours).
func jsonOptions() json.Options {
	return json.JoinOptions(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
}

// marshalLine encodes v as one line of JSON (no newline).
func marshalLine(v any) ([]byte, error) { return json.Marshal(v, jsonOptions()) }

// unmarshal decodes b into v.
func unmarshal(b []byte, v any) error { return json.Unmarshal(b, v, jsonOptions()) }

// decodeObject decodes line into v with opts when it is a JSON object.
func decodeObject(line []byte, v any, opts json.Options) bool {
	return len(line) > 0 && line[0] == '{' && json.Unmarshal(line, v, opts) == nil
}

// encodeAccounts returns the accounts file for accounts, one account a
// line, with generation gen, whose seqs count in the history lineage.
func encodeAccounts(accounts []diskAccount, historyName, gen, lineage string) ([]byte, error) {
	head, err := marshalLine(accountsFile{Version: SchemaVersion, History: historyName, Gen: gen, Lineage: lineage, Accounts: []diskAccount{}})
	if err != nil {
		return nil, err
	}
	lines := make([][]byte, len(accounts))
	errs := make([]error, len(accounts))
	opts := jsonOptions()
	parallel(len(accounts), func(i int) bool {
		lines[i], errs[i] = json.Marshal(&accounts[i], opts)
		return errs[i] == nil
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	size := len(head) + 4
	for _, l := range lines {
		size += len(l) + 2
	}
	b := make([]byte, 0, size)
	b = append(append(b, head[:len(head)-2]...), '\n') // without the "]}" of the empty list
	for i, l := range lines {
		b = append(b, l...)
		if i < len(lines)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	return append(b, "]}\n"...), nil
}

// accountsPrefix starts every accounts file this build writes: the fast
// path that only needs its schema version looks for it.
const accountsPrefix = `{"version":2,`

// decodeAccounts decodes an accounts file: as the one-account-a-line
// layout encodeAccounts writes, its lines in parallel, or as any JSON.
func decodeAccounts(src []byte) (accountsFile, error) {
	if f, ok := decodeAccountLines(src); ok {
		return f, nil
	}
	var f accountsFile
	err := unmarshal(src, &f)
	return f, err
}

// accountLines splits src, when it has the layout encodeAccounts writes,
// into its first line and its account lines (all but the last ending in ',').
func accountLines(src []byte) (head []byte, lines [][]byte, ok bool) {
	head, rest, found := bytes.Cut(src, []byte("\n"))
	rest = bytes.TrimSuffix(rest, []byte("\n"))
	if !found || !bytes.HasSuffix(head, []byte(`"accounts":[`)) || !bytes.HasSuffix(rest, []byte("\n]}")) && !bytes.Equal(rest, []byte("]}")) {
		return nil, nil, false
	}
	return head, splitLines(bytes.TrimSuffix(rest, []byte("]}"))), true
}

// decodeAccountLines decodes src when it has exactly the layout
// encodeAccounts writes; ok is false for anything else.
func decodeAccountLines(src []byte) (accountsFile, bool) {
	var f accountsFile
	head, lines, ok := accountLines(src)
	if !ok || unmarshal(append(bytes.Clone(head), "]}"...), &f) != nil || len(f.Accounts) != 0 {
		return f, false
	}
	f.Accounts = make([]diskAccount, len(lines))
	opts := jsonOptions()
	ok = parallel(len(lines), func(i int) bool {
		line := lines[i]
		if i < len(lines)-1 {
			if !bytes.HasSuffix(line, []byte(",")) {
				return false
			}
			line = line[:len(line)-1]
		}
		return decodeObject(line, &f.Accounts[i], opts)
	})
	return f, ok
}

// accountsOf returns the accounts of the accounts file src whose vehicle
// is one of those of ls, decoding only their lines when src has the layout
// encodeAccounts writes (a line holds the key "canumber" with the vehicle
// unescaped only when it is that account's: a quote inside a value is
// escaped), else decoding src whole.
func accountsOf(src []byte, ls []Lookup) ([]diskAccount, error) {
	head, lines, ok := accountLines(src)
	if !ok || !bytes.HasPrefix(head, []byte(accountsPrefix)) {
		f, err := decodeAccounts(src)
		return f.Accounts, err
	}
	opts := jsonOptions()
	var out []diskAccount
	for _, line := range lines {
		for _, l := range ls {
			if !bytes.Contains(line, []byte(`"canumber":"`+l.CANumber+`"`)) {
				continue
			}
			var a diskAccount
			if !decodeObject(bytes.TrimSuffix(line, []byte(",")), &a, opts) {
				return nil, errors.New("an account line is not JSON")
			}
			out = append(out, a)
			break
		}
	}
	return out, nil
}

// splitLines returns the lines of b, each without its '\n' (a last line
// without one is included).
func splitLines(b []byte) [][]byte {
	lines := make([][]byte, 0, bytes.Count(b, []byte("\n"))+1)
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		lines = append(lines, line)
		b = rest
	}
	return lines
}

// parallelMin is the fewest items worth spreading over the processors.
const parallelMin = 256

// parallel runs fn for 0..n-1 on up to GOMAXPROCS goroutines, each taking
// a contiguous run, and reports whether every call returned true.
func parallel(n int, fn func(int) bool) bool {
	workers := min(runtime.GOMAXPROCS(0), max(n/parallelMin, 1))
	if workers == 1 {
		for i := range n {
			if !fn(i) {
				return false
			}
		}
		return true
	}
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() {
			for i := lo; i < hi && !failed.Load(); i++ {
				if !fn(i) {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return !failed.Load()
}

// errNoHeader is a history file whose first line is not a header.
var errNoHeader = errors.New("no header")

// parseHeader decodes the header line of a history file.
func parseHeader(line []byte) (journalHeader, error) {
	var h journalHeader
	if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, []byte(`"journal"`)) {
		return h, errNoHeader
	}
	if err := unmarshal(line, &h); err != nil || h.Journal < 1 || h.Base < 0 || h.Folded < 0 {
		return journalHeader{}, errNoHeader
	}
	return h, nil
}

// encodeEntries appends the lines of es to b. A lookup's time is left out
// when it is its snapshot's (as it always is for a result): decoding fills
// it in.
func encodeEntries(b []byte, es []entry) ([]byte, error) {
	for i := range es {
		e := es[i]
		if !e.isAccount() && e.Snapshot != nil && e.At.Equal(e.Snapshot.FetchedAt) {
			e.At = time.Time{}
		}
		line, err := marshalLine(&e)
		if err != nil {
			return nil, fmt.Errorf("encode history: %w", err)
		}
		b = append(append(b, line...), '\n')
	}
	return b, nil
}

// decodeEntries decodes lines in parallel; a line that is not an entry (a
// torn write, a line a person mangled) is nil in the result.
func decodeEntries(lines [][]byte) []*entry {
	out := make([]*entry, len(lines))
	all := make([]entry, len(lines))
	opts := jsonOptions()
	parallel(len(lines), func(i int) bool {
		e := &all[i]
		if !decodeObject(lines[i], e, opts) {
			return true
		}
		if e.At.IsZero() && e.Snapshot != nil && !e.isAccount() {
			e.At = e.Snapshot.FetchedAt
		}
		if validEntry(e) {
			out[i] = e
		}
		return true
	})
	return out
}

// validEntry reports whether e can be used: a lookup names a vehicle and
// has a time, an account entry has no negative use count.
func validEntry(e *entry) bool {
	if e.isAccount() {
		return e.Uses >= 0
	}
	return strings.TrimSpace(e.CANumber) != "" && !e.At.IsZero()
}

// firstLine returns the first line of the file at path (at most
// maxJournalLine bytes), or nil.
func firstLine(path string) []byte {
	f, _, err := safefile.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	line, _ := headLine(f)
	return line
}

// headLine is the first line of f (at most maxJournalLine bytes); found
// reports whether a newline ends it.
func headLine(f io.ReaderAt) (line []byte, found bool) {
	head := make([]byte, maxJournalLine)
	n, _ := f.ReadAt(head, 0)
	line, _, found = bytes.Cut(head[:n], []byte("\n"))
	return line, found
}

// accountsGen is the generation of the accounts file at path, "" when it
// has none (or none can be read: then its FileInfo alone tells changes).
func accountsGen(path string) string {
	line := firstLine(path)
	if !bytes.HasPrefix(line, []byte(accountsPrefix)) || !bytes.HasSuffix(line, []byte(`"accounts":[`)) {
		return ""
	}
	var f accountsFile
	if unmarshal(append(line, "]}"...), &f) != nil {
		return ""
	}
	return f.Gen
}

// journalGen is the generation of the history file at path, "" when it
// has none.
func journalGen(path string) string { return genIn(firstLine(path)) }

// genIn is the generation in the header line of a history file, "" when
// it is no header.
func genIn(line []byte) string {
	h, err := parseHeader(line)
	if err != nil {
		return ""
	}
	return h.Gen
}
