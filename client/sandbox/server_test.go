package sandbox_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
)

// post sends a lookup for vehicle to a running server.
func post(ctx context.Context, c *http.Client, baseURL, vehicle string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+client.EndpointPath,
		strings.NewReader(requestBody(vehicle)))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestConcurrentLookups(t *testing.T) {
	opts := testOptions()
	opts.MaxLatency = 2 * time.Millisecond // exercise the shared jitter source
	ts := httptest.NewServer(sandbox.New(opts))
	defer ts.Close()
	want := map[string]int{
		sandbox.VehicleSuccess: 200, sandbox.VehicleAuth: 401, sandbox.VehicleNotFound: 200,
		sandbox.VehicleOverdue: 200, sandbox.VehicleDueSoon: 200, sandbox.VehicleSlow: 200,
		sandbox.VehicleUpstream: 502, "MH12AB1234": 200,
	}
	var vehicles []string
	for v := range want {
		vehicles = append(vehicles, v)
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 10 {
				v := vehicles[(g+i)%len(vehicles)]
				resp, _, err := post(t.Context(), ts.Client(), ts.URL, v)
				if err != nil {
					t.Errorf("%s: %v", v, err)
					return
				}
				if resp.StatusCode != want[v] {
					t.Errorf("%s: status %d, want %d", v, resp.StatusCode, want[v])
				}
			}
		})
	}
	wg.Wait()
}

func TestStartServesOnLoopback(t *testing.T) {
	s, err := sandbox.Start("", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || !strings.HasSuffix(s.URL, s.Addr) {
		t.Errorf("URL %q / Addr %q: want http://127.0.0.1:PORT", s.URL, s.Addr)
	}
	resp, body, err := post(t.Context(), http.DefaultClient, s.URL, sandbox.VehicleSuccess)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(body) != string(readTestdata(t, "doc_200.json")) {
		t.Errorf("status %d, body %s", resp.StatusCode, body)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, _, err := post(t.Context(), &http.Client{}, s.URL, sandbox.VehicleSuccess); err == nil {
		t.Error("server still answers after Close")
	}
}

func TestStartOnAWildcardAddressGivesALoopbackURL(t *testing.T) {
	s, err := sandbox.Start("0.0.0.0:0", testOptions())
	if err != nil {
		t.Skipf("cannot listen on 0.0.0.0: %v", err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL = %q, want http://127.0.0.1:PORT", s.URL)
	}
}

func TestStartRejectsABadAddress(t *testing.T) {
	if s, err := sandbox.Start("127.0.0.1:99999", testOptions()); err == nil {
		s.Close()
		t.Fatal("Start accepted port 99999")
	}
}

func TestCloseCancelsASlowLookup(t *testing.T) {
	arrived := make(chan struct{})
	var once sync.Once
	opts := testOptions()
	opts.SlowDelay = time.Hour
	opts.Now = func() time.Time { // called when a lookup reaches its scenario
		once.Do(func() { close(arrived) })
		return testNow()
	}
	s, err := sandbox.Start("", opts)
	if err != nil {
		t.Fatal(err)
	}
	failed := make(chan error, 1)
	go func() {
		_, _, err := post(context.Background(), &http.Client{}, s.URL, sandbox.VehicleSlow)
		failed <- err
	}()
	<-arrived
	// Shutdown would give up after its grace period and report an error if
	// the waiting handler were not cancelled.
	if err := s.Close(); err != nil {
		t.Errorf("Close with a slow lookup in flight: %v", err)
	}
	if err := <-failed; err == nil {
		t.Error("the slow lookup got an answer after Close")
	}
}

func BenchmarkHandler(b *testing.B) {
	for _, v := range []string{sandbox.VehicleSuccess, "MH12AB1234"} {
		b.Run(v, func(b *testing.B) {
			h := sandbox.New(testOptions())
			body := requestBody(v)
			b.ReportAllocs()
			for b.Loop() {
				rec := serve(h, http.MethodPost, client.EndpointPath, body)
				if rec.Code != http.StatusOK {
					b.Fatal(fmt.Sprint(rec.Code))
				}
			}
		})
	}
}
