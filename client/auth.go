package client

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultTokenHeader is the header that carries the signed JWT.
const DefaultTokenHeader = "Token"

// Auth holds optional credentials. Secret values never leave the client.
type Auth struct {
	JWTSecret   string
	PartnerID   string
	TokenHeader string // default "Token"
	Headers     map[string]string
}

// withDefaults validates a and returns a copy the client owns.
func (a Auth) withDefaults() (Auth, error) {
	out := Auth{JWTSecret: a.JWTSecret, PartnerID: strings.TrimSpace(a.PartnerID), TokenHeader: strings.TrimSpace(a.TokenHeader)}
	if out.TokenHeader == "" {
		out.TokenHeader = DefaultTokenHeader
	}
	if !validHeaderName(out.TokenHeader) {
		return Auth{}, fmt.Errorf("auth token header name %s is not a valid HTTP header name", quoteInput(out.TokenHeader))
	}
	if out.JWTSecret != "" && out.PartnerID == "" {
		return Auth{}, errors.New("JWT signing needs a partner ID: set AOPFETCH_PARTNER_ID or partner_id in [auth] of config.toml")
	}
	out.Headers = make(map[string]string, len(a.Headers))
	for k, v := range a.Headers {
		if !validHeaderName(k) {
			return Auth{}, fmt.Errorf("auth header name %s is not a valid HTTP header name", quoteInput(k))
		}
		if !validHeaderValue(v) {
			// Never echo the value: it is a secret.
			return Auth{}, fmt.Errorf("auth header %s has a value with control characters", quoteInput(k))
		}
		out.Headers[k] = v
	}
	return out, nil
}

// minRedactLen is the shortest secret redacted from server text: shorter
// values would garble ordinary words and are not credentials anyway.
const minRedactLen = 4

// secrets lists the values that must never appear in error text. The
// client never puts them there itself; this guards against a server that
// echoes request headers back in its message or error page.
func (a Auth) secrets() []string {
	var s []string
	for _, v := range append([]string{a.JWTSecret}, mapValues(a.Headers)...) {
		if len(strings.TrimSpace(v)) >= minRedactLen {
			s = append(s, v)
		}
	}
	return s
}

func mapValues(m map[string]string) []string {
	vs := make([]string, 0, len(m))
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}

// apply sets the static headers and, when a JWT secret is set, a freshly
// signed token on h.
func (a Auth) apply(h http.Header, now time.Time) error {
	for k, v := range a.Headers {
		h.Set(k, v)
	}
	if a.JWTSecret == "" {
		return nil
	}
	tok, err := a.sign(now)
	if err != nil {
		return err
	}
	h.Set(a.TokenHeader, tok)
	return nil
}

// sign builds a fresh HS256 token with the claims PaySprint-style
// providers expect: timestamp (unix seconds), partnerId and a unique reqid.
func (a Auth) sign(now time.Time) (string, error) {
	claims := jwt.MapClaims{
		"timestamp": now.Unix(),
		"partnerId": a.PartnerID,
		"reqid":     requestID(),
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(a.JWTSecret))
	if err != nil {
		// jwt errors never include the key, but keep the text generic anyway.
		return "", &Error{Kind: KindAuth, Message: "cannot sign the request token", Hint: hintAuth}
	}
	return tok, nil
}

// requestID returns 16 random bytes in hex.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return hex.EncodeToString(b[:])
}

// validHeaderName reports whether s is an RFC 7230 token.
func validHeaderName(s string) bool {
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

// validHeaderValue rejects control characters (header injection).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// redact replaces every secret in s with "[redacted]".
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}
