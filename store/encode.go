package store

import (
	"fmt"
	"strconv"
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
// the previous file's), 0 for an estimate.
func encode(d Data, sizeHint int) ([]byte, error) {
	if sizeHint <= 0 {
		sizeHint = 800 * (1 + len(d.Accounts) + len(d.Recent))
	}
	e := encoder{b: make([]byte, 0, sizeHint+sizeHint/8)}
	e.raw("{\n\"version\": ")
	e.b = strconv.AppendInt(e.b, int64(d.Version), 10)
	e.raw(",\n\"accounts\": [")
	for i := range d.Accounts {
		e.sep(i)
		e.account(&d.Accounts[i])
	}
	e.end(len(d.Accounts))
	e.raw(",\n\"recent\": [")
	for i := range d.Recent {
		e.sep(i)
		e.lookup(&d.Recent[i])
	}
	e.end(len(d.Recent))
	e.raw("\n}\n")
	if e.err != nil {
		return nil, fmt.Errorf("encode store: %w", e.err)
	}
	return e.b, nil
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
