package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/adrg/xdg"

	"github.com/aopfetch/aopfetch/client"
)

// fakeEnv is a LoadOptions.Getenv over a map.
func fakeEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// writeConfig writes text to a config file in a fresh directory.
func writeConfig(t *testing.T, text string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // whatever the umask
		t.Fatal(err)
	}
	return p
}

// testdataPath is the absolute path of a file under testdata/config.
func testdataPath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "config", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustLoad loads a config and fails the test on error.
func mustLoad(t *testing.T, o LoadOptions) *Config {
	t.Helper()
	if o.Getenv == nil {
		o.Getenv = fakeEnv(nil)
	}
	c, err := Load(o)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// loadErr loads a config that must fail and returns the error text.
func loadErr(t *testing.T, o LoadOptions) string {
	t.Helper()
	if o.Getenv == nil {
		o.Getenv = fakeEnv(nil)
	}
	c, err := Load(o)
	if err == nil {
		t.Fatalf("Load succeeded (%+v), want an error", c)
	}
	return err.Error()
}

// emptyXDG points the default config location at an empty directory.
func emptyXDG(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Cleanup(xdg.Reload) // registered first, so it runs after Setenv restores the variable
	t.Setenv("XDG_CONFIG_HOME", dir)
	xdg.Reload()
	return dir
}

func TestConfigDefaults(t *testing.T) {
	dir := emptyXDG(t)
	c := mustLoad(t, LoadOptions{})
	want := &Config{
		BaseURL:      client.DefaultBaseURL,
		Timeout:      client.DefaultTimeout,
		HistoryLimit: 200,
		Auth:         AuthConfig{TokenHeader: "Token"},
	}
	if c.BaseURL != want.BaseURL || c.Timeout != want.Timeout || c.HistoryLimit != want.HistoryLimit ||
		c.Operator != 0 || c.RegistrationID != "" || c.StorePath != "" || c.File != "" ||
		len(c.Operators) != 0 || c.Auth.TokenHeader != "Token" || c.Auth.JWTSecret != "" || len(c.Warnings) != 0 {
		t.Errorf("defaults = %+v", c)
	}
	for k, src := range c.Sources {
		if src != SourceDefault {
			t.Errorf("Sources[%q] = %q, want default", k, src)
		}
	}
	got := settingsMap(c)["config"].Value
	wantPath := filepath.Join(dir, "aopfetch", "config.toml")
	if !strings.Contains(got, wantPath) {
		t.Errorf("config setting = %q, want it to name %s", got, wantPath)
	}
}

func TestConfigXDGDefaultLocation(t *testing.T) {
	dir := emptyXDG(t)
	p := filepath.Join(dir, "aopfetch", "config.toml")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("operator = 42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, LoadOptions{})
	if c.File != p || c.Operator != 42 || c.Sources["config"] != SourceDefault || c.Sources["operator"] != SourceFile {
		t.Errorf("File=%q Operator=%d Sources=%v; want the XDG file read", c.File, c.Operator, c.Sources)
	}
}

func TestConfigFileChoice(t *testing.T) {
	emptyXDG(t)
	flagFile := writeConfig(t, "operator = 1\n", 0o600)
	envFile := writeConfig(t, "operator = 2\n", 0o600)
	tests := []struct {
		name       string
		path       string
		env        map[string]string
		wantOp     int
		wantSource string
	}{
		{"flag beats env", flagFile, map[string]string{"AOPFETCH_CONFIG": envFile}, 1, SourceFlag},
		{"env", "", map[string]string{"AOPFETCH_CONFIG": envFile}, 2, SourceEnv},
		{"empty env is unset", "", map[string]string{"AOPFETCH_CONFIG": ""}, 0, SourceDefault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, LoadOptions{Path: tt.path, Getenv: fakeEnv(tt.env)})
			if c.Operator != tt.wantOp || c.Sources["config"] != tt.wantSource {
				t.Errorf("Operator=%d Sources[config]=%q, want %d %q", c.Operator, c.Sources["config"], tt.wantOp, tt.wantSource)
			}
		})
	}
}

func TestConfigMissingExplicitFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.toml")
	tests := []struct {
		name  string
		o     LoadOptions
		named string
	}{
		{"flag", LoadOptions{Path: missing}, "--config"},
		{"env", LoadOptions{Getenv: fakeEnv(map[string]string{"AOPFETCH_CONFIG": missing})}, "AOPFETCH_CONFIG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.o.Getenv == nil {
				tt.o.Getenv = fakeEnv(nil)
			}
			_, err := Load(tt.o)
			if !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("err = %v, want fs.ErrNotExist", err)
			}
			want := "config " + missing + ": no such file (named by " + tt.named + ")"
			if err.Error() != want {
				t.Errorf("err = %q\nwant  %q", err, want)
			}
		})
	}
}

// precedenceCase is one setting of the precedence matrix.
type precedenceCase struct {
	key      string // Sources key
	file     string // TOML setting it
	env      string // variable name
	envVal   string
	flag     string // Flags key, "" = none
	flagVal  string
	get      func(*Config) any
	def      any // value at each layer
	fromFile any
	fromEnv  any
	fromFlag any
}

func precedenceCases() []precedenceCase {
	return []precedenceCase{
		{"base_url", `base_url = "https://file.example.test"`, "AOPFETCH_BASE_URL", "https://env.example.test",
			"base_url", "http://127.0.0.1:8089", func(c *Config) any { return c.BaseURL },
			client.DefaultBaseURL, "https://file.example.test", "https://env.example.test", "http://127.0.0.1:8089"},
		{"registration_id", `registration_id = "FILE-1"`, "AOPFETCH_REGISTRATION_ID", "ENV-2",
			"registration_id", "FLAG-3", func(c *Config) any { return c.RegistrationID },
			"", "FILE-1", "ENV-2", "FLAG-3"},
		{"operator", `operator = 311`, "AOPFETCH_OPERATOR", "402", "operator", "7",
			func(c *Config) any { return c.Operator }, 0, 311, 402, 7},
		{"timeout", `timeout = "45s"`, "AOPFETCH_TIMEOUT", "10", "timeout", "1m30s",
			func(c *Config) any { return c.Timeout }, client.DefaultTimeout, 45 * time.Second, 10 * time.Second, 90 * time.Second},
		{"history_limit", `history_limit = 0`, "AOPFETCH_HISTORY_LIMIT", "10", "", "",
			func(c *Config) any { return c.HistoryLimit }, 200, 0, 10, nil},
		{"theme", `theme = "light"`, "AOPFETCH_THEME", "Dark", "", "",
			func(c *Config) any { return c.Theme }, ThemeAuto, ThemeLight, ThemeDark, nil},
		{"concurrency", `concurrency = 8`, "AOPFETCH_CONCURRENCY", "16", "", "",
			func(c *Config) any { return c.Concurrency }, DefaultConcurrency, 8, 16, nil},
		{"rate", `rate = 2.5`, "AOPFETCH_RATE", "10", "", "",
			func(c *Config) any { return c.Rate }, 0.0, 2.5, 10.0, nil},
		{"store", `store_path = "/file/store.json"`, "AOPFETCH_STORE", "/env/store.json", "store", "/flag/store.json",
			func(c *Config) any { return c.StorePath }, "", "/file/store.json", "/env/store.json", "/flag/store.json"},
		{"auth.jwt_secret", "[auth]\njwt_secret = \"file-secret\"", "AOPFETCH_JWT_SECRET", "env-secret", "", "",
			func(c *Config) any { return c.Auth.JWTSecret }, "", "file-secret", "env-secret", nil},
		{"auth.partner_id", "[auth]\npartner_id = \"PFILE\"", "AOPFETCH_PARTNER_ID", "PENV", "", "",
			func(c *Config) any { return c.Auth.PartnerID }, "", "PFILE", "PENV", nil},
	}
}

func TestConfigPrecedenceMatrix(t *testing.T) {
	for _, pc := range precedenceCases() {
		for mask := range 8 {
			inFile, inEnv, inFlag := mask&1 != 0, mask&2 != 0, mask&4 != 0
			if inFlag && pc.flag == "" {
				continue
			}
			name := fmt.Sprintf("%s/file=%v,env=%v,flag=%v", pc.key, inFile, inEnv, inFlag)
			t.Run(name, func(t *testing.T) {
				text := "# nothing set\n"
				if inFile {
					text = pc.file + "\n"
				}
				env := map[string]string{}
				if inEnv {
					env[pc.env] = pc.envVal
				}
				flags := map[string]string{}
				if inFlag {
					flags[pc.flag] = pc.flagVal
				}
				c := mustLoad(t, LoadOptions{Path: writeConfig(t, text, 0o600), Getenv: fakeEnv(env), Flags: flags})
				want, wantSrc := pc.def, SourceDefault
				switch {
				case inFlag:
					want, wantSrc = pc.fromFlag, SourceFlag
				case inEnv:
					want, wantSrc = pc.fromEnv, SourceEnv
				case inFile:
					want, wantSrc = pc.fromFile, SourceFile
				}
				if got := pc.get(c); got != want {
					t.Errorf("value = %v, want %v", got, want)
				}
				if got := c.Sources[pc.key]; got != wantSrc {
					t.Errorf("Sources[%q] = %q, want %q", pc.key, got, wantSrc)
				}
			})
		}
	}
}

func TestConfigEmptyEnvIsUnset(t *testing.T) {
	p := writeConfig(t, "operator = 311\ntimeout = 20\n", 0o600)
	c := mustLoad(t, LoadOptions{Path: p, Getenv: fakeEnv(map[string]string{"AOPFETCH_OPERATOR": "", "AOPFETCH_TIMEOUT": ""})})
	if c.Operator != 311 || c.Timeout != 20*time.Second {
		t.Errorf("Operator=%d Timeout=%v, want the file's 311 and 20s", c.Operator, c.Timeout)
	}
}

func TestConfigFullFile(t *testing.T) {
	p := testdataPath(t, "full.toml")
	c := mustLoad(t, LoadOptions{Path: p})
	if c.File != p || c.BaseURL != "https://sandbox.example.test/v1" || c.RegistrationID != "AOP-554" ||
		c.Operator != 311 || c.Timeout != 45*time.Second || c.HistoryLimit != 50 {
		t.Errorf("scalars = %+v", c)
	}
	if want := filepath.Join(filepath.Dir(p), "data", "store.json"); c.StorePath != want {
		t.Errorf("StorePath = %q, want %q (relative to the config file)", c.StorePath, want)
	}
	if len(c.Operators) != 2 || c.Operators[0].Code != 311 || c.Operators[0].Name != "Paytm FASTag" ||
		c.Operators[0].VehicleRegex == "" || c.Operators[1] != (Operator{Code: 402, Name: "ICICI"}) {
		t.Errorf("Operators = %+v", c.Operators)
	}
	wantAuth := AuthConfig{JWTSecret: "s3cr3t-jwt-value", PartnerID: "PS0042", TokenHeader: "Token"}
	if c.Auth.JWTSecret != wantAuth.JWTSecret || c.Auth.PartnerID != wantAuth.PartnerID ||
		c.Auth.TokenHeader != wantAuth.TokenHeader || c.Auth.Headers["Authorisedkey"] != "static-header-secret" {
		t.Errorf("Auth = %+v", c.Auth)
	}
	for _, k := range []string{"operators", "auth.token_header", "auth.headers"} {
		if c.Sources[k] != SourceFile {
			t.Errorf("Sources[%q] = %q, want file", k, c.Sources[k])
		}
	}
}

func TestConfigFileErrors(t *testing.T) {
	tests := []struct {
		file string
		want string // error after "config <path>"
	}{
		{"bad_syntax.toml", ":3: timeout: invalid TOML: "},
		{"bad_timeout.toml", `:4: timeout: "abc" is not a duration (e.g. "30s")`},
		{"unknown_key.toml", ":3: colour: unknown key (known: "},
		{"bad_regex.toml", `:9: operators.vehicle_regex: "^[A-Z" is not a valid regular expression: `},
		{"dup_codes.toml", `:7: operators.code: 311 is already the code of operator "Paytm"`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := testdataPath(t, tt.file)
			got := loadErr(t, LoadOptions{Path: p})
			if want := "config " + p + tt.want; !strings.HasPrefix(got, want) {
				t.Errorf("err = %q\nwant prefix %q", got, want)
			}
		})
	}
}

func TestConfigBadValuesInFile(t *testing.T) {
	tests := []struct {
		name, text, want string // want: error after "config <path>"
	}{
		{"duration", "\n\n\ntimeout = \"abc\"\n", `:4: timeout: "abc" is not a duration (e.g. "30s")`},
		{"zero timeout", "timeout = 0\n", `:1: timeout: 0 is not a positive duration (e.g. "30s")`},
		{"huge timeout", "timeout = 99999999999\n", `:1: timeout: 99999999999 is longer than 24h`},
		{"float timeout", "timeout = 1.5\n", `:1: timeout: must be a duration (e.g. "30s") or whole seconds, not a float`},
		{"operator text", "operator = \"abc\"\n", `:1: operator: unknown operator "abc"; name operators with [[operators]] in config.toml, or pass the numeric code`},
		{"operator negative", "operator = -4\n", `:1: operator: operator code must be a positive number (got -4)`},
		{"operator table", "[operator]\ncode = 1\n", `:1: operator: must be an operator code`},
		{"history negative", "history_limit = -1\n", `:1: history_limit: -1 is not a history limit (a whole number; 0 turns history off)`},
		{"history bool", "history_limit = true\n", `:1: history_limit: must be a whole number (0 turns history off), not a boolean`},
		{"theme unknown", "theme = \"sepia\"\n", `:1: theme: "sepia" is not a theme ("auto", "dark" or "light")`},
		{"theme not string", "theme = 1\n", `:1: theme: must be a string in quotes, not an integer`},
		{"concurrency zero", "concurrency = 0\n", `:1: concurrency: 0 is not a concurrency (a whole number from 1 to 32)`},
		{"concurrency huge", "concurrency = 33\n", `:1: concurrency: 33 is not a concurrency (a whole number from 1 to 32)`},
		{"concurrency string", "concurrency = \"4\"\n", `:1: concurrency: must be a whole number from 1 to 32, not a string`},
		{"rate negative", "rate = -1\n", `:1: rate: -1 is not a rate (lookups per second, e.g. 5 or 0.5; 0 is no limit)`},
		{"rate infinite", "rate = inf\n", `:1: rate: +Inf is not a rate`},
		{"rate string", "rate = \"5\"\n", `:1: rate: must be a number of lookups per second (0 is no limit), not a string`},
		{"base_url scheme", "base_url = \"ftp://x.test\"\n", `:1: base_url: base URL 'ftp://x.test' must start with https://`},
		{"base_url credentials", "base_url = \"https://u:pw@x.test\"\n", `:1: base_url: base URL must not contain a user name or password`},
		{"base_url plain http", "base_url = \"http://x.test\"\n", `:1: base_url: base URL 'http://x.test' uses plain http://`},
		{"registration not string", "registration_id = 5\n", `:1: registration_id: must be a string in quotes, not an integer`},
		{"registration control char", "\nregistration_id = \"AOP\\u0007-554\"\n", `:2: registration_id: registration ID must be printable characters only (got U+0007)`},
		{"registration too long", "registration_id = \"" + strings.Repeat("A", 65) + "\"\n", `:1: registration_id: registration ID is too long (65 characters, at most 64)`},
		{"operator too large", "operator = 99999999999\n", `:1: operator: operator code is too large`},
		{"unknown auth key", "[auth]\njwt_secret = \"x\"\nsecret = \"y\"\n", `:3: auth.secret: unknown key`},
		{"auth not table", "auth = 3\n", `:1: auth: must be a table: [auth]`},
		{"bad token header", "[auth]\ntoken_header = \"X Token\"\n", `:2: auth.token_header: "X Token" is not a valid HTTP header name`},
		{"bad header name", "[auth.headers]\n\"Bad Name\" = \"v\"\n", `:2: auth.headers."Bad Name": is not a valid HTTP header name`},
		{"same header twice", "[auth.headers]\nX-Key = \"a\"\nx-key = \"b\"\n", `:3: auth.headers.x-key: same header as "X-Key"`},
		{"unknown nested table", "operator = 1\n[extra]\nk = 1\n", `:2: extra: unknown key`},
		{"operator missing code", "[[operators]]\nname = \"A\"\n", `:1: operators.code: missing`},
		{"operator numeric name", "[[operators]]\ncode = 1\nname = \"12\"\n", `:3: operators.name: "12" must not be a number`},
		{"operator empty name", "[[operators]]\ncode = 1\nname = \" \"\n", `:3: operators.name: must not be empty`},
		{"operator bad code", "[[operators]]\ncode = 0\nname = \"A\"\n", `:2: operators.code: operator code must be a positive number (got 0)`},
		{"operator unknown key", "[[operators]]\ncode = 1\nname = \"A\"\n[[operators]]\ncode = 2\nname = \"B\"\ncolour = \"red\"\n",
			`:7: operators.colour: unknown key (known: code, name, vehicle_regex)`},
		{"duplicate names", "[[operators]]\ncode = 1\nname = \"Paytm\"\n[[operators]]\ncode = 2\nname = \"PAYTM\"\n",
			`:6: operators.name: "PAYTM" is already the name of operator 1`},
		{"operators not array", "operators = 3\n", `:1: operators: must be an array of tables`},
		{"inline operators", "operators = [{code = 1, name = \"A\"}, {code = 1, name = \"B\"}]\n",
			`:1: operators.code: 1 is already the code of operator "A"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.text, 0o600)
			got := loadErr(t, LoadOptions{Path: p})
			if want := "config " + p + tt.want; !strings.HasPrefix(got, want) {
				t.Errorf("err = %q\nwant prefix %q", got, want)
			}
			var ce *Error
			if !errors.As(loadError(t, p), &ce) || ce.Source != SourceFile || ce.Name != p {
				t.Errorf("error is not a file *Error: %#v", ce)
			}
		})
	}
}

// loadError loads the config at p and returns the error.
func loadError(t *testing.T, p string) error {
	t.Helper()
	_, e := Load(LoadOptions{Path: p, Getenv: fakeEnv(nil)})
	return e
}

func TestConfigBadEnvAndFlags(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		flags map[string]string
		want  string
	}{
		{"env timeout", map[string]string{"AOPFETCH_TIMEOUT": "abc"}, nil,
			`environment variable AOPFETCH_TIMEOUT: "abc" is not a duration (e.g. "30s")`},
		{"env operator", map[string]string{"AOPFETCH_OPERATOR": "x1"}, nil,
			`environment variable AOPFETCH_OPERATOR: unknown operator "x1"; name operators with [[operators]] in config.toml, or pass the numeric code`},
		{"env history", map[string]string{"AOPFETCH_HISTORY_LIMIT": "-3"}, nil,
			`environment variable AOPFETCH_HISTORY_LIMIT: "-3" is not a history limit (a whole number; 0 turns history off)`},
		{"env theme", map[string]string{"AOPFETCH_THEME": "solarized"}, nil,
			`environment variable AOPFETCH_THEME: "solarized" is not a theme ("auto", "dark" or "light")`},
		{"env concurrency", map[string]string{"AOPFETCH_CONCURRENCY": "100"}, nil,
			`environment variable AOPFETCH_CONCURRENCY: "100" is not a concurrency (a whole number from 1 to 32)`},
		{"env rate", map[string]string{"AOPFETCH_RATE": "fast"}, nil,
			`environment variable AOPFETCH_RATE: "fast" is not a rate (lookups per second, e.g. 5 or 0.5; 0 is no limit)`},
		{"env registration id", map[string]string{"AOPFETCH_REGISTRATION_ID": "AOP\x1b[2J"}, nil,
			`environment variable AOPFETCH_REGISTRATION_ID: registration ID must be printable characters only (got U+001B)`},
		{"env operator too large", map[string]string{"AOPFETCH_OPERATOR": "4294967297"}, nil,
			`environment variable AOPFETCH_OPERATOR: operator code is too large`},
		{"env base url", map[string]string{"AOPFETCH_BASE_URL": "api.aopay.co.in"}, nil,
			`environment variable AOPFETCH_BASE_URL: base URL is not a valid URL (expected e.g. https://api.aopay.co.in)`},
		{"flag timeout", nil, map[string]string{"timeout": "-5s"},
			`flag --timeout: "-5s" is not a positive duration (e.g. "30s")`},
		{"flag operator", nil, map[string]string{"operator": "0"},
			`flag --operator: operator code must be a positive number (got 0)`},
		{"flag base url", nil, map[string]string{"base_url": ""},
			`flag --base-url: is empty (e.g. "https://api.aopay.co.in")`},
		{"env checked when no flag overrides it", map[string]string{"AOPFETCH_TIMEOUT": "x"}, map[string]string{"operator": "5"},
			`environment variable AOPFETCH_TIMEOUT: "x" is not a duration (e.g. "30s")`},
		{"unknown flag key", nil, map[string]string{"colour": "red"}, `config: unknown flag key "colour"`},
	}
	p := writeConfig(t, "", 0o600)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadErr(t, LoadOptions{Path: p, Getenv: fakeEnv(tt.env), Flags: tt.flags})
			if got != tt.want {
				t.Errorf("err = %q\nwant  %q", got, tt.want)
			}
		})
	}
}

func TestConfigFlagHidesBadEnv(t *testing.T) {
	env := fakeEnv(map[string]string{"AOPFETCH_TIMEOUT": "x", "AOPFETCH_OPERATOR": "y"})
	c := mustLoad(t, LoadOptions{Path: writeConfig(t, "", 0o600), Getenv: env,
		Flags: map[string]string{"timeout": "5s", "operator": "9"}})
	if c.Timeout != 5*time.Second || c.Operator != 9 {
		t.Errorf("Timeout=%v Operator=%d, want the flags' 5s and 9", c.Timeout, c.Operator)
	}
}

func TestConfigUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	if got := loadErr(t, LoadOptions{Path: dir}); got != "config "+dir+": is a directory, not a file" {
		t.Errorf("directory: %q", got)
	}
	big := writeConfig(t, "# "+strings.Repeat("x", maxConfigBytes)+"\n", 0o600)
	if got := loadErr(t, LoadOptions{Path: big}); !strings.Contains(got, "larger than 1 MiB") {
		t.Errorf("big file: %q", got)
	}
}

func TestConfigSecretsNeverInErrors(t *testing.T) {
	const secret = "abc123topsecret"
	texts := []string{
		"[auth]\njwt_secret = " + secret + "\n",
		"[auth]\njwt_secret = \"" + secret + "\n",
		"[auth]\njwt_secret = \"" + secret + "\" junk\n",
		"[auth.headers]\nAuthorisedkey = " + secret + "\n",
		"auth.jwt_secret = " + secret + "\n",
		"jwt_secret = " + secret + "\n",
		"[auth]\njwt_secret = 123456789\n",
		"[auth.headers]\nAuthorisedkey = \"" + secret + "\\u0007\"\n",
		"[auth.headers]\nAuthorisedkey = \"" + secret + "\\r\\nX-Evil: 1\"\n",
	}
	for i, text := range texts {
		p := writeConfig(t, text, 0o600)
		got := loadErr(t, LoadOptions{Path: p})
		if shown := strings.ReplaceAll(got, p, ""); strings.Contains(shown, "abc") || strings.Contains(shown, "123") { // the temp path may hold "123"
			t.Errorf("case %d: error shows the secret: %q", i, got)
		}
		if !strings.Contains(got, p+":") {
			t.Errorf("case %d: error does not name the file and line: %q", i, got)
		}
	}
}

// settingsMap indexes Settings by key.
func settingsMap(c *Config) map[string]Setting {
	m := map[string]Setting{}
	for _, s := range c.Settings() {
		m[s.Key] = s
	}
	return m
}

func TestConfigSettingsRedactSecrets(t *testing.T) {
	p := testdataPath(t, "full.toml")
	c := mustLoad(t, LoadOptions{Path: p, Getenv: fakeEnv(map[string]string{"AOPFETCH_JWT_SECRET": "env-jwt-secret"})})
	all := fmt.Sprint(c.Settings())
	for _, s := range []string{"env-jwt-secret", "s3cr3t-jwt-value", "static-header-secret"} {
		if strings.Contains(all, s) {
			t.Errorf("Settings show secret %q: %s", s, all)
		}
	}
	want := map[string]Setting{
		"config":                     {"config", p, SourceFlag},
		"base_url":                   {"base_url", "https://sandbox.example.test/v1", SourceFile},
		"operator":                   {"operator", "311 (Paytm FASTag)", SourceFile},
		"timeout":                    {"timeout", "45s", SourceFile},
		"history_limit":              {"history_limit", "50", SourceFile},
		"operators":                  {"operators", "2: Paytm FASTag 311, ICICI 402", SourceFile},
		"auth.jwt_secret":            {"auth.jwt_secret", "[redacted]", SourceEnv},
		"auth.partner_id":            {"auth.partner_id", "PS0042", SourceFile},
		"auth.token_header":          {"auth.token_header", "Token", SourceFile},
		"auth.headers.Authorisedkey": {"auth.headers.Authorisedkey", "[redacted]", SourceFile},
	}
	got := settingsMap(c)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("setting %q = %+v, want %+v", k, got[k], w)
		}
	}
	keys := []string{}
	for _, s := range c.Settings() {
		keys = append(keys, s.Key)
	}
	wantKeys := "config base_url insecure_http_auth registration_id operator timeout history_limit store theme concurrency rate operators " +
		"auth.jwt_secret auth.partner_id auth.token_header auth.headers.Authorisedkey"
	if strings.Join(keys, " ") != wantKeys {
		t.Errorf("keys = %v\nwant   %s", keys, wantKeys)
	}
}

func TestConfigSettingsUnset(t *testing.T) {
	c := mustLoad(t, LoadOptions{Path: writeConfig(t, "history_limit = 0\n", 0o600)})
	got := settingsMap(c)
	for k, v := range map[string]string{
		"registration_id": "(not set)", "operator": "(not set)", "auth.jwt_secret": "(not set)",
		"auth.headers": "(none)", "operators": "(none)", "history_limit": "0 (history off)",
		"store": "(default location)", "theme": "auto", "concurrency": "4", "rate": "0 (no limit)",
	} {
		if got[k].Value != v {
			t.Errorf("setting %q = %q, want %q", k, got[k].Value, v)
		}
	}
}

func TestConfigPermissionsWarning(t *testing.T) {
	const withSecret = "[auth]\njwt_secret = \"x\"\n"
	const withHeader = "[auth.headers]\nAuthorisedkey = \"k\"\n"
	tests := []struct {
		name     string
		text     string
		mode     os.FileMode
		wantWarn bool
	}{
		{"secret 0644", withSecret, 0o644, true},
		{"header 0640", withHeader, 0o640, true},
		{"secret 0600", withSecret, 0o600, false},
		{"no secret 0644", "[auth]\npartner_id = \"P1\"\n", 0o644, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.text, tt.mode)
			c := mustLoad(t, LoadOptions{Path: p})
			if !tt.wantWarn {
				if len(c.Warnings) != 0 {
					t.Errorf("Warnings = %q, want none", c.Warnings)
				}
				return
			}
			want := fmt.Sprintf("WARNING: config file %s is readable by others (mode %04o) and holds secrets; run: chmod 600 %s", p, tt.mode, p)
			if len(c.Warnings) != 1 || c.Warnings[0] != want {
				t.Errorf("Warnings = %q\nwant [%q]", c.Warnings, want)
			}
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != tt.mode {
				t.Errorf("file mode changed: %v %v", fi.Mode(), err)
			}
		})
	}
}

func TestConfigShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/home/a/.config/aopfetch/config.toml": "/home/a/.config/aopfetch/config.toml",
		"/tmp/my config.toml":                  "'/tmp/my config.toml'",
		"/tmp/it's.toml":                       `'/tmp/it'\''s.toml'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigClientOptions(t *testing.T) {
	c := mustLoad(t, LoadOptions{Path: testdataPath(t, "full.toml")})
	o := c.ClientOptions("aopfetch/1.2.3")
	if o.BaseURL != c.BaseURL || o.Timeout != 45*time.Second || o.Retries != client.DefaultRetries ||
		o.UserAgent != "aopfetch/1.2.3" || o.Auth.JWTSecret != "s3cr3t-jwt-value" || o.Auth.PartnerID != "PS0042" ||
		o.Auth.TokenHeader != "Token" || o.Auth.Headers["Authorisedkey"] != "static-header-secret" {
		t.Errorf("ClientOptions = %+v", o)
	}
	o.Auth.Headers["Authorisedkey"] = "changed"
	if c.Auth.Headers["Authorisedkey"] != "static-header-secret" {
		t.Error("ClientOptions shares the headers map with the config")
	}
}

func TestConfigOperatorLookup(t *testing.T) {
	c := mustLoad(t, LoadOptions{Path: testdataPath(t, "full.toml")})
	if got := c.OperatorName(402); got != "ICICI" {
		t.Errorf("OperatorName(402) = %q", got)
	}
	if got := c.OperatorName(999); got != "" {
		t.Errorf("OperatorName(999) = %q, want empty", got)
	}
	for in, want := range map[string]int{"icici": 402, "  Paytm FASTag ": 311, "311": 311, "999": 999, " 0311 ": 311, "+5": 5} {
		if got, err := c.ResolveOperator(in); err != nil || got != want {
			t.Errorf("ResolveOperator(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"0":      "operator code must be a positive number (got 0)",
		"-3":     "operator code must be a positive number (got -3)",
		"311.0":  "operator code must be a whole number (got '311.0')",
		"1,311":  "operator code must be a whole number (got '1,311')",
		"311x":   "operator code must be a whole number (got '311x')",
		"":       "operator code is empty (e.g. 311)",
		"paytm":  `unknown operator "paytm"`,
		"Airtel": `unknown operator "Airtel"`,
	} {
		_, err := c.ResolveOperator(in)
		if err == nil || err.Error() != msg {
			t.Errorf("ResolveOperator(%q) err = %v, want %q", in, err, msg)
		}
	}
	var ue *UnknownOperatorError
	if _, err := c.ResolveOperator("x\x1b[2J"); !errors.As(err, &ue) || ue.Hint() != "configured operators: Paytm FASTag, ICICI" ||
		strings.Contains(err.Error(), "\x1b") {
		t.Errorf("unknown operator error %v (hint %q) must be an *UnknownOperatorError with the names, escapes quoted", err, ue.Hint())
	}
	var none *Config
	if _, err := none.ResolveOperator("paytm"); !errors.As(err, &ue) || !strings.Contains(ue.Hint(), "[[operators]]") {
		t.Errorf("nil config: %v", err)
	}
}

func TestConfigStorePathResolution(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"/abs/store.json", "/abs/store.json"},
		{"rel/store.json", "/cfg/dir/rel/store.json"},
		{"~/s.json", filepath.Join(xdg.Home, "s.json")},
	} {
		if got := resolveStorePath(tt.in, "/cfg/dir"); got != tt.want {
			t.Errorf("resolveStorePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzConfigDecode(f *testing.F) {
	for _, name := range []string{"full.toml", "bad_syntax.toml", "bad_timeout.toml", "unknown_key.toml", "bad_regex.toml", "dup_codes.toml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "config", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("operators = [{code = 1, name = \"A\"}]\n[auth.headers]\nX = \"v\"\n")
	f.Fuzz(func(t *testing.T, text string) {
		d, err := decode("/c.toml", text)
		if err == nil {
			err = d.apply(defaultConfig())
		}
		if err == nil {
			return
		}
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("error %v is not a *Error", err)
		}
		if n := strings.Count(text, "\n") + 1; ce.Line < 0 || ce.Line > n {
			t.Fatalf("line %d outside the text's %d lines: %v", ce.Line, n, err)
		}
	})
}

// TestUnparsableBaseURLIsNotEchoed: a mistyped URL may still carry a
// password; the error must not repeat it.
func TestUnparsableBaseURLIsNotEchoed(t *testing.T) {
	emptyXDG(t)
	_, err := Load(LoadOptions{Getenv: func(string) (string, bool) { return "", false },
		Flags: map[string]string{"base_url": "https://agent:Hunter2%zz@api.example"}})
	if err == nil || strings.Contains(err.Error(), "Hunter2") {
		t.Fatalf("Load: %v", err)
	}
}

// TestConfigStoreEnvExpandsTilde: AOPFETCH_STORE='~/s.json' (quoted in a shell
// profile, so the shell did not expand it) must mean the home directory,
// as store_path does, not a directory named "~" under whatever directory
// aopfetch runs in (a different store per working directory).
func TestConfigStoreEnvExpandsTilde(t *testing.T) {
	env := map[string]string{"AOPFETCH_STORE": "~/s.json"}
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(LoadOptions{Path: path, Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(xdg.Home, "s.json"); cfg.StorePath != want {
		t.Fatalf("StorePath = %q, want %q", cfg.StorePath, want)
	}
}

// TestConfigLinesInArraysOfTables: toml keeps one position per key of an
// array of tables (its last table's), so a problem in an earlier
// [[operators]] is told by its number instead of by a wrong line.
func TestConfigLinesInArraysOfTables(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"dup in the middle", "[[operators]]\ncode = 1\nname = \"A\"\n[[operators]]\ncode = 1\nname = \"B\"\n[[operators]]\ncode = 3\nname = \"C\"\n",
			`: operators.code: 1 is already the code of operator "A" (operator 2 of 3)`},
		{"bad regex first", "[[operators]]\ncode = 1\nname = \"A\"\nvehicle_regex = \"[\"\n[[operators]]\ncode = 2\nname = \"B\"\nvehicle_regex = \"^B\"\n",
			`: operators.vehicle_regex: "[" is not a valid regular expression: missing closing ] (operator 1 of 2)`},
		{"key only in the first", "[[operators]]\ncode = 1\nname = \"A\"\nvehicle_regex = \"[\"\n[[operators]]\ncode = 2\nname = \"B\"\n",
			`:4: operators.vehicle_regex: "[" is not a valid regular expression`},
		{"missing name in the last", "[[operators]]\ncode = 1\nname = \"A\"\n\n[[operators]]\ncode = 2\n",
			`:5: operators.name: missing`},
		{"inline, not the last", "operators = [\n  {code = 0, name = \"A\"},\n  {code = 2, name = \"B\"},\n]\n",
			`:1: operators.code: operator code must be a positive number (got 0) (operator 1 of 2)`},
		{"inline, the last", "operators = [\n  {code = 1, name = \"A\"},\n  {code = 1, name = \"B\"},\n]\n",
			`:3: operators.code: 1 is already the code of operator "A"`},
		{"inline non-tables", "operators = [1, 2]\n", `:1: operators: must be an array of tables`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.text, 0o600)
			if got, want := loadErr(t, LoadOptions{Path: p}), "config "+p+tt.want; !strings.HasPrefix(got, want) {
				t.Errorf("err = %q\nwant prefix %q", got, want)
			}
		})
	}
}

// TestConfigKeysAreCaseSensitive: toml would decode Timeout into timeout's
// field while the loader reads timeout, so the line would be ignored.
func TestConfigKeysAreCaseSensitive(t *testing.T) {
	for text, want := range map[string]string{
		"Timeout = \"5s\"\n":           `:1: Timeout: unknown key (known: base_url, `,
		"[auth]\nJWT_Secret = \"x\"\n": `:2: auth.JWT_Secret: unknown key (known: jwt_secret, partner_id, token_header, [auth.headers])`,
		"[[Operators]]\ncode = 1\n":    `:1: Operators: unknown key`,
	} {
		p := writeConfig(t, text, 0o600)
		if got := loadErr(t, LoadOptions{Path: p}); !strings.HasPrefix(got, "config "+p+want) {
			t.Errorf("%q: err = %q, want prefix %q", text, got, want)
		}
	}
}

// TestConfigSyntaxErrorKey: the key named is the one on the bad line, and
// only when it is.
func TestConfigSyntaxErrorKey(t *testing.T) {
	for text, want := range map[string]string{
		"operator = 311\ntimeout = 30s\n":   `:2: timeout: invalid TOML: `,
		"operator = 311\n@@@\n":             `:2: invalid TOML: `, // no key on the bad line
		"[auth]\njwt_secret = \"x\" junk\n": `:2: auth.jwt_secret: invalid TOML (details withheld`,
		"a = [1,\n2\n":                      `:2: a: invalid TOML: `, // toml's LastKey: the array
	} {
		p := writeConfig(t, text, 0o600)
		if got := loadErr(t, LoadOptions{Path: p}); !strings.HasPrefix(got, "config "+p+want) {
			t.Errorf("%q: err = %q, want prefix %q", text, got, want)
		}
	}
}

func TestConfigOperatorSettingTakesAName(t *testing.T) {
	p := writeConfig(t, "operator = \"icici\"\n[[operators]]\ncode = 402\nname = \"ICICI\"\n", 0o600)
	if c := mustLoad(t, LoadOptions{Path: p}); c.Operator != 402 || settingsMap(c)["operator"].Value != "402 (ICICI)" {
		t.Errorf("Operator = %d, setting %+v", c.Operator, settingsMap(c)["operator"])
	}
	c := mustLoad(t, LoadOptions{Path: p, Getenv: fakeEnv(map[string]string{"AOPFETCH_OPERATOR": " ICICI "})})
	if c.Operator != 402 || c.Sources["operator"] != SourceEnv {
		t.Errorf("env: Operator = %d from %s", c.Operator, c.Sources["operator"])
	}
	got := loadErr(t, LoadOptions{Path: p, Getenv: fakeEnv(map[string]string{"AOPFETCH_OPERATOR": "Airtel"})})
	if want := `environment variable AOPFETCH_OPERATOR: unknown operator "Airtel"; configured operators: ICICI`; got != want {
		t.Errorf("err = %q\nwant  %q", got, want)
	}
}

func TestConfigInsecureHTTPAuth(t *testing.T) {
	off := writeConfig(t, "", 0o600)
	on := writeConfig(t, "base_url = \"http://127.0.0.1:8089\"\ninsecure_http_auth = true\n", 0o600)
	if c := mustLoad(t, LoadOptions{Path: off}); c.InsecureHTTPAuth || c.ClientOptions("x").AllowInsecureAuth ||
		settingsMap(c)["insecure_http_auth"] != (Setting{"insecure_http_auth", "false", SourceDefault}) {
		t.Errorf("default: %v %+v", c.InsecureHTTPAuth, settingsMap(c)["insecure_http_auth"])
	}
	if c := mustLoad(t, LoadOptions{Path: on}); !c.InsecureHTTPAuth || !c.ClientOptions("x").AllowInsecureAuth ||
		settingsMap(c)["insecure_http_auth"] != (Setting{"insecure_http_auth", "true", SourceFile}) {
		t.Errorf("file: %v %+v", c.InsecureHTTPAuth, settingsMap(c)["insecure_http_auth"])
	}
	for v, want := range map[string]bool{"1": true, "true": true, "0": false, "false": false} {
		c := mustLoad(t, LoadOptions{Path: on, Getenv: fakeEnv(map[string]string{"AOPFETCH_INSECURE_HTTP_AUTH": v})})
		if c.InsecureHTTPAuth != want || c.Sources["insecure_http_auth"] != SourceEnv {
			t.Errorf("AOPFETCH_INSECURE_HTTP_AUTH=%s: %v from %s", v, c.InsecureHTTPAuth, c.Sources["insecure_http_auth"])
		}
	}
	got := loadErr(t, LoadOptions{Path: off, Getenv: fakeEnv(map[string]string{"AOPFETCH_INSECURE_HTTP_AUTH": "maybe"})})
	if want := `environment variable AOPFETCH_INSECURE_HTTP_AUTH: "maybe" is not a boolean (1 or 0, true or false)`; got != want {
		t.Errorf("err = %q\nwant  %q", got, want)
	}
	p := writeConfig(t, "insecure_http_auth = \"yes\"\n", 0o600)
	if got, want := loadErr(t, LoadOptions{Path: p}), "config "+p+`:1: insecure_http_auth: must be true or false (no quotes), not a string`; got != want {
		t.Errorf("err = %q\nwant  %q", got, want)
	}
}

func TestConfigVehicleWarning(t *testing.T) {
	c := mustLoad(t, LoadOptions{Path: testdataPath(t, "full.toml")}) // 311 has a vehicle_regex, 402 none
	if w := c.VehicleWarning(311, "DL12CB4685"); w != "" {
		t.Errorf("matching vehicle: %q", w)
	}
	if w, want := c.VehicleWarning(311, "22BH1234AA"), "22BH1234AA does not match the vehicle_regex of operator 311 (Paytm FASTag)"; w != want {
		t.Errorf("warning = %q, want %q", w, want)
	}
	var none *Config
	if c.VehicleWarning(402, "22BH1234AA") != "" || c.VehicleWarning(999, "X") != "" || none.VehicleWarning(311, "X") != "" {
		t.Error("warned without a regex")
	}
}

// TestConfigDeepNestingIsRefusedQuickly: toml's work grows with the square
// of the depth (80 KB nested 20,000 deep: 162 s and 19.5 GB), so a deep
// file is refused before it is parsed, with the line where it goes too deep.
func TestConfigDeepNestingIsRefusedQuickly(t *testing.T) {
	const n = 20000
	tests := map[string]struct {
		text string
		line int
	}{
		"inline tables":   {"# deep\nx = " + strings.Repeat("{a=", n) + "1" + strings.Repeat("}", n) + "\n", 2},
		"arrays":          {"\n\nx = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n", 3},
		"dotted key":      {"x" + strings.Repeat(".a", n) + " = 1\n", 1},
		"table name":      {"a = 1\n[x" + strings.Repeat(".a", n) + "]\n", 2},
		"on a later line": {"operator = 311\n" + "x = [\n" + strings.Repeat("[\n", 40) + strings.Repeat("]", 41) + "\n", 34},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			p := writeConfig(t, tt.text, 0o600)
			got := loadErr(t, LoadOptions{Path: p})
			want := fmt.Sprintf("config %s:%d: nested more than 32 deep", p, tt.line)
			if !strings.HasPrefix(got, want) {
				t.Errorf("err = %.200q\nwant prefix %q", got, want)
			}
		})
	}
}

// TestConfigNestingCheckSkipsStringsAndComments: brackets, dots and quotes
// inside strings and comments are not nesting.
func TestConfigNestingCheckSkipsStringsAndComments(t *testing.T) {
	deep := strings.Repeat("[{.", 40)
	text := "# " + deep + "\n" +
		"base_url = \"https://x.test/" + deep + "\" # " + deep + "\n" +
		"registration_id = '" + deep[:60] + "'\n" +
		"[[operators]]\ncode = 1\nname = \"\"\"\n" + deep + ` \" "x" ""` + `"""` + "\n" +
		"vehicle_regex = '''\n" + strings.Repeat(`\[\{\.`, 40) + "'''\n" +
		"[auth.headers]\n\"" + deep + "\" = \"v\"\n"
	if line, ok := checkNesting(text); !ok {
		t.Fatalf("checkNesting refused line %d of\n%s", line, text)
	}
	p := writeConfig(t, text+"[a.b]\nc.d = 1\n", 0o600)
	// The file parses; what fails is the header name, found after every string above.
	if got := loadErr(t, LoadOptions{Path: p}); !strings.Contains(got, "auth.headers.") || !strings.Contains(got, ":11:") {
		t.Errorf("err = %.300q", got)
	}
	if line, ok := checkNesting("a = \"unterminated\n" + strings.Repeat("[", 100)); !ok || line != 1 {
		t.Errorf("an unterminated string is the parser's to report: line %d, %v", line, ok)
	}
}

func BenchmarkConfigDeepNesting(b *testing.B) {
	text := "x = " + strings.Repeat("{a=", 20000) + "1" + strings.Repeat("}", 20000) + "\n"
	for b.Loop() {
		if _, err := decode("/c.toml", text); err == nil {
			b.Fatal("accepted")
		}
	}
}

// TestConfigTableKeysMatchTheSchema: the unknown-key message lists the keys
// of the file struct's tags.
func TestConfigTableKeysMatchTheSchema(t *testing.T) {
	tags := func(v any) []string {
		var out []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			out = append(out, rt.Field(i).Tag.Get("toml"))
		}
		return out
	}
	names := func(entries []string) []string {
		var out []string
		for _, e := range entries {
			out = append(out, keyName(e))
		}
		return out
	}
	for table, v := range map[string]any{"": file{}, "operators": fileOperator{}, "auth": fileAuth{}} {
		if got, want := names(tableKeys[table]), tags(v); !slices.Equal(got, want) {
			t.Errorf("tableKeys[%q] names %q, the struct's tags %q", table, got, want)
		}
	}
}

func TestConfigHistoryLimitIsBounded(t *testing.T) {
	p := writeConfig(t, "history_limit = 50001\n", 0o600)
	if msg := loadErr(t, LoadOptions{Path: p}); !strings.Contains(msg, "at most 50000") {
		t.Fatalf("error %q", msg)
	}
	c := mustLoad(t, LoadOptions{Path: writeConfig(t, "history_limit = 50000\n", 0o600)})
	if c.HistoryLimit != 50000 {
		t.Fatalf("history_limit = %d", c.HistoryLimit)
	}
}
