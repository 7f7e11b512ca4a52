package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/internal/text"
)

// Limits and defaults of a Client.
const (
	MaxBodyBytes     = 1 << 20          // caps a response body; a larger one is an upstream error
	DefaultTimeout   = 30 * time.Second // the default whole-request timeout
	DefaultRetries   = 2                // the default number of retries after the first attempt
	MaxRetries       = 2                // the most retries a Client makes after the first attempt
	DefaultUserAgent = "aopfetch/dev"   // sent when Options.UserAgent is empty
)

// DefaultConcurrency is how many lookups batch and refresh-all have in
// flight when nothing says otherwise, MaxConcurrency the most a program
// has (the client keeps that many connections warm).
const (
	DefaultConcurrency = 4
	MaxConcurrency     = 32
)

// Retry pacing.
const (
	defaultBackoffBase = 200 * time.Millisecond
	maxRetryAfter      = 10 * time.Second
)

// Options configures a Client.
type Options struct {
	BaseURL   string        // default DefaultBaseURL; http:// only for loopback hosts
	Timeout   time.Duration // whole-request timeout, default DefaultTimeout
	Retries   int           // retries after the first attempt, clamped to [0, 2]
	UserAgent string        // default "aopfetch/dev"
	Auth      Auth
	// AllowInsecureAuth sends Auth's credentials to a plain http:// base URL
	// too (a local test server); without it they go over https only, so
	// that whatever listens on a loopback port cannot collect them.
	AllowInsecureAuth bool
	Transport         http.RoundTripper // optional, for tests
}

// Client is safe for concurrent use; create one per process so repeated
// lookups reuse one keep-alive connection.
type Client struct {
	baseURL   string
	endpoint  string
	host      string
	http      *http.Client
	proxy     func(*http.Request) (*url.URL, error) // nil when unknown (custom transport)
	timeout   time.Duration
	retries   int
	userAgent string
	auth      Auth
	sendAuth  bool     // https, or Options.AllowInsecureAuth: credentials go with requests
	secrets   []string // the secrets, also as JSON-escaped text (see withJSONForms)
	proxyErr  *Error   // a malformed proxy setting every lookup fails with, or nil

	// Unexported so tests in this package can shrink or observe them.
	backoffBase   time.Duration
	maxRetryAfter time.Duration
	wait          func(ctx context.Context, d time.Duration) error
	now           func() time.Time
}

// New validates opts and builds a client. The error is one clear line and
// never contains secrets.
func New(opts Options) (*Client, error) {
	u, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	auth, err := opts.Auth.withDefaults()
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(u.String(), "/")
	c := &Client{
		baseURL:       base,
		endpoint:      base + EndpointPath,
		host:          u.Host,
		timeout:       opts.Timeout,
		retries:       min(max(opts.Retries, 0), MaxRetries),
		userAgent:     strings.TrimSpace(opts.UserAgent),
		auth:          auth,
		sendAuth:      u.Scheme == "https" || opts.AllowInsecureAuth,
		secrets:       withJSONForms(auth.secrets()),
		backoffBase:   defaultBackoffBase,
		maxRetryAfter: maxRetryAfter,
		wait:          sleepContext,
		now:           time.Now,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.userAgent == "" || !ValidHeaderValue(c.userAgent) {
		c.userAgent = DefaultUserAgent
	}
	rt := opts.Transport
	if rt == nil {
		t := newTransport()
		rt, c.proxy = t, t.Proxy
		c.proxyErr = c.proxyProblem()
	}
	c.http = &http.Client{
		Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return c, nil
}

// newTransport clones http.DefaultTransport (which keeps
// ProxyFromEnvironment, keep-alive and HTTP/2) with TLS verification on.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = MaxConcurrency
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return t
}

// CheckBaseURL validates a base URL as New does (https, or http for
// loopback hosts only; no credentials, query or fragment) and returns it
// normalised. The config loader uses it so a bad value is reported with
// its file line.
func CheckBaseURL(raw string) (string, error) {
	u, err := parseBaseURL(raw)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// parseBaseURL validates a base URL: https, or http for loopback hosts only.
func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		// url.Parse errors echo the input, which may hold credentials.
		return nil, errors.New("base URL is not a valid URL (expected e.g. " + DefaultBaseURL + ")")
	}
	if u.User != nil {
		return nil, errors.New("base URL must not contain a user name or password; put credentials in [auth] of config.toml")
	}
	// Shown without its query and fragment: like user info, they may hold
	// a key (https://host/?key=...).
	bare := *u
	bare.RawQuery, bare.ForceQuery, bare.Fragment, bare.RawFragment = "", false, "", ""
	shown := "'" + text.OneLine(bare.String(), 80) + "'"
	switch {
	case u.Hostname() == "":
		return nil, fmt.Errorf("base URL %s has no host", shown)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("base URL %s must not have a query or fragment (not shown: it may hold a secret)", shown)
	case strings.EqualFold(u.Scheme, "https"):
	case strings.EqualFold(u.Scheme, "http"):
		if !isLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("base URL %s uses plain http://, which is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https://", shown)
		}
	default:
		return nil, fmt.Errorf("base URL %s must start with https://", shown)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u, nil
}

// isLoopbackHost reports localhost, 127.0.0.0/8 and ::1.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// CredentialsWithheld reports whether the client holds credentials (a JWT
// secret or static headers) that it does not send, because the base URL is
// plain http and Options.AllowInsecureAuth is off; the caller says so.
func (c *Client) CredentialsWithheld() bool {
	return (c.auth.JWTSecret != "" || len(c.auth.Headers) > 0) && !c.sendAuth
}

// BaseURL returns the base URL the client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

// Fetch performs one lookup. On success err is nil; otherwise err is a
// *Error or a *ValidationError. The Result is nil only for a
// *ValidationError; otherwise it carries the normalised request, timing and
// whatever the server answered.
func (c *Client) Fetch(ctx context.Context, r Request) (*Result, error) {
	norm, _, err := r.Normalize()
	if err != nil {
		return nil, err
	}
	start := c.now()
	if c.proxyErr != nil {
		e := *c.proxyErr
		return &Result{Request: norm, FetchedAt: start}, &e
	}
	body := marshal(norm, false) // exactly {"operator":N,"canumber":"...","RegistrationID":"..."}
	reqCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	res, err := c.exchangeWithRetries(ctx, reqCtx, body, start)
	res.Request = norm
	res.FetchedAt = start
	res.Latency = c.now().Sub(start)
	if e, ok := errors.AsType[*Error](err); ok { // no secret in any text of it
		for _, s := range []*string{&e.Message, &e.Hint, &e.Snippet} {
			*s = redact(*s, c.secrets)
		}
	}
	return res, err
}

// exchange is the outcome of one HTTP attempt.
type exchange struct {
	status   int
	header   http.Header
	body     []byte
	tooLarge bool
	token    string // the signed token sent, redacted from the answer like the secrets
	err      error  // transport error: no (complete) answer
}

// attempt sends one request and reads at most MaxBodyBytes+1 of the answer,
// always closing the body (fully read bodies keep the connection reusable).
func (c *Client) attempt(ctx context.Context, body []byte) exchange {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return exchange{err: err}
	}
	var token string
	if c.sendAuth {
		if token, err = c.auth.apply(req.Header, c.now()); err != nil {
			return exchange{err: err}
		}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return exchange{err: err}
	}
	defer resp.Body.Close()
	ex := exchange{status: resp.StatusCode, header: resp.Header, token: token}
	if resp.ContentLength > MaxBodyBytes {
		ex.tooLarge = true
		return ex
	}
	ex.body, ex.err = io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if len(ex.body) > MaxBodyBytes {
		ex.body, ex.tooLarge = ex.body[:MaxBodyBytes], true
	}
	return ex
}

// exchangeWithRetries runs attempts until one gives a final answer, the
// retries are spent, or the context ends. parent is the caller's context,
// ctx the one with the whole-request timeout. The Result is never nil.
func (c *Client) exchangeWithRetries(parent, ctx context.Context, body []byte, start time.Time) (*Result, error) {
	for n := 0; ; n++ {
		ex := c.attempt(ctx, body)
		res, err, retry := c.judge(parent, ctx, ex, start)
		if !retry || n >= c.retries {
			return res, err
		}
		delay := c.retryDelay(n, ex.header)
		if dl, ok := ctx.Deadline(); ok && c.now().Add(delay).After(dl) {
			return res, err // waiting would only end in a timeout
		}
		if c.wait(ctx, delay) != nil {
			return &Result{}, c.contextError(parent, start)
		}
	}
}

// judge classifies one attempt; retry reports whether it may be retried.
func (c *Client) judge(parent, ctx context.Context, ex exchange, start time.Time) (res *Result, err error, retry bool) {
	switch {
	case ex.err != nil && ctx.Err() != nil:
		return &Result{HTTPStatus: ex.status}, c.contextError(parent, start), false
	case ex.err != nil && ex.status == 0:
		e, retry := c.networkError(ex.err)
		return &Result{}, e, retry
	case ex.err != nil && isCorruptEncoding(ex.err):
		res := &Result{HTTPStatus: ex.status}
		return res, &Error{Kind: KindUpstream, HTTPStatus: ex.status, Result: res, Hint: hintUpstream, Err: rootCause(ex.err),
			Message: "the server answered " + httpStatusText(ex.status) + " with a body that could not be decompressed (" +
				text.OneLine(rootCause(ex.err).Error(), 80) + ")"}, false
	case ex.err != nil:
		e, _ := c.networkError(ex.err)
		e.HTTPStatus = ex.status
		e.Message = "the connection broke while reading the answer (" + httpStatusText(ex.status) + "): " + e.Message
		return &Result{HTTPStatus: ex.status}, e, false
	case ex.tooLarge:
		res := &Result{HTTPStatus: ex.status, Raw: redactBody(ex.body, c.secretsOf(ex))}
		return res, &Error{Kind: KindUpstream, HTTPStatus: ex.status, Result: res, Hint: hintNotAPI,
			Message: fmt.Sprintf("the server answered %s with a body larger than %d KiB", httpStatusText(ex.status), MaxBodyBytes>>10)}, false
	case ex.status >= 300 && ex.status < 400:
		res := &Result{HTTPStatus: ex.status, Raw: redactBody(ex.body, c.secretsOf(ex))}
		return res, c.redirectError(ex, res), false
	}
	res, err = decodeResponse(ex.status, ex.body, c.secretsOf(ex))
	// The gateway errors and 429 Too Many Requests (after its Retry-After, see
	// retryDelay) are worth another try.
	return res, err, slices.Contains([]int{http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout}, ex.status)
}

// secretsOf lists the values redacted from an attempt's answer: the
// configured secrets and the token signed for that attempt.
func (c *Client) secretsOf(ex exchange) []string {
	if ex.token == "" {
		return c.secrets
	}
	return append(slices.Clip(c.secrets), ex.token)
}

// redirectError names the host a 3xx points at; redirects are never followed
// so credentials never reach another host.
func (c *Client) redirectError(ex exchange, res *Result) *Error {
	e := &Error{Kind: KindUpstream, HTTPStatus: ex.status, Result: res, Hint: hintRedirect}
	loc := redact(ex.header.Get("Location"), c.secretsOf(ex))
	target, err := url.Parse(c.endpoint)
	if err == nil && loc != "" {
		target, err = target.Parse(loc)
	}
	if err != nil || loc == "" || target.Host == "" {
		e.Message = "the server answered " + httpStatusText(ex.status) + " (a redirect); redirects are not followed"
		return e
	}
	e.Message = fmt.Sprintf("the server redirected to %s (%s); redirects are not followed",
		text.OneLine(target.Host, 100), httpStatusText(ex.status))
	return e
}

// contextError is the timeout or cancellation error after the lookup's context ended.
func (c *Client) contextError(parent context.Context, start time.Time) *Error {
	if errors.Is(parent.Err(), context.Canceled) {
		return &Error{Kind: KindCancelled, Message: "the lookup was cancelled", Err: context.Canceled}
	}
	limit := c.timeout // as set, however short: 1ns is "1ns", not "0s"
	if dl, ok := parent.Deadline(); ok && dl.Before(start.Add(c.timeout)) {
		limit = roundDuration(max(dl.Sub(start), 0)) // the caller's deadline came first
	}
	return &Error{
		Kind:    KindTimeout,
		Message: fmt.Sprintf("no answer from %s within %s", c.host, limit),
		Hint:    fmt.Sprintf(hintTimeoutTemplate, limit),
		Err:     context.DeadlineExceeded,
	}
}

// roundDuration rounds d to the millisecond, or to the microsecond below
// one millisecond, so it reads well and never as 0s unless it is 0.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Millisecond {
		return d.Round(time.Millisecond)
	}
	return max(d.Round(time.Microsecond), min(d, time.Microsecond))
}
