package store

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/client"
)

// The store file is written by hand-rolled, reflection-free code: a store of
// thousands of accounts is rewritten on every change, and encoding/json was
// over ten times slower. The output is the JSON encoding/json produces for
// Data (same keys, same omitempty fields), laid out with one account or
// lookup per line so the file stays readable and diffs well.

// encode renders d as the store file; sizeHint is the expected size (say,
// the previous file's), 0 for an estimate. Large account lists are encoded
// in pieces on several goroutines (see encodeIn).
func encode(d Data, sizeHint int) (string, error) {
	return encodeIn(d, sizeHint, chunksPerProc*runtime.GOMAXPROCS(0), minChunkAccounts)
}

// minChunkAccounts is the fewest accounts worth encoding on a goroutine of
// their own.
const minChunkAccounts = 128

// encodeIn is encode with the accounts cut into at most chunks pieces of at
// least minChunk accounts, each encoded into a buffer of its own on its own
// goroutine; the buffers are then joined in order, so the result is the
// same for any chunks.
func encodeIn(d Data, sizeHint, chunks, minChunk int) (string, error) {
	entries := 1 + len(d.Accounts) + len(d.Recent)
	if sizeHint <= 0 {
		sizeHint = 800 * entries
	}
	perEntry := sizeHint/entries + 1
	n := max(1, min(chunks, len(d.Accounts)/max(minChunk, 1)))
	parts := make([]encoder, n+2) // head, n pieces of accounts, tail
	var wg sync.WaitGroup
	for k := range n {
		lo, hi := k*len(d.Accounts)/n, (k+1)*len(d.Accounts)/n
		e := &parts[1+k]
		e.b = make([]byte, 0, perEntry*(hi-lo)*9/8+64)
		run := func() {
			for i := lo; i < hi; i++ {
				e.sep(i)
				e.account(&d.Accounts[i])
			}
		}
		if k == n-1 {
			run()
		} else {
			wg.Go(run)
		}
	}
	head, tail := &parts[0], &parts[n+1]
	head.raw("{\n\"version\": ")
	head.b = strconv.AppendInt(head.b, int64(d.Version), 10)
	head.raw(",\n\"accounts\": [")
	tail.b = make([]byte, 0, perEntry*len(d.Recent)*9/8+64)
	tail.end(len(d.Accounts))
	tail.raw(",\n\"recent\": [")
	for i := range d.Recent {
		tail.sep(i)
		tail.lookup(&d.Recent[i])
	}
	tail.end(len(d.Recent))
	tail.raw("\n}\n")
	wg.Wait()
	return join(parts)
}

// join concatenates the encoders' output, or returns the first error.
func join(parts []encoder) (string, error) {
	size := 0
	for _, e := range parts {
		if e.err != nil {
			return "", fmt.Errorf("encode store: %w", e.err)
		}
		size += len(e.b)
	}
	var sb strings.Builder
	sb.Grow(size)
	for _, e := range parts {
		sb.Write(e.b)
	}
	return sb.String(), nil
}

// encoder appends JSON to b; the first time that cannot be encoded is kept in err.
type encoder struct {
	b   []byte
	err error
}

func (e *encoder) raw(s string) { e.b = append(e.b, s...) }

// sep starts array element i on its own line.
func (e *encoder) sep(i int) {
	if i > 0 {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, '\n')
}

// end closes an array of n elements.
func (e *encoder) end(n int) {
	if n > 0 {
		e.b = append(e.b, '\n')
	}
	e.b = append(e.b, ']')
}

func (e *encoder) account(a *Account) {
	e.str(`{"id":`, a.ID)
	e.str(`,"label":`, a.Label)
	e.int(`,"operator":`, a.Operator)
	e.str(`,"canumber":`, a.CANumber)
	e.str(`,"registration_id":`, a.RegistrationID)
	e.str(`,"note":`, a.Note)
	e.time(`,"created_at":`, a.CreatedAt)
	e.time(`,"last_used_at":`, a.LastUsedAt)
	e.int(`,"use_count":`, a.UseCount)
	e.int(`,"position":`, a.Position)
	if a.Last != nil {
		e.raw(`,"last":`)
		e.snapshot(a.Last)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) lookup(l *Lookup) {
	e.int(`{"operator":`, l.Operator)
	e.str(`,"canumber":`, l.CANumber)
	e.str(`,"registration_id":`, l.RegistrationID)
	e.time(`,"at":`, l.At)
	e.bool(`,"ok":`, l.OK)
	if l.ErrorKind != "" {
		e.str(`,"error_kind":`, l.ErrorKind)
	}
	if l.ErrorMessage != "" {
		e.str(`,"error_message":`, l.ErrorMessage)
	}
	if l.Snapshot != nil {
		e.raw(`,"snapshot":`)
		e.snapshot(l.Snapshot)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) snapshot(s *Snapshot) {
	e.raw(`{"consumer":`)
	e.consumer(&s.Consumer)
	e.time(`,"fetched_at":`, s.FetchedAt)
	e.b = append(e.b, '}')
}

func (e *encoder) consumer(c *client.Consumer) {
	e.int(`{"response_code":`, c.ResponseCode)
	e.bool(`,"status":`, c.Status)
	e.str(`,"message":`, c.Message)
	e.str(`,"name":`, c.Name)
	e.str(`,"amount":`, c.Amount)
	e.str(`,"due_date":`, c.DueDate)
	if b := c.Bill; b != nil {
		e.str(`,"bill":{"bill_amount":`, b.BillAmount)
		e.str(`,"bill_net_amount":`, b.BillNetAmount)
		e.str(`,"due_date":`, b.DueDate)
		e.str(`,"max_bill_amount":`, b.MaxBillAmount)
		e.bool(`,"accept_payment":`, b.AcceptPayment)
		e.bool(`,"accept_part_pay":`, b.AcceptPartPay)
		e.str(`,"cell_number":`, b.CellNumber)
		e.str(`,"user_name":`, b.UserName)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, '}')
}

func (e *encoder) int(key string, v int) {
	e.raw(key)
	e.b = strconv.AppendInt(e.b, int64(v), 10)
}

func (e *encoder) bool(key string, v bool) {
	e.raw(key)
	e.b = strconv.AppendBool(e.b, v)
}

// time appends t as RFC 3339 with nanoseconds, as time.Time.MarshalJSON does.
func (e *encoder) time(key string, t time.Time) {
	e.raw(key)
	e.b = append(e.b, '"')
	b, err := t.AppendText(e.b)
	if err != nil {
		e.err = cmpErr(e.err, err)
		b = append(e.b, "0001-01-01T00:00:00Z"...)
	}
	e.b = append(b, '"')
}

// str appends key and s as a JSON string: '"', '\\' and control characters
// escaped, U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func (e *encoder) str(key, s string) {
	e.raw(key)
	b := append(e.b, '"')
	start := 0
	for i := nextSpecial(s, 0); i < len(s); i = nextSpecial(s, i) {
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			b = appendEscape(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, `\u202`...)
				b = append(b, "0123456789abcdef"[r&0xF])
			}
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}

// appendEscape appends the JSON escape of ASCII byte c.
func appendEscape(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, `\n`...)
	case '\r':
		return append(b, `\r`...)
	case '\t':
		return append(b, `\t`...)
	}
	return append(b, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xF])
}

// cmpErr keeps the first error.
func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}
