package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aopfetch/aopfetch/client/sandbox"
)

// headerRecorder is the sandbox behind an http test server that remembers
// the headers of the last request.
type headerRecorder struct {
	mu   sync.Mutex
	last http.Header
}

func (h *headerRecorder) serve(t *testing.T) string {
	t.Helper()
	api := sandbox.New(sandbox.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.last = r.Header.Clone()
		h.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (h *headerRecorder) header(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last.Get(name)
}

// TestFetchWithholdsCredentialsOverPlainHTTP: base_url = http://127.0.0.1:…
// (the sandbox's own "Try" line) must not hand the JWT and the static key
// to whatever listens there, and says so once; insecure_http_auth (or
// AOPFETCH_INSECURE_HTTP_AUTH=1) lets them go to a test server.
func TestFetchWithholdsCredentialsOverPlainHTTP(t *testing.T) {
	var rec headerRecorder
	url := rec.serve(t)
	cfg := fmt.Sprintf("base_url = %q\nregistration_id = \"AOP-554\"\noperator = 311\n[auth]\npartner_id = \"PS1\"\n[auth.headers]\nAuthorisedkey = \"static-key-value\"\n", url)
	e := newCLIEnv(t, cfg)
	e.env["AOPFETCH_JWT_SECRET"] = "jwt-secret-value"
	warning := "aopfetch: warning: not sending credentials to " + url + " (plain http); set insecure_http_auth = true (or AOPFETCH_INSECURE_HTTP_AUTH=1) for a test server\n"

	r := e.run(t, "", "fetch", "--no-history", sandbox.VehicleSuccess, "MH12AB1234")
	if r.code != 0 || rec.header("Token") != "" || rec.header("Authorisedkey") != "" {
		t.Fatalf("exit %d, Token %q, Authorisedkey %q\n%s", r.code, rec.header("Token"), rec.header("Authorisedkey"), r.stderr)
	}
	if strings.Count(r.stderr, warning) != 1 {
		t.Errorf("stderr does not say once that credentials are withheld:\n%s", r.stderr)
	}
	r = e.run(t, "", "config")
	if !strings.Contains(r.stdout, strings.TrimPrefix(strings.TrimSuffix(warning, "\n"), "aopfetch: warning: ")) ||
		!strings.Contains(r.stdout, "\ninsecure_http_auth ") {
		t.Errorf("config does not show the setting and the warning:\n%s", r.stdout)
	}

	e.env["AOPFETCH_INSECURE_HTTP_AUTH"] = "1"
	r = e.run(t, "", "fetch", "--no-history", sandbox.VehicleSuccess)
	if r.code != 0 || rec.header("Token") == "" || rec.header("Authorisedkey") != "static-key-value" || strings.Contains(r.stderr, "not sending") {
		t.Fatalf("opted in: exit %d, Token %q, Authorisedkey %q\n%s", r.code, rec.header("Token"), rec.header("Authorisedkey"), r.stderr)
	}
	if v, src := settingOf(t, e.run(t, "", "config", "--json").stdout, "insecure_http_auth"); v != "true" || src != "env" {
		t.Errorf("insecure_http_auth = %s from %s, want true from env", v, src)
	}
}

// TestConfigWarningsPrintOnce: `aopfetch config` shows each warning once
// (in its report, not also on stderr), and other commands once on stderr.
func TestConfigWarningsPrintOnce(t *testing.T) {
	e := newCLIEnv(t, "[auth]\njwt_secret = \"x\"\npartner_id = \"P\"\n")
	if err := os.Chmod(e.config, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(e.dir, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(e.dir, 0o700) })
	fileWarning := "WARNING: config file " + e.config + " is readable and writable by others (mode 0666)"
	dirWarning := "WARNING: directory " + e.dir + " of config file " + e.config + " is writable by others (mode 0777)"
	for _, args := range [][]string{{"config"}, {"config", "--json"}, {"--demo", "fetch", "--no-history", sandbox.VehicleSuccess}} {
		r := e.run(t, "", args...)
		all := r.stdout + r.stderr
		if r.code != 0 || strings.Count(all, fileWarning) != 1 || strings.Count(all, dirWarning) != 1 {
			t.Errorf("%v: exit %d; want each warning once\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestVehicleRegexWarns: a vehicle that does not look like its operator's
// vehicle_regex is warned about on stderr, and still looked up.
func TestVehicleRegexWarns(t *testing.T) {
	e := newCLIEnv(t, "registration_id = \"AOP-554\"\n[[operators]]\ncode = 312\nname = \"FASTag Axis\"\nvehicle_regex = \"^[A-Z]{2}[0-9]{2}\"\n")
	want := "aopfetch: warning: 22BH1234AA does not match the vehicle_regex of operator 312 (FASTag Axis); sending it anyway\n"
	r := e.run(t, "", "--demo", "fetch", "--no-history", "--operator", "fastag axis", "22BH1234AA", sandbox.VehicleSuccess)
	if r.code != 0 || strings.Count(r.stderr, "vehicle_regex") != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d; want one warning %q\nstderr: %s", r.code, want, r.stderr)
	}
	r = e.run(t, "", "--demo", "fetch", "--no-history", "--operator", "311", "22BH1234AA")
	if r.code != 0 || strings.Contains(r.stderr, "vehicle_regex") {
		t.Errorf("operator without a regex: exit %d\n%s", r.code, r.stderr)
	}
	r = e.run(t, "", "--demo", "saved", "add", "--operator", "312", "22BH1234AA")
	if r.code != 0 || !strings.Contains(r.stderr, "vehicle_regex of operator 312 (FASTag Axis); saving it anyway") {
		t.Errorf("saved add: exit %d\n%s", r.code, r.stderr)
	}
}

// TestConfigCmdHintIsNotItself: `aopfetch config` on an invalid setting
// says what to fix, not "`aopfetch config` shows the effective settings"
// (the command that just failed).
func TestConfigCmdHintIsNotItself(t *testing.T) {
	e := newCLIEnv(t, "registration_id = 5\n")
	r := e.run(t, "", "config")
	if r.code != exitUsage || !strings.Contains(r.stderr, "registration_id") || !strings.Contains(r.stderr, "hint: fix the config file named above") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "`aopfetch config`") {
		t.Errorf("the hint sends the user back to the command that failed:\n%s", r.stderr)
	}
}

// TestSettingHintNamesItsSource: the hint of an invalid setting names
// what to fix, the flag, the variable or the file, and where to see the
// effective settings.
func TestSettingHintNamesItsSource(t *testing.T) {
	for _, c := range []struct {
		file, env string
		args      []string
		want      string
	}{
		{"timeout = \"soon\"\n", "", nil, "hint: fix the config file named above; `aopfetch config` shows the effective settings"},
		{"", "soon", nil, "hint: fix or unset the environment variable named above; `aopfetch config`"},
		{"", "", []string{"--timeout", "soon"}, "hint: fix the flag named above; `aopfetch config`"},
	} {
		e := newCLIEnv(t, c.file)
		if c.env != "" {
			e.env["AOPFETCH_TIMEOUT"] = c.env
		}
		r := e.run(t, "", append(c.args, "--demo", "fetch", "DL12CB4685")...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q %q %v: exit %d, want %q in:\n%s", c.file, c.env, c.args, r.code, c.want, r.stderr)
		}
	}
}

// Under a locale that is not UTF-8, `aopfetch config` lays its table out in
// ASCII stand-ins, as the other tables are: a configured operator's name in
// Devanagari becomes "?", and the columns stay aligned.
func TestConfigTextUnderCLocaleIsASCII(t *testing.T) {
	e := newCLIEnv(t, "[[operators]]\ncode = 311\nname = \"फास्टैग\"\n")
	e.env["LANG"] = "C"
	r := e.run(t, "", "config")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	mustBeASCII(t, "stdout", r.stdout)
	if !strings.Contains(r.stdout, "\noperators           1: ??????? 311  ") {
		t.Errorf("operators line not in ASCII stand-ins, aligned:\n%s", r.stdout)
	}
}
