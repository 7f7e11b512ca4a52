package sandbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
)

// testNow is the fixed clock of the tests.
func testNow() time.Time { return time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC) }

// testOptions has no latency, a tiny slow delay and the fixed clock.
func testOptions() sandbox.Options {
	return sandbox.Options{SlowDelay: time.Millisecond, Now: testNow}
}

// requestBody is a well-formed request for vehicle.
func requestBody(vehicle string) string {
	b, err := json.Marshal(map[string]any{"operator": 311, "canumber": vehicle, "RegistrationID": "AOP-554"})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// serve sends one request straight to h and returns the recorded answer.
func serve(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// fetch posts a lookup for vehicle to h.
func fetch(h http.Handler, vehicle string) *httptest.ResponseRecorder {
	return serve(h, http.MethodPost, client.EndpointPath, requestBody(vehicle))
}

// decode parses a JSON object body.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, body)
	}
	return m
}

// readTestdata returns a file under testdata.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantJSON checks a JSON answer's status code and content type.
func wantJSON(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status = %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}
