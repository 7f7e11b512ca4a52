package config

import (
	"slices"
	"strings"
)

// Locating keys in the config text for error messages. toml reports
// positions for syntax errors and for top-level values, but not per element
// of an array of tables, and not for keys it never saw (unknown keys come
// from MetaData.Undecoded without a position). This scanner understands the
// plain layout people write (table headers, `key = value` lines, dotted and
// quoted keys); where it cannot tell (inline tables, multi-line strings) it
// answers 0 and the message goes without a line or with toml's.

// lineInfo is what one line of the file sets.
type lineInfo struct {
	table []string // table the line belongs to (a header's own table)
	key   []string // full dotted key the line sets or opens; nil for other lines
	elem  int      // 0-based element of the array of tables the line is in; -1 outside one
}

// scanLines describes every line of text.
func scanLines(text string) []lineInfo {
	lines := strings.Split(text, "\n")
	infos := make([]lineInfo, len(lines))
	var table []string
	elem := -1
	counts := map[string]int{}
	for i, line := range lines {
		key, header := lineKey(strings.TrimSpace(line))
		switch {
		case header == "[[":
			table = key
			id := strings.Join(key, "\x00")
			counts[id]++
			elem = counts[id] - 1
		case header == "[":
			table, elem = key, -1
		case key != nil:
			key = append(slices.Clone(table), key...)
		}
		infos[i] = lineInfo{table: table, key: key, elem: elem}
	}
	return infos
}

// keyLine returns the 1-based line that sets key or opens it as a table; nth
// selects the element of the array of tables holding it (0-based, -1 = any).
// It returns 0 when it cannot tell.
func keyLine(text string, key []string, nth int) int {
	for i, li := range scanLines(text) {
		if slices.Equal(li.key, key) && (nth < 0 || li.elem == nth) {
			return i + 1
		}
	}
	return 0
}

// lineAt describes line (1-based) of text.
func lineAt(text string, line int) (lineInfo, bool) {
	infos := scanLines(text)
	if line < 1 || line > len(infos) {
		return lineInfo{}, false
	}
	return infos[line-1], true
}

// secretContext reports whether line (1-based) of text, where the parser
// stopped after lastKey, may hold a secret: anything about [auth].
func secretContext(text string, line int, lastKey string) bool {
	if lastKey == "auth" || strings.HasPrefix(lastKey, "auth.") {
		return true
	}
	li, ok := lineAt(text, line)
	if !ok {
		return false
	}
	raw := strings.ToLower(strings.Split(text, "\n")[line-1])
	return slices.Contains(li.table, "auth") || slices.Contains(li.key, "auth") ||
		strings.Contains(raw, "auth") || strings.Contains(raw, "secret") || strings.Contains(raw, "header")
}

// lineKey returns the key a trimmed line sets (relative to its table) or the
// table it opens, with header "[" or "[[" for table headers.
func lineKey(l string) (key []string, header string) {
	var rest string
	switch {
	case strings.HasPrefix(l, "[["):
		key, rest = readKey(l[2:])
		header = "[["
	case strings.HasPrefix(l, "["):
		key, rest = readKey(l[1:])
		header = "["
	default:
		key, rest = readKey(l)
		if !strings.HasPrefix(rest, "=") {
			return nil, ""
		}
		return key, ""
	}
	if key == nil || !strings.HasPrefix(rest, strings.Repeat("]", len(header))) {
		return nil, ""
	}
	return key, header
}

// readKey reads a dotted TOML key at the start of s, up to '=' or ']'; it
// returns nil when s does not start with one.
func readKey(s string) (key []string, rest string) {
	var part strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, ""
			}
			part.WriteString(s[i+1 : i+1+j])
			i += j + 1
			quoted = true
		case c == ' ' || c == '\t':
		case c == '.' || c == '=' || c == ']':
			if part.Len() == 0 && !quoted {
				return nil, ""
			}
			key = append(key, part.String())
			part.Reset()
			quoted = false
			if c != '.' {
				return key, s[i:]
			}
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-':
			part.WriteByte(c)
		default:
			return nil, ""
		}
	}
	return nil, ""
}
