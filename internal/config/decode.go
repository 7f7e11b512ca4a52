package config

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/aopfetch/aopfetch/client"
)

// file is config.toml as toml decodes it: its tables and keys, named by
// their tags. Values are decoded as any and checked by apply, so that one of
// the wrong type is reported in words ("must be a string in quotes, not an
// integer") with its key and line, and never quoted when it may be a secret.
type file struct {
	BaseURL          any            `toml:"base_url"`
	RegistrationID   any            `toml:"registration_id"`
	Operator         any            `toml:"operator"`
	Timeout          any            `toml:"timeout"`
	HistoryLimit     any            `toml:"history_limit"`
	StorePath        any            `toml:"store_path"`
	InsecureHTTPAuth any            `toml:"insecure_http_auth"`
	Theme            any            `toml:"theme"`
	Concurrency      any            `toml:"concurrency"`
	Rate             any            `toml:"rate"`
	Operators        []fileOperator `toml:"operators"`
	Auth             fileAuth       `toml:"auth"`
	Serve            map[string]any `toml:"serve"`
}

// fileOperator is one [[operators]] table.
type fileOperator struct {
	Code         any `toml:"code"`
	Name         any `toml:"name"`
	VehicleRegex any `toml:"vehicle_regex"`
}

// fileAuth is the [auth] table.
type fileAuth struct {
	JWTSecret   any            `toml:"jwt_secret"`
	PartnerID   any            `toml:"partner_id"`
	TokenHeader any            `toml:"token_header"`
	Headers     map[string]any `toml:"headers"`
}

// decoded is a parsed config file.
type decoded struct {
	path, text string
	f          file
	md         toml.MetaData
	lines      *keyLines // positions of keys, looked up for error messages only
}

// decode parses text, the config file at path. Only invalid TOML and a
// file whose tables do not fit the schema fail here; apply checks values.
func decode(path, text string) (*decoded, error) {
	if line, ok := checkNesting(text); !ok {
		return nil, &Error{Source: SourceFile, Name: path, Line: line,
			Message: fmt.Sprintf("nested more than %d deep (tables, arrays or dotted keys); a config file never needs that", maxNesting)}
	}
	d := &decoded{path: path, text: text}
	md, err := toml.Decode(text, &d.f)
	d.md = md
	pe, isParse := errors.AsType[toml.ParseError](err)
	if isParse && len(md.Keys()) == 0 { // the parser's, not the decoder's
		return nil, d.syntaxError(pe)
	}
	if err := d.misshapen(); err != nil { // also when toml fits it: [serve] takes a value as nothing
		return nil, err
	}
	if err != nil {
		return nil, d.shapeError(err)
	}
	return d, nil
}

// apply checks every setting of the file and copies it into c, with the
// source "file". It reports the first problem with its key and line: the
// [[operators]] first (the operator setting may name one), then the other
// keys in the order of the schema, then a key the schema does not know.
func (d *decoded) apply(c *Config) error {
	if err := d.applyOperators(c); err != nil {
		return err
	}
	for _, s := range settings(c, &d.f) {
		if s.v == nil {
			continue
		}
		text, shown, err := fileText(s.v, s.kinds, s.want)
		if err == nil {
			err = s.set(text, shown)
		}
		if err != nil {
			return d.fail(strings.Split(s.file, "."), err.Error())
		}
		c.Sources[s.key] = SourceFile
	}
	if d.f.StorePath != nil { // relative to the file's directory
		c.StorePath = resolveStorePath(c.StorePath, filepath.Dir(d.path))
	}
	if err := d.applyHeaders(c); err != nil {
		return err
	}
	if err := d.applyServe(c); err != nil {
		return err
	}
	return d.unknownKey()
}

// text checks that v is a TOML string and parses it.
func text(v any, parse func(string) (string, error)) (string, error) {
	s, err := textOf(v)
	if err != nil {
		return "", err
	}
	return parse(s)
}

// headerName checks an HTTP header name.
func headerName(s string) (string, error) {
	if !client.ValidHeaderName(s) {
		return "", fmt.Errorf("%q is not a valid HTTP header name", s)
	}
	return s, nil
}

// applyOperators checks the [[operators]] tables and sets c.Operators.
func (d *decoded) applyOperators(c *Config) error {
	if !d.md.IsDefined("operators") {
		return nil
	}
	ops := make([]Operator, 0, len(d.f.Operators))
	byCode, byName := map[int]Operator{}, map[string]Operator{}
	for i := range d.f.Operators {
		op, err := d.operator(i)
		if err != nil {
			return err
		}
		if o, dup := byCode[op.Code]; dup {
			return d.failIn(i, "code", fmt.Sprintf("%d is already the code of operator %q", op.Code, o.Name))
		}
		if o, dup := byName[strings.ToLower(op.Name)]; dup {
			return d.failIn(i, "name", fmt.Sprintf("%q is already the name of operator %d", op.Name, o.Code))
		}
		byCode[op.Code], byName[strings.ToLower(op.Name)] = op, op
		ops = append(ops, op)
	}
	c.Operators = ops
	c.Sources["operators"] = SourceFile
	return nil
}

// operator checks the i-th [[operators]] table.
func (d *decoded) operator(i int) (Operator, error) {
	fo := d.f.Operators[i]
	for _, k := range []string{"code", "name"} {
		if fo.field(k) == nil {
			return Operator{}, d.failIn(i, k, "missing: every [[operators]] needs a code and a name")
		}
	}
	var op Operator
	s, _, err := fileText(fo.Code, tomlString|tomlInt, "an operator code (a positive whole number, e.g. 311)")
	if err == nil {
		op.Code, err = client.ParseOperator(s) // a code here, never a name
	}
	if err != nil {
		return op, d.failIn(i, "code", err.Error())
	}
	if op.Name, err = text(fo.Name, operatorName); err != nil {
		return op, d.failIn(i, "name", err.Error())
	}
	if fo.VehicleRegex != nil {
		if op.VehicleRegex, err = text(fo.VehicleRegex, vehicleRegex); err != nil {
			return op, d.failIn(i, "vehicle_regex", err.Error())
		}
	}
	return op, nil
}

// operatorName checks an operator name: not empty, not a number (it would
// read as a code where users pick operators by name or code).
func operatorName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("must not be empty")
	}
	if _, err := strconv.Atoi(s); err == nil {
		return "", fmt.Errorf("%q must not be a number (it would read as an operator code)", s)
	}
	return s, nil
}

// vehicleRegex checks that a vehicle regex compiles.
func vehicleRegex(s string) (string, error) {
	if _, err := regexp.Compile(s); err != nil {
		detail := err.Error()
		if se, ok := errors.AsType[*syntax.Error](err); ok {
			detail = se.Code.String()
		}
		return "", fmt.Errorf("%q is not a valid regular expression: %s", s, detail)
	}
	return s, nil
}

// applyHeaders checks [auth.headers] (header name = "value") and sets
// c.Auth.Headers. Messages never show a value: each is a secret.
func (d *decoded) applyHeaders(c *Config) error {
	if d.f.Auth.Headers == nil {
		return nil
	}
	headers := make(map[string]string, len(d.f.Auth.Headers))
	seen := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(d.f.Auth.Headers)) {
		key := []string{"auth", "headers", name}
		s, err := textOf(d.f.Auth.Headers[name])
		canon := strings.ToLower(name)
		switch {
		case !client.ValidHeaderName(name):
			return d.fail(key, "is not a valid HTTP header name")
		case err != nil:
			return d.fail(key, err.Error())
		case !client.ValidHeaderValue(s):
			return d.fail(key, "value holds control characters (value not shown: it is a secret)")
		case seen[canon] != "":
			return d.fail(key, fmt.Sprintf("same header as %q (header names ignore case)", seen[canon]))
		}
		seen[canon] = name
		headers[name] = s
	}
	c.Auth.Headers = headers
	c.Sources["auth.headers"] = SourceFile
	return nil
}

// tableKeys lists the keys of each table of the schema (by its dotted
// name; "" is the top level) as the unknown-key message shows them. Keep
// it in step with the tags of file.
var tableKeys = map[string][]string{
	"":          {"base_url", "registration_id", "operator", "timeout", "history_limit", "store_path", "insecure_http_auth", "theme", "concurrency", "rate", "[[operators]]", "[auth]", "[serve]"},
	"operators": {"code", "name", "vehicle_regex"},
	"auth":      {"jwt_secret", "partner_id", "token_header", "[auth.headers]"},
	"serve":     serveKeyNames(),
}

// unknownKey reports the first key of the file that the schema does not
// name: one toml left undecoded, or one it decoded into a field under
// another spelling ("Timeout": toml matches fields case-insensitively, but
// TOML keys are case-sensitive and such a line should not half work).
func (d *decoded) unknownKey() error {
	undecoded := map[string]bool{}
	for _, k := range d.md.Undecoded() {
		undecoded[k.String()] = true
	}
	for _, k := range d.md.Keys() {
		table := k[:len(k)-1]
		known, ok := tableKeys[table.String()]
		if !undecoded[k.String()] && (!ok || slices.ContainsFunc(known, func(n string) bool { return keyName(n) == k[len(k)-1] })) {
			continue
		}
		for ; !ok; known, ok = tableKeys[table.String()] { // a key below one unknown: list the nearest table's
			table = table[:len(table)-1]
		}
		return d.fail(k, "unknown key (known: "+strings.Join(known, ", ")+")")
	}
	return nil
}

// keyName is the key of an entry of tableKeys: "[auth.headers]" -> "headers".
func keyName(entry string) string {
	entry = strings.Trim(entry, "[]")
	return entry[strings.LastIndexByte(entry, '.')+1:]
}

// misshapen explains a file that does not fit the schema: a value where a
// table belongs, or the reverse; nil when it fits.
func (d *decoded) misshapen() error {
	for _, s := range []struct {
		key   []string
		types []string // what md.Type may say; "" is a table made implicitly by a dotted key
		msg   string
	}{
		{[]string{"operators"}, []string{"ArrayHash", "Array"}, "must be an array of tables: [[operators]] with code and name"},
		{[]string{"auth"}, []string{"Hash", ""}, "must be a table: [auth]"},
		{[]string{"auth", "headers"}, []string{"Hash", ""}, `must be a table: [auth.headers] with lines like Authorisedkey = "..."`},
		{[]string{"serve"}, []string{"Hash", ""}, "must be a table: [serve]"},
	} {
		if d.md.IsDefined(s.key...) && !slices.Contains(s.types, d.md.Type(s.key...)) {
			return d.fail(s.key, s.msg)
		}
	}
	return nil
}

// shapeError explains a file toml could not fit to the schema that
// misshapen passed.
func (d *decoded) shapeError(err error) error {
	if d.md.Type("operators") == "Array" { // an inline array of something other than tables
		return d.fail([]string{"operators"}, "must be an array of tables: [[operators]] with code and name")
	}
	return &Error{Source: SourceFile, Name: d.path, Message: "invalid config", Err: err}
}

// syntaxError reports invalid TOML. The parser's message may quote the
// offending text, so it is withheld when that text may be a secret.
func (d *decoded) syntaxError(pe toml.ParseError) error {
	line := pe.Position.Line
	key := cmp.Or(keyEndingAt(d.text, pe.Position.Start, line), pe.LastKey)
	msg := "invalid TOML: " + pe.Message
	if mayHoldSecret(key, lineText(d.text, line)) {
		msg = "invalid TOML (details withheld: this part of the file may hold secrets)"
	}
	return &Error{Source: SourceFile, Name: d.path, Line: line, Key: key, Message: msg}
}

// mayHoldSecret reports whether a syntax error at key, on line, may quote a
// secret: anything about [auth], or a line that mentions one.
func mayHoldSecret(key, line string) bool {
	if key == "auth" || strings.HasPrefix(key, "auth.") {
		return true
	}
	l := strings.ToLower(line)
	return strings.Contains(l, "auth") || strings.Contains(l, "secret") || strings.Contains(l, "header")
}

// keyEndingAt names the key whose value the parser was reading at offset
// (on line) when it failed: the last key of the text before offset, when
// that text is valid TOML and the key is on the same line. It returns ""
// otherwise; the parser's own LastKey is the key before the bad line.
func keyEndingAt(text string, offset, line int) string {
	if offset <= 0 || offset > len(text) {
		return ""
	}
	prefix := text[:offset]
	var v map[string]any
	md, err := toml.Decode(prefix, &v)
	keys := md.Keys()
	if err != nil || len(keys) == 0 {
		return ""
	}
	k := keys[len(keys)-1]
	if newKeyLines(prefix).line(k) != line {
		return ""
	}
	return k.String()
}

// lineText is line (1-based) of text, or "".
func lineText(text string, line int) string {
	lines := strings.Split(text, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	return lines[line-1]
}

// fail is the error about key at the line toml recorded for it.
func (d *decoded) fail(key []string, msg string) error {
	return &Error{Source: SourceFile, Name: d.path, Line: d.keyLines().line(key), Key: toml.Key(key).String(), Message: msg}
}

// failIn is the error about key of the i-th [[operators]] table; a key
// the table lacks is pointed at by the table's line.
func (d *decoded) failIn(i int, key, msg string) error {
	at := key
	if d.f.Operators[i].field(key) == nil {
		at = ""
	}
	line, exact := d.elementLine(i, at)
	if !exact {
		msg += fmt.Sprintf(" (operator %d of %d)", i+1, len(d.f.Operators))
	}
	return &Error{Source: SourceFile, Name: d.path, Line: line, Key: "operators." + key, Message: msg}
}

// elementLine is the line of key ("" for the table itself) in the i-th
// [[operators]] table. toml keeps one position per key of an array of
// tables, that of the last table holding it, so it is exact only there;
// elsewhere it is the line of an inline array's start, or 0.
func (d *decoded) elementLine(i int, key string) (line int, exact bool) {
	path := []string{"operators"}
	if key != "" {
		path = append(path, key)
	}
	last := -1
	for j, fo := range d.f.Operators {
		if key == "" || fo.field(key) != nil {
			last = j
		}
	}
	switch {
	case i == last:
		return d.keyLines().line(path), true
	case d.md.Type("operators") == "Array":
		return d.keyLines().line([]string{"operators"}), false
	}
	return 0, false
}

// field is the value of one key of the table, nil when not set.
func (fo fileOperator) field(key string) any {
	return map[string]any{"code": fo.Code, "name": fo.Name, "vehicle_regex": fo.VehicleRegex}[key]
}

// keyLines returns the file's key positions, parsed on first use (only an
// error needs them).
func (d *decoded) keyLines() *keyLines {
	if d.lines == nil {
		d.lines = newKeyLines(d.text)
	}
	return d.lines
}

// keyLines finds the line toml recorded for a key. toml's MetaData keeps
// positions but offers them only in the ParseError that a value's
// UnmarshalTOML returns while it is decoded: so the text is decoded once
// more into Primitives, and the key's Primitive decoded into a probe whose
// UnmarshalTOML always fails.
type keyLines struct {
	md   toml.MetaData
	root map[string]toml.Primitive
}

// newKeyLines decodes text for line lookups; on invalid TOML every line is 0.
func newKeyLines(text string) *keyLines {
	kl := &keyLines{}
	md, err := toml.Decode(text, &kl.root)
	if err == nil {
		kl.md = md
	}
	return kl
}

// probe is decoded into to learn a key's position.
type probe struct{}

// UnmarshalTOML implements toml.Unmarshaler: it always fails, so that toml
// reports the position of the key being decoded.
func (probe) UnmarshalTOML(any) error { return errors.ErrUnsupported }

// line is the 1-based line of key, 0 when unknown. In an array of tables it
// is the key's line in the last table that has it.
func (kl *keyLines) line(key []string) int {
	if len(key) == 0 {
		return 0
	}
	prim, ok := kl.root[key[0]]
	for _, k := range key[1:] {
		if !ok {
			return 0
		}
		prim, ok = kl.child(prim, k)
	}
	if !ok {
		return 0
	}
	if pe, ok := errors.AsType[toml.ParseError](kl.md.PrimitiveDecode(prim, probe{})); ok {
		return pe.Position.Line
	}
	return 0
}

// child returns the value of key k in the table (or the last table of the
// array of tables) prim.
func (kl *keyLines) child(prim toml.Primitive, k string) (toml.Primitive, bool) {
	var tables []map[string]toml.Primitive
	if kl.md.PrimitiveDecode(prim, &tables) != nil {
		// Not an array: a table, or a value (toml decodes a non-table into
		// a map as nothing, without an error).
		var table map[string]toml.Primitive
		if kl.md.PrimitiveDecode(prim, &table) != nil {
			return toml.Primitive{}, false
		}
		tables = []map[string]toml.Primitive{table}
	}
	for _, t := range slices.Backward(tables) {
		if p, ok := t[k]; ok {
			return p, true
		}
	}
	return toml.Primitive{}, false
}
