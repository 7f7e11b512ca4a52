package text

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestIndentJSONAsJSONIndent: within MaxIndentDepth the layout is
// json.Indent's, byte for byte.
func TestIndentJSONAsJSONIndent(t *testing.T) {
	for _, src := range []string{
		`{"status":true,"response_code":1,"bill_fetch":{"billAmount":"1000.0","cellNumber":"DL12CB4685"},"x":[]}`,
		`{}`, `[]`, `"a\u001b\"b"`, `12.5e3`, `null`, `[1,[2,{}],{"a":[]}]`,
		` { "a" : [ 1 , 2 ] , "b" : { } } `,
		"{\"a\":\"\xff bad utf8\",\"a\":\"dup\"}",
		`{"k":` + strings.Repeat("[", MaxIndentDepth-1) + strings.Repeat("]", MaxIndentDepth-1) + `}`,
	} {
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(src), "", "  "); err != nil {
			t.Fatal(err)
		}
		got, err := IndentJSON([]byte(src))
		if err != nil {
			t.Errorf("IndentJSON(%s): %v", src, err)
			continue
		}
		if string(got) != strings.TrimSpace(want.String())+"\n" {
			t.Errorf("IndentJSON(%s) =\n%s\nwant\n%s", src, got, want.String())
		}
	}
}

// TestIndentJSONBoundedDepth: deeper than MaxIndentDepth stays on one line,
// so a 20 KB body nested 9,990 deep stays about 20 KB (json.Indent makes
// 200 MB of it), and the value is unchanged.
func TestIndentJSONBoundedDepth(t *testing.T) {
	src := []byte(`{"x":` + strings.Repeat("[", 9990) + `1,"a"` + strings.Repeat("]", 9990) + `,"y":{"z":1}}`)
	got, err := IndentJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > len(src)+MaxIndentDepth*(MaxIndentDepth+1)*len(indentUnit)+100 {
		t.Errorf("%d bytes from %d", len(got), len(src))
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, got); err != nil || !bytes.Equal(compact.Bytes(), src) {
		t.Errorf("the value changed (%v)", err)
	}
	want := "{\n  \"x\": [\n    [\n      [\n"
	if !bytes.HasPrefix(got, []byte(want)) || !bytes.HasSuffix(got, []byte("]\n    ]\n  ],\n  \"y\": {\n    \"z\": 1\n  }\n}\n")) {
		t.Errorf("layout:\n%.200s\n…\n%s", got, got[len(got)-60:])
	}
	deepest := strings.Repeat(indentUnit, MaxIndentDepth) + strings.Repeat("[", 9990-MaxIndentDepth+1) + `1,"a"`
	if !bytes.Contains(got, []byte("\n"+deepest+strings.Repeat("]", 9990-MaxIndentDepth+1)+"\n")) {
		t.Errorf("the part deeper than %d levels is not on one line", MaxIndentDepth)
	}
}

func TestIndentJSONInvalid(t *testing.T) {
	for _, src := range []string{``, `{`, `{"a":}`, `[1,]`, `<html>`, `{"a":1}}`, `"open`} {
		if got, err := IndentJSON([]byte(src)); err == nil {
			t.Errorf("IndentJSON(%q) = %q, want an error", src, got)
		}
	}
}

// FuzzIndentJSON: IndentJSON accepts what json.Valid accepts (within its
// 10,000 levels), keeps the value, and its output is linear in its input.
func FuzzIndentJSON(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":null}],"c":"\u202e"}`))
	f.Add([]byte(strings.Repeat("[", 30) + strings.Repeat("]", 30)))
	f.Fuzz(func(t *testing.T, src []byte) {
		got, err := IndentJSON(src)
		valid := json.Valid(src)
		if (err == nil) != valid {
			t.Fatalf("IndentJSON err %v, json.Valid %v", err, valid)
		}
		if err != nil {
			return
		}
		var a, b bytes.Buffer
		if json.Compact(&a, src) != nil || json.Compact(&b, got) != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("value changed:\n%q\n%q", src, got)
		}
		if limit := len(src) * (3 + MaxIndentDepth*len(indentUnit)); len(got) > limit+1 {
			t.Fatalf("%d bytes from %d", len(got), len(src))
		}
	})
}
