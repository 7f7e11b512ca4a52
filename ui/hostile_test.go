package ui

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
)

// hostileFetcher answers every lookup with sampleResult changed by edit.
func hostileFetcher(edit func(res *client.Result)) *fakeFetcher {
	return &fakeFetcher{fn: func(_ context.Context, r client.Request) (*client.Result, error) {
		res := sampleResult(r, "NITESH KUMAR", "1000.0", "2021-09-20")
		edit(res)
		return res, nil
	}}
}

// resultFor looks up DL12CB4685 with f and returns the model in the
// result view.
func resultFor(t *testing.T, f *fakeFetcher, o Options) model {
	t.Helper()
	o.Fetcher = f
	m := newTestModel(o, 80, 24)
	m = lookUp(m, "DL12CB4685")
	if m.state != stateResult {
		t.Fatalf("state %v, want the result view", m.state)
	}
	return m
}

func TestHostileNameIsSanitised(t *testing.T) {
	name := "EVIL\x1b]52;c;aGk=\x07 \x1b]0;x\x07NAME\x1b[2J\rX\u202eY"
	f := hostileFetcher(func(res *client.Result) {
		res.Consumer = sampleConsumer(name, "1000.0", "2021-09-20")
		res.Consumer.Message = name
		res.Consumer.Bill.CellNumber = name
		res.Raw = []byte(`{"name": "` + name + `"}`) // raw control bytes: not valid JSON
	})
	m := newTestModel(testOptions(f, nil), 80, 24)
	m = lookUp(m, "DL12CB4685")
	if m.state != stateResult {
		t.Fatalf("state %v", m.state)
	}
	card := screen(m)
	mustContain(t, card, "EVIL")
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "]52;", "]0;", "[2J"} {
		if strings.Contains(card, bad) {
			t.Fatalf("%q reached the screen:\n%q", bad, card)
		}
	}
	// The raw JSON view shows the JSON escapes as text, never the bytes.
	m, _ = press(m, "J")
	raw := screen(m)
	mustContain(t, raw, "EVIL")
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("%q reached the screen:\n%q", bad, raw)
		}
	}
}

// TestResultJSONViewDeepBodyStaysSmall: the J view lays out a raw body
// nested 9,990 deep only so deep; indenting all of it took 200 MB of text
// (and GBs wrapping it) from a 20 KB answer.
func TestResultJSONViewDeepBodyStaysSmall(t *testing.T) {
	raw := `{"status":true,"x":` + strings.Repeat("[", 9990) + strings.Repeat("]", 9990) + `}`
	m := resultFor(t, hostileFetcher(func(res *client.Result) { res.Raw = []byte(raw) }), testOptions(nil, nil))
	if len(m.result.json) > 2*len(raw)+4096 {
		t.Fatalf("%d bytes of JSON view from a %d-byte body", len(m.result.json), len(raw))
	}
	m, _ = press(m, "J")
	mustContain(t, screen(m), `"status": true`)
}

// TestResultWithoutBillShowsNoPhone: an answer without bill_fetch shows a
// dash for the phone (as the CLI does) and says there are no bill details
// where the payment flags would be; it said "Phone  no bill details".
func TestResultWithoutBillShowsNoPhone(t *testing.T) {
	for _, w := range []int{80, 50} {
		o := testOptions(nil, nil)
		o.Fetcher = hostileFetcher(func(res *client.Result) { res.Consumer.Bill = nil })
		m := newTestModel(o, w, 24)
		m = lookUp(m, "DL12CB4685")
		lines := map[string]string{}
		for _, l := range strings.Split(screen(m), "\n") {
			if f := strings.Fields(l); len(f) > 1 {
				lines[f[0]] = strings.Join(f[1:], " ")
			}
		}
		if lines["Phone"] != "—" {
			t.Errorf("width %d: Phone row %q, want a dash", w, lines["Phone"])
		}
		pay := lines["Payment"]
		if w < 60 {
			pay = lines["Pays"]
		}
		if pay != "no bill details" {
			t.Errorf("width %d: payment row %q, want \"no bill details\"\n%s", w, pay, screen(m))
		}
	}
}

// clipboardTexts decodes the OSC 52 payloads written to clip.
func clipboardTexts(t *testing.T, clip string) []string {
	t.Helper()
	var out []string
	for _, part := range strings.Split(clip, "\x1b]52;c;")[1:] {
		end := strings.IndexAny(part, "\x07\x1b")
		if end < 0 {
			t.Fatalf("unterminated OSC 52: %q", part)
		}
		b, err := base64.StdEncoding.DecodeString(part[:end])
		if err != nil {
			t.Fatalf("OSC 52 payload: %v", err)
		}
		out = append(out, string(b))
	}
	return out
}

// hostileText carries a zero-width space, a C1 CSI, DEL, a bidi override,
// a tag character, a soft hyphen and a BOM.
const hostileText = "98\u200b76\u009b5\x7f43\u202e2\U000E0041\u00ad1\ufeff0"

// TestCopiedTextIsSanitised: what c and C put on the clipboard has no
// control, bidi or invisible character: C copied the raw body as received.
func TestCopiedTextIsSanitised(t *testing.T) {
	o := testOptions(nil, nil)
	clip := &bytes.Buffer{}
	o.Clipboard = clip
	m := resultFor(t, hostileFetcher(func(res *client.Result) {
		res.Consumer.Name = "NAME " + hostileText
		res.Consumer.Bill.CellNumber = hostileText
		res.Consumer.Message = hostileText
		res.Raw = []byte(`{"status":true,"name":"NAME ` + hostileText + `","cellNumber":"` + hostileText + `"}`)
	}), o)
	for _, k := range []string{"c", "C"} {
		var cmd tea.Cmd
		m, cmd = press(m, k)
		m = run(m, cmd)
	}
	texts := clipboardTexts(t, clip.String())
	if len(texts) < 2 {
		t.Fatalf("%d clipboard writes, want the summary and the JSON", len(texts))
	}
	for _, s := range texts {
		if !strings.Contains(s, "9876543210") && !strings.Contains(s, "NAME 9876543210") {
			t.Errorf("the digits did not survive whole: %q", s)
		}
		if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || text.Invisible(r) }); i >= 0 {
			t.Errorf("%U on the clipboard: %q", []rune(s[i:])[0], s)
		}
	}
	card := screen(m)
	if strings.ContainsFunc(card, func(r rune) bool { return text.Invisible(r) || (unicode.IsControl(r) && r != '\n') }) {
		t.Errorf("an invisible character reached the card: %q", card)
	}
	mustContain(t, card, "9876543210")
}

// TestErrorViewTitles: an answer that is not the API's with a 2xx or 4xx
// status is not called a server failure ("The provider's server failed
// (HTTP 200)" for a refused 10,000-deep body), and a malformed proxy
// setting gets no advice to check that the proxy is reachable.
func TestErrorViewTitles(t *testing.T) {
	tests := []struct {
		err  *client.Error
		want string
		not  []string
	}{
		{&client.Error{Kind: client.KindUpstream, HTTPStatus: 200, Message: "the server answered HTTP 200 OK with JSON nested more than 64 levels deep"},
			"Unexpected answer from the server (HTTP 200)", []string{"server failed"}},
		{&client.Error{Kind: client.KindUpstream, HTTPStatus: 502, Message: "the server answered HTTP 502 Bad Gateway"},
			"The provider's server failed (HTTP 502)", []string{"Unexpected"}},
		{&client.Error{Kind: client.KindNetwork, Message: "the proxy setting HTTPS_PROXY is malformed: it names no host",
			Hint: "fix or unset HTTPS_PROXY", Err: client.ErrProxySetting}, "fix or unset HTTPS_PROXY", []string{"reachable", "Behind a proxy"}},
		{&client.Error{Kind: client.KindAuth, HTTPStatus: 401, Message: "Signature verification failed", Hint: client.HintAuth},
			"aopfetch config", nil},
		{&client.Error{Kind: client.KindAuth, HTTPStatus: 401, Message: "Signature verification failed",
			Hint: "the provider refused this server's credentials; tell whoever runs aopfetch serve on this box"},
			"tell whoever runs aopfetch serve", []string{"aopfetch config", "AOPFETCH_JWT_SECRET"}},
	}
	for _, tt := range tests {
		m := newTestModel(testOptions(errFetcher(tt.err), nil), 100, 24)
		m = lookUp(m, "DL12CB4685")
		got := screen(m)
		mustContain(t, got, tt.want)
		for _, not := range tt.not {
			if strings.Contains(got, not) {
				t.Errorf("%q on screen:\n%s", not, got)
			}
		}
	}
}

// TestAuthErrorNeverShowsSecrets: the auth error's advice names where the
// credentials are set, never their values.
func TestAuthErrorNeverShowsSecrets(t *testing.T) {
	o := testOptions(errFetcher(&client.Error{Kind: client.KindAuth, Message: "rejected (HTTP 401)", HTTPStatus: 401}), nil)
	o.Config.Auth = config.AuthConfig{JWTSecret: "s3cr3t-value", PartnerID: "PARTNER-42"}
	m := newTestModel(o, 80, 24)
	m = lookUp(m, "DL12CB4685")
	s := screen(m)
	mustContain(t, s, "The provider rejected the signature", "AOPFETCH_JWT_SECRET", "[auth]", "aopfetch config")
	if strings.Contains(s, "s3cr3t") || strings.Contains(s, "PARTNER-42") {
		t.Fatal("secret on screen")
	}
}
