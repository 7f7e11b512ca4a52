package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aopfetch/aopfetch/internal/batch"
)

// serveBody starts a server that answers every request with status and body.
func serveBody(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// deepAnswer is a successful answer with one field nested depth levels deep.
func deepAnswer(depth int) string {
	return `{"status":true,"response_code":1,"message":"ok","name":"DEEP","x":` +
		strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`
}

// TestFetchJSONDeepAnswerStaysSmall: a 20 KB answer nested 9,990 deep is
// refused, and its --json record (which keeps the body as raw) is not laid
// out beyond a bounded depth: it used to be 200 MB of indentation.
func TestFetchJSONDeepAnswerStaysSmall(t *testing.T) {
	for _, depth := range []int{9990, 10001} {
		body := deepAnswer(depth)
		e := newCLIEnv(t, "registration_id = \"AOP-554\"\noperator = 311\n")
		r := e.run(t, "", "--base-url", serveBody(t, 200, body), "fetch", "--json", "--no-history", "DL12CB4685")
		if r.code != exitNetwork {
			t.Errorf("depth %d: exit %d, want %d (upstream)", depth, r.code, exitNetwork)
		}
		if len(r.stdout) > 2*len(body)+4096 {
			t.Fatalf("depth %d: %d bytes of --json from a %d-byte answer", depth, len(r.stdout), len(body))
		}
		var rec batch.Record
		if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
			t.Fatalf("depth %d: not JSON: %v", depth, err)
		}
		if rec.OK || rec.Error == nil || !strings.Contains(rec.Error.Message, "nested more than 64 levels deep") || rec.Raw == nil {
			t.Errorf("depth %d: record %+v", depth, rec.Error)
		}
	}
}
