package store

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// fullData returns a store where every field of every type is set, so a
// field the store forgets (say, one added to client.Consumer) shows up.
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
		d.Accounts[i].LastUsedAt = d.Accounts[i].Last.FetchedAt.Add(time.Minute)
	}
	d.Recent[0].At, d.Recent[1].At = d.Recent[1].At, d.Recent[0].At // newest first
	return d
}

// writeData writes d as the whole content of a new store at path.
func writeData(t testing.TB, path string, d Data) *Store {
	t.Helper()
	s, err := Open(path, Options{HistoryLimit: 200, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(func(x *Data) error { *x = d.Clone(); return nil }); err != nil {
		t.Fatal(err)
	}
	return s
}

// sameData compares two states field by field, times by instant.
func sameData(a, b Data) bool {
	if a.Version != b.Version || !sameRecent(a.Recent, b.Recent) || len(a.Accounts) != len(b.Accounts) {
		return false
	}
	for i := range a.Accounts {
		x, y := a.Accounts[i], b.Accounts[i]
		if !x.CreatedAt.Equal(y.CreatedAt) || !x.LastUsedAt.Equal(y.LastUsedAt) || !sameSnapshot(x.Last, y.Last) {
			return false
		}
		x.CreatedAt, x.LastUsedAt, x.Last, y.CreatedAt, y.LastUsedAt, y.Last = time.Time{}, time.Time{}, nil, time.Time{}, time.Time{}, nil
		if x != y {
			return false
		}
	}
	return true
}

func TestStoreRoundTripsEveryField(t *testing.T) {
	d := fullData(t)
	p := testPath(t)
	writeData(t, p, d)
	got, _, err := readStore(p)
	if err != nil || !sameData(got, d) {
		t.Fatalf("read back (%v):\n got %+v\nwant %+v", err, got, d)
	}
	if got := openAt(t, p).Data(); !sameData(got, d) {
		t.Fatalf("reopened:\n got %+v\nwant %+v", got, d)
	}
}

// The store's files are plain JSON: encoding/json reads the accounts file
// and every line of the history file.
func TestFilesArePlainJSON(t *testing.T) {
	p := testPath(t)
	writeData(t, p, fullData(t))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version  int
		History  string
		Accounts []Account
	}
	if err := json.Unmarshal(b, &f); err != nil || f.Version != SchemaVersion || f.History != "store.history.jsonl" || len(f.Accounts) != 2 {
		t.Fatalf("encoding/json reads %+v, %v", f, err)
	}
	h, err := os.ReadFile(historyPath(p))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(h), "\n"), "\n")
	for i, line := range lines {
		if !json.Valid([]byte(line)) {
			t.Fatalf("history line %d is not JSON: %s", i+1, line)
		}
	}
	if len(lines) != 1+2+2 || !strings.HasPrefix(lines[0], `{"journal":2,`) {
		t.Fatalf("history file:\n%s", h)
	}
}

func TestAccountsFileIsOneAccountPerLine(t *testing.T) {
	s := openAt(t, testPath(t))
	mustSave(t, s, Account{CANumber: "AA11A1111", Note: "multi\nline"})
	mustSave(t, s, Account{CANumber: "BB22B2222"})
	b, _ := os.ReadFile(s.Path())
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], accountsPrefix) || !strings.HasPrefix(lines[1], `{"id":`) || lines[3] != "]}" {
		t.Fatalf("layout:\n%s", b)
	}
}

func TestDecodeStoreRejectsEveryTruncation(t *testing.T) {
	p := testPath(t)
	writeData(t, p, fullData(t))
	enc, _ := os.ReadFile(p)
	whole := strings.TrimSpace(string(enc))
	for i := range len(enc) {
		if _, err := decodeStore(enc[:i]); err == nil && strings.TrimSpace(string(enc[:i])) != whole {
			t.Fatalf("an accounts file truncated to %d of %d bytes decoded without error", i, len(enc))
		}
	}
}

func TestDecodeStoreErrors(t *testing.T) {
	for _, doc := range []string{
		`{"version":1,"accounts":[{"operator":"7"}]}`,
		`{"version":1,"accounts":[{"operator":1.5}]}`,
		`{"version":1,"accounts":[{"operator":99999999999999999999}]}`,
		`{"version":1,"accounts":[{"created_at":"yesterday"}]}`,
		`{"version":1,"accounts":[{"created_at":"2026-02-30T00:00:00Z"}]}`,
		`{"version":1,"accounts":[{"id":"a` + "\x01" + `"}]}`,
		`{"version":1,"accounts":[{"id":"\x"}]}`,
		`{"version":1,"accounts":[],}`,
		`{"version":1 "accounts":[]}`,
		`{"version":01}`,
		`{"version":1}{}`,
		`{"version":2,"accounts":[{"seq":"x"}]}`,
		"{\"version\":2,\"history\":\"h\",\"accounts\":[\n{\"id\":\"a\"},\n{\"id\":\"b\"}\n]}\n{}",
		`{"version":1,"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
	} {
		if d, err := decodeStore([]byte(doc)); err == nil {
			t.Errorf("decodeStore(%.60q) = %+v, want an error", doc, d)
		}
	}
}

// accountVariants returns accounts files as encodeAccounts writes them and
// as a person editing them by hand, or a corrupting disk, might leave them.
func accountVariants(t *testing.T) map[string]string {
	t.Helper()
	d := benchData(40, 0)
	d.Accounts[8].Label = "quote \" backslash \\ newline \n brace {\n] ₹ \xff"
	b, err := encodeAccounts(diskAccounts(d), "store.history.jsonl", "g1", "")
	if err != nil {
		t.Fatal(err)
	}
	enc := string(b)
	one, _ := encodeAccounts(diskAccounts(benchData(1, 0)), "h", "", "")
	none, _ := encodeAccounts(nil, "h", "g", "")
	std, _ := json.Marshal(accountsFile{Version: 2, Accounts: diskAccounts(d)})
	indented, _ := json.MarshalIndent(accountsFile{Version: 2, Accounts: diskAccounts(d)}, "", "  ")
	v := map[string]string{
		"encoded":         enc,
		"one account":     string(one),
		"no accounts":     string(none),
		"encoding/json":   string(std),
		"indented":        string(indented),
		"two on a line":   strings.Replace(enc, "},\n{", "},{", 4),
		"crlf":            strings.ReplaceAll(enc, "\n", "\r\n"),
		"trailing comma":  strings.Replace(enc, "}\n]}", "},\n]}", 1),
		"no comma":        strings.Replace(enc, "},\n{", "}\n{", 1),
		"repeated key":    strings.Replace(enc, "\n]}", "\n],\"accounts\":[]}", 1),
		"unknown key":     strings.Replace(enc, `{"id":`, `{"extra":{"a":[1,{"b":null}]},"id":`, 6),
		"null account":    strings.Replace(enc, "},\n{", "},\nnull,\n{", 1),
		"garbage after":   enc + "x",
		"upper-case key":  strings.Replace(enc, `"label":`, `"Label":`, 7),
		"line split":      strings.Replace(enc, `,"label":`, ",\n\"label\":", 3),
		"nested brackets": strings.Replace(enc, `"note":`, "\"x\":[\n1\n],\"note\":", 3),
	}
	for i := 0; i < len(enc); i += 331 {
		v[fmt.Sprintf("truncated at %d", i)] = enc[:i]
		v[fmt.Sprintf("byte %d changed", i)] = enc[:i] + "}" + enc[i+1:]
	}
	return v
}

// diskAccounts is d's accounts as the accounts file holds them.
func diskAccounts(d Data) []diskAccount {
	out := make([]diskAccount, len(d.Accounts))
	for i, a := range d.Accounts {
		out[i] = diskAccount{ID: a.ID, Label: a.Label, Operator: a.Operator, CANumber: a.CANumber,
			RegistrationID: a.RegistrationID, Note: a.Note, CreatedAt: a.CreatedAt, Seq: int64(i)}
	}
	return out
}

// The line-by-line decoder of the accounts file agrees with decoding it
// whole, and takes only the layout the encoder writes.
func TestAccountLinesAgreeWithWholeDecode(t *testing.T) {
	for name, doc := range accountVariants(t) {
		var whole accountsFile
		wholeErr := unmarshal([]byte(doc), &whole)
		lines, ok := decodeAccountLines([]byte(doc))
		if ok && (wholeErr != nil || !reflect.DeepEqual(lines, whole)) {
			t.Errorf("%s: line by line %+v, whole %+v (%v)", name, lines, whole, wholeErr)
		}
		if want := !slices.Contains([]string{"encoding/json", "indented", "two on a line", "crlf", "trailing comma",
			"no comma", "repeated key", "null account", "garbage after", "line split", "nested brackets"}, name) &&
			!strings.HasPrefix(name, "truncated"); !want && ok {
			t.Errorf("%s: decoded line by line", name)
		} else if name == "encoded" && !ok {
			t.Errorf("%s: not decoded line by line", name)
		}
	}
}

func FuzzDecodeStore(f *testing.F) {
	enc, _ := encodeAccounts(diskAccounts(benchData(3, 0)), "store.history.jsonl", "g", "")
	f.Add(enc)
	std, _ := json.Marshal(benchData(2, 2))
	f.Add(std)
	for _, s := range []string{
		`{"version":1}`, `{}`, ``, ` `, `[]`, `null`, `{"version":2,"accounts":null}`,
		`{"version":1,"accounts":[{"position":3},{"position":-1}]}`,
		`{"version":1,"accounts":[{"canumber":"\ud83d\ude00\u2028\u0000"}]}`,
		`{"version":1,"recent":[{"at":"2026-01-02T03:04:05.5+05:30","snapshot":{"consumer":{"bill":{}}}}]}`,
		"{\"version\":1,\"accounts\":[{\"label\":\"\xff\xfe\"}]}",
		"{\"version\":2,\"accounts\":[\n{\"id\":\"a\"}\n]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeStore(b)
		if err != nil || d.newer() {
			return
		}
		e1, err := encodeAccounts(d.accounts, "h", d.gen, d.lineage)
		if err != nil {
			t.Fatalf("decoded accounts do not encode: %v", err)
		}
		if !json.Valid(e1) {
			t.Fatalf("encode wrote invalid JSON:\n%s", e1)
		}
		d2, err := decodeStore(e1)
		if err != nil {
			t.Fatalf("decodeStore(encode(decodeStore(b))): %v\n%s", err, e1)
		}
		if e2, err := encodeAccounts(d2.accounts, "h", d2.gen, d2.lineage); err != nil || string(e1) != string(e2) {
			t.Fatalf("decode -> encode -> decode is not stable (%v):\n%s\n%s", err, e1, e2)
		}
	})
}
