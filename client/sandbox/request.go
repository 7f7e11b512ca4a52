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
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", http.StatusRequestEntityTooLarge, "request body too large"
		}
		return "", http.StatusBadRequest, "could not read the request body"
	}
	fields, err := decodeObject(body)
	if err != nil {
		return "", http.StatusBadRequest, "request body must be a JSON object"
	}
	canumber, msg := validate(fields)
	if msg != "" {
		return "", http.StatusBadRequest, msg
	}
	return canumber, 0, ""
}

// decodeObject parses exactly one JSON object into its raw fields.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		return nil, err
	}
	if fields == nil {
		return nil, errors.New("null body")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return fields, nil
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
	canumber, err := stringField(fields, "canumber")
	if err != nil {
		return "", err.Error()
	}
	regID, err := stringField(fields, "RegistrationID")
	if err != nil {
		return "", err.Error()
	}
	if strings.TrimSpace(regID) == "" {
		return "", "RegistrationID must not be empty"
	}
	return canumber, ""
}

// stringField returns the named field, which must be present and a JSON string.
func stringField(fields map[string]json.RawMessage, name string) (string, error) {
	raw, ok := fields[name]
	if !ok {
		return "", errors.New("missing field: " + name)
	}
	var s string
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", errors.New(name + " must be a string")
	}
	return s, nil
}
