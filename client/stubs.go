package client

// CONTRACT STUBS: the client helper replaces every function in this file with
// a real implementation in properly named files and then deletes this file.
// Signatures here are the contract other packages code against.

import (
	"context"
	"net/http"
	"time"
)

// MaxBodyBytes caps a response body; a larger one is an upstream error.
const MaxBodyBytes = 1 << 20

// DefaultTimeout is the default whole-request timeout.
const DefaultTimeout = 30 * time.Second

// DefaultRetries is the default number of retries after the first attempt.
const DefaultRetries = 2

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

func (e *Error) Error() string { panic("stub") }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ValidationError is bad input; Field is "operator", "canumber" or "registration_id".
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { panic("stub") }

// NormalizeVehicle upper-cases and strips spaces, '-', '.', '/'; returns a
// *ValidationError for hard errors, and a non-empty warning naming the
// expected formats when the number matches none of the known Indian formats.
func NormalizeVehicle(raw string) (normalized, warning string, err error) { panic("stub") }

// ParseOperator parses a positive integer operator code.
func ParseOperator(s string) (int, error) { panic("stub") }

// NormalizeRegistrationID trims and validates a RegistrationID.
func NormalizeRegistrationID(s string) (string, error) { panic("stub") }

// Normalize validates and normalises every field of r.
func (r Request) Normalize() (norm Request, warning string, err error) { panic("stub") }

// Sanitize makes a server string safe for a single-line terminal field.
func Sanitize(s string) string { panic("stub") }

// SanitizeText is Sanitize for multi-line text (keeps '\n').
func SanitizeText(s string) string { panic("stub") }

// DecodeResponse decodes a response body tolerantly and classifies it.
// The returned Result is never nil and Raw always holds body.
func DecodeResponse(httpStatus int, body []byte) (*Result, error) { panic("stub") }

// FormatINR formats a decimal amount text as ₹1,00,000.00; ok is false when
// the text is not a number (then the input is returned unchanged).
func FormatINR(amount string) (formatted string, ok bool) { panic("stub") }

// ParseDueDate parses the provider's due-date text (2021-09-20 and common variants).
func ParseDueDate(s string) (time.Time, bool) { panic("stub") }

// DaysUntil returns whole calendar days from now's date to due's date (negative when overdue).
func DaysUntil(due, now time.Time) int { panic("stub") }

// Auth holds optional credentials. Secret values never leave the client.
type Auth struct {
	JWTSecret   string
	PartnerID   string
	TokenHeader string // default "Token"
	Headers     map[string]string
}

// Options configures a Client.
type Options struct {
	BaseURL   string        // default DefaultBaseURL; http:// only for loopback hosts
	Timeout   time.Duration // whole-request timeout, default DefaultTimeout
	Retries   int           // retries after the first attempt, clamped to [0, 2]
	UserAgent string        // default "aopfetch/dev"
	Auth      Auth
	Transport http.RoundTripper // optional, for tests
}

// Client is safe for concurrent use; create one per process.
type Client struct{}

// New validates opts and builds a client.
func New(opts Options) (*Client, error) { panic("stub") }

// BaseURL returns the base URL the client talks to.
func (c *Client) BaseURL() string { panic("stub") }

// Fetch performs one lookup. On success err is nil; otherwise err is a
// *Error or a *ValidationError.
func (c *Client) Fetch(ctx context.Context, r Request) (*Result, error) { panic("stub") }
