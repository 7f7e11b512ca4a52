package config

import "strings"

// maxNesting bounds how deep config.toml may nest tables, arrays and the
// parts of a dotted key. A real config nests 3 deep at most.
const maxNesting = 32

// checkNesting reports whether text nests at most maxNesting deep and, if
// not, the line where it goes deeper. toml's decoder spends time and memory
// quadratic in the depth (every key remembers its whole path: a 80 KB file
// of inline tables nested 20,000 deep took 162 s and 19.5 GB to fail), so
// the file is measured before it is parsed, in one linear pass.
//
// It is not a TOML parser: it skips strings and comments and counts open
// brackets and braces, plus the dots of the dotted key (or table name)
// being read. What it cannot tell (an unterminated string) it leaves to the
// parser, which reports it.
func checkNesting(text string) (line int, ok bool) {
	line = 1
	depth, dots := 0, 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\n':
			line++
			dots = 0
		case '#':
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return line, true
			}
			i += j - 1 // the newline is counted next
		case '"', '\'':
			end, lines := skipString(text, i)
			if end < 0 {
				return line, true
			}
			i, line = end, line+lines
		case '[', '{':
			depth++
			dots = 0
		case ']', '}':
			depth = max(0, depth-1)
			dots = 0
		case '=', ',':
			dots = 0
		case '.':
			dots++
		}
		if depth+dots > maxNesting {
			return line, false
		}
	}
	return line, true
}

// skipString returns the index of the last byte of the string that starts
// at text[i] (a quote) and the newlines in it, or -1 when it does not end.
func skipString(text string, i int) (end, lines int) {
	q := text[i : i+1]
	multi := strings.HasPrefix(text[i:], q+q+q) // """…""" or '''…'''
	j := i + 1
	if multi {
		j = i + 3
	}
	for ; j < len(text); j++ {
		switch {
		case text[j] == '\\' && q == `"`:
			if multi && j+1 < len(text) && text[j+1] == '\n' {
				lines++
			}
			j++
		case text[j] == '\n':
			if !multi {
				return -1, 0 // strings end on their line: let the parser say so
			}
			lines++
		case !multi && text[j:j+1] == q:
			return j, 0
		case multi && strings.HasPrefix(text[j:], q+q+q):
			// Up to two more quotes may end the string's content ("""a"""").
			j += 3
			for k := 0; k < 2 && j < len(text) && text[j:j+1] == q; k++ {
				j++
			}
			return j - 1, lines
		}
	}
	return -1, 0
}
