package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
	"github.com/aopfetch/aopfetch/internal/text"
)

// TestFetchSandboxScenarios checks the client classifies every fixed
// sandbox scenario as the README promises.
func TestFetchSandboxScenarios(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(sandbox.New(sandbox.Options{SlowDelay: time.Minute, Now: func() time.Time { return now }}))
	defer srv.Close()
	c, err := client.New(client.Options{BaseURL: srv.URL, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		vehicle string
		kind    client.Kind // "" = success
		overdue bool
	}{
		{sandbox.VehicleSuccess, "", true}, // the doc's fixed 2021 date
		{sandbox.VehicleOverdue, "", true},
		{sandbox.VehicleDueSoon, "", false},
		{"MH015678", "", false},
		{sandbox.VehicleAuth, client.KindAuth, false},
		{sandbox.VehicleNotFound, client.KindAPI, false},
		{sandbox.VehicleUpstream, client.KindUpstream, false},
		{sandbox.VehicleSlow, client.KindTimeout, false},
	}
	for _, tt := range tests {
		res, err := c.Fetch(context.Background(), client.Request{Operator: 311, CANumber: tt.vehicle, RegistrationID: "AOP-554"})
		if tt.kind == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.vehicle, err)
				continue
			}
			due, ok := text.ParseDueDate(res.Consumer.DueDate)
			if amount := text.Amount(res.Consumer.Amount); !ok || !strings.HasPrefix(amount, text.Rupee) || res.Consumer.Name == "" {
				t.Errorf("%s: unusable answer %+v", tt.vehicle, res.Consumer)
			}
			if tt.overdue != (text.DaysUntil(due, now) < 0) {
				t.Errorf("%s: due %s, overdue want %v", tt.vehicle, res.Consumer.DueDate, tt.overdue)
			}
			continue
		}
		var e *client.Error
		if !errors.As(err, &e) || e.Kind != tt.kind {
			t.Errorf("%s: err = %v, want %s", tt.vehicle, err, tt.kind)
		}
	}
}

func TestSuccessIsTheDocExample(t *testing.T) {
	h := sandbox.New(testOptions())
	want := readTestdata(t, "doc_200.json")
	for _, v := range []string{sandbox.VehicleSuccess, "dl 12-cb.4685", "DL/12/CB/4685"} {
		rec := fetch(h, v)
		wantJSON(t, rec, http.StatusOK)
		if got := rec.Body.String(); got != string(want) {
			t.Errorf("%q: body differs from the doc's 200 example:\n%s", v, got)
		}
	}
}

func TestAuthIsTheDoc401(t *testing.T) {
	rec := fetch(sandbox.New(testOptions()), sandbox.VehicleAuth)
	wantJSON(t, rec, http.StatusUnauthorized)
	if got, want := rec.Body.String(), string(readTestdata(t, "doc_401.json")); got != want {
		t.Errorf("body differs from the doc's 401 example:\n%s", got)
	}
}

func TestNotFound(t *testing.T) {
	rec := fetch(sandbox.New(testOptions()), sandbox.VehicleNotFound)
	wantJSON(t, rec, http.StatusOK)
	m := decode(t, rec.Body.Bytes())
	if m["status"] != false || m["response_code"] != 2.0 {
		t.Errorf("status/code = %v/%v, want false/2", m["status"], m["response_code"])
	}
	if msg, _ := m["message"].(string); !strings.Contains(msg, "not found") {
		t.Errorf("message = %q, want a not-found message", msg)
	}
}

func TestDatedScenarios(t *testing.T) {
	tests := []struct {
		vehicle     string
		due         string
		acceptsPart bool
	}{
		{sandbox.VehicleOverdue, "2026-03-03", true},  // 12 days before 2026-03-15
		{sandbox.VehicleDueSoon, "2026-03-18", false}, // 3 days after
	}
	h := sandbox.New(testOptions())
	for _, tt := range tests {
		rec := fetch(h, tt.vehicle)
		wantJSON(t, rec, http.StatusOK)
		m := decode(t, rec.Body.Bytes())
		bill, _ := m["bill_fetch"].(map[string]any)
		if m["status"] != true || m["response_code"] != 1.0 || bill == nil {
			t.Fatalf("%s: not a success: %s", tt.vehicle, rec.Body)
		}
		if m["duedate"] != tt.due || bill["dueDate"] != tt.due {
			t.Errorf("%s: due %v / %v, want %s", tt.vehicle, m["duedate"], bill["dueDate"], tt.due)
		}
		if bill["acceptPartPay"] != tt.acceptsPart || bill["acceptPayment"] != true {
			t.Errorf("%s: accept flags %v/%v", tt.vehicle, bill["acceptPayment"], bill["acceptPartPay"])
		}
		if bill["cellNumber"] != tt.vehicle {
			t.Errorf("%s: cellNumber = %v", tt.vehicle, bill["cellNumber"])
		}
	}
}

func TestUpstreamIsAnHTMLPage(t *testing.T) {
	rec := fetch(sandbox.New(testOptions()), sandbox.VehicleUpstream)
	if rec.Code != http.StatusBadGateway {
		t.Errorf("status = %d, want 502", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html" {
		t.Errorf("Content-Type = %q, want text/html", ct)
	}
	if body := rec.Body.String(); !strings.Contains(body, "<title>502 Bad Gateway</title>") {
		t.Errorf("body is not an nginx 502 page:\n%s", body)
	}
}

func TestSlowAnswersAfterItsDelay(t *testing.T) {
	rec := fetch(sandbox.New(testOptions()), sandbox.VehicleSlow)
	wantJSON(t, rec, http.StatusOK)
	if m := decode(t, rec.Body.Bytes()); m["status"] != true {
		t.Errorf("slow scenario is not a success: %s", rec.Body)
	}
}

// serveCancelled runs one request whose context is cancelled while the
// handler waits, and checks that the handler stops waiting and aborts the
// response (net/http then drops the connection).
func serveCancelled(t *testing.T, opts sandbox.Options, vehicle string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, client.EndpointPath,
		strings.NewReader(requestBody(vehicle)))
	rec := httptest.NewRecorder()
	aborted := make(chan any)
	go func() {
		defer func() { aborted <- recover() }()
		sandbox.New(opts).ServeHTTP(rec, req)
	}()
	cancel()
	// Hangs (and the test times out) if cancellation is ignored.
	if v := <-aborted; v != http.ErrAbortHandler {
		t.Errorf("handler ended with %v, want panic(http.ErrAbortHandler)", v)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("cancelled request got an answer: %s", rec.Body)
	}
}

func TestSlowStopsWhenTheClientLeaves(t *testing.T) {
	opts := testOptions()
	opts.SlowDelay = time.Hour
	serveCancelled(t, opts, sandbox.VehicleSlow)
}

func TestLatencyStopsWhenTheClientLeaves(t *testing.T) {
	opts := testOptions()
	opts.MinLatency, opts.MaxLatency = time.Hour, time.Hour
	serveCancelled(t, opts, sandbox.VehicleSuccess)
}

func TestInvalidVehicleNumbers(t *testing.T) {
	h := sandbox.New(testOptions())
	for _, v := range []string{"", "  -./ ", "DL12CB46851234567890X", "DL#12", "DL12\u00c9B", "डीएल12", "DL\x1b12"} {
		rec := fetch(h, v)
		wantJSON(t, rec, http.StatusOK)
		m := decode(t, rec.Body.Bytes())
		if m["status"] != false || m["message"] == "" {
			t.Errorf("%q: want status false with a message, got %s", v, rec.Body)
		}
	}
}

// TestVehicleNumbersReadLikeTheClient checks the sandbox accepts and names
// a vehicle exactly as client.NormalizeVehicle reads it.
func TestVehicleNumbersReadLikeTheClient(t *testing.T) {
	h := sandbox.New(testOptions())
	for _, v := range []string{"dl 12-cb.46/85", "DL\t12CB4685", " dl01aa0404 ", "DL12ſB4685", "DL12CB4685\u00a0", "x"} {
		n, _, err := client.NormalizeVehicle(v)
		m := decode(t, fetch(h, v).Body.Bytes())
		switch {
		case err != nil && m["status"] != false:
			t.Errorf("%q: the client refuses it (%v), the sandbox answered %v", v, err, m)
		case err == nil && n == sandbox.VehicleSuccess && m["message"] != "Bill Fetched Success.":
			t.Errorf("%q: the client reads %s, the sandbox answered %v", v, n, m)
		case err == nil && n == sandbox.VehicleNotFound && m["response_code"] != float64(2):
			t.Errorf("%q: the client reads %s, the sandbox answered %v", v, n, m)
		case err == nil && n != sandbox.VehicleNotFound && m["status"] != true:
			t.Errorf("%q: the client reads %s, the sandbox refused it: %v", v, n, m)
		}
	}
}

func TestLongestValidNumberIsServed(t *testing.T) {
	rec := fetch(sandbox.New(testOptions()), "KA01A1234TC000100000") // 20 characters
	wantJSON(t, rec, http.StatusOK)
	if m := decode(t, rec.Body.Bytes()); m["status"] != true {
		t.Errorf("20-character number rejected: %s", rec.Body)
	}
}

func TestScenariosList(t *testing.T) {
	want := []string{sandbox.VehicleSuccess, sandbox.VehicleAuth, sandbox.VehicleNotFound,
		sandbox.VehicleOverdue, sandbox.VehicleDueSoon, sandbox.VehicleSlow, sandbox.VehicleUpstream,
		sandbox.VehicleAny}
	got := sandbox.Scenarios()
	if len(got) != len(want) {
		t.Fatalf("got %d scenarios, want %d", len(got), len(want))
	}
	for i, s := range got {
		if s.Vehicle != want[i] {
			t.Errorf("scenario %d is %q, want %q", i, s.Vehicle, want[i])
		}
		if s.Description == "" || strings.ContainsAny(s.Description, "\r\n") {
			t.Errorf("%s: description must be one non-empty line: %q", s.Vehicle, s.Description)
		}
		if n, _, err := client.NormalizeVehicle(s.Vehicle); s.Vehicle != sandbox.VehicleAny && (err != nil || n != s.Vehicle) {
			t.Errorf("%s is not a normalised vehicle number", s.Vehicle)
		}
	}
}

func TestDefaultDemoOptions(t *testing.T) {
	o := sandbox.DefaultDemoOptions()
	if o.MinLatency != 100*time.Millisecond || o.MaxLatency != 400*time.Millisecond {
		t.Errorf("demo latency = %v..%v, want 100ms..400ms", o.MinLatency, o.MaxLatency)
	}
	if o.Now == nil || o.SlowDelay != 5*time.Second {
		t.Errorf("demo options incomplete: %+v", o)
	}
}
