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
// number of attempts each must take (retries only for 502/503/504).
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
		{"429 not retried", 429, []byte(`{"status":false,"message":"slow down"}`), KindAPI, 1, "slow down"},
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
					writeBody(w, 503, "text/plain", []byte("busy"))
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
	var attempts atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.Header().Set("Retry-After", "8")
		writeBody(w, 503, "text/plain", []byte("maintenance"))
	})
	c := newTestClient(t, srv.URL, Options{Retries: 2, Timeout: 2 * time.Second})
	waits := recordWaits(c)
	_, e := fetchErr(t, c, context.Background())
	if e.Kind != KindUpstream || attempts.Load() != 1 || len(*waits) != 0 {
		t.Errorf("got %s after %d attempts, waits %v; want upstream after 1 attempt", e.Kind, attempts.Load(), *waits)
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
	if n := conns.Load(); n != 1 {
		t.Errorf("25 sequential lookups opened %d connections, want 1", n)
	}
}
