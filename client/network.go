package client

import (
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aopfetch/aopfetch/internal/text"
)

// networkError classifies a transport failure (no HTTP answer) and reports
// whether it is a connection failure worth retrying.
func (c *Client) networkError(err error) (*Error, bool) {
	if ce, ok := errors.AsType[*Error](err); ok {
		return ce, false
	}
	cause := rootCause(err)
	e := &Error{Kind: KindNetwork, Err: cause, Hint: c.networkHint()}
	where := c.host
	if addr, ok := proxyAddr(err); ok {
		where = strings.TrimSpace("the proxy " + addr)
	}
	retry := false
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		e.Message = "cannot resolve host " + text.OneLine(dnsErr.Name, 100)
		retry = dnsErr.IsTemporary || dnsErr.IsTimeout
	case isCertError(err):
		e.Message = "the TLS certificate of " + c.host + " is not trusted: " + text.OneLine(cause.Error(), 160)
		e.Hint = hintTLS
	case isTLSError(err):
		e.Message = "the TLS handshake with " + c.host + " failed: " + text.OneLine(cause.Error(), 160)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Message = "connection to " + where + " refused"
		retry = true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Message = "the connection to " + where + " was closed unexpectedly"
		retry = true
	case errors.As(err, &opErr) && opErr.Op == "dial":
		e.Message = "cannot connect to " + where + ": " + text.OneLine(cause.Error(), 160)
		retry = true
	default:
		e.Message = "cannot reach " + where + ": " + text.OneLine(cause.Error(), 160)
	}
	return e, retry
}

// proxyAddr reports whether err is a failure to reach the proxy rather than
// the API host, with the proxy's address when known.
func proxyAddr(err error) (string, bool) {
	op, ok := errors.AsType[*net.OpError](err)
	if !ok || op.Op != "proxyconnect" {
		return "", false
	}
	if dial, ok := errors.AsType[*net.OpError](op.Err); ok && dial.Addr != nil {
		return dial.Addr.String(), true
	}
	return "", true
}

// networkHint mentions HTTPS_PROXY/NO_PROXY, pointing at the proxy when one
// is configured for the endpoint.
func (c *Client) networkHint() string {
	if c.proxy != nil {
		req, err := http.NewRequest(http.MethodPost, c.endpoint, nil)
		if err == nil {
			if p, err := c.proxy(req); err == nil && p != nil {
				return "the request went through the proxy " + text.OneLine(p.Host, 100) + "; " + hintNetworkProxy
			}
		}
	}
	return hintNetworkNoProxy
}

// rootCause unwraps err to its innermost error: system-level text such as
// "connection refused", never a URL or header.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// isCorruptEncoding reports a body whose Content-Encoding (gzip, which the
// transport decodes) is corrupt: the server's fault, not the network's.
func isCorruptEncoding(err error) bool {
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, new(flate.CorruptInputError))
}

// isCertError reports a failed certificate verification.
func isCertError(err error) bool {
	return errors.As(err, new(*tls.CertificateVerificationError)) || errors.As(err, new(x509.UnknownAuthorityError)) ||
		errors.As(err, new(x509.HostnameError)) || errors.As(err, new(x509.CertificateInvalidError))
}

// isTLSError reports other TLS failures (e.g. https:// to a plain-HTTP port).
func isTLSError(err error) bool {
	return errors.As(err, new(tls.RecordHeaderError)) || errors.As(err, new(tls.AlertError)) || strings.Contains(err.Error(), "tls: ")
}

// retryDelay is how long to wait before retry n+1: the server's Retry-After
// when given (capped), else jittered exponential backoff.
func (c *Client) retryDelay(n int, h http.Header) time.Duration {
	if d, ok := parseRetryAfter(h.Get("Retry-After"), c.now(), c.maxRetryAfter); ok {
		return d
	}
	d := c.backoffBase << n
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2)
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date, capped.
func parseRetryAfter(v string, now time.Time, limit time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(limit/time.Second) {
			return limit, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), limit), true
}

// sleepContext waits d or until ctx ends, whichever is first.
func sleepContext(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
