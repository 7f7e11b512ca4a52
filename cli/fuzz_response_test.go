package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/batch"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
	"github.com/aopfetch/aopfetch/ui"
)

// roundTripFunc answers a request without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fuzzNow is the fixed clock of the response-path fuzz target.
var fuzzNow = time.Date(2021, 9, 15, 10, 30, 0, 0, time.UTC)

// fetchFrom looks up testReq at a server that answers status, a Location
// header and body, through the real client (no retries).
func fetchFrom(t testing.TB, status int, location string, body []byte) (*client.Result, error) {
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		h := http.Header{"Content-Type": {"application/json"}}
		if location != "" {
			h["Location"] = []string{location}
		}
		return &http.Response{StatusCode: status, Header: h, Request: req, ContentLength: int64(len(body)),
			Body: io.NopCloser(bytes.NewReader(body))}, nil
	})
	c, err := client.New(client.Options{BaseURL: "https://api.example.invalid", Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	return c.Fetch(context.Background(), testReq)
}

// output is one form a lookup's outcome is shown or written in.
type output struct {
	name string
	text string
	json bool // JSON (or JSON lines): terminal-unsafe characters only as escapes
}

// outputsOf renders the outcome of looking up testReq in every form aopfetch
// has: fetch's table or error lines, fetch --json, the batch JSONL and CSV
// rows (and its summary), the history and saved-accounts tables and history --json of what
// it records, and the TUI's screens at two sizes, its raw JSON view and
// clipboard texts.
func outputsOf(t testing.TB, res *client.Result, err error) []output {
	cfg := &config.Config{Operator: 311, RegistrationID: "AOP-554", HistoryLimit: 200,
		Operators: []config.Operator{{Code: 311, Name: "FASTag ICICI"}}}
	var outs []output
	add := func(name string, json bool, write func(w io.Writer) error) {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		outs = append(outs, output{name: name, text: b.String(), json: json})
	}
	if err == nil {
		add("fetch table", false, func(w io.Writer) error { return writeConsumer(w, testReq, res, cfg, fuzzNow) })
	} else {
		add("fetch error", false, func(w io.Writer) error { writeLookupError(w, testReq.CANumber, err); return nil })
	}
	add("fetch --json", true, func(w io.Writer) error {
		return writeRecords(w, []batch.Result{{Req: testReq, Res: res, Err: err}}, false)
	})
	for _, format := range []string{batch.FormatJSONL, batch.FormatCSV} {
		var rows, summary bytes.Buffer
		if err := batchOutputs(&rows, &summary, format, res, err); err != nil {
			t.Fatalf("batch %s: %v", format, err)
		}
		outs = append(outs, output{name: "batch " + format, text: rows.String(), json: format == batch.FormatJSONL},
			output{name: "batch summary", text: summary.String()})
	}
	l := store.NewLookup(testReq, res, err, fuzzNow)
	add("history", false, func(w io.Writer) error { return writeHistory(w, []store.Lookup{l}, cfg, fuzzNow) })
	add("history --json", true, func(w io.Writer) error { return writeJSON(w, []store.Lookup{l}) })
	if r := client.ResultOf(res, err); r != nil {
		a := store.Account{ID: "a1", Label: text.Sanitize(r.Consumer.ShownName()), Operator: 311, CANumber: testReq.CANumber,
			RegistrationID: testReq.RegistrationID, Last: &store.Snapshot{Consumer: r.Consumer, FetchedAt: fuzzNow}}
		add("saved list", false, func(w io.Writer) error { return writeAccounts(w, []store.Account{a}, cfg, fuzzNow) })
	}
	shown := ui.Show(ui.Options{Config: cfg, Now: func() time.Time { return fuzzNow }}, testReq, res, err,
		ui.Size{Width: 80, Height: 24}, ui.Size{Width: 40, Height: 12})
	for i, s := range shown.Screens {
		outs = append(outs, output{name: fmt.Sprintf("TUI screen %d", i), text: s})
	}
	outs = append(outs, output{name: "TUI JSON view", text: shown.JSON})
	for i, c := range clipboardPayloads(t, shown.Clipboard) {
		outs = append(outs, output{name: fmt.Sprintf("TUI clipboard %d", i), text: c})
	}
	return outs
}

// fixedFetcher answers every lookup with res and err.
type fixedFetcher struct {
	res *client.Result
	err error
}

func (f fixedFetcher) Fetch(context.Context, client.Request) (*client.Result, error) {
	return f.res, f.err
}

// batchOutputs runs a batch of testReq, answered with res and err, through
// internal/batch's own output writer to rows (as -o - does) in format, and
// writes its summary to summary.
func batchOutputs(rows, summary io.Writer, format string, res *client.Result, err error) error {
	plan, perr := batch.Prepare(batch.Spec{Rows: []batch.Row{{Line: 1, Req: testReq, Label: "label"}}, Output: "-", Format: format})
	if perr != nil {
		return perr
	}
	out, perr := plan.Open(rows)
	if perr != nil {
		return perr
	}
	sum := plan.Run(context.Background(), out, batch.Env{Fetcher: fixedFetcher{res, err}, Options: batch.Options{KeepGoingAfterAuth: true}})
	sum.Write(summary)
	return errors.Join(out.Close(), sum.WriteErr)
}

// clipboardPayloads decodes the texts of the OSC 52 sequences in seqs.
func clipboardPayloads(t testing.TB, seqs string) []string {
	var out []string
	for _, part := range strings.Split(seqs, "\x1b]52;c;")[1:] {
		end := strings.IndexAny(part, "\x07\x1b")
		b, err := base64.StdEncoding.DecodeString(part[:max(end, 0)])
		if end < 0 || err != nil {
			t.Fatalf("clipboard sequence %q: %v", part, err)
		}
		out = append(out, string(b))
	}
	return out
}

// terminalUnsafe reports a character that must never reach a terminal:
// a control character other than a line break, DEL, a bidi control or an
// invisible character (text.Invisible).
func terminalUnsafe(r rune) bool {
	return (unicode.IsControl(r) && r != '\n') || text.Invisible(r)
}

// Bounds of an output's size, linear in the body's: --json indents the raw
// body up to text.MaxIndentDepth levels (up to ~2 bytes of indentation a
// level a token), and an invalid UTF-8 byte becomes a 6-byte \ufffd.
const (
	outputFactor = 8 + 2*text.MaxIndentDepth
	outputSlack  = 64 << 10
)

// checkOutputs fails when an output holds a character terminalUnsafe
// reports (a JSON output may hold them as escapes only, and must be
// valid), is not UTF-8, or is larger than linear in the body.
func checkOutputs(t testing.TB, body []byte, outs []output) {
	t.Helper()
	for _, o := range outs {
		if !utf8.ValidString(o.text) {
			t.Fatalf("%s: invalid UTF-8: %q", o.name, o.text)
		}
		if limit := outputFactor*len(body) + outputSlack; len(o.text) > limit {
			t.Fatalf("%s: %d bytes from a %d-byte body (limit %d)", o.name, len(o.text), len(body), limit)
		}
		if o.json {
			for _, line := range strings.Split(strings.TrimSuffix(o.text, "\n"), "\n") {
				if strings.HasPrefix(o.name, "batch") && !json.Valid([]byte(line)) {
					t.Fatalf("%s: a line is not JSON: %q", o.name, line)
				}
			}
			if !strings.HasPrefix(o.name, "batch") && !json.Valid([]byte(o.text)) {
				t.Fatalf("%s: not JSON: %q", o.name, o.text)
			}
		}
		if i := strings.IndexFunc(o.text, terminalUnsafe); i >= 0 {
			r, _ := utf8.DecodeRuneInString(o.text[i:])
			t.Fatalf("%s: %U at byte %d of %q", o.name, r, i, o.text)
		}
	}
}

// FuzzResponsePath feeds bytes from the server through the client to every
// output form (see outputsOf) and checks that no control, bidi or invisible
// character survives (JSON may carry them as escapes) and that no output
// grows faster than the body.
func FuzzResponsePath(f *testing.F) {
	f.Add(uint16(200), "", []byte(docSuccess))
	f.Add(uint16(200), "", []byte(`{"status":true,"response_code":1,"name":"98\u200b765 \u009b2J\u202eX","message":"a\u00adb",`+
		`"bill_fetch":{"cellNumber":"98`+"\u200b"+`765\ufeff","userName":"`+"\x1b]52;c;aGk=\x07"+`","billAmount":"1e60"}}`))
	f.Add(uint16(200), "", []byte(`{"status":true,"name":"\u001b[2J\u0085\u007f\udb40\udc41","amount":"\u2066x"}`))
	f.Add(uint16(200), "", []byte(`{"status":true,"x":`+strings.Repeat("[", 70)+strings.Repeat("]", 70)+`}`))
	f.Add(uint16(502), "", []byte("<html>\x1b[31m\u009b\u200bbad gateway</html>"))
	f.Add(uint16(302), "https://evil\u202e.example/\x1b[2J", []byte(""))
	f.Add(uint16(401), "", []byte(`{"status":false,"response_code":10,"message":"bad \u200dsig\u2067"}`))
	f.Add(uint16(200), "", []byte("{\"status\":true,\"name\":\"\xff\xfe\xc2\x9b\"}"))
	for _, name := range []string{"doc_200.json", "numbers_as_strings.json", "bad_gateway.html"} {
		if b, err := os.ReadFile(filepath.Join("..", "client", "testdata", name)); err == nil {
			f.Add(uint16(200), "", b)
		}
	}
	f.Fuzz(func(t *testing.T, status uint16, location string, body []byte) {
		code := int(status)
		if code < 100 || code > 599 {
			code = 100 + code%500
		}
		res, err := fetchFrom(t, code, location, body)
		checkOutputs(t, body, outputsOf(t, res, err))
	})
}

// TestResponsePathSeeds checks the hostile answers of the fuzz target's
// corpus by name, so a failure says which form let what through.
func TestResponsePathSeeds(t *testing.T) {
	body := []byte(`{"status":true,"response_code":1,"name":"98` + "\u200b" + `765","message":"ok",` +
		`"bill_fetch":{"cellNumber":"98` + "\u200b" + `765","userName":"U"}}`)
	res, err := fetchFrom(t, 200, "", body)
	if err != nil {
		t.Fatal(err)
	}
	outs := outputsOf(t, res, err)
	checkOutputs(t, body, outs)
	for _, o := range outs {
		if !o.json && strings.Contains(o.name, "table") && !strings.Contains(o.text, "98765") {
			t.Errorf("%s lacks the phone as digits:\n%s", o.name, o.text)
		}
	}
}
