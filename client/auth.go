package client

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/aopfetch/aopfetch/internal/text"
)

// DefaultTokenHeader is the header that carries the signed JWT.
const DefaultTokenHeader = "Token"

// Auth holds optional credentials. Secret values never leave the client.
type Auth struct {
	JWTSecret   string
	PartnerID   string
	TokenHeader string            // default "Token"
	Headers     map[string]string // static extra headers; values are secrets
}

// withDefaults validates a and returns a copy the client owns.
func (a Auth) withDefaults() (Auth, error) {
	out := Auth{JWTSecret: a.JWTSecret, PartnerID: strings.TrimSpace(a.PartnerID),
		TokenHeader: cmp.Or(strings.TrimSpace(a.TokenHeader), DefaultTokenHeader)}
	if !ValidHeaderName(out.TokenHeader) {
		return Auth{}, fmt.Errorf("auth token header name %s is not a valid HTTP header name", text.Quote(out.TokenHeader))
	}
	if out.JWTSecret != "" && out.PartnerID == "" {
		return Auth{}, errors.New("JWT signing needs a partner ID: set AOPFETCH_PARTNER_ID or partner_id in [auth] of config.toml")
	}
	out.Headers = make(map[string]string, len(a.Headers))
	for k, v := range a.Headers {
		if !ValidHeaderName(k) {
			return Auth{}, fmt.Errorf("auth header name %s is not a valid HTTP header name", text.Quote(k))
		}
		if !ValidHeaderValue(v) {
			// Never echo the value: it is a secret.
			return Auth{}, fmt.Errorf("auth header %s has a value with control characters", text.Quote(k))
		}
		out.Headers[k] = v
	}
	return out, nil
}

// minRedactLen is the shortest secret redacted from server text: shorter
// values (a version or partner code in [auth.headers]) would garble
// amounts, dates and words of the answer, and are not credentials anyway.
const minRedactLen = 8

// secrets lists the values that must never appear in error text. The
// client never puts them there itself; this guards against a server that
// echoes request headers back in its message or error page.
func (a Auth) secrets() []string {
	var s []string
	for _, v := range append([]string{a.JWTSecret}, slices.Collect(maps.Values(a.Headers))...) {
		if len(strings.TrimSpace(v)) >= minRedactLen {
			s = append(s, v)
		}
	}
	return s
}

// apply sets the static headers and, when a JWT secret is set, a freshly
// signed HS256 token on h; it returns the token ("" without a secret) so that an
// answer echoing it back can be redacted too.
func (a Auth) apply(h http.Header, now time.Time) (token string, err error) {
	for k, v := range a.Headers {
		h.Set(k, v)
	}
	if a.JWTSecret == "" {
		return "", nil
	}
	// The claims PaySprint-style providers expect: timestamp (unix seconds),
	// partnerId and a unique reqid (16 random bytes in hex).
	var id [16]byte
	_, _ = rand.Read(id[:]) // never fails (crypto/rand crashes the program instead)
	claims := jwt.MapClaims{"timestamp": now.Unix(), "partnerId": a.PartnerID, "reqid": hex.EncodeToString(id[:])}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(a.JWTSecret))
	if err != nil {
		// jwt errors never include the key, but keep the text generic anyway.
		return "", &Error{Kind: KindAuth, Message: "cannot sign the request token", Hint: HintAuth}
	}
	h.Set(a.TokenHeader, token)
	return token, nil
}

// ValidHeaderName reports whether s is an HTTP header field name (an RFC
// 7230 token).
func ValidHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// ValidHeaderValue reports whether s can be sent as a header value: no
// control characters other than tab (no CR/LF header injection).
func ValidHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// redacted replaces a secret in text.
const redacted = "[redacted]"

// redact replaces every secret in s with "[redacted]".
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, redacted)
	}
	return s
}

// redactBody replaces every secret in a response body with "[redacted]".
// It returns body itself when no secret is in it.
func redactBody(body []byte, secrets []string) []byte {
	out := body
	for _, v := range secrets {
		if bytes.Contains(out, []byte(v)) {
			out = bytes.ReplaceAll(out, []byte(v), []byte(redacted))
		}
	}
	return out
}

// withJSONForms returns the secrets as written followed by the other forms
// a JSON encoder writes them in (escaped, and with "\/" for "/" as PHP
// does), so that an answer echoing one inside a JSON string is redacted too.
func withJSONForms(secrets []string) []string {
	var forms []string
	add := func(f string) {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	for _, v := range secrets {
		add(v)
		for _, html := range []bool{true, false} {
			f := string(marshal(v, html))
			f = f[1 : len(f)-1] // without the quotes
			add(f)
			add(strings.ReplaceAll(f, "/", `\/`))
		}
	}
	return forms
}

// marshal encodes v as JSON (which cannot fail for the strings and the
// Request it is given), escaping <, > and & only with escapeHTML.
func marshal(v any, escapeHTML bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// redactConsumer returns c with every secret in its strings redacted.
func redactConsumer(c Consumer, secrets []string) Consumer {
	if len(secrets) == 0 {
		return c
	}
	fields := []*string{&c.Message, &c.Name, &c.Amount, &c.DueDate}
	if c.Bill != nil {
		b := *c.Bill
		c.Bill = &b
		fields = append(fields, &b.BillAmount, &b.BillNetAmount, &b.DueDate, &b.MaxBillAmount, &b.CellNumber, &b.UserName)
	}
	for _, s := range fields {
		*s = redact(*s, secrets)
	}
	return c
}
