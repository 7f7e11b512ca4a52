package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// fullData returns a store where every field of every type is set, so a
// field the codec forgets (say, one added to client.Consumer) shows up.
func fullData(t *testing.T) Data {
	t.Helper()
	var d Data
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				n++
				v.Set(reflect.ValueOf(t0.Add(time.Duration(n)*time.Hour + time.Duration(n))))
				return
			}
			for i := range v.NumField() {
				fill(v.Field(i))
			}
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem())
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			for i := range 2 {
				fill(v.Index(i))
			}
		case reflect.String:
			n++
			v.SetString(fmt.Sprintf("s%d \"quoted\" back\\slash tab\t nl\n é ₹ \u2028 \x01", n))
		case reflect.Int:
			n++
			v.SetInt(int64(n))
		case reflect.Bool:
			v.SetBool(true)
		default:
			t.Fatalf("fullData: add support for %s", v.Type())
		}
	}
	fill(reflect.ValueOf(&d).Elem())
	d.Version = SchemaVersion
	for i := range d.Accounts {
		d.Accounts[i].Position = i
	}
	return d
}

func TestCodecRoundTripsEveryField(t *testing.T) {
	d := fullData(t)
	enc, err := encodeText(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decode(enc)
	if err != nil {
		t.Fatalf("decode(encode(d)): %v\n%s", err, enc)
	}
	if !reflect.DeepEqual(got, d) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, d)
	}
}

// The store file is plain JSON: encoding/json reads what encode writes, and
// decode reads what encoding/json writes, to the same values.
func TestCodecAgreesWithEncodingJSON(t *testing.T) {
	d := fullData(t)
	enc, _ := encodeText(d)
	var viaStd Data
	if err := json.Unmarshal([]byte(enc), &viaStd); err != nil {
		t.Fatalf("encoding/json cannot read the store file: %v", err)
	}
	if !reflect.DeepEqual(viaStd, d) {
		t.Fatalf("encoding/json reads\n%+v\nwant %+v", viaStd, d)
	}
	std, _ := json.MarshalIndent(d, "", "  ")
	got, err := decodeBytes(std)
	if err != nil || !reflect.DeepEqual(got, d) {
		t.Fatalf("decode(json.Marshal(d)) = %+v, %v", got, err)
	}
	// Omitted optional fields, nulls and unknown fields read as encoding/json reads them.
	doc := `{"version":1,"future":{"a":[1,2.5e3,-0.1,true,false,null,"x\u00e9"]},
	  "accounts":[{"id":"a","label":null,"canumber":"K\u0041","last":null,"extra":[[]],"created_at":"2026-01-02T08:34:05+05:30"}],
	  "recent":[{"canumber":"X","ok":true,"snapshot":{"consumer":{"bill":null,"name":"\ud83d\ude00 \ud800 x"},"fetched_at":null}}]}`
	got, err = decodeBytes([]byte(doc))
	var want Data
	if jerr := json.Unmarshal([]byte(doc), &want); err != nil || jerr != nil {
		t.Fatalf("decode: %v; encoding/json: %v", err, jerr)
	}
	normalize(&want)
	if g, w := mustEncode(t, got), mustEncode(t, want); g != w {
		t.Fatalf("decode = %s\nencoding/json = %s", g, w)
	}
	dup, err := decodeBytes([]byte(`{"version":1,"accounts":[{"id":"a"},{"id":"b"}],"accounts":[{"id":"c"}]}`))
	if err != nil || len(dup.Accounts) != 1 || dup.Accounts[0].ID != "c" {
		t.Fatalf("a repeated key: %+v, %v; want the last value, as encoding/json", dup, err)
	}
	// Keys out of the encoder's order, repeated or escaped are still matched.
	odd := `{"recent":[],"accounts":[{"position":0,"last":{"fetched_at":"2026-01-02T03:04:05Z","consumer":{"bill":{"user_name":"u","bill_amount":"1"},"name":"n"}},
	  "note":"x","id":"a","l\u0061bel":"L","id":"b","canumber":"KA01"}],"version":1}`
	var oddWant Data
	oddGot, err := decodeBytes([]byte(odd))
	if jerr := json.Unmarshal([]byte(odd), &oddWant); err != nil || jerr != nil {
		t.Fatalf("decode: %v; encoding/json: %v", err, jerr)
	}
	if g, w := mustEncode(t, oddGot), mustEncode(t, oddWant); g != w {
		t.Fatalf("keys out of order: decode = %s\nencoding/json = %s", g, w)
	}
	if got.Accounts[0].CANumber != "KA" || got.Recent[0].Snapshot.Consumer.Name != "😀 \uFFFD x" {
		t.Fatalf("escapes decoded wrongly: %+v", got)
	}
}

// encodeText is encode's pieces joined.
func encodeText(d Data) (string, error) { return joinPieces(encode(d, 0, nil)) }

// joinPieces joins the pieces of an encode.
func joinPieces(pieces [][]byte, err error) (string, error) {
	return string(bytes.Join(pieces, nil)), err
}

// writeText writes text to path as the store writes.
func writeText(path, text string) (os.FileInfo, error) {
	return writeFileAtomic(path, [][]byte{[]byte(text)})
}

// decodeBytes is decode of a byte slice.
func decodeBytes(b []byte) (Data, error) { return decode(string(b)) }

func mustEncode(t *testing.T, d Data) string {
	t.Helper()
	b, err := encodeText(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeRejectsEveryTruncation(t *testing.T) {
	d := fullData(t)
	enc, _ := encodeText(d)
	whole := strings.TrimSpace(enc)
	for i := range len(enc) {
		if _, err := decode(enc[:i]); err == nil && strings.TrimSpace(enc[:i]) != whole {
			t.Fatalf("a store truncated to %d of %d bytes decoded without error", i, len(enc))
		}
	}
}

func TestParseUTCAgreesWithTimePackage(t *testing.T) {
	for _, s := range []string{
		"0000-01-01T00:00:00Z", "0000-02-29T23:59:59.999999999Z", "0001-03-01T00:00:00Z", "1899-12-31T12:00:00.5Z",
		"1970-01-01T00:00:00Z", "2000-02-29T01:02:03.04Z", "2024-02-29T00:00:00Z", "2026-11-26T12:34:56.123456789Z",
		"2100-03-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
	} {
		var want time.Time
		if err := want.UnmarshalText([]byte(s)); err != nil {
			t.Fatal(err)
		}
		got, ok := parseUTC(s)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("parseUTC(%s) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{
		"2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
		"2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00.Z",
		"2026-01-01T00:00:00.1234567890Z", "2026-01-01T00:00:00+05:30", "2026-01-01 00:00:00Z", "2026-1-01T00:00:00Z",
	} {
		if got, ok := parseUTC(s); ok {
			t.Errorf("parseUTC(%s) = %v, want not ok", s, got)
		}
	}
}

func TestAppendTimeTextAgreesWithTimePackage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("IST", 19800), time.FixedZone("Z0", 0), time.FixedZone("W", -3600)}
	times := []time.Time{{}, time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 1, 2, 3, 100, time.UTC), time.Now()}
	for range 2000 {
		sec := r.Int64N(400*365*86400) - 200*365*86400
		ns := []int64{0, r.Int64N(1e9), r.Int64N(1000) * 1e6, r.Int64N(10) * 1e8}[r.IntN(4)]
		times = append(times, time.Unix(sec, ns).In(zones[r.IntN(len(zones))]))
	}
	for _, tm := range times {
		want, werr := tm.MarshalText()
		got, gerr := appendTimeText([]byte("x"), tm)
		if (werr != nil) != (gerr != nil) || (werr == nil && string(got) != "x"+string(want)) {
			t.Errorf("appendTimeText(%v) = %q, %v; want %q, %v", tm, got, gerr, want, werr)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, doc := range []string{
		`{"version":1,"accounts":[{"operator":"7"}]}`,
		`{"version":1,"accounts":[{"operator":1.5}]}`,
		`{"version":1,"accounts":[{"operator":99999999999999999999}]}`,
		`{"version":1,"accounts":[{"created_at":"yesterday"}]}`,
		`{"version":1,"accounts":[{"created_at":"2026-02-30T00:00:00Z"}]}`,
		`{"version":1,"accounts":[{"id":"a` + "\x01" + `"}]}`,
		`{"version":1,"accounts":[{"id":"\x"}]}`,
		`{"version":1,"accounts":[{"ok":tru}]}`,
		`{"version":1,"accounts":[],}`,
		`{"version":1 "accounts":[]}`,
		`{"version":01}`,
		`{"version":1}{}`,
		`{"version":1,"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
	} {
		if d, err := decodeBytes([]byte(doc)); err == nil {
			t.Errorf("decode(%.60q) = %+v, want an error", doc, d)
		}
	}
	_, err := decodeBytes([]byte("{\n\"version\": 1,\n\"accounts\": [\n{\"id\": 7}]}"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 4:") {
		t.Errorf("error %v does not name line 4", err)
	}
}

func TestEncodeIsOneEntryPerLine(t *testing.T) {
	s := openAt(t, testPath(t))
	mustSave(t, s, Account{CANumber: "AA11A1111", Note: "multi\nline"})
	mustSave(t, s, Account{CANumber: "BB22B2222"})
	enc, _ := encodeText(s.Data())
	lines := strings.Split(strings.TrimSpace(enc), "\n")
	if len(lines) != 8 || !strings.HasPrefix(lines[3], `{"id":`) || !strings.HasPrefix(lines[4], `{"id":`) {
		t.Fatalf("layout:\n%s", enc)
	}
}

func FuzzDecodeStore(f *testing.F) {
	d := benchData(3, 2)
	d.Accounts[1].Last = nil
	d.Recent[0].ErrorKind, d.Recent[0].ErrorMessage = "api", "nope \"quoted\"\n"
	enc, _ := encodeText(d)
	f.Add([]byte(enc))
	std, _ := json.Marshal(d)
	f.Add(std)
	for _, s := range []string{
		`{"version":1}`, `{}`, ``, ` `, `[]`, `null`, `{"version":2,"accounts":null}`,
		`{"version":1,"accounts":[{"position":3},{"position":-1}]}`,
		`{"version":1,"accounts":[{"canumber":"\ud83d\ude00\u2028\u0000"}]}`,
		`{"version":1,"recent":[{"at":"2026-01-02T03:04:05.5+05:30","snapshot":{"consumer":{"bill":{}}}}]}`,
		"{\"version\":1,\"accounts\":[{\"label\":\"\xff\xfe\"}]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		seq, seqErr := parseDataIn(string(b), 1, 1)
		par, parErr := parseDataIn(string(b), 3, 1)
		if fmt.Sprint(parErr) != fmt.Sprint(seqErr) || !reflect.DeepEqual(par, seq) {
			t.Fatalf("parallel decode differs: %v, %+v\nsequential: %v, %+v", parErr, par, seqErr, seq)
		}
		d, err := decodeBytes(b)
		if err != nil {
			return
		}
		e1, err := encodeText(d)
		if err != nil {
			t.Fatalf("a decoded store does not encode: %v", err)
		}
		if !json.Valid([]byte(e1)) {
			t.Fatalf("encode wrote invalid JSON:\n%s", e1)
		}
		d2, err := decode(e1)
		if err != nil {
			t.Fatalf("decode(encode(decodeBytes(b))): %v\n%s", err, e1)
		}
		if e3, err := joinPieces(encodeIn(d, 0, nil, 3, 1)); err != nil || e3 != e1 {
			t.Fatalf("parallel encode differs (%v):\n%s\n%s", err, e3, e1)
		}
		e2, err := encodeText(d2)
		if err != nil || e1 != e2 {
			t.Fatalf("decode -> encode -> decode is not stable (%v):\n%s\n%s", err, e1, e2)
		}
	})
}

// layoutVariants returns store files as encode writes them and as a person
// editing them by hand, or a corrupting disk, might leave them.
func layoutVariants(t *testing.T) map[string]string {
	t.Helper()
	d := benchData(40, 5)
	d.Accounts[7].Last = nil
	d.Accounts[8].Label = "quote \" backslash \\ newline \n brace {\n] ₹ \xff"
	enc := mustEncode(t, d)
	std, _ := json.Marshal(d)
	indented, _ := json.MarshalIndent(d, "", "  ")
	lines := strings.Split(enc, "\n")
	v := map[string]string{
		"encoded":          enc,
		"every field":      mustEncode(t, fullData(t)),
		"one account":      mustEncode(t, benchData(1, 0)),
		"no accounts":      mustEncode(t, benchData(0, 3)),
		"encoding/json":    string(std),
		"indented":         string(indented),
		"nested line":      strings.Replace(enc, `,"last":{`, ",\"last\":\n{", 5),
		"space after ,":    strings.ReplaceAll(enc, "},\n{", "}, \n{"),
		"two on a line":    strings.Replace(enc, "},\n{", "},{", 4),
		"crlf":             strings.ReplaceAll(enc, "\n", "\r\n"),
		"early ] line":     strings.Replace(enc, `,"note":`, ",\"x\":[\n1\n],\"note\":", 3),
		"repeated key":     strings.Replace(enc, "\n}\n", ",\n\"accounts\": [\n{\"id\":\"again\"}\n]\n}\n", 1),
		"line dropped":     strings.Join(slices.Delete(slices.Clone(lines), 9, 10), "\n"),
		"last line gone":   strings.Join(slices.Delete(slices.Clone(lines), 42, 43), "\n"),
		"trailing comma":   strings.Replace(enc, "}\n],", "},\n],", 1),
		"lines swapped":    strings.Join(append(slices.Clone(lines[:5]), append([]string{lines[6], lines[5]}, lines[7:]...)...), "\n"),
		"control char":     strings.Replace(enc, "Fleet truck 20", "Fleet\ntruck 20", 1),
		"bad value":        strings.Replace(enc, `"use_count":30`, `"use_count":"30"`, 1),
		"unknown key":      strings.Replace(enc, `{"id":`, `{"extra":{"a":[1,{"b":null}]},"id":`, 6),
		"null account":     strings.Replace(enc, "\n{\"id\":\"0000000000000011\"", "\nnull,\n{\"id\":\"0000000000000011\"", 1),
		"null accounts":    strings.Replace(mustEncode(t, benchData(0, 1)), `"accounts": []`, `"accounts": null`, 1),
		"accounts at end":  strings.Replace(mustEncode(t, Data{Version: 1, Recent: d.Recent}), "\n}\n", ",\n\"accounts\": [\n"+strings.Join(lines[3:43], "\n")+"\n]\n}\n", 1),
		"garbage after":    enc + "x",
		"missing bracket":  strings.Replace(enc, "}\n],", "}\n,", 1),
		"escaped key":      strings.Replace(enc, `"label":`, `"lab\u0065l":`, 7),
		"upper-case key":   strings.Replace(enc, `"label":`, `"Label":`, 7),
		"space before key": strings.Replace(enc, `,"label":`, `, "label" :`, 7),
	}
	for i := 0; i < len(enc); i += 331 {
		v[fmt.Sprintf("truncated at %d", i)] = enc[:i]
		v[fmt.Sprintf("byte %d changed", i)] = enc[:i] + "}" + enc[i+1:]
	}
	return v
}

func TestParallelDecodeMatchesSequential(t *testing.T) {
	for name, doc := range layoutVariants(t) {
		want, wantErr := parseDataIn(doc, 1, 1)
		for _, chunks := range []int{2, 3, 7, 100} {
			got, err := parseDataIn(doc, chunks, 1)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %d chunks: got %v, %+v\nwant %v, %+v", name, chunks, err, got, wantErr, want)
			}
		}
	}
}

// parsedInParallel reports whether the accounts array of doc is parsed in
// chunks pieces rather than sequentially.
func parsedInParallel(doc string, chunks int) bool {
	const key = `"accounts":`
	p := parser{s: doc, i: strings.Index(doc, key) + len(key)}
	var list []Account
	return p.parallel(&list, chunks, 1)
}

func TestParallelDecodeTakesOnlyTheEncoderLayout(t *testing.T) {
	v := layoutVariants(t)
	for _, name := range []string{"encoded", "every field"} {
		if !parsedInParallel(v[name], 3) {
			t.Errorf("%s: not parsed in parallel", name)
		}
	}
	for _, name := range []string{"one account", "no accounts", "encoding/json", "indented", "nested line", "space after ,",
		"two on a line", "crlf", "early ] line", "trailing comma", "control char", "bad value"} {
		if parsedInParallel(v[name], 3) {
			t.Errorf("%s: parsed in parallel", name)
		}
	}
}

func TestParallelEncodeMatchesSequential(t *testing.T) {
	bad := benchData(40, 3)
	bad.Accounts[25].CreatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	bad.Accounts[33].LastUsedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, d := range map[string]Data{
		"bench": benchData(40, 3), "every field": fullData(t), "empty": emptyData(),
		"no recent": benchData(9, 0), "bad times": bad,
	} {
		want, wantErr := joinPieces(encodeIn(d, 0, nil, 1, 1))
		for _, chunks := range []int{2, 3, 7, 100} {
			for _, hint := range []int{0, 1, 100000} {
				for _, reuse := range [][][]byte{nil, {[]byte("old")}, bytes.Fields(bytes.Repeat([]byte("garbage "), 200))} {
					got, err := joinPieces(encodeIn(d, hint, reuse, chunks, 1))
					if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
						t.Errorf("%s, %d chunks: got %v\n%s\nwant %v\n%s", name, chunks, err, got, wantErr, want)
					}
				}
			}
		}
	}
}

func TestReadFileRecognisesKnownContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.json")
	text := mustEncode(t, benchData(100, 3)) // larger than one read
	if _, err := writeText(path, text); err != nil {
		t.Fatal(err)
	}
	b := []byte(text)
	for name, known := range map[string]content{
		"text": {text: text}, "one piece": {pieces: [][]byte{b}},
		"pieces": {pieces: [][]byte{b[:1], {}, b[1 : readBufSize+7], b[readBufSize+7 : len(b)-1], b[len(b)-1:], {}}},
	} {
		got, same, info, err := readFile(path, known)
		if err != nil || info == nil || !same || got != "" {
			t.Fatalf("readFile of the known content (%s): same %v, %d bytes, %v", name, same, len(got), err)
		}
	}
	for _, other := range []string{
		text[:len(text)-2] + "x\n", // same size, last read differs
		"x" + text[1:],             // same size, first read differs
		text[:len(text)-1],         // shorter
		text + " ",                 // longer
	} {
		for _, known := range []content{{text: other}, {pieces: [][]byte{[]byte(other[:5]), []byte(other[5:])}}} {
			got, same, _, err := readFile(path, known)
			if err != nil || same || got != text {
				t.Fatalf("readFile with other known content: %v, same %v, got %d bytes, want %d", err, same, len(got), len(text))
			}
		}
	}
	if got, same, _, err := readFile(path, content{}); err != nil || same || got != text {
		t.Fatalf("readFile: %v", err)
	}
}
