package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileName holds what a terminal acts on and encoding/json leaves raw:
// a C1 CSI (U+009B), a bidi override (U+202E) and DEL.
const hostileName = "EVIL\u009b31mNAME\u202eX\x7fY"

// TestEveryJSONOutputEscapesTerminalControls: fetch --json, batch JSONL
// (stdout, a file, and a file rewritten by --resume) escape C1 controls,
// bidi overrides and DEL as history --json and export do, and still
// decode to the server's text.
func TestEveryJSONOutputEscapesTerminalControls(t *testing.T) {
	name, _ := json.Marshal(hostileName) // raw: encoding/json escapes none of them
	if !bytes.Contains(name, []byte("\u009b")) {
		t.Fatalf("the server's answer %s does not hold the raw characters", name)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `{"response_code":1,"status":true,"name":%s,"message":"ok","bill_fetch":{"userName":%s,"cellNumber":"9876543210","acceptPayment":true}}`,
			name, name)
	}))
	defer srv.Close()
	e := newCLIEnv(t, namedOperatorConfig)
	in := filepath.Join(e.dir, "in.txt")
	if err := os.WriteFile(in, []byte("DL12CB4685\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "out.jsonl")
	texts := map[string]string{}
	r := e.run(t, "", "--base-url", srv.URL, "fetch", "--json", "DL12CB4685")
	texts["fetch --json"] = r.stdout
	r = e.run(t, "", "--base-url", srv.URL, "fetch", "--json", "--no-history", "DL12CB4685", "MH12AB1234")
	texts["fetch --json (array)"] = r.stdout
	r = e.run(t, "", "--base-url", srv.URL, "batch", in, "-o", "-", "--format", "jsonl", "--no-history")
	texts["batch JSONL"] = r.stdout
	e.run(t, "", "--base-url", srv.URL, "batch", in, "-o", out, "--no-history")
	texts["batch -o out.jsonl"] = outputFile(out).String() // "" is reported below
	if err := os.WriteFile(out, []byte(`{"ok":true,"operator":311,"canumber":"DL12CB4685","registration_id":"AOP-554","name":"`+hostileName+`"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.run(t, "", "--base-url", srv.URL, "batch", in, "-o", out, "--resume", "--no-history")
	texts["batch --resume (kept row)"] = outputFile(out).String() // "" is reported below
	r = e.run(t, "", "history", "--json")
	texts["history --json"] = r.stdout
	for what, text := range texts {
		if text == "" {
			t.Errorf("%s: no output", what)
			continue
		}
		for _, bad := range []string{"\u009b", "\u202e", "\x7f"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s holds a raw %q:\n%q", what, bad, text)
			}
		}
		first, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
		if strings.HasPrefix(first, "{") && !strings.HasPrefix(what, "fetch") {
			text = first // one JSONL line
		}
		var v any
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			t.Errorf("%s is not JSON: %v\n%s", what, err, text)
			continue
		}
		if b, _ := json.Marshal(v); !bytes.Contains(b, []byte(hostileName)) {
			t.Errorf("%s lost the name: %s", what, b)
		}
	}
}
