package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var docRequest = Request{Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554"}

// serve starts an httptest server for h that is closed with the test.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// serveStalling starts a server whose handler runs before (may be nil) and
// then never answers, until the client gives up or the test ends.
func serveStalling(t *testing.T, before func(w http.ResponseWriter)) *httptest.Server {
	t.Helper()
	stop := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if before != nil {
			before(w)
		}
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) }) // runs before srv.Close
	return srv
}

// newTestClient builds a client for base with a 1 ms backoff base. The
// test servers are plain http, so it lets credentials go there
// (TestCredentialsWithheldOverPlainHTTP checks the default).
func newTestClient(t *testing.T, base string, opts Options) *Client {
	t.Helper()
	opts.BaseURL = base
	opts.AllowInsecureAuth = true
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.backoffBase = time.Millisecond
	return c
}

// recordWaits makes c's retry waits instant and records the delays asked for.
func recordWaits(c *Client) *[]time.Duration {
	var waits []time.Duration
	c.wait = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	return &waits
}

// fetchErr runs a lookup that must fail and returns its *Error.
func fetchErr(t *testing.T, c *Client, ctx context.Context) (*Result, *Error) {
	t.Helper()
	res, err := c.Fetch(ctx, docRequest)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Fetch err = %v (%T), want *Error", err, err)
	}
	if res == nil {
		t.Fatal("Fetch returned a nil Result with an *Error")
	}
	assertOneLine(t, e)
	return res, e
}

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func TestFetchDocExample(t *testing.T) {
	doc := readTestdata(t, "doc_200.json")
	var gotBody, gotCT, gotAccept, gotUA, gotPath, gotMethod string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotBody, gotPath, gotMethod = string(b), r.URL.Path, r.Method
		gotCT, gotAccept, gotUA = r.Header.Get("Content-Type"), r.Header.Get("Accept"), r.Header.Get("User-Agent")
		writeBody(w, 200, "application/json", doc)
	})
	c := newTestClient(t, srv.URL+"/", Options{UserAgent: "aopfetch/1.2.3"})
	res, err := c.Fetch(context.Background(), Request{Operator: 311, CANumber: "dl 12 cb-4685", RegistrationID: " AOP-554 "})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if want := `{"operator":311,"canumber":"DL12CB4685","RegistrationID":"AOP-554"}`; gotBody != want {
		t.Errorf("body = %s, want %s", gotBody, want)
	}
	if gotMethod != "POST" || gotPath != EndpointPath || gotCT != "application/json" || gotAccept != "application/json" || gotUA != "aopfetch/1.2.3" {
		t.Errorf("request %s %s CT=%q Accept=%q UA=%q", gotMethod, gotPath, gotCT, gotAccept, gotUA)
	}
	if res.Request != docRequest || res.Consumer.Name != "NITESH  KUMAR SHARMA" || res.Consumer.Amount != "1000.0" ||
		res.Consumer.Bill == nil || !res.Consumer.Bill.AcceptPartPay || string(res.Raw) != string(doc) ||
		res.HTTPStatus != 200 || res.FetchedAt.IsZero() || res.Latency < 0 {
		t.Errorf("Result = %+v", res)
	}
	if c.BaseURL() != srv.URL {
		t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), srv.URL)
	}
}

func TestFetchNumbersAsStrings(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, 200, "application/json", readTestdata(t, "numbers_as_strings.json"))
	})
	res, err := newTestClient(t, srv.URL, Options{}).Fetch(context.Background(), docRequest)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if b := res.Consumer.Bill; res.Consumer.Amount != "1250.5" || b == nil || b.BillAmount != "1250.50" || b.MaxBillAmount != "100000" || !b.AcceptPayment || b.AcceptPartPay {
		t.Errorf("Consumer = %+v, Bill = %+v", res.Consumer, res.Consumer.Bill)
	}
}

func TestFetchValidationError(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1", Options{})
	res, err := c.Fetch(context.Background(), Request{Operator: 311, CANumber: "DL#1", RegistrationID: "A"})
	var ve *ValidationError
	if !errors.As(err, &ve) || res != nil {
		t.Fatalf("Fetch = %v, %v; want nil and *ValidationError", res, err)
	}
}

// TestFetchErrorClasses covers one server behaviour per outcome, with the
// number of attempts each must take (retries only for 429/502/503/504).
func TestFetchErrorClasses(t *testing.T) {
	html := readTestdata(t, "bad_gateway.html")
	tests := []struct {
		name     string
		status   int
		body     []byte
		kind     Kind
		attempts int32
		message  string
	}{
		{"doc 401", 401, readTestdata(t, "doc_401.json"), KindAuth, 1, "Signature verification failed"},
		{"not found", 200, []byte(`{"status":false,"response_code":2,"message":"Vehicle not found"}`), KindAPI, 1, "Vehicle not found"},
		{"HTML 502", 502, html, KindUpstream, 3, "HTTP 502 Bad Gateway"},
		{"JSON 504", 504, []byte(`{"status":false,"message":"gateway timeout"}`), KindUpstream, 3, "HTTP 504 Gateway Timeout"},
		{"500 not retried", 500, html, KindUpstream, 1, "HTTP 500"},
		{"400 JSON not retried", 400, []byte(`{"status":false,"message":"bad operator"}`), KindAPI, 1, "bad operator"},
		{"400 text not retried", 400, []byte("Bad Request"), KindUpstream, 1, "HTTP 400 Bad Request"},
		{"429 retried", 429, []byte(`{"status":false,"message":"slow down"}`), KindAPI, 3, "slow down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attempts atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				attempts.Add(1)
				writeBody(w, tt.status, "application/json", tt.body)
			})
			c := newTestClient(t, srv.URL, Options{Retries: 2})
			res, e := fetchErr(t, c, context.Background())
			if e.Kind != tt.kind || !strings.Contains(e.Message, tt.message) || e.HTTPStatus != tt.status {
				t.Errorf("got %s %q (HTTP %d), want %s %q", e.Kind, e.Message, e.HTTPStatus, tt.kind, tt.message)
			}
			if got := attempts.Load(); got != tt.attempts {
				t.Errorf("%d attempts, want %d", got, tt.attempts)
			}
			if e.Result != res || string(res.Raw) != string(tt.body) || res.Request != docRequest {
				t.Errorf("Result not attached or Raw lost: %+v", res)
			}
		})
	}
}

func TestFetchHTMLSnippet(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, 502, "text/html", readTestdata(t, "bad_gateway.html"))
	})
	_, e := fetchErr(t, newTestClient(t, srv.URL, Options{}), context.Background())
	if e.Kind != KindUpstream || !strings.Contains(e.Snippet, "<title>502 Bad Gateway</title>") || e.Hint == "" {
		t.Errorf("got %+v", e)
	}
}

func TestFetchRetryThenSuccess(t *testing.T) {
	var attempts atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) == 1 {
			writeBody(w, 503, "text/plain", []byte("busy"))
			return
		}
		writeBody(w, 200, "application/json", readTestdata(t, "doc_200.json"))
	})
	c := newTestClient(t, srv.URL, Options{Retries: 2})
	waits := recordWaits(c)
	res, err := c.Fetch(context.Background(), docRequest)
	if err != nil || res.Consumer.Name == "" {
		t.Fatalf("Fetch = %+v, %v", res, err)
	}
	if attempts.Load() != 2 || len(*waits) != 1 {
		t.Errorf("%d attempts and waits %v, want 2 attempts and 1 wait", attempts.Load(), *waits)
	}
}

func TestFetchRetriesClampedAndDisabled(t *testing.T) {
	for _, tt := range []struct{ retries, attempts int32 }{{-1, 1}, {0, 1}, {1, 2}, {5, 3}} {
		var attempts atomic.Int32
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			attempts.Add(1)
			writeBody(w, 503, "text/plain", []byte("busy"))
		})
		c := newTestClient(t, srv.URL, Options{Retries: int(tt.retries)})
		recordWaits(c)
		fetchErr(t, c, context.Background())
		if attempts.Load() != tt.attempts {
			t.Errorf("Retries %d: %d attempts, want %d", tt.retries, attempts.Load(), tt.attempts)
		}
	}
}

func TestFetchBackoffGrows(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, 502, "text/plain", []byte("down"))
	})
	c := newTestClient(t, srv.URL, Options{Retries: 2})
	c.backoffBase = 200 * time.Millisecond
	waits := recordWaits(c)
	fetchErr(t, c, context.Background())
	w := *waits
	if len(w) != 2 || w[0] < 100*time.Millisecond || w[0] > 200*time.Millisecond || w[1] < 200*time.Millisecond || w[1] > 400*time.Millisecond {
		t.Errorf("backoff delays %v, want ~[100-200ms, 200-400ms]", w)
	}
}

func TestFetchRetryAfter(t *testing.T) {
	for _, status := range []int{503, 429} {
		t.Run(strconv.Itoa(status), func(t *testing.T) { testRetryAfter(t, status) })
	}
}

// testRetryAfter checks that an answer of status with Retry-After is
// retried after the wait it asks for (seconds or an HTTP date, capped).
func testRetryAfter(t *testing.T, status int) {
	tests := []struct {
		name     string
		value    func() string
		min, max time.Duration
	}{
		{"seconds", func() string { return "3" }, 3 * time.Second, 3 * time.Second},
		{"capped", func() string { return "3600" }, maxRetryAfter, maxRetryAfter},
		{"HTTP date", func() string { return time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat) }, 3 * time.Second, 5 * time.Second},
		{"date in the past", func() string { return "Mon, 01 Jan 2001 00:00:00 GMT" }, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attempts atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if attempts.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.value())
					writeBody(w, status, "text/plain", []byte("busy"))
					return
				}
				writeBody(w, 200, "application/json", readTestdata(t, "doc_200.json"))
			})
			c := newTestClient(t, srv.URL, Options{Retries: 2})
			waits := recordWaits(c)
			if _, err := c.Fetch(context.Background(), docRequest); err != nil {
				t.Fatal(err)
			}
			if len(*waits) != 1 || (*waits)[0] < tt.min || (*waits)[0] > tt.max {
				t.Errorf("waited %v, want one wait in [%v, %v]", *waits, tt.min, tt.max)
			}
		})
	}
}

func TestFetchRetryAfterBeyondTimeoutGivesUp(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
		kind   Kind
	}{
		{503, "maintenance", KindUpstream},
		{429, `{"status":false,"message":"slow down"}`, KindAPI},
	} {
		var attempts atomic.Int32
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			attempts.Add(1)
			w.Header().Set("Retry-After", "8")
			writeBody(w, tt.status, "text/plain", []byte(tt.body))
		})
		c := newTestClient(t, srv.URL, Options{Retries: 2, Timeout: 2 * time.Second})
		waits := recordWaits(c)
		_, e := fetchErr(t, c, context.Background())
		if e.Kind != tt.kind || attempts.Load() != 1 || len(*waits) != 0 {
			t.Errorf("HTTP %d: got %s after %d attempts, waits %v; want %s after 1 attempt", tt.status, e.Kind, attempts.Load(), *waits, tt.kind)
		}
		if tt.status == 429 && e.Hint != hintRateLimited {
			t.Errorf("HTTP 429: hint %q, want the rate-limit hint", e.Hint)
		}
	}
}

func TestFetchRedirectNotFollowed(t *testing.T) {
	var followed atomic.Int32
	target := serve(t, func(w http.ResponseWriter, r *http.Request) { followed.Add(1) })
	for _, loc := range []string{"https://evil.example.net/steal", target.URL + "/x"} {
		var attempts atomic.Int32
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			attempts.Add(1)
			http.Redirect(w, r, loc, http.StatusTemporaryRedirect)
		})
		c := newTestClient(t, srv.URL, Options{Retries: 2, Auth: Auth{JWTSecret: "redirect-secret", PartnerID: "p"}})
		_, e := fetchErr(t, c, context.Background())
		u, _ := url.Parse(loc)
		if e.Kind != KindUpstream || !strings.Contains(e.Message, "redirected to "+u.Host) || e.HTTPStatus != 307 || !strings.Contains(e.Hint, "base URL") {
			t.Errorf("redirect to %s: %+v", loc, e)
		}
		if attempts.Load() != 1 {
			t.Errorf("redirect retried: %d attempts", attempts.Load())
		}
	}
	if followed.Load() != 0 {
		t.Error("redirect was followed")
	}
}

func TestFetchHugeBody(t *testing.T) {
	const size = 40 << 20
	chunk := []byte(strings.Repeat(`{"status":true,"name":"x"},`, 1024))
	for _, withLength := range []bool{false, true} {
		var written atomic.Int64
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if withLength {
				w.Header().Set("Content-Length", fmt.Sprint(size))
			}
			w.WriteHeader(200)
			for written.Load() < size {
				n, err := w.Write(chunk)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		})
		res, e := fetchErr(t, newTestClient(t, srv.URL, Options{}), context.Background())
		if e.Kind != KindUpstream || !strings.Contains(e.Message, "larger than 1024 KiB") {
			t.Errorf("Content-Length %v: %+v", withLength, e)
		}
		if len(res.Raw) > MaxBodyBytes {
			t.Errorf("kept %d bytes, more than the cap", len(res.Raw))
		}
	}
}

func TestFetchStalledServerTimesOut(t *testing.T) {
	for _, partial := range []bool{false, true} {
		srv := serveStalling(t, func(w http.ResponseWriter) {
			if partial { // headers and half a body, then silence
				w.WriteHeader(200)
				_, _ = io.WriteString(w, `{"status":`)
				w.(http.Flusher).Flush()
			}
		})
		c := newTestClient(t, srv.URL, Options{Timeout: 150 * time.Millisecond, Retries: 2})
		_, e := fetchErr(t, c, context.Background())
		if e.Kind != KindTimeout || !strings.Contains(e.Message, "within 150ms") || !strings.Contains(e.Hint, "AOPFETCH_TIMEOUT") || !strings.Contains(e.Hint, "--timeout") {
			t.Errorf("partial=%v: %+v", partial, e)
		}
		if !errors.Is(e, context.DeadlineExceeded) {
			t.Errorf("timeout does not unwrap to DeadlineExceeded")
		}
	}
}

func TestFetchCallerDeadlineIsTimeout(t *testing.T) {
	srv := serveStalling(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, e := fetchErr(t, newTestClient(t, srv.URL, Options{}), ctx)
	if e.Kind != KindTimeout {
		t.Errorf("got %s, want timeout", e.Kind)
	}
}

func TestFetchCancelled(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := serveStalling(t, func(http.ResponseWriter) { arrived <- struct{}{} })
	c := newTestClient(t, srv.URL, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, e := fetchErr(t, c, ctx)
	if e.Kind != KindCancelled || !errors.Is(e, context.Canceled) {
		t.Errorf("in flight: %+v", e)
	}

	_, e = fetchErr(t, c, ctx) // already cancelled
	if e.Kind != KindCancelled {
		t.Errorf("pre-cancelled: %+v", e)
	}
}

func TestFetchCancelStopsRetryWait(t *testing.T) {
	served := make(chan struct{}, 3)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, 503, "text/plain", []byte("busy"))
		served <- struct{}{}
	})
	c := newTestClient(t, srv.URL, Options{Retries: 2, Timeout: 2 * time.Hour})
	c.backoffBase = time.Hour // the test only ends if cancelling stops the wait
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-served; cancel() }()
	_, e := fetchErr(t, c, ctx)
	if e.Kind != KindCancelled {
		t.Errorf("got %+v, want cancelled", e)
	}
}

// refusedURL is a loopback URL where nothing listens.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestFetchConnectionRefused(t *testing.T) {
	c := newTestClient(t, refusedURL(t), Options{Retries: 2})
	waits := recordWaits(c)
	_, e := fetchErr(t, c, context.Background())
	if e.Kind != KindNetwork || !strings.Contains(e.Message, "refused") || !strings.Contains(e.Hint, "HTTPS_PROXY") || e.HTTPStatus != 0 || e.Result != nil {
		t.Errorf("got %+v", e)
	}
	if len(*waits) != 2 {
		t.Errorf("connection failure retried %d times, want 2", len(*waits))
	}
}

func TestFetchProxyRefusedNamesTheProxy(t *testing.T) {
	proxy, err := url.Parse(refusedURL(t))
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyURL(proxy)
	c := newTestClient(t, "https://api.example.invalid", Options{Transport: tr, Retries: 2})
	waits := recordWaits(c)
	_, e := fetchErr(t, c, context.Background())
	if e.Kind != KindNetwork || !strings.Contains(e.Message, "proxy "+proxy.Host) || !strings.Contains(e.Message, "refused") ||
		strings.Contains(e.Message, "api.example.invalid") {
		t.Errorf("got %+v, want the refusing proxy named", e)
	}
	if len(*waits) != 2 {
		t.Errorf("proxy connection failure retried %d times, want 2", len(*waits))
	}
}

func TestFetchCorruptCompressedBodyIsUpstream(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		writeBody(w, 200, "application/json", []byte("this is not gzip"))
	})
	c := newTestClient(t, srv.URL, Options{Retries: 2})
	waits := recordWaits(c)
	_, e := fetchErr(t, c, context.Background())
	if e.Kind != KindUpstream || e.HTTPStatus != 200 || !strings.Contains(e.Message, "could not be decompressed") ||
		strings.Contains(e.Hint, "HTTPS_PROXY") || len(*waits) != 0 {
		t.Errorf("got %+v after %d waits, want an upstream error", e, len(*waits))
	}
}

func TestFetchDNSFailure(t *testing.T) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}}
	}
	c := newTestClient(t, "https://api.example.invalid", Options{Transport: tr, Retries: 2})
	waits := recordWaits(c)
	_, e := fetchErr(t, c, context.Background())
	if e.Kind != KindNetwork || e.Message != "cannot resolve host api.example.invalid" || len(*waits) != 0 {
		t.Errorf("got %+v after %d waits", e, len(*waits))
	}
}

func TestFetchUntrustedCertificate(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is expected
	srv.StartTLS()
	defer srv.Close()
	c := newTestClient(t, srv.URL, Options{Retries: 2})
	_, e := fetchErr(t, c, context.Background())
	if e.Kind != KindNetwork || !strings.Contains(e.Message, "not trusted") || !strings.Contains(e.Hint, "SSL_CERT_FILE") {
		t.Errorf("got %+v", e)
	}
	if conns.Load() != 1 {
		t.Errorf("certificate failure retried: %d connections", conns.Load())
	}
}

func TestNetworkHintNamesProxy(t *testing.T) {
	c := newTestClient(t, "https://api.example.com", Options{})
	if h := c.networkHint(); !strings.Contains(h, "HTTPS_PROXY") || !strings.Contains(h, "NO_PROXY") {
		t.Errorf("hint without proxy: %q", h)
	}
	c.proxy = func(*http.Request) (*url.URL, error) { return url.Parse("http://user:pw@proxy.corp:3128") }
	h := c.networkHint()
	if !strings.Contains(h, "proxy.corp:3128") || strings.Contains(h, "pw") {
		t.Errorf("hint with proxy: %q", h)
	}
}

func TestNewBaseURL(t *testing.T) {
	ok := map[string]string{
		"":                            DefaultBaseURL,
		"https://api.aopay.co.in/":    "https://api.aopay.co.in",
		"HTTPS://gw.example.com/aop/": "https://gw.example.com/aop",
		"http://127.0.0.1:8089":       "http://127.0.0.1:8089",
		"http://127.1.2.3":            "http://127.1.2.3",
		"http://[::1]:8089":           "http://[::1]:8089",
		"http://localhost:8089":       "http://localhost:8089",
		"http://LOCALHOST":            "http://LOCALHOST",
	}
	for in, want := range ok {
		c, err := New(Options{BaseURL: in})
		if err != nil || c.BaseURL() != want {
			t.Errorf("New(%q) = %v; BaseURL want %q", in, err, want)
			continue
		}
	}
	bad := map[string]string{
		"http://api.aopay.co.in":             "allowed only for loopback hosts",
		"http://10.0.0.1:8080":               "allowed only for loopback hosts",
		"http://localhost.evil.com":          "allowed only for loopback hosts",
		"ftp://api.aopay.co.in":              "must start with https://",
		"api.aopay.co.in":                    "not a valid URL",
		"https://":                           "has no host",
		"https://api.aopay.co.in/?key=x":     "must not have a query",
		"https://api.aopay.co.in/?k=hunter2": "must not have a query",
		"https://api.aopay.co.in/#hunter2":   "must not have a query or fragment",
		"https://user:hunter2@api.aopay.in/": "must not contain a user name or password",
		"https://api.aopay.co.in/%zz":        "not a valid URL",
	}
	for in, want := range bad {
		_, err := New(Options{BaseURL: in})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New(%q) err = %v, want %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("New error echoes a password: %v", err)
		}
	}
}

func TestConnectionReuse(t *testing.T) {
	doc := readTestdata(t, "doc_200.json")
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, 200, "application/json", doc)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newTestClient(t, srv.URL, Options{})
	for range 20 {
		if _, err := c.Fetch(context.Background(), docRequest); err != nil {
			t.Fatal(err)
		}
	}
	// Error answers are read fully too, so they keep the connection.
	for range 5 {
		if _, err := c.Fetch(context.Background(), Request{Operator: 1, CANumber: "X", RegistrationID: "r"}); err != nil {
			t.Fatal(err)
		}
	}
	// One connection serves them all; a busy machine may see the transport
	// dial a spare while the idle one is being handed back (the dial
	// completes unused), but without reuse it would be 25.
	if n := conns.Load(); n < 1 || n > 3 {
		t.Errorf("25 sequential lookups opened %d connections, want 1 (3 at most)", n)
	}
}

// TestFetchTimeoutNamesTheTimeout: the message says the timeout that was
// set, however short ("within 0s" for 1ns before), or the caller's earlier
// deadline, rounded sensibly.
func TestFetchTimeoutNamesTheTimeout(t *testing.T) {
	srv := serveStalling(t, nil)
	for _, tt := range []struct {
		timeout time.Duration
		want    string
	}{
		{time.Nanosecond, "within 1ns"},
		{1500 * time.Nanosecond, "within 1.5µs"},
		{20 * time.Millisecond, "within 20ms"},
	} {
		c := newTestClient(t, srv.URL, Options{Timeout: tt.timeout})
		_, e := fetchErr(t, c, context.Background())
		if e.Kind != KindTimeout || !strings.HasSuffix(e.Message, tt.want) || !strings.Contains(e.Hint, tt.want) {
			t.Errorf("timeout %v: %q / %q, want %q", tt.timeout, e.Message, e.Hint, tt.want)
		}
	}
	// The caller's deadline is named as what was left of it when the
	// lookup started: 30ms, less the time a busy machine takes to get there.
	c := newTestClient(t, srv.URL, Options{Timeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, e := fetchErr(t, c, ctx)
	ms := 0
	if m := regexp.MustCompile(`within (\d+)ms$`).FindStringSubmatch(e.Message); m != nil {
		ms, _ = strconv.Atoi(m[1])
	}
	if e.Kind != KindTimeout || ms < 1 || ms > 30 {
		t.Errorf("caller's deadline: %q, want within 30ms or a little less", e.Message)
	}
}

// TestMalformedProxySetting runs New in a child process (Go's transport
// reads the proxy variables once a process) with each proxy setting, and
// checks what every lookup would then fail with: a malformed setting is
// named, its value (which may hold a password) never shown.
func TestMalformedProxySetting(t *testing.T) {
	if os.Getenv("AOPFETCH_TEST_PROXY_CHILD") != "" {
		c, err := New(Options{BaseURL: os.Getenv("AOPFETCH_TEST_BASE")})
		if err != nil {
			fmt.Println("New:", err)
			return
		}
		if c.proxyErr == nil {
			fmt.Println("ok")
			return
		}
		res, err := c.Fetch(context.Background(), docRequest) // fails at once
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindNetwork || !errors.Is(err, ErrProxySetting) || res == nil || res.Request != docRequest {
			fmt.Println("Fetch:", res, err)
			return
		}
		fmt.Printf("%s\n%s\n", e.Message, e.Hint)
		return
	}
	bad := "the proxy setting HTTPS_PROXY is malformed: "
	tests := []struct{ env, base, want string }{
		{"HTTPS_PROXY=http//bad", "", bad + "it has more than a scheme, host and port (is a ':' or '/' missing after http?)"},
		{"HTTPS_PROXY=:::", "", bad + "it is not a URL, so it would be ignored and requests sent direct"},
		{"HTTPS_PROXY=http://user:s3cret@bad host:80", "", bad + "it has more than a scheme, host and port"},
		{"HTTPS_PROXY=http//user:s3cret@proxy:3128", "", bad + "it has more than a scheme, host and port (is a ':' or '/' missing"},
		{"HTTPS_PROXY=http://u:s3%zzcret@proxy:1", "", bad + "it is not a URL"},
		{"HTTPS_PROXY=socks6://x:1", "", bad + "its scheme is not http, https or socks5"},
		{"HTTPS_PROXY=http://proxy:99999", "", bad + "its port is not a number from 1 to 65535"},
		{"https_proxy=http:/proxy", "", "the proxy setting https_proxy is malformed: "},
		{"HTTPS_PROXY=http://user:s3cret@proxy.example.com:3128", "", "ok"},
		{"HTTPS_PROXY=proxy.example.com:3128", "", "ok"},
		{"HTTPS_PROXY=socks5://[::1]:1080/", "", "ok"},
		{"HTTPS_PROXY=:::\x00NO_PROXY=example.org", "", "ok"}, // may not apply: Go's call
		{"HTTPS_PROXY=http//bad\x00NO_PROXY=api.example.invalid", "", "ok"},
		{"HTTPS_PROXY=http//bad", "http://127.0.0.1:1", "ok"}, // loopback is never proxied
		{"HTTP_PROXY=http//bad", "", "ok"},                    // not for https
	}
	for _, tt := range tests {
		base := tt.base
		if base == "" {
			base = "https://api.example.invalid"
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestMalformedProxySetting$")
		cmd.Env = append(os.Environ(), "AOPFETCH_TEST_PROXY_CHILD=1", "AOPFETCH_TEST_BASE="+base,
			"HTTPS_PROXY=", "https_proxy=", "HTTP_PROXY=", "http_proxy=", "NO_PROXY=", "no_proxy=")
		cmd.Env = append(cmd.Env, strings.Split(tt.env, "\x00")...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tt.env, err, out)
		}
		got := strings.TrimSuffix(strings.TrimSuffix(string(out), "PASS\n"), "\n")
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("%q:\n%s\nwant it to start %q", tt.env, got, tt.want)
		}
		if strings.Contains(got, "s3") || strings.Contains(got, "cret") || strings.Contains(got, "host http") {
			t.Errorf("%q: the value shown: %s", tt.env, got)
		}
		if tt.want != "ok" && !strings.Contains(got, "fix or unset "+strings.SplitN(tt.env, "=", 2)[0]) {
			t.Errorf("%q: no hint: %s", tt.env, got)
		}
	}
}
