package batch

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
	"github.com/aopfetch/aopfetch/store"
)

var testReq = client.Request{Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554"}

// answer is the client's result of looking up testReq at a server that
// answers status and body.
func answer(t *testing.T, status int, body string) (*client.Result, error) {
	t.Helper()
	return fetchAt(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
}

// fetchAt is the client's result of looking up testReq at a server
// running h.
func fetchAt(t *testing.T, h http.Handler) (*client.Result, error) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	c, err := client.New(client.Options{BaseURL: srv.URL, Retries: 0})
	if err != nil {
		t.Fatal(err)
	}
	return c.Fetch(context.Background(), testReq)
}

// marshalled is v as JSON, checked to be valid UTF-8, and that JSON
// decoded into a map.
func marshalled(t *testing.T, v any) ([]byte, map[string]any) {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(out) {
		t.Fatalf("--json output is not valid UTF-8: %q", out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return out, m
}

func TestNewRecordSuccess(t *testing.T) {
	// The sandbox answers testReq's vehicle with the provider's documented
	// 200 example, byte for byte.
	res, err := fetchAt(t, sandbox.New(sandbox.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	res.FetchedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res.Latency = 250 * time.Millisecond
	rec := NewRecord(testReq, res, nil)
	if !rec.OK || rec.Error != nil || rec.Name != "NITESH  KUMAR SHARMA" || rec.Amount != "1000.0" ||
		rec.DueDate != "2021-09-20" || rec.ResponseCode != 1 || !rec.Status || rec.LatencyMS != 250 {
		t.Fatalf("record = %+v", rec)
	}
	if rec.Bill == nil || rec.Bill.MaxBillAmount != "1000" || !rec.Bill.AcceptPartPay {
		t.Fatalf("bill = %+v", rec.Bill)
	}
	out, m := marshalled(t, rec)
	raw, ok := m["raw"].(map[string]any)
	if !ok || raw["message"] != "Bill Fetched Success." {
		t.Fatalf("raw = %#v, want the response object", m["raw"])
	}
	if m["fetched_at"] != "2026-01-02T03:04:05Z" {
		t.Errorf("fetched_at = %v", m["fetched_at"])
	}
	if _, ok := m["error"]; ok {
		t.Errorf("a successful record has an error key: %s", out)
	}
	for _, k := range []string{"ok", "operator", "canumber", "registration_id", "response_code", "status", "message",
		"name", "amount", "due_date", "bill", "fetched_at", "latency_ms", "raw"} {
		if _, ok := m[k]; !ok {
			t.Errorf("record has no %q key: %s", k, out)
		}
	}
}

func TestNewRecordUpstreamKeepsBodyAsString(t *testing.T) {
	body := "<html>502 Bad Gateway</html>"
	_, err := answer(t, 502, body)
	if err == nil {
		t.Fatal("502 decoded without error")
	}
	rec := NewRecord(testReq, nil, err)
	if rec.OK || rec.Error == nil || rec.Error.Kind != "upstream" || rec.Error.HTTPStatus != 502 {
		t.Fatalf("record = %+v error = %+v", rec, rec.Error)
	}
	if s, ok := rec.Raw.(string); !ok || s != body {
		t.Fatalf("raw = %#v, want the body as a string", rec.Raw)
	}
	if rec.FetchedAt.IsZero() {
		t.Error("fetched_at is zero")
	}
}

func TestNewRecordRawIsValidUTF8(t *testing.T) {
	body := "{\"response_code\":2,\"status\":false,\"message\":\"not found \xff\xfe\"}"
	_, err := answer(t, 200, body)
	rec := NewRecord(testReq, nil, err)
	for _, v := range []any{rec, jsonlRecord{Record: rec}} {
		_, m := marshalled(t, v)
		raw, ok := m["raw"].(map[string]any)
		if !ok || raw["message"] != "not found \uFFFD\uFFFD" {
			t.Fatalf("raw = %#v, want the response object with U+FFFD for the bad bytes", m["raw"])
		}
	}
}

func TestNewRecordValidationError(t *testing.T) {
	rec := NewRecord(client.Request{CANumber: "@@"}, nil, &client.ValidationError{Field: client.FieldCANumber, Message: "bad vehicle"})
	if rec.OK || rec.Error == nil || rec.Error.Kind != "validation" || rec.Error.Message != "bad vehicle" || rec.Raw != nil {
		t.Fatalf("record = %+v", rec)
	}
}

// TestErrorKindIsTheSameEverywhere: a failure the client did not classify
// is recorded with one kind in the CSV row, the JSONL record, the history
// and the summary (the CSV row and summary said "network", the others
// "error").
func TestErrorKindIsTheSameEverywhere(t *testing.T) {
	for _, err := range []error{errors.New("the disk is on fire"), &client.Error{Kind: client.KindTimeout, Message: "slow"}, &client.ValidationError{Field: "canumber", Message: "bad"}} {
		r := Result{Req: testReq, Err: err}
		want, _ := store.FailureOf(err)
		csvKind := csvRecord(Row{Req: testReq}, r)[5]
		jsonKind := NewRecord(testReq, nil, err).Error.Kind
		histKind := store.NewLookup(testReq, nil, err, time.Now()).ErrorKind
		var sum Summary
		sum.record(r)
		var out strings.Builder
		sum.Write(&out)
		if r.Kind() != want || csvKind != want || jsonKind != want || histKind != want || !strings.Contains(out.String(), want+" ") {
			t.Errorf("%v: Kind %q, CSV %q, JSONL %q, history %q, want %q everywhere; summary:\n%s", err, r.Kind(), csvKind, jsonKind, histKind, want, out.String())
		}
	}
}
