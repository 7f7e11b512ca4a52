package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aopfetch/aopfetch/internal/safefile"
)

// journal is the history file as this process last read it.
type journal struct {
	header journalHeader
	info   os.FileInfo // nil: no file
	size   int64       // bytes read: up to the end of the last complete line
	lines  int64       // complete lines read after the folded region (raw lines)
	folded []*entry    // valid entries of the folded region, in file order
	raw    []rawEntry  // valid raw entries, in file order
	tail   []byte      // the last bytes read, up to tailLen
}

// rawEntry is a raw entry with its line number.
type rawEntry struct {
	seq int64
	e   *entry
}

// nextSeq is the number the next raw line gets.
func (j *journal) nextSeq() int64 { return j.header.Base + j.lines }

// newer reports whether the file is from a newer aopfetch.
func (j *journal) newer() bool { return j.header.Journal > journalVersion }

// historyPath is the history file beside the accounts file at path:
// store.json -> store.history.jsonl.
func historyPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".history.jsonl"
}

// maxJournalLine bounds the header line looked for at the start of a file.
const maxJournalLine = 4 << 10

// openHistory opens the history file at path for reading: no file and no
// error when it does not exist.
func openHistory(path string) (*os.File, os.FileInfo, error) {
	f, info, err := safefile.Open(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("read history %s: %w", path, err)
	}
	return f, info, nil
}

// emptyJournal is the journal of a history file that does not exist.
func emptyJournal() journal { return journal{header: journalHeader{Journal: journalVersion}} }

// readJournal reads the opened history file f, whose FileInfo is info, whole.
// A file that is not a history file at all (no header, no entry) is a
// *corruptError.
func readJournal(f *os.File, info os.FileInfo) (journal, error) {
	b, err := readAll(f, info)
	if err != nil {
		return journal{}, fmt.Errorf("read history %s: %w", f.Name(), err)
	}
	j := journal{info: info}
	if err := j.parse(b); err != nil {
		return journal{}, err
	}
	return j, nil
}

// parse reads a whole history file.
func (j *journal) parse(b []byte) error {
	complete := int64(bytes.LastIndexByte(b, '\n') + 1)
	first, _, _ := bytes.Cut(b[:complete], []byte("\n"))
	h, err := parseHeader(first)
	headerLen := int64(len(first)) + 1
	if err != nil {
		h, headerLen = emptyJournal().header, 0 // no header: every line is raw
	}
	j.header = h
	if h.Journal > journalVersion {
		return nil // newer: read-only, and nothing here is understood
	}
	foldedEnd := min(headerLen+h.Folded, complete)
	if foldedEnd > headerLen && b[foldedEnd-1] != '\n' { // a hand-edited length: end at a line
		foldedEnd += int64(bytes.IndexByte(b[foldedEnd:complete], '\n') + 1)
	}
	for _, e := range decodeEntries(splitLines(b[min(headerLen, foldedEnd):foldedEnd])) {
		if e != nil {
			j.folded = append(j.folded, e)
		}
	}
	j.size = foldedEnd
	n := j.addRaw(b[foldedEnd:complete])
	if err != nil && len(j.folded) == 0 && n == 0 && complete > 0 {
		return &corruptError{err: errors.New("it is not an aopfetch history file")}
	}
	return nil
}

// tailLen is how many bytes before the end of what was read a tail read
// checks are still there: a reader without the lock may have read the
// lines of an append that then failed and was cut back, and other lines
// since written in their place.
const tailLen = 64

// addRaw parses complete raw lines (b ends with '\n' or is empty) read
// after j.size, and returns how many valid entries they held.
func (j *journal) addRaw(b []byte) int {
	lines := splitLines(b)
	valid := 0
	for i, e := range decodeEntries(lines) {
		if e != nil {
			j.raw = append(j.raw, rawEntry{seq: j.nextSeq() + int64(i), e: e})
			valid++
		}
	}
	j.lines += int64(len(lines))
	j.size += int64(len(b))
	if len(b) > 0 {
		j.tail = append(j.tail[:0:0], b[max(len(b)-tailLen, 0):]...)
	}
	return valid
}

// refreshJournal brings j up to date with the file at path: only the lines
// appended since j was read when it is the same file (its inode, its
// generation, and the last bytes read) grown; the whole file otherwise.
// All of it is read through one descriptor, so that a compaction between
// two reads cannot mix two files. A missing file is an empty journal.
func refreshJournal(path string, j journal) (journal, error) {
	f, info, err := openHistory(path)
	if f == nil {
		if err != nil || j.info == nil {
			return j, err
		}
		return emptyJournal(), nil // removed
	}
	defer f.Close()
	if j.info == nil || !os.SameFile(j.info, info) || info.Size() < j.size || j.newer() ||
		genOf(f) != j.header.Gen || !j.tailStill(f) {
		return readJournal(f, info)
	}
	if sameFile(j.info, info) {
		return j, nil
	}
	tail := make([]byte, info.Size()-j.size)
	n, err := f.ReadAt(tail, j.size)
	if err != nil && !errors.Is(err, io.EOF) {
		return j, fmt.Errorf("read history %s: %w", path, err)
	}
	tail = tail[:bytes.LastIndexByte(tail[:n], '\n')+1]
	j = j.clone()
	j.addRaw(tail)
	j.info = info
	return j, nil
}

// genOf is the generation in the header of the opened history file f.
func genOf(f io.ReaderAt) string {
	line, _ := headLine(f)
	return genIn(line)
}

// tailStill reports whether the opened file f still holds, just before
// j.size, the bytes j read last.
func (j *journal) tailStill(f *os.File) bool {
	if len(j.tail) == 0 {
		return true
	}
	b := make([]byte, len(j.tail))
	n, _ := f.ReadAt(b, j.size-int64(len(j.tail)))
	return bytes.Equal(b[:n], j.tail)
}

// clone copies j's lists so that appending to the copy leaves j alone.
func (j journal) clone() journal {
	j.folded = j.folded[:len(j.folded):len(j.folded)]
	j.raw = j.raw[:len(j.raw):len(j.raw)]
	return j
}

// peekJournal reads the header of the file at path and counts its raw
// lines, without decoding any entry or holding the file in memory: what an
// append needs to know of a history file it has not read.
func peekJournal(path string) (h journalHeader, lines int64, err error) {
	f, _, err := openHistory(path)
	if f == nil {
		return emptyJournal().header, 0, err
	}
	defer f.Close()
	first, found := headLine(f)
	h, herr := parseHeader(first)
	start := int64(0)
	if herr == nil && found {
		start = int64(len(first)) + 1 + h.Folded
	} else {
		h = emptyJournal().header
	}
	lines, err = countLines(io.NewSectionReader(f, start, 1<<62))
	if err != nil {
		return journalHeader{}, 0, fmt.Errorf("read history %s: %w", path, err)
	}
	return h, lines, nil
}

// countLines counts the newlines r holds, a buffer at a time.
func countLines(r io.Reader) (int64, error) {
	buf := make([]byte, 64<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte("\n")))
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// appendJournal appends lines (complete lines of entries) to the history
// file at path, creating it with a header when it does not exist or is
// empty, ending a torn last line first, and syncing. On failure the file
// is cut back to its old length, so that a retry does not repeat entries.
// A new file starts a new lineage. The caller holds the lock.
func appendJournal(path string, lines []byte) (_ os.FileInfo, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("could not record history in %s: %w", path, err)
		}
	}()
	f, err := safefile.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	var b []byte
	switch {
	case size == 0:
		h, err := marshalLine(journalHeader{Journal: journalVersion, Gen: newID(), Lineage: newID()})
		if err != nil {
			return nil, err
		}
		b = append(h, '\n')
		if err := f.Chmod(safefile.FileMode); err != nil {
			return nil, err
		}
	case !endsWithNewline(path, size):
		b = []byte{'\n'} // a write cut short by a crash: end its line
	}
	b = append(b, lines...)
	if _, err := f.Write(b); err != nil {
		f.Truncate(size)
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Truncate(size)
		return nil, err
	}
	if size == 0 {
		_ = safefile.SyncDir(filepath.Dir(path))
	}
	return f.Stat()
}

// endsWithNewline reports whether the file at path, size bytes long, ends
// with a newline (or cannot be read: then nothing is added).
func endsWithNewline(path string, size int64) bool {
	f, _, err := safefile.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	var last [1]byte
	if _, err := f.ReadAt(last[:], size-1); err != nil {
		return true
	}
	return last[0] == '\n'
}

// compactJournal replaces the history file with a header and the given
// folded entries, whose raw lines start at base in lineage (a new one when
// "").
func compactJournal(path string, base int64, lineage string, folded []entry) error {
	if lineage == "" {
		lineage = newID()
	}
	body, err := encodeEntries(nil, folded)
	if err != nil {
		return err
	}
	h, err := marshalLine(journalHeader{Journal: journalVersion, Gen: newID(), Lineage: lineage, Base: base, Folded: int64(len(body))})
	if err != nil {
		return err
	}
	if _, err := writeFileAtomic(path, h, []byte("\n"), body); err != nil {
		return &writeError{path: path, err: err}
	}
	return nil
}
