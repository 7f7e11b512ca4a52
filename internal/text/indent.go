package text

import (
	"bytes"
	"errors"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// MaxIndentDepth is how many levels of nesting IndentJSON lays out, one
// line a value; anything deeper stays on one line.
const MaxIndentDepth = 10

// indentUnit is one level of indentation.
const indentUnit = "  "

// IndentJSON lays JSON out as json.Indent does with two-space indentation,
// but only MaxIndentDepth levels deep: deeper values are written compactly
// on their parent's line, so the output grows linearly with the input
// (json.Indent's grows with the square of the depth: a 20 KB body nested
// 10,000 deep becomes 200 MB). Strings, numbers and literals are copied as
// they are (escapes kept, invalid UTF-8 untouched), and the output ends
// in a line break. Anything but one JSON value is an error.
func IndentJSON(src []byte) ([]byte, error) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(src),
		jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	out := make([]byte, 0, len(src)+len(src)/2)
	for done := false; ; {
		kind := dec.PeekKind()
		depth := dec.StackDepth()
		switch {
		case kind == 0:
			_, err := dec.ReadToken()
			if errors.Is(err, io.EOF) && done {
				return append(out, '\n'), nil
			}
			if err == nil || errors.Is(err, io.EOF) { // the JSON ended early
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		case done:
			return nil, errors.New("more than one JSON value")
		}
		container, n := dec.StackIndex(depth)
		out = appendSeparator(out, kind, container, n, depth)
		switch kind {
		case '{', '[', '}', ']':
			if _, err := dec.ReadToken(); err != nil {
				return nil, err
			}
			out = append(out, byte(kind))
		default:
			v, err := dec.ReadValue()
			if err != nil {
				return nil, err
			}
			out = append(out, v...)
		}
		done = dec.StackDepth() == 0
	}
}

// appendSeparator writes what goes before the next token of kind, the n+1st
// in a container of kind container at depth: ": " after an object's name,
// "," between values, a line break and indentation while depth is at most
// MaxIndentDepth.
func appendSeparator(out []byte, kind, container jsontext.Kind, n int64, depth int) []byte {
	layout := depth > 0 && depth <= MaxIndentDepth
	switch {
	case depth == 0:
		return out
	case kind == '}' || kind == ']':
		if layout && n > 0 {
			out = appendNewline(out, depth-1)
		}
		return out
	case container == '{' && n%2 == 1:
		if layout {
			return append(out, ':', ' ')
		}
		return append(out, ':')
	case n > 0:
		out = append(out, ',')
	}
	if layout {
		out = appendNewline(out, depth)
	}
	return out
}

// appendNewline writes a line break and depth levels of indentation.
func appendNewline(out []byte, depth int) []byte {
	out = append(out, '\n')
	for range depth {
		out = append(out, indentUnit...)
	}
	return out
}
