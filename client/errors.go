package client

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a failed lookup, one of the Kind classes. Message and Hint are
// single-line, sanitised and never contain secrets.
type Error struct {
	Kind         Kind
	Message      string  // what happened, one line
	Hint         string  // what to do next, one line (may be empty)
	HTTPStatus   int     // 0 when no HTTP answer
	ResponseCode int     // provider's response code when known
	Snippet      string  // upstream: first 200 chars of the body, sanitised
	Result       *Result // the decoded answer when the server answered (api/auth/upstream), else nil
	Err          error   // underlying cause (never holds secrets)
}

// Error returns one line, "kind: message". It never contains secrets.
func (e *Error) Error() string {
	return string(e.Kind) + ": " + e.Message
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ResultOf returns the answer of a lookup that returned res and err: res,
// else the answer a failed lookup's *Error carries, else nil.
func ResultOf(res *Result, err error) *Result {
	if res != nil {
		return res
	}
	if ce, ok := errors.AsType[*Error](err); ok {
		return ce.Result
	}
	return nil
}

// ValidationError is bad input; Field is "operator", "canumber" or "registration_id".
type ValidationError struct {
	Field   string
	Message string
}

// Error returns the user-facing one-line message, e.g.
// "vehicle number must be letters and digits only (got '#')".
func (e *ValidationError) Error() string { return e.Message }

// Validation field names.
const (
	FieldOperator       = "operator"
	FieldCANumber       = "canumber"
	FieldRegistrationID = "registration_id"
)

// Hints, one line each, naming the settings that fix the problem.
const (
	// HintAuth is the hint of an authentication failure with this process's own credentials.
	HintAuth = "check AOPFETCH_JWT_SECRET and AOPFETCH_PARTNER_ID (or [auth] in config.toml); " +
		"run `aopfetch config` to see the effective settings"
	hintAPI             = "check the vehicle number, the operator code and the registration ID"
	hintUpstream        = "the provider (or a proxy in front of it) is having trouble; try again in a minute"
	hintRateLimited     = "the provider is limiting how fast requests may be sent; wait a minute and try again (batch: lower --rate or --concurrency)"
	hintRedirect        = "check the base URL (--base-url, AOPFETCH_BASE_URL or base_url in config.toml); the API must answer directly"
	hintNotAPI          = "check the base URL (--base-url, AOPFETCH_BASE_URL or base_url in config.toml); this does not look like the API"
	hintNetworkProxy    = "check the proxy in HTTPS_PROXY (or add the host to NO_PROXY) and the base URL"
	hintNetworkNoProxy  = "check the network and the base URL; behind a proxy, set HTTPS_PROXY (and NO_PROXY for hosts to reach directly)"
	hintTLS             = "the server's certificate is not trusted; behind an intercepting proxy, point SSL_CERT_FILE at its CA certificate"
	hintTimeoutTemplate = "the server did not answer within %s; raise AOPFETCH_TIMEOUT or --timeout, or try again"
)

// httpStatusText names an HTTP status, e.g. "HTTP 502 Bad Gateway".
func httpStatusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("HTTP %d %s", code, t)
	}
	return fmt.Sprintf("HTTP %d", code)
}
