package client

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aopfetch/aopfetch/internal/text"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeConsumer decodes the doc's 200 example and an answer that
// swaps numbers and strings into the same Consumer fields, keeping the raw
// body and the status.
func TestDecodeConsumer(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       Consumer
	}{
		{"DocSuccess", "doc_200.json", Consumer{
			ResponseCode: 1, Status: true, Message: "Bill Fetched Success.",
			Name: "NITESH  KUMAR SHARMA", Amount: "1000.0", DueDate: "2021-09-20",
			Bill: &Bill{
				BillAmount: "1000.0", BillNetAmount: "1000.0", DueDate: "2021-09-20", MaxBillAmount: "1000",
				AcceptPayment: true, AcceptPartPay: true, CellNumber: "DL12CB4685", UserName: "NITESH  KUMAR SHARMA",
			},
		}},
		{"NumbersAsStringsAndStringsAsNumbers", "numbers_as_strings.json", Consumer{
			ResponseCode: 1, Status: true, Message: "Bill Fetched Success.",
			Name: "ASHA  RAO", Amount: "1250.5", DueDate: "20/09/2021",
			Bill: &Bill{
				BillAmount: "1250.50", BillNetAmount: "1250.5", DueDate: "2021-09-20", MaxBillAmount: "100000",
				AcceptPayment: true, AcceptPartPay: false, CellNumber: "9876543210", UserName: "ASHA  RAO",
			},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := readTestdata(t, tc.file)
			res, err := decodeResponse(200, body, nil)
			if err != nil {
				t.Fatalf("decodeResponse: %v", err)
			}
			assertConsumer(t, res.Consumer, tc.want)
			if !bytes.Equal(res.Raw, body) || res.HTTPStatus != 200 {
				t.Errorf("Raw/HTTPStatus not kept: %d", res.HTTPStatus)
			}
		})
	}
}

func assertConsumer(t *testing.T, got, want Consumer) {
	t.Helper()
	gb, wb := got.Bill, want.Bill
	got.Bill, want.Bill = nil, nil
	if got != want {
		t.Errorf("Consumer = %+v\nwant       %+v", got, want)
	}
	switch {
	case (gb == nil) != (wb == nil):
		t.Errorf("Bill = %+v, want %+v", gb, wb)
	case gb != nil && *gb != *wb:
		t.Errorf("Bill = %+v\nwant   %+v", *gb, *wb)
	}
}

func TestDecodeTolerance(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Consumer // no case here has a usable bill_fetch
	}{
		{"bill_fetch missing", `{"response_code":1,"status":true,"name":"A","amount":1000}`,
			Consumer{ResponseCode: 1, Status: true, Name: "A", Amount: "1000"}},
		{"bill_fetch null", `{"response_code":1,"status":true,"bill_fetch":null}`,
			Consumer{ResponseCode: 1, Status: true}},
		{"bill_fetch wrong type", `{"response_code":1,"status":true,"bill_fetch":"none"}`,
			Consumer{ResponseCode: 1, Status: true}},
		{"bill_fetch array", `{"response_code":1,"status":true,"bill_fetch":[1]}`,
			Consumer{ResponseCode: 1, Status: true}},
		{"code as float text", `{"response_code":"1.0","status":"TRUE"}`,
			Consumer{ResponseCode: 1, Status: true}},
		{"code absent", `{"status":true,"amount":"12.5"}`,
			Consumer{Status: true, Amount: "12.5"}},
		{"exact number text", `{"response_code":1,"status":1,"amount":1000.10}`,
			Consumer{ResponseCode: 1, Status: true, Amount: "1000.10"}},
		{"huge amount", `{"response_code":1,"status":true,"amount":123456789012345678901234567890.5}`,
			Consumer{ResponseCode: 1, Status: true, Amount: "123456789012345678901234567890.5"}},
		{"wrong types ignored", `{"response_code":1,"status":true,"name":{"x":1},"amount":[1],"duedate":false}`,
			Consumer{ResponseCode: 1, Status: true}},
		{"BOM and case", "\ufeff" + `{"Response_Code":1,"Status":true,"Message":"ok"}`,
			Consumer{ResponseCode: 1, Status: true, Message: "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := decodeResponse(200, []byte(tt.body), nil)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			assertConsumer(t, res.Consumer, tt.want)
		})
	}
}

func TestDecodeClassification(t *testing.T) {
	html := string(readTestdata(t, "bad_gateway.html"))
	tests := []struct {
		name    string
		status  int
		body    string
		kind    Kind // "" = success
		code    int
		message string // substring
		snippet string // substring
	}{
		{"doc 200", 200, string(readTestdata(t, "doc_200.json")), "", 0, "", ""},
		{"doc 401", 401, string(readTestdata(t, "doc_401.json")), KindAuth, 10, "Signature verification failed", ""},
		{"code 10 with HTTP 200", 200, `{"status":false,"response_code":10,"message":"Signature verification failed"}`, KindAuth, 10, "Signature", ""},
		{"code 11 as responsecode", 200, `{"status":false,"responsecode":"11","message":"Token expired"}`, KindAuth, 11, "Token expired", ""},
		{"401 without body", 401, ``, KindAuth, 0, "HTTP 401 Unauthorized", ""},
		{"401 HTML", 401, `<html>Unauthorized</html>`, KindAuth, 0, "rejected the credentials", "Unauthorized"},
		{"not found", 200, `{"status":false,"response_code":2,"message":"Vehicle not found"}`, KindAPI, 2, "Vehicle not found", ""},
		{"not found no message", 200, `{"status":false,"response_code":2}`, KindAPI, 2, "declined the lookup (response code 2", ""},
		{"status true other code", 200, `{"status":true,"response_code":3,"message":"Pending"}`, KindAPI, 3, "Pending", ""},
		{"400 JSON", 400, `{"status":false,"message":"Invalid operator"}`, KindAPI, 0, "Invalid operator", ""},
		{"message sanitised", 200, "{\"status\":false,\"message\":\"bad\\u001b]0;x\\u0007\\nthing\"}", KindAPI, 0, "bad thing", ""},
		{"HTML 502", 502, html, KindUpstream, 0, "HTTP 502 Bad Gateway with a body that is not JSON", "<html> <head><title>502 Bad Gateway</title>"},
		{"HTML 200", 200, html, KindUpstream, 0, "HTTP 200 OK with a body that is not JSON", "502 Bad Gateway"},
		{"empty 200", 200, ``, KindUpstream, 0, "with an empty body", ""},
		{"JSON 500", 500, `{"status":false,"message":"Internal error"}`, KindUpstream, 0, "HTTP 500 Internal Server Error: Internal error", ""},
		{"JSON array", 200, `[1,2]`, KindUpstream, 0, "JSON that is not a Fetch Consumer Details answer", "[1,2]"},
		{"foreign JSON", 200, `{"error":"nope"}`, KindUpstream, 0, "not a Fetch Consumer Details answer", `{"error":"nope"}`},
		{"truncated JSON", 200, `{"status":true,`, KindUpstream, 0, "not JSON", ""},
		{"status true but 404", 404, `{"status":true,"response_code":1}`, KindAPI, 1, "HTTP 404", ""},
		{"status true, code out of range", 200, `{"status":true,"response_code":99999999999999999999999,"amount":"5"}`, KindUpstream, 0,
			"response code that is not a whole number (99999999999999999999999)", `"amount":"5"`},
		{"status true, code text", 200, `{"status":true,"response_code":"pending"}`, KindUpstream, 0, "not a whole number (pending)", ""},
		{"status true, code 1e400", 200, `{"status":true,"responsecode":1e400}`, KindUpstream, 0, "not a whole number (1e400)", ""},
		{"status false, code text", 200, `{"status":false,"response_code":"E42","message":"Vehicle not found"}`, KindAPI, 0, "Vehicle not found", ""},
		{"bad code, good alternative", 200, `{"status":true,"response_code":"x","responsecode":1}`, "", 0, "", ""},
		{"status true, code null", 200, `{"status":true,"response_code":null}`, "", 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := decodeResponse(tt.status, []byte(tt.body), nil)
			if res == nil || !bytes.Equal(res.Raw, []byte(tt.body)) {
				t.Fatalf("Result nil or Raw lost")
			}
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("err = %v, want success", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error %s", err, tt.kind)
			}
			if e.Kind != tt.kind || e.ResponseCode != tt.code || e.HTTPStatus != tt.status || e.Result != res {
				t.Errorf("got kind %s code %d status %d, want %s %d %d", e.Kind, e.ResponseCode, e.HTTPStatus, tt.kind, tt.code, tt.status)
			}
			if !strings.Contains(e.Message, tt.message) || !strings.Contains(e.Snippet, tt.snippet) {
				t.Errorf("Message %q / Snippet %q, want %q / %q", e.Message, e.Snippet, tt.message, tt.snippet)
			}
			if e.Error() != string(e.Kind)+": "+e.Message {
				t.Errorf("Error() = %q", e.Error())
			}
			if tt.kind == KindAuth && !strings.Contains(e.Hint, "AOPFETCH_JWT_SECRET") {
				t.Errorf("auth hint %q does not name the settings", e.Hint)
			}
			assertOneLine(t, e)
		})
	}
}

func TestDecodeSnippetLength(t *testing.T) {
	body := bytes.Repeat([]byte("<p>\x1b[31mx</p>\n"), 10000)
	_, err := decodeResponse(503, body, nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindUpstream {
		t.Fatalf("err = %v", err)
	}
	if n := len([]rune(e.Snippet)); n != snippetLen {
		t.Errorf("snippet is %d characters, want %d", n, snippetLen)
	}
	assertOneLine(t, e)
}

// assertOneLine checks the texts of e are single-line and control-free.
func assertOneLine(t *testing.T, e *Error) {
	t.Helper()
	for _, s := range []string{e.Error(), e.Message, e.Hint, e.Snippet} {
		if text.Sanitize(s) != s {
			t.Fatalf("control character or escape sequence in %q", s)
		}
	}
}

func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, readTestdata(f, "doc_200.json"))
	f.Add(401, readTestdata(f, "doc_401.json"))
	f.Add(200, readTestdata(f, "numbers_as_strings.json"))
	f.Add(502, readTestdata(f, "bad_gateway.html"))
	f.Add(200, []byte(`{"status":"1","responsecode":1.0,"bill_fetch":null}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		in := bytes.Clone(body)
		res, err := decodeResponse(status, body, nil)
		if res == nil {
			t.Fatal("nil Result")
		}
		if !bytes.Equal(res.Raw, in) || !bytes.Equal(body, in) {
			t.Fatal("raw bytes lost or modified")
		}
		if err == nil {
			if !res.Consumer.Status {
				t.Fatal("success without status true")
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("err %T is not *Error", err)
		}
		switch e.Kind {
		case KindAPI, KindAuth, KindUpstream:
		default:
			t.Fatalf("unexpected kind %q", e.Kind)
		}
		assertOneLine(t, e)
	})
}

func TestDecodeRateLimitedHint(t *testing.T) {
	for _, body := range []string{`{"status":false,"message":"slow down"}`, `Too Many Requests`, ``} {
		_, err := decodeResponse(429, []byte(body), nil)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("429 %q: err = %v", body, err)
		}
		if !strings.Contains(e.Hint, "limiting") || strings.Contains(e.Hint, "vehicle number") {
			t.Errorf("429 %q: hint %q, want the rate limit explained", body, e.Hint)
		}
	}
}

func TestDecodeHintForAnswersThatAreNotTheAPI(t *testing.T) {
	tests := []struct {
		status   int
		body     string
		baseHint bool // the hint points at the base URL, not at a passing outage
	}{
		{404, "<html>Not Found</html>", true},
		{405, "", true},
		{200, "<html>Login</html>", true},
		{200, `{"error":"nope"}`, true},
		{502, "<html>Bad Gateway</html>", false},
		{503, "", false},
	}
	for _, tt := range tests {
		_, err := decodeResponse(tt.status, []byte(tt.body), nil)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindUpstream {
			t.Fatalf("%d %q: err = %v, want upstream", tt.status, tt.body, err)
		}
		if got := strings.Contains(e.Hint, "base URL"); got != tt.baseHint {
			t.Errorf("%d %q: hint %q", tt.status, tt.body, e.Hint)
		}
	}
}

// deepBody is a successful answer with one field nested depth levels deep
// (the answer's own object counts as one).
func deepBody(depth int) []byte {
	return []byte(`{"status":true,"response_code":1,"message":"ok","name":"DEEP","x":` +
		strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`)
}

// TestDecodeDeepJSONRefused: an answer nested deeper than MaxJSONDepth is
// an upstream error that says so, whether encoding/json could decode it
// (9,990 deep) or not (10,001 deep: it used to be called "not JSON"); the
// body is kept as Raw. An answer at the limit decodes.
func TestDecodeDeepJSONRefused(t *testing.T) {
	if _, err := decodeResponse(200, deepBody(MaxJSONDepth), nil); err != nil {
		t.Fatalf("an answer %d deep: %v", MaxJSONDepth, err)
	}
	for _, depth := range []int{MaxJSONDepth + 1, 9990, 10001, 200000} {
		body := deepBody(depth)
		res, err := decodeResponse(200, body, nil)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindUpstream {
			t.Fatalf("depth %d: err = %v, want an upstream error", depth, err)
		}
		want := "with JSON nested more than 64 levels deep"
		if !strings.Contains(e.Message, want) || strings.Contains(e.Message, "not JSON") {
			t.Errorf("depth %d: message %q, want it to say %q", depth, e.Message, want)
		}
		if !bytes.Equal(res.Raw, body) || res.Consumer.Name != "" {
			t.Errorf("depth %d: Raw not kept, or the refused answer decoded: %+v", depth, res.Consumer)
		}
		assertOneLine(t, e)
	}
}

// TestDecodeJSONThatIsNotAnObject: valid JSON that is not an object is
// called what it is, not "not JSON".
func TestDecodeJSONThatIsNotAnObject(t *testing.T) {
	for _, body := range []string{`[1,2]`, `"ok"`, `true`, ` 12 `, `null`} {
		_, err := decodeResponse(200, []byte(body), nil)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindUpstream || !strings.Contains(e.Message, "with JSON that is not a Fetch Consumer Details answer") {
			t.Errorf("%s: %v", body, err)
		}
	}
	for _, body := range []string{`{"status":`, `<html>`, `[1,`} {
		_, err := decodeResponse(200, []byte(body), nil)
		if err == nil || !strings.Contains(err.Error(), "with a body that is not JSON") {
			t.Errorf("%s: %v", body, err)
		}
	}
}

// BenchmarkDecodeResponse decodes the doc's answer, and a 1 MiB answer of
// one long message, including the nesting check.
func BenchmarkDecodeResponse(b *testing.B) {
	bodies := map[string][]byte{
		"doc": readTestdata(b, "doc_200.json"),
		"1MiB": []byte(`{"status":true,"response_code":1,"message":"` +
			strings.Repeat("a", MaxBodyBytes-60) + `"}`),
	}
	for name, body := range bodies {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeResponse(200, body, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
