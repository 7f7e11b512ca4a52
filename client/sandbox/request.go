package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// readRequest decodes and validates the body and returns its canumber as
// sent. On failure it returns the HTTP status (400 or 413) and a message for
// the client; status is 0 on success.
func readRequest(w http.ResponseWriter, r *http.Request) (string, int, string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
		return "", http.StatusRequestEntityTooLarge, "request body too large"
	} else if err != nil {
		return "", http.StatusBadRequest, "could not read the request body"
	}
	fields, ok := decodeObject(body)
	if !ok {
		return "", http.StatusBadRequest, "request body must be a JSON object"
	}
	canumber, msg := validate(fields)
	if msg != "" {
		return "", http.StatusBadRequest, msg
	}
	return canumber, 0, ""
}

// decodeObject parses exactly one JSON object (not null, nothing after it)
// into its raw fields.
func decodeObject(body []byte) (map[string]json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var fields map[string]json.RawMessage
	if dec.Decode(&fields) != nil || fields == nil {
		return nil, false
	}
	_, err := dec.Token()
	return fields, err == io.EOF
}

// validate checks presence and JSON types of the three fields and returns the
// canumber, or a message naming the first problem.
func validate(fields map[string]json.RawMessage) (canumber, problem string) {
	op, ok := fields["operator"]
	if !ok {
		return "", "missing field: operator"
	}
	if n, err := strconv.ParseInt(string(bytes.TrimSpace(op)), 10, 64); err != nil || n <= 0 {
		return "", "operator must be a positive integer"
	}
	if canumber, problem = stringField(fields, "canumber"); problem != "" {
		return "", problem
	}
	regID, problem := stringField(fields, "RegistrationID")
	switch {
	case problem != "":
		return "", problem
	case strings.TrimSpace(regID) == "":
		return "", "RegistrationID must not be empty"
	}
	return canumber, ""
}

// stringField returns the named field, which must be present and a JSON
// string, or a message saying it is not.
func stringField(fields map[string]json.RawMessage, name string) (s, problem string) {
	raw, ok := fields[name]
	if !ok {
		return "", "missing field: " + name
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", name + " must be a string"
	}
	return s, ""
}
