package client

import (
	"bytes"

	"github.com/go-json-experiment/json/jsontext"
)

// MaxJSONDepth is the deepest nesting of arrays and objects accepted in an
// answer; the API's own answers are 2 deep. A deeper body is refused before
// it is decoded: it cannot be an answer, and each level costs the programs
// that show it (indented JSON grows with the square of the depth).
const MaxJSONDepth = 64

// tooDeep reports whether body nests arrays and objects more than
// MaxJSONDepth deep before it stops being JSON (jsontext has no option for
// the limit; its own is 10,000, encoding/json's too).
func tooDeep(body []byte) bool {
	dec := jsontext.NewDecoder(bytes.NewBuffer(body), // parsed in place, not copied
		jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	for {
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		if dec.StackDepth() > MaxJSONDepth {
			return true
		}
	}
}
