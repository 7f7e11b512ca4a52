package store

import (
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/client"
)

// The store file is read by a small hand-rolled JSON parser for exactly the
// Data schema (see encode.go for why). It follows encoding/json's rules
// where they matter: unknown keys are ignored, null leaves a field as it is
// (nil for pointers and lists), invalid UTF-8 and lone surrogates become
// U+FFFD, numbers must fit their field. Keys match exactly (encoding/json
// would also accept other letter cases; the store only ever holds its own).

// parseData parses a store file (the caller has checked it is an object).
// Strings without escapes share the memory of src: no allocation each.
// A large accounts array is parsed by several goroutines (see parallel).
func parseData(src string) (Data, error) {
	return parseDataIn(src, chunksPerProc*runtime.GOMAXPROCS(0), minChunkBytes)
}

// chunksPerProc is how many pieces of the accounts array are parsed per
// processor: a processor busy with another program then holds up a small
// piece only, while the others take the rest.
const chunksPerProc = 8

// minChunkBytes is the smallest piece of the accounts array worth parsing
// on a goroutine of its own.
const minChunkBytes = 64 << 10

// parseDataIn is parseData splitting the accounts array into at most
// chunks pieces of at least minChunk bytes each.
func parseDataIn(src string, chunks, minChunk int) (Data, error) {
	p := parser{s: src}
	var d Data
	err := p.object([]string{"version", "accounts", "recent"}, func(key string) error {
		switch key {
		case "version":
			return p.int(&d.Version)
		case "accounts":
			if p.parallel(&d.Accounts, chunks, minChunk) {
				return nil
			}
			// The store file holds one account or lookup per line: size
			// the list for all of them rather than growing it step by step.
			d.Accounts = make([]Account, 0, strings.Count(p.s[p.i:], "\n{"))
			return array(&p, &d.Accounts, func() error {
				d.Accounts = append(d.Accounts, Account{})
				return p.account(&d.Accounts[len(d.Accounts)-1])
			})
		case "recent":
			return array(&p, &d.Recent, func() error {
				d.Recent = append(d.Recent, Lookup{})
				return p.lookup(&d.Recent[len(d.Recent)-1])
			})
		}
		return p.skip()
	})
	if err == nil {
		p.ws()
		if p.i < len(p.s) {
			err = p.errorf("unexpected %q after the top-level object", p.s[p.i])
		}
	}
	return d, err
}

// parallel parses the accounts array at p.i in pieces on chunks goroutines
// when it is laid out as encode writes it: "[", then each account on a line
// of its own starting with "{", up to a line starting with "]". The pieces
// start at such lines; each but the last must parse as whole accounts, each
// followed by a comma, up to the end of the piece. If so, every piece began
// at an account (by induction from the first), so the result is exactly
// the sequential parser's. Otherwise, or when the array is too small to be
// worth it, parallel reports false having consumed only whitespace and
// left *list alone, and the caller parses sequentially (reporting any error
// as it always would).
func (p *parser) parallel(list *[]Account, chunks, minChunk int) bool {
	if p.peek() != '[' || !strings.HasPrefix(p.s[p.i+1:], "\n{") {
		return false
	}
	open := p.i + 1
	end := strings.Index(p.s[open:], "\n]")
	if end < 0 {
		return false
	}
	bounds := splitLines(p.s[open:open+end], chunks, minChunk)
	if len(bounds) < 3 {
		return false
	}
	for i := range bounds {
		bounds[i] += open
	}
	counts := make([]int, len(bounds)-1)
	total := 0
	for k := range counts {
		counts[k] = strings.Count(p.s[bounds[k]:bounds[k+1]], "\n{")
		total += counts[k]
	}
	dst := make([]Account, total)
	ok := make([]bool, len(counts))
	var wg sync.WaitGroup
	off := 0
	last := len(counts) - 1
	for k, n := range counts[:last] {
		out := dst[off : off : off+n]
		wg.Go(func() {
			q := parser{s: p.s[:bounds[k+1]], i: bounds[k]}
			ok[k] = q.accountRun(&out, false) && len(out) == n
		})
		off += n
	}
	q := parser{s: p.s, i: bounds[last], slab: p.slab}
	out := dst[off : off : off+counts[last]]
	ok[last] = q.accountRun(&out, true) && len(out) == counts[last]
	wg.Wait()
	if slices.Contains(ok, false) {
		return false
	}
	p.i, p.slab = q.i, q.slab
	*list = dst
	return true
}

// splitLines returns the offsets in region (which starts with "\n{") of at
// most chunks lines starting with "{" that cut it into pieces of about equal
// size, at least minChunk bytes each, and len(region) last.
func splitLines(region string, chunks, minChunk int) []int {
	chunks = min(chunks, len(region)/max(minChunk, 1))
	bounds := []int{0}
	for k := 1; k < chunks; k++ {
		from := max(k*len(region)/chunks, bounds[len(bounds)-1]+1)
		j := strings.Index(region[from:], "\n{")
		if j < 0 {
			break
		}
		bounds = append(bounds, from+j)
	}
	return append(bounds, len(region))
}

// accountRun parses accounts onto *out from p.i, each followed by a comma,
// up to the end of p.s, or if last, up to the "]" closing the array. It
// reports whether they were exactly that.
func (p *parser) accountRun(out *[]Account, last bool) bool {
	for {
		*out = append(*out, Account{})
		if p.account(&(*out)[len(*out)-1]) != nil {
			return false
		}
		switch p.peek() {
		case ',':
			p.i++
			if !last && p.i == len(p.s) {
				return true
			}
		case ']':
			p.i++
			return last
		default:
			return false
		}
	}
}

// parser reads JSON from s starting at i.
type parser struct {
	s string
	i int
	// depth is the nesting depth of skipped values, capped at maxDepth.
	depth int
	// slab holds the snapshots and bills, allocated many at once.
	slab slab
}

// slabSize is how many values a slab allocates at once while parsing.
const slabSize = 64

// carve returns a pointer to the next value of *pool, allocating a block
// of slabSize values when it is used up.
func carve[T any](pool *[]T) *T {
	if len(*pool) == 0 {
		*pool = make([]T, slabSize)
	}
	v := &(*pool)[0]
	*pool = (*pool)[1:]
	return v
}

// maxDepth caps the nesting of unknown values, as encoding/json does.
const maxDepth = 10000

func (p *parser) account(a *Account) error {
	keys := [...]string{"id", "label", "operator", "canumber", "registration_id", "note",
		"created_at", "last_used_at", "use_count", "position", "last"}
	return p.object(keys[:], func(key string) error {
		switch key {
		case "id":
			return p.str(&a.ID)
		case "label":
			return p.str(&a.Label)
		case "operator":
			return p.int(&a.Operator)
		case "canumber":
			return p.str(&a.CANumber)
		case "registration_id":
			return p.str(&a.RegistrationID)
		case "note":
			return p.str(&a.Note)
		case "created_at":
			return p.time(&a.CreatedAt)
		case "last_used_at":
			return p.time(&a.LastUsedAt)
		case "use_count":
			return p.int(&a.UseCount)
		case "position":
			return p.int(&a.Position)
		case "last":
			return p.snapshot(&a.Last)
		}
		return p.skip()
	})
}

func (p *parser) lookup(l *Lookup) error {
	keys := [...]string{"operator", "canumber", "registration_id", "at", "ok", "error_kind",
		"error_message", "snapshot"}
	return p.object(keys[:], func(key string) error {
		switch key {
		case "operator":
			return p.int(&l.Operator)
		case "canumber":
			return p.str(&l.CANumber)
		case "registration_id":
			return p.str(&l.RegistrationID)
		case "at":
			return p.time(&l.At)
		case "ok":
			return p.bool(&l.OK)
		case "error_kind":
			return p.str(&l.ErrorKind)
		case "error_message":
			return p.str(&l.ErrorMessage)
		case "snapshot":
			return p.snapshot(&l.Snapshot)
		}
		return p.skip()
	})
}

// snapshot decodes into *dst, allocating it unless the value is null.
func (p *parser) snapshot(dst **Snapshot) error {
	if p.null() {
		*dst = nil
		return nil
	}
	if *dst == nil {
		*dst = carve(&p.slab.snaps)
	}
	s := *dst
	keys := [...]string{"consumer", "fetched_at"}
	return p.object(keys[:], func(key string) error {
		switch key {
		case "consumer":
			return p.consumer(&s.Consumer)
		case "fetched_at":
			return p.time(&s.FetchedAt)
		}
		return p.skip()
	})
}

func (p *parser) consumer(c *client.Consumer) error {
	keys := [...]string{"response_code", "status", "message", "name", "amount", "due_date", "bill"}
	return p.object(keys[:], func(key string) error {
		switch key {
		case "response_code":
			return p.int(&c.ResponseCode)
		case "status":
			return p.bool(&c.Status)
		case "message":
			return p.str(&c.Message)
		case "name":
			return p.str(&c.Name)
		case "amount":
			return p.str(&c.Amount)
		case "due_date":
			return p.str(&c.DueDate)
		case "bill":
			return p.bill(&c.Bill)
		}
		return p.skip()
	})
}

func (p *parser) bill(dst **client.Bill) error {
	if p.null() {
		*dst = nil
		return nil
	}
	if *dst == nil {
		*dst = carve(&p.slab.bills)
	}
	b := *dst
	keys := [...]string{"bill_amount", "bill_net_amount", "due_date", "max_bill_amount",
		"accept_payment", "accept_part_pay", "cell_number", "user_name"}
	return p.object(keys[:], func(key string) error {
		switch key {
		case "bill_amount":
			return p.str(&b.BillAmount)
		case "bill_net_amount":
			return p.str(&b.BillNetAmount)
		case "due_date":
			return p.str(&b.DueDate)
		case "max_bill_amount":
			return p.str(&b.MaxBillAmount)
		case "accept_payment":
			return p.bool(&b.AcceptPayment)
		case "accept_part_pay":
			return p.bool(&b.AcceptPartPay)
		case "cell_number":
			return p.str(&b.CellNumber)
		case "user_name":
			return p.str(&b.UserName)
		}
		return p.skip()
	})
}

// ---- JSON building blocks ----

// errorf reports a syntax or type error at the current line.
func (p *parser) errorf(format string, args ...any) error {
	line := 1 + strings.Count(p.s[:min(p.i, len(p.s))], "\n")
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
}

// ws skips whitespace.
func (p *parser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte (0 at the end).
func (p *parser) peek() byte {
	if p.i < len(p.s) && p.s[p.i] > ' ' {
		return p.s[p.i]
	}
	p.ws()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// expect consumes byte c after whitespace.
func (p *parser) expect(c byte) error {
	if got := p.peek(); got != c {
		if got == 0 {
			return p.errorf("unexpected end of the file, want %q", c)
		}
		return p.errorf("unexpected %q, want %q", got, c)
	}
	p.i++
	return nil
}

// literal consumes the word w (true, false, null) if it comes next.
func (p *parser) literal(w string) bool {
	if p.peek() == w[0] && strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *parser) null() bool { return p.literal("null") }

// object reads an object, calling field for each key with the parser
// positioned at its value. null is accepted and calls nothing. keys lists
// the keys in the order encode writes them: the key expected next is
// matched by comparing bytes, without scanning for its end. Other keys and
// orders are read as usual, only more slowly.
func (p *parser) object(keys []string, field func(key string) error) error {
	if p.null() {
		return nil
	}
	if err := p.expect('{'); err != nil {
		return err
	}
	if p.peek() == '}' {
		p.i++
		return nil
	}
	for next := 0; ; {
		key, ok := p.keyAt(keys, next)
		if ok {
			next++
		} else {
			if key, ok = p.plainKey(); !ok {
				var err error
				if key, err = p.key(); err != nil {
					return err
				}
				if err := p.expect(':'); err != nil {
					return err
				}
			}
			if j := slices.Index(keys, key); j >= 0 {
				next = j + 1
			}
		}
		if err := field(key); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return p.expect('}')
		}
	}
}

// keyAt consumes keys[k] quoted and followed at once by ':' if that comes
// next, and returns it; ok is false otherwise (then nothing is consumed).
func (p *parser) keyAt(keys []string, k int) (key string, ok bool) {
	if k >= len(keys) {
		return "", false
	}
	key = keys[k]
	end := p.i + len(key) + 1
	if end+1 >= len(p.s) || p.s[p.i] != '"' || p.s[end] != '"' || p.s[end+1] != ':' || p.s[p.i+1:end] != key {
		return "", false
	}
	p.i = end + 2
	return key, true
}

// plainKey consumes a key without escapes, control characters or non-ASCII
// bytes followed at once by ':', the way encode writes every key, and
// returns it; ok is false if none comes next (then nothing is consumed).
func (p *parser) plainKey() (key string, ok bool) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", false
	}
	j := nextSpecial(p.s, p.i+1)
	if j+1 >= len(p.s) || p.s[j] != '"' || p.s[j+1] != ':' {
		return "", false
	}
	key = p.s[p.i+1 : j]
	p.i = j + 2
	return key, true
}

// key reads an object key.
func (p *parser) key() (string, error) {
	if p.peek() != '"' {
		return "", p.expect('"')
	}
	var k string
	err := p.str(&k)
	return k, err
}

// array reads an array, calling elem for each element; null sets *list to
// nil, and [] makes it empty (not nil).
func array[T any](p *parser, list *[]T, elem func() error) error {
	if p.null() {
		*list = nil
		return nil
	}
	if err := p.expect('['); err != nil {
		return err
	}
	if *list == nil {
		*list = make([]T, 0, 16)
	}
	*list = (*list)[:0] // a repeated key replaces, as with encoding/json
	if p.peek() == ']' {
		p.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.expect(']')
		}
	}
}

// str reads a string into *dst (null leaves it unchanged).
func (p *parser) str(dst *string) error {
	if c := p.peek(); c != '"' {
		if c == 'n' && p.null() {
			return nil
		}
		return p.expect('"')
	}
	start := p.i + 1
	for i := start; ; {
		i = nextSpecial(p.s, i)
		if i == len(p.s) {
			break
		}
		c := p.s[i]
		if c == '"' {
			*dst = p.s[start:i]
			p.i = i + 1
			return nil
		}
		if c < utf8.RuneSelf {
			break // an escape or a control character
		}
		r, size := utf8.DecodeRuneInString(p.s[i:])
		if r == utf8.RuneError && size == 1 {
			break // invalid UTF-8
		}
		i += size
	}
	return p.strSlow(dst, start)
}

// nextSpecial returns the index of the first byte at or after i that a JSON
// string cannot simply be copied past ('"', '\\', a control character,
// non-ASCII), or len(s). It checks eight bytes at a time: in each word, the
// lowest byte these bit tricks flag is always a true match.
func nextSpecial(s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		_ = s[i+7]
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		q := w ^ (ones * '"')  // zero bytes where '"'
		b := w ^ (ones * '\\') // zero bytes where '\\'
		m := (q-ones)&^q | (b-ones)&^b | (w-ones*0x20)&^w | w
		if m &= highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return i
		}
	}
	return len(s)
}

// strSlow reads a string that holds escapes or invalid UTF-8; start is
// just after its opening quote.
func (p *parser) strSlow(dst *string, start int) error {
	p.i = start
	var out []byte
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			*dst = string(out)
			return nil
		case c < 0x20:
			return p.errorf("control character %#02x in a string", c)
		case c == '\\':
			var err error
			if out, err = p.escape(out); err != nil {
				return err
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			p.i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			out = utf8.AppendRune(out, r) // RuneError for invalid bytes
			p.i += size
		}
	}
	return p.errorf("unexpected end of the file in a string")
}

// escape decodes the escape sequence at p.i onto out.
func (p *parser) escape(out []byte) ([]byte, error) {
	if p.i+1 >= len(p.s) {
		return out, p.errorf("unexpected end of the file in a string")
	}
	c := p.s[p.i+1]
	p.i += 2
	switch c {
	case '"', '\\', '/':
		return append(out, c), nil
	case 'b':
		return append(out, '\b'), nil
	case 'f':
		return append(out, '\f'), nil
	case 'n':
		return append(out, '\n'), nil
	case 'r':
		return append(out, '\r'), nil
	case 't':
		return append(out, '\t'), nil
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return out, err
		}
		if utf16.IsSurrogate(r) {
			r = p.lowSurrogate(r)
		}
		return utf8.AppendRune(out, r), nil
	}
	return out, p.errorf("invalid escape \\%c in a string", c)
}

// lowSurrogate combines high surrogate hi with a following \uXXXX low
// surrogate; without one it yields U+FFFD and consumes nothing more.
func (p *parser) lowSurrogate(hi rune) rune {
	if p.i+6 <= len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
		save := p.i
		p.i += 2
		if lo, err := p.hex4(); err == nil {
			if r := utf16.DecodeRune(hi, lo); r != utf8.RuneError {
				return r
			}
		}
		p.i = save
	}
	return utf8.RuneError
}

// hex4 reads four hex digits.
func (p *parser) hex4() (rune, error) {
	if p.i+4 > len(p.s) {
		return 0, p.errorf("unexpected end of the file in a \\u escape")
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape %q", p.s[p.i:p.i+4])
	}
	p.i += 4
	return rune(n), nil
}

// number reads a JSON number and returns its text.
func (p *parser) number() (string, error) {
	p.ws()
	start := p.i
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.i < len(p.s) && p.s[p.i] >= '1' && p.s[p.i] <= '9':
		p.digits()
	default:
		return "", p.errorf("invalid value, want a number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return "", p.errorf("invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return "", p.errorf("invalid number")
		}
	}
	return p.s[start:p.i], nil
}

// digits skips decimal digits and returns how many.
func (p *parser) digits() int {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}

// int reads an integer into *dst (null leaves it unchanged).
func (p *parser) int(dst *int) error {
	if p.null() {
		return nil
	}
	text, err := p.number()
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		return p.errorf("number %s is not an integer in range", text)
	}
	*dst = n
	return nil
}

// bool reads true or false into *dst (null leaves it unchanged).
func (p *parser) bool(dst *bool) error {
	switch {
	case p.null():
	case p.literal("true"):
		*dst = true
	case p.literal("false"):
		*dst = false
	default:
		return p.errorf("invalid value, want true or false")
	}
	return nil
}

// time reads an RFC 3339 time string into *dst (null leaves it unchanged).
func (p *parser) time(dst *time.Time) error {
	if p.peek() == '"' {
		// The common UTC form holds no escapes and ends within 32 bytes:
		// parseUTC checks every byte of it, so no string scan is needed.
		rest := p.s[p.i+1 : min(len(p.s), p.i+32)]
		if j := strings.IndexByte(rest, '"'); j >= 0 {
			if t, ok := parseUTC(rest[:j]); ok {
				*dst = t
				p.i += j + 2
				return nil
			}
		}
	}
	var s string
	if p.null() {
		return nil
	}
	if err := p.str(&s); err != nil {
		return err
	}
	if t, ok := parseUTC(s); ok {
		*dst = t
		return nil
	}
	if err := dst.UnmarshalText([]byte(s)); err != nil {
		return p.errorf("invalid time %q", s)
	}
	return nil
}

// skip reads and discards any value.
func (p *parser) skip() error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return p.errorf("values nested too deeply")
	}
	switch c := p.peek(); {
	case c == '{':
		return p.object(nil, func(string) error { return p.skip() })
	case c == '[':
		var list []struct{}
		return array(p, &list, p.skip)
	case c == '"':
		var s string
		return p.str(&s)
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := p.number()
		return err
	case p.literal("true"), p.literal("false"), p.null():
		return nil
	case c == 0:
		return p.errorf("unexpected end of the file")
	}
	return p.errorf("invalid character %q", p.peek())
}

// parseUTC parses the common "2006-01-02T15:04:05[.999999999]Z" quickly;
// ok is false for anything else (other offsets, invalid dates), which
// time.Time.UnmarshalText then handles.
func parseUTC(s string) (time.Time, bool) {
	if len(s) < 20 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := atoiN(s[0:4])
	month, ok2 := atoiN(s[5:7])
	day, ok3 := atoiN(s[8:10])
	hour, ok4 := atoiN(s[11:13])
	minute, ok5 := atoiN(s[14:16])
	sec, ok6 := atoiN(s[17:19])
	nsec, ok7 := 0, true
	if frac := s[19 : len(s)-1]; frac != "" {
		if len(frac) < 2 || len(frac) > 10 || frac[0] != '.' {
			return time.Time{}, false
		}
		nsec, ok7 = atoiN(frac[1:])
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || hour > 23 || minute > 59 || sec > 59 ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	unix := daysSinceEpoch(year, month, day)*86400 + int64(hour*3600+minute*60+sec)
	return time.Unix(unix, int64(nsec)).UTC(), true
}

// daysIn returns the number of days of month in year.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysSinceEpoch returns the days from 1970-01-01 to the given date of the
// proleptic Gregorian calendar (H. Hinnant's days_from_civil), for years
// 0 to 9999.
func daysSinceEpoch(year, month, day int) int64 {
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := (y + 400) / 400 // y >= -1: shift so the division floors
	era--
	yoe := y - era*400
	mp := int64((month + 9) % 12)
	doy := (153*mp+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// atoiN parses a non-empty run of ASCII digits.
func atoiN(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int(d)
	}
	return n, s != ""
}
