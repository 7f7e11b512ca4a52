package store

import (
	"fmt"
	"runtime"
	"strconv"
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

// encode renders d as the store file, in pieces to be written one after
// the other. sizeHint is the expected size (say, the previous file's), 0
// for an estimate. The pieces reuse the memory of reuse (an earlier
// encode's pieces, no longer needed) so that a store rewritten on every
// change does not allocate and fault in a new file's worth of memory each
// time. Large account lists are encoded in pieces on several goroutines
// (see encodeIn), one per processor: more, smaller buffers measured slower.
func encode(d Data, sizeHint int, reuse [][]byte) ([][]byte, error) {
	return encodeIn(d, sizeHint, reuse, runtime.GOMAXPROCS(0), minChunkAccounts)
}

// minChunkAccounts is the fewest accounts worth encoding on a goroutine of
// their own.
const minChunkAccounts = 128

// encodeIn is encode with the accounts cut into at most chunks pieces of at
// least minChunk accounts, each encoded into a buffer of its own on its own
// goroutine. Their concatenation is the same for any chunks.
func encodeIn(d Data, sizeHint int, reuse [][]byte, chunks, minChunk int) ([][]byte, error) {
	entries := 1 + len(d.Accounts) + len(d.Recent)
	if sizeHint <= 0 {
		sizeHint = 800 * entries
	}
	perEntry := sizeHint/entries + 1
	n := max(1, min(chunks, len(d.Accounts)/max(minChunk, 1)))
	parts := make([]encoder, n+2) // head, n pieces of accounts, tail
	for k := range min(len(parts), len(reuse)) {
		parts[k].b = reuse[k][:0]
	}
	var wg sync.WaitGroup
	for k := range n - 1 {
		wg.Go(func() { parts[1+k] = encodeAccounts(parts[1+k].b, d.Accounts, k, n, perEntry) })
	}
	parts[n] = encodeAccounts(parts[n].b, d.Accounts, n-1, n, perEntry)
	head := grow(parts[0].b, 64)
	head = append(head, "{\n\"version\": "...)
	head = strconv.AppendInt(head, int64(d.Version), 10)
	head = append(head, ",\n\"accounts\": ["...)
	var err error
	tail := grow(parts[n+1].b, perEntry*len(d.Recent)*9/8+64)
	tail = appendEnd(tail, len(d.Accounts))
	tail = append(tail, ",\n\"recent\": ["...)
	for i := range d.Recent {
		tail = appendSep(tail, i)
		tail = appendLookup(tail, &d.Recent[i], &err)
	}
	tail = appendEnd(tail, len(d.Recent))
	tail = append(tail, "\n}\n"...)
	parts[0], parts[n+1] = encoder{b: head}, encoder{b: tail, err: err}
	wg.Wait()
	out := make([][]byte, len(parts))
	for k, e := range parts {
		if e.err != nil {
			return nil, fmt.Errorf("encode store: %w", e.err)
		}
		out[k] = e.b
	}
	return out, nil
}

// encodeAccounts encodes piece k of n of accounts onto b[:0], perEntry
// bytes expected for each.
func encodeAccounts(b []byte, accounts []Account, k, n, perEntry int) encoder {
	lo, hi := k*len(accounts)/n, (k+1)*len(accounts)/n
	var err error
	b = grow(b, perEntry*(hi-lo)*9/8+64)
	for i := lo; i < hi; i++ {
		b = appendSep(b, i)
		b = appendAccount(b, &accounts[i], &err)
	}
	return encoder{b: b, err: err}
}

// grow returns b emptied, with room for at least size bytes.
func grow(b []byte, size int) []byte {
	if cap(b) < size {
		return make([]byte, 0, size)
	}
	return b[:0]
}

// encoder is a piece of the store file and the first time in it that
// cannot be encoded. The append functions below build it; they take and
// return the slice rather than change a struct, which would cost a write
// barrier each while the garbage collector runs.
type encoder struct {
	b   []byte
	err error
}

// appendSep starts array element i on its own line.
func appendSep(b []byte, i int) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	return append(b, '\n')
}

// appendEnd closes an array of n elements.
func appendEnd(b []byte, n int) []byte {
	if n > 0 {
		b = append(b, '\n')
	}
	return append(b, ']')
}

// appendAccount appends a; *err keeps the first time that cannot be encoded.
func appendAccount(b []byte, a *Account, err *error) []byte {
	b = appendStr(b, `{"id":`, a.ID)
	b = appendStr(b, `,"label":`, a.Label)
	b = appendInt(b, `,"operator":`, a.Operator)
	b = appendStr(b, `,"canumber":`, a.CANumber)
	b = appendStr(b, `,"registration_id":`, a.RegistrationID)
	b = appendStr(b, `,"note":`, a.Note)
	b = appendTime(b, `,"created_at":`, a.CreatedAt, err)
	b = appendTime(b, `,"last_used_at":`, a.LastUsedAt, err)
	b = appendInt(b, `,"use_count":`, a.UseCount)
	b = appendInt(b, `,"position":`, a.Position)
	if a.Last != nil {
		b = append(b, `,"last":`...)
		b = appendSnapshot(b, a.Last, err)
	}
	return append(b, '}')
}

// appendLookup appends l; *err keeps the first time that cannot be encoded.
func appendLookup(b []byte, l *Lookup, err *error) []byte {
	b = appendInt(b, `{"operator":`, l.Operator)
	b = appendStr(b, `,"canumber":`, l.CANumber)
	b = appendStr(b, `,"registration_id":`, l.RegistrationID)
	b = appendTime(b, `,"at":`, l.At, err)
	b = appendBool(b, `,"ok":`, l.OK)
	if l.ErrorKind != "" {
		b = appendStr(b, `,"error_kind":`, l.ErrorKind)
	}
	if l.ErrorMessage != "" {
		b = appendStr(b, `,"error_message":`, l.ErrorMessage)
	}
	if l.Snapshot != nil {
		b = append(b, `,"snapshot":`...)
		b = appendSnapshot(b, l.Snapshot, err)
	}
	return append(b, '}')
}

func appendSnapshot(b []byte, s *Snapshot, err *error) []byte {
	b = append(b, `{"consumer":`...)
	b = appendConsumer(b, &s.Consumer)
	b = appendTime(b, `,"fetched_at":`, s.FetchedAt, err)
	return append(b, '}')
}

func appendConsumer(b []byte, c *client.Consumer) []byte {
	b = appendInt(b, `{"response_code":`, c.ResponseCode)
	b = appendBool(b, `,"status":`, c.Status)
	b = appendStr(b, `,"message":`, c.Message)
	b = appendStr(b, `,"name":`, c.Name)
	b = appendStr(b, `,"amount":`, c.Amount)
	b = appendStr(b, `,"due_date":`, c.DueDate)
	if bill := c.Bill; bill != nil {
		b = appendStr(b, `,"bill":{"bill_amount":`, bill.BillAmount)
		b = appendStr(b, `,"bill_net_amount":`, bill.BillNetAmount)
		b = appendStr(b, `,"due_date":`, bill.DueDate)
		b = appendStr(b, `,"max_bill_amount":`, bill.MaxBillAmount)
		b = appendBool(b, `,"accept_payment":`, bill.AcceptPayment)
		b = appendBool(b, `,"accept_part_pay":`, bill.AcceptPartPay)
		b = appendStr(b, `,"cell_number":`, bill.CellNumber)
		b = appendStr(b, `,"user_name":`, bill.UserName)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendInt(b []byte, key string, v int) []byte {
	b = append(b, key...)
	return strconv.AppendInt(b, int64(v), 10)
}

func appendBool(b []byte, key string, v bool) []byte {
	b = append(b, key...)
	return strconv.AppendBool(b, v)
}

// appendTime appends t as RFC 3339 with nanoseconds, as
// time.Time.MarshalJSON does; *err keeps the first time that cannot be.
func appendTime(b []byte, key string, t time.Time, err *error) []byte {
	b = append(b, key...)
	b = append(b, '"')
	out, terr := appendTimeText(b, t)
	if terr != nil {
		*err = cmpErr(*err, terr)
		out = append(b, "0001-01-01T00:00:00Z"...)
	}
	return append(out, '"')
}

// appendTimeText appends t as time.Time.AppendText does. Times at UTC (the
// store's own) are written directly, several times faster than the time
// package's general formatter.
func appendTimeText(b []byte, t time.Time) ([]byte, error) {
	year, month, day := t.Date()
	if _, offset := t.Zone(); offset != 0 || year < 0 || year > 9999 {
		return t.AppendText(b)
	}
	hour, minute, sec := t.Clock()
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append(b, byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T')
	b = append(b, byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':')
	b = append(b, byte('0'+sec/10), byte('0'+sec%10))
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte // '.' and nine digits, trailing zeros dropped
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z'), nil
}

// appendStr appends key and s as a JSON string: '"', '\\' and control
// characters escaped, U+2028 and U+2029 escaped, invalid UTF-8 replaced by
// U+FFFD.
func appendStr(b []byte, key, s string) []byte {
	b = append(b, key...)
	b = append(b, '"')
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
	return append(b, '"')
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
