package client

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testSecret      = "jwt-SECRET-value-123"
	testStaticValue = "static-KEY-value-456"
)

func TestFetchSignsJWTPerRequest(t *testing.T) {
	var mu sync.Mutex
	var headers []http.Header
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		headers = append(headers, r.Header.Clone())
		mu.Unlock()
		writeBody(w, 200, "application/json", readTestdata(t, "doc_200.json"))
	})
	c := newTestClient(t, srv.URL, Options{Auth: Auth{
		JWTSecret: testSecret, PartnerID: "PS001",
		Headers: map[string]string{"Authorisedkey": testStaticValue},
	}})
	before := time.Now().Unix()
	for range 2 {
		if _, err := c.Fetch(context.Background(), docRequest); err != nil {
			t.Fatal(err)
		}
	}
	after := time.Now().Unix()
	reqids := map[string]bool{}
	for _, h := range headers {
		if h.Get("Authorisedkey") != testStaticValue {
			t.Errorf("static header = %q", h.Get("Authorisedkey"))
		}
		claims := verifyToken(t, h.Get(DefaultTokenHeader))
		ts, _ := claims["timestamp"].(float64)
		if int64(ts) < before || int64(ts) > after || claims["partnerId"] != "PS001" {
			t.Errorf("claims = %v", claims)
		}
		id, _ := claims["reqid"].(string)
		if b, err := hex.DecodeString(id); err != nil || len(b) != 16 {
			t.Errorf("reqid %q is not 32 hex digits", id)
		}
		reqids[id] = true
	}
	if len(reqids) != 2 {
		t.Errorf("reqid repeated across requests: %v", reqids)
	}
}

// verifyToken checks tok is an HS256 JWT signed with testSecret.
func verifyToken(t *testing.T, tok string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}))
	if err != nil {
		t.Fatalf("token %q does not verify: %v", tok, err)
	}
	return claims
}

func TestFetchTokenHeaderAndNoAuth(t *testing.T) {
	var got http.Header
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		writeBody(w, 200, "application/json", readTestdata(t, "doc_200.json"))
	})
	c := newTestClient(t, srv.URL, Options{Auth: Auth{JWTSecret: testSecret, PartnerID: "P", TokenHeader: "X-Jwt"}})
	if _, err := c.Fetch(context.Background(), docRequest); err != nil {
		t.Fatal(err)
	}
	verifyToken(t, got.Get("X-Jwt"))
	if got.Get("Token") != "" {
		t.Error("default header sent as well")
	}
	c = newTestClient(t, srv.URL, Options{})
	if _, err := c.Fetch(context.Background(), docRequest); err != nil {
		t.Fatal(err)
	}
	if got.Get("Token") != "" {
		t.Error("token sent without a secret")
	}
}

func TestNewAuthValidation(t *testing.T) {
	tests := []struct {
		auth Auth
		want string
	}{
		{Auth{JWTSecret: testSecret}, "needs a partner ID"},
		{Auth{TokenHeader: "Bad Header"}, "not a valid HTTP header name"},
		{Auth{Headers: map[string]string{"Authorisedkey": testStaticValue + "\r\nX-Evil: 1"}}, "control characters"},
		{Auth{Headers: map[string]string{"bad:name": "v"}}, "not a valid HTTP header name"},
	}
	for _, tt := range tests {
		_, err := New(Options{Auth: tt.auth})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) err = %v, want %q", tt.auth.TokenHeader, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), testStaticValue) {
			t.Errorf("New error leaks a secret: %v", err)
		}
	}
}

// TestSecretsNeverInErrors makes lookups fail every way it can, with a
// server that echoes the credentials back, and checks no error text holds them.
func TestSecretsNeverInErrors(t *testing.T) {
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			leak := testSecret + " " + r.Header.Get("Authorisedkey") + " " + r.Header.Get("Token")
			if status == 200 {
				writeBody(w, 200, "application/json", []byte(`{"status":false,"message":"bad key `+leak+`"}`))
				return
			}
			writeBody(w, status, "text/html", []byte("<html>"+leak+"</html>"))
		}
	}
	auth := Auth{JWTSecret: testSecret, PartnerID: "PS001", Headers: map[string]string{"Authorisedkey": testStaticValue}}
	bases := map[string]string{
		"refused":  refusedURL(t),
		"api":      serve(t, echo(200)).URL,
		"auth":     serve(t, echo(401)).URL,
		"upstream": serve(t, echo(502)).URL,
		"timeout":  serveStalling(t, nil).URL,
		"redirect": serve(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/"+r.Header.Get("Authorisedkey"), http.StatusFound)
		}).URL,
	}
	for name, base := range bases {
		c := newTestClient(t, base, Options{Auth: auth, Retries: 1, Timeout: 200 * time.Millisecond})
		recordWaits(c)
		_, e := fetchErr(t, c, context.Background())
		for _, text := range []string{e.Error(), e.Message, e.Hint, e.Snippet} {
			if strings.Contains(text, testSecret) || strings.Contains(text, testStaticValue) {
				t.Errorf("%s: secret in error text %q", name, text)
			}
		}
		if e.Err != nil && (strings.Contains(e.Err.Error(), testSecret) || strings.Contains(e.Err.Error(), testStaticValue)) {
			t.Errorf("%s: secret in the cause %q", name, e.Err)
		}
	}
}

// TestEchoedSecretsNeverInResult: a server that echoes the credentials (the
// JWT secret, a static header value and the signed token) into every field,
// and right where messages and snippets are cut short, leaves no trace of
// them in the Result (Raw and every decoded string) or the error text.
func TestEchoedSecretsNeverInResult(t *testing.T) {
	leakOf := func(r *http.Request) []string {
		return []string{testSecret, r.Header.Get("Authorisedkey"), r.Header.Get(DefaultTokenHeader)}
	}
	jsonEcho := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			leak := strings.Join(leakOf(r), " ")
			// The message is cut at 300 characters: put the secret on the cut.
			msg := strings.Repeat("m", maxMessageLen-9) + leak
			body := `{"status":` + map[bool]string{true: "true", false: "false"}[status == 200] +
				`,"response_code":` + map[bool]string{true: "1", false: "2"}[status == 200] +
				`,"message":"` + msg + `","name":"` + leak + `","amount":"` + leak + `","duedate":"` + leak +
				`","bill_fetch":{"userName":"` + leak + `","cellNumber":"` + leak + `"}}`
			writeBody(w, status, "application/json", []byte(body))
		}
	}
	htmlEcho := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			// The snippet is cut at 200 characters: put a secret on the cut.
			pad := strings.Repeat("x", snippetLen-9-len("<html>"))
			writeBody(w, status, "text/html", []byte("<html>"+pad+strings.Join(leakOf(r), " ")+"</html>"))
		}
	}
	auth := Auth{JWTSecret: testSecret, PartnerID: "PS001", Headers: map[string]string{"Authorisedkey": testStaticValue}}
	bases := map[string]string{
		"ok":            serve(t, jsonEcho(200)).URL,
		"api":           serve(t, jsonEcho(400)).URL,
		"auth html":     serve(t, htmlEcho(401)).URL,
		"upstream html": serve(t, htmlEcho(502)).URL,
		"upstream json": serve(t, jsonEcho(500)).URL,
	}
	for name, base := range bases {
		var token string
		c := newTestClient(t, base, Options{Auth: auth})
		recordWaits(c)
		res, err := c.Fetch(context.Background(), docRequest)
		if res == nil {
			t.Fatalf("%s: nil Result (err %v)", name, err)
		}
		texts := []string{string(res.Raw), fmt.Sprintf("%+v", res.Consumer)}
		if res.Consumer.Bill != nil {
			texts = append(texts, fmt.Sprintf("%+v", *res.Consumer.Bill))
		}
		var e *Error
		if errors.As(err, &e) {
			texts = append(texts, e.Error(), e.Message, e.Snippet, e.Hint)
		}
		if tok := tokenIn(string(res.Raw)); tok != "" {
			token = tok
		}
		for _, text := range texts {
			for _, s := range []string{testSecret, testStaticValue, testSecret[:8], testStaticValue[:8], "eyJhbGciOi"} {
				if strings.Contains(text, s) {
					t.Errorf("%s: %q (part of a credential) in %q", name, s, text)
				}
			}
			if token != "" && strings.Contains(text, token) {
				t.Errorf("%s: the signed token in %q", name, text)
			}
		}
		if !strings.Contains(string(res.Raw), "[redacted]") {
			t.Errorf("%s: Raw = %q, want the echoed credentials as [redacted]", name, res.Raw)
		}
	}
}

// tokenIn returns the first JWT-looking word of s.
func tokenIn(s string) string {
	for _, w := range strings.Fields(s) {
		if strings.HasPrefix(w, "eyJ") {
			return w
		}
	}
	return ""
}

func TestRedactBodyJSONForms(t *testing.T) {
	secret := "k3y/with+<html>&"
	for _, body := range []string{
		`{"message":"k3y/with+<html>&"}`,
		`{"message":"k3y\/with+<html>&"}`,
		`{"message":"k3y/with+\u003chtml\u003e\u0026"}`,
		`{"message":"k3y\/with+\u003chtml\u003e\u0026"}`,
	} {
		got := string(redactBody([]byte(body), withJSONForms([]string{secret})))
		if got != `{"message":"[redacted]"}` {
			t.Errorf("redactBody(%s) = %s", body, got)
		}
	}
	body := []byte(`{"message":"nothing to hide"}`)
	if got := redactBody(body, withJSONForms([]string{secret})); &got[0] != &body[0] {
		t.Error("a body without secrets was copied")
	}
}

// TestShortHeaderValuesNotRedacted: a short static header value (a version
// or partner code, not a credential) must not garble the answer.
func TestShortHeaderValuesNotRedacted(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, 200, "application/json", []byte(`{"status":true,"response_code":1,"amount":"2024.50","duedate":"2024-09-20","message":"ok PS001"}`))
	})
	c := newTestClient(t, srv.URL, Options{Auth: Auth{Headers: map[string]string{"X-Api-Version": "2024", "X-Partner": "PS001"}}})
	res, err := c.Fetch(context.Background(), docRequest)
	if err != nil {
		t.Fatal(err)
	}
	if res.Consumer.Amount != "2024.50" || res.Consumer.DueDate != "2024-09-20" || res.Consumer.Message != "ok PS001" ||
		strings.Contains(string(res.Raw), "[redacted]") {
		t.Errorf("short header values redacted from the answer: %+v %s", res.Consumer, res.Raw)
	}
}

// TestCredentialsWithheldOverPlainHTTP: whatever listens on a loopback port
// (another user may have taken it) must not collect the JWT or the static
// keys, unless the user opted in for a test server.
func TestCredentialsWithheldOverPlainHTTP(t *testing.T) {
	var got http.Header
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		writeBody(w, 200, "application/json", readTestdata(t, "doc_200.json"))
	})
	auth := Auth{JWTSecret: testSecret, PartnerID: "P", Headers: map[string]string{"Authorisedkey": "static-key-value"}}
	for _, allow := range []bool{false, true} {
		c, err := New(Options{BaseURL: srv.URL, Auth: auth, AllowInsecureAuth: allow})
		if err != nil {
			t.Fatal(err)
		}
		if c.CredentialsWithheld() == allow {
			t.Errorf("allow=%v: CredentialsWithheld() = %v", allow, c.CredentialsWithheld())
		}
		if _, err := c.Fetch(context.Background(), docRequest); err != nil {
			t.Fatal(err)
		}
		sent := got.Get(DefaultTokenHeader) != "" || got.Get("Authorisedkey") != ""
		if sent != allow {
			t.Errorf("allow=%v: credentials sent = %v (headers %v)", allow, sent, got)
		}
		if allow {
			verifyToken(t, got.Get(DefaultTokenHeader))
		}
	}
	for _, o := range []Options{{BaseURL: srv.URL}, {BaseURL: "https://api.example.test", Auth: auth}} {
		if c, err := New(o); err != nil || c.CredentialsWithheld() {
			t.Errorf("%s with auth %v: withheld = %v, %v (nothing to withhold, or https)", o.BaseURL, o.Auth.JWTSecret != "", c.CredentialsWithheld(), err)
		}
	}
}
