package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/adrg/xdg"

	"github.com/aopfetch/aopfetch/client"
)

// maxConfigBytes caps the config file; a bigger one is surely not a config.
const maxConfigBytes = 1 << 20

// fileConfig is the config file's schema. Every field decodes itself, so a
// bad value is reported at the line toml knows for its key.
type fileConfig struct {
	BaseURL        urlValue          `toml:"base_url"`
	RegistrationID registrationValue `toml:"registration_id"`
	Operator       operatorValue     `toml:"operator"`
	Timeout        durationValue     `toml:"timeout"`
	HistoryLimit   limitValue        `toml:"history_limit"`
	StorePath      stringValue       `toml:"store_path"`
	Operators      operatorTable     `toml:"operators"`
	Auth           authTable         `toml:"auth"`
}

const knownTopKeys = "base_url, registration_id, operator, timeout, history_limit, store_path, [auth], [[operators]]"

// loadFile reads the config file at path into c. A missing file is fine
// unless the user named it (named is "--config" or "AOPFETCH_CONFIG").
func (c *Config) loadFile(path, named string) error {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	data, mode, err := readConfigFile(path)
	if errors.Is(err, fs.ErrNotExist) && named == "" {
		c.searched = path
		return nil
	}
	if err != nil {
		return readError(path, named, err)
	}
	fc, md, err := decodeConfig(path, string(data))
	if err != nil {
		return err
	}
	c.File = path
	c.applyFile(fc, md)
	if hasSecrets(fc.Auth.cfg) && mode&0o077 != 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf(
			"WARNING: config file %s is readable by others (mode %04o) and holds secrets; run: chmod 600 %s",
			path, mode, shellQuote(path)))
	}
	return nil
}

// readConfigFile reads path, returning its permission bits. It refuses
// directories and special files (opening a FIFO would block).
func readConfigFile(path string) ([]byte, fs.FileMode, error) {
	if fi, err := os.Stat(path); err != nil {
		return nil, 0, err
	} else if fi.IsDir() {
		return nil, 0, errors.New("is a directory, not a file")
	} else if !fi.Mode().IsRegular() {
		return nil, 0, errors.New("is not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	fi, err := f.Stat() // the mode of what was opened, for the permissions warning
	if err != nil {
		return nil, 0, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, 0, err
	}
	if len(data) > maxConfigBytes {
		return nil, 0, errors.New("is larger than 1 MiB; is it really the config file?")
	}
	return data, fi.Mode().Perm(), nil
}

// readError explains why the config file could not be read.
func readError(path, named string, err error) error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = "cannot read: " + pe.Err.Error()
	}
	if errors.Is(err, fs.ErrNotExist) {
		msg = "no such file (named by " + named + ")"
	}
	return &Error{Source: SourceFile, Name: path, Message: msg, Err: err}
}

// decodeConfig parses and validates the file's text.
func decodeConfig(path, text string) (*fileConfig, toml.MetaData, error) {
	// Parse once on its own so syntax errors are told apart from bad values.
	if md, err := toml.Decode(text, &struct{}{}); err != nil {
		return nil, md, syntaxError(path, text, err)
	}
	var fc fileConfig
	md, err := toml.Decode(text, &fc)
	if err != nil {
		return nil, md, fc.valueError(path, text, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return nil, md, &Error{Source: SourceFile, Name: path, Line: keyLine(text, keys[0], -1),
			Key: keys[0].String(), Message: "unknown key (known: " + knownTopKeys + ")"}
	}
	return &fc, md, nil
}

// syntaxError reports invalid TOML. The parser's message may quote the
// offending text, so it is withheld when that text may be a secret.
func syntaxError(path, text string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return &Error{Source: SourceFile, Name: path, Message: "invalid TOML", Err: err}
	}
	msg := "invalid TOML: " + pe.Message
	if secretContext(text, pe.Position.Line, pe.LastKey) {
		msg = "invalid TOML (details withheld: this part of the file may hold secrets)"
	}
	key := pe.LastKey
	if li, ok := lineAt(text, pe.Position.Line); ok && li.key != nil {
		key = toml.Key(li.key).String() // the key on the bad line rather than the one parsed before it
	}
	return &Error{Source: SourceFile, Name: path, Line: pe.Position.Line, Key: key, Message: msg}
}

// valueError reports a value the schema rejected while decoding.
func (fc *fileConfig) valueError(path, text string, err error) error {
	var pe toml.ParseError
	errors.As(err, &pe)
	for _, fe := range []*fieldError{fc.Operators.bad, fc.Auth.bad} {
		if fe == nil {
			continue
		}
		line := keyLine(text, fe.key, fe.index)
		for n := len(fe.key) - 1; line == 0 && n > 0; n-- { // e.g. a missing key: point at its table
			line = keyLine(text, fe.key[:n], fe.index)
		}
		if line == 0 {
			line = pe.Position.Line
		}
		return &Error{Source: SourceFile, Name: path, Line: line, Key: toml.Key(fe.key).String(), Message: fe.msg}
	}
	if pe.Message == "" {
		return &Error{Source: SourceFile, Name: path, Message: "invalid config", Err: err}
	}
	return &Error{Source: SourceFile, Name: path, Line: pe.Position.Line, Key: pe.LastKey, Message: pe.Message}
}

// applyFile copies the settings the file defines into c.
func (c *Config) applyFile(fc *fileConfig, md toml.MetaData) {
	set := func(key string, fileKey []string, apply func()) {
		if md.IsDefined(fileKey...) {
			apply()
			c.Sources[key] = SourceFile
		}
	}
	set("base_url", []string{"base_url"}, func() { c.BaseURL = fc.BaseURL.v })
	set("registration_id", []string{"registration_id"}, func() { c.RegistrationID = fc.RegistrationID.v })
	set("operator", []string{"operator"}, func() { c.Operator = fc.Operator.v })
	set("timeout", []string{"timeout"}, func() { c.Timeout = fc.Timeout.v })
	set("history_limit", []string{"history_limit"}, func() { c.HistoryLimit = fc.HistoryLimit.v })
	set("store", []string{"store_path"}, func() { c.StorePath = resolveStorePath(fc.StorePath.v, filepath.Dir(c.File)) })
	set("operators", []string{"operators"}, func() { c.Operators = fc.Operators.list })
	a := fc.Auth.cfg
	set("auth.jwt_secret", []string{"auth", "jwt_secret"}, func() { c.Auth.JWTSecret = a.JWTSecret })
	set("auth.partner_id", []string{"auth", "partner_id"}, func() { c.Auth.PartnerID = a.PartnerID })
	set("auth.token_header", []string{"auth", "token_header"}, func() { c.Auth.TokenHeader = a.TokenHeader })
	set("auth.headers", []string{"auth", "headers"}, func() { c.Auth.Headers = a.Headers })
}

// resolveStorePath expands a leading "~/" and makes a relative store_path
// relative to the config file's directory ("" keeps the default location).
func resolveStorePath(p, dir string) string {
	if p = expandHome(p); p != "" && !filepath.IsAbs(p) {
		return filepath.Join(dir, p)
	}
	return p
}

// expandHome expands a leading "~/" (or a lone "~") to the home directory.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		return filepath.Join(xdg.Home, p[1:])
	}
	return p
}

// hasSecrets reports whether the [auth] table holds a secret value.
func hasSecrets(a AuthConfig) bool {
	return a.JWTSecret != "" || len(a.Headers) > 0
}

// shellQuote quotes p for a shell command line when it needs it.
func shellQuote(p string) string {
	if strings.IndexFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:@%", r))
	}) < 0 {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}

// fieldError is a bad value inside [auth] or [[operators]], found while
// decoding; those tables decode themselves so the error can say which
// element it is about.
type fieldError struct {
	key   []string // full dotted key, e.g. operators.code
	index int      // the [[operators]] element, -1 otherwise
	msg   string
}

func (e *fieldError) Error() string { return e.msg }

// operatorTable is the [[operators]] array.
type operatorTable struct {
	list []Operator
	bad  *fieldError
}

// UnmarshalTOML implements toml.Unmarshaler.
func (t *operatorTable) UnmarshalTOML(v any) error {
	tables, ok := tablesOf(v)
	if !ok {
		t.bad = &fieldError{key: []string{"operators"}, index: -1,
			msg: "must be an array of tables: [[operators]] with code and name"}
		return t.bad
	}
	for i, m := range tables {
		op, fe := decodeOperator(m, i)
		if fe == nil {
			fe = t.duplicate(op, i)
		}
		if fe != nil {
			t.bad = fe
			return fe
		}
		t.list = append(t.list, op)
	}
	return nil
}

// duplicate reports op's code or name when an earlier operator has it.
func (t *operatorTable) duplicate(op Operator, i int) *fieldError {
	for _, o := range t.list {
		switch {
		case o.Code == op.Code:
			return &fieldError{key: []string{"operators", "code"}, index: i,
				msg: fmt.Sprintf("%d is already the code of operator %q", op.Code, o.Name)}
		case strings.EqualFold(o.Name, op.Name):
			return &fieldError{key: []string{"operators", "name"}, index: i,
				msg: fmt.Sprintf("%q is already the name of operator %d", op.Name, o.Code)}
		}
	}
	return nil
}

// tablesOf returns the tables of a TOML array of tables.
func tablesOf(v any) ([]map[string]any, bool) {
	switch x := v.(type) {
	case []map[string]any:
		return x, true
	case []any:
		tables := make([]map[string]any, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			tables = append(tables, m)
		}
		return tables, true
	}
	return nil, false
}

// decodeOperator decodes and validates the i-th [[operators]] table.
func decodeOperator(m map[string]any, i int) (Operator, *fieldError) {
	fail := func(key string, err error) *fieldError {
		return &fieldError{key: []string{"operators", key}, index: i, msg: err.Error()}
	}
	var op Operator
	for _, k := range slices.Sorted(maps.Keys(m)) {
		var err error
		switch k {
		case "code":
			op.Code, err = operatorCodeOf(m[k])
		case "name":
			op.Name, err = operatorNameOf(m[k])
		case "vehicle_regex":
			op.VehicleRegex, err = regexOf(m[k])
		default:
			err = errors.New("unknown key (known: code, name, vehicle_regex)")
		}
		if err != nil {
			return op, fail(k, err)
		}
	}
	for _, k := range []string{"code", "name"} {
		if _, ok := m[k]; !ok {
			return op, fail(k, errors.New("missing: every [[operators]] needs a code and a name"))
		}
	}
	return op, nil
}

// operatorNameOf decodes an operator name: not empty, not a number (it
// would read as a code where users pick operators by name or code).
func operatorNameOf(v any) (string, error) {
	s, err := textOf(v)
	s = strings.TrimSpace(s)
	switch {
	case err != nil:
		return "", err
	case s == "":
		return "", errors.New("must not be empty")
	}
	if _, aerr := strconv.Atoi(s); aerr == nil {
		return "", fmt.Errorf("%q must not be a number (it would read as an operator code)", s)
	}
	return s, nil
}

// regexOf decodes a vehicle regex and checks that it compiles.
func regexOf(v any) (string, error) {
	s, err := textOf(v)
	if err != nil {
		return "", err
	}
	if _, err := regexp.Compile(s); err != nil {
		detail := err.Error()
		if se := (*syntax.Error)(nil); errors.As(err, &se) {
			detail = se.Code.String()
		}
		return "", fmt.Errorf("%q is not a valid regular expression: %s", s, detail)
	}
	return s, nil
}

// authTable is the [auth] table.
type authTable struct {
	cfg AuthConfig
	bad *fieldError
}

// UnmarshalTOML implements toml.Unmarshaler.
func (t *authTable) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		t.bad = &fieldError{key: []string{"auth"}, index: -1, msg: "must be a table: [auth]"}
		return t.bad
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if t.bad = t.decodeKey(k, m[k]); t.bad != nil {
			return t.bad
		}
	}
	return nil
}

// decodeKey decodes one key of [auth]. Messages never show a secret value.
func (t *authTable) decodeKey(k string, v any) *fieldError {
	var err error
	switch k {
	case "jwt_secret":
		t.cfg.JWTSecret, err = textOf(v)
	case "partner_id":
		t.cfg.PartnerID, err = textOf(v)
		t.cfg.PartnerID = strings.TrimSpace(t.cfg.PartnerID)
	case "token_header":
		t.cfg.TokenHeader, err = headerNameOf(v)
	case "headers":
		return t.decodeHeaders(v)
	default:
		err = errors.New("unknown key (known: jwt_secret, partner_id, token_header, [auth.headers])")
	}
	if err != nil {
		return &fieldError{key: []string{"auth", k}, index: -1, msg: err.Error()}
	}
	return nil
}

// decodeHeaders decodes [auth.headers]: header name = "value".
func (t *authTable) decodeHeaders(v any) *fieldError {
	m, ok := v.(map[string]any)
	if !ok {
		return &fieldError{key: []string{"auth", "headers"}, index: -1,
			msg: `must be a table: [auth.headers] with lines like Authorisedkey = "..."`}
	}
	t.cfg.Headers = make(map[string]string, len(m))
	seen := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		fail := func(msg string) *fieldError {
			return &fieldError{key: []string{"auth", "headers", name}, index: -1, msg: msg}
		}
		s, err := textOf(m[name])
		switch canon := strings.ToLower(name); {
		case !client.ValidHeaderName(name):
			return fail("is not a valid HTTP header name")
		case err != nil:
			return fail(err.Error())
		case !client.ValidHeaderValue(s):
			return fail("value holds control characters (value not shown: it is a secret)")
		case seen[canon] != "":
			return fail(fmt.Sprintf("same header as %q (header names ignore case)", seen[canon]))
		default:
			seen[canon] = name
		}
		t.cfg.Headers[name] = s
	}
	return nil
}

// headerNameOf decodes an HTTP header name.
func headerNameOf(v any) (string, error) {
	s, err := textOf(v)
	if err == nil && !client.ValidHeaderName(s) {
		err = fmt.Errorf("%q is not a valid HTTP header name", s)
	}
	return s, err
}
