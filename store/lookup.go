package store

import (
	"errors"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// The error kinds of a failed lookup that is not a *client.Error (whose
// kind is its client.Kind).
const (
	ErrorKindValidation = "validation" // the request was invalid; nothing was sent
	ErrorKindOther      = "error"      // any other failure
)

// NewLookup is the history entry of one lookup of req that returned res and
// err. It is stamped with the time of the answer when there was one (also
// the answer a *client.Error carries), else with now, in UTC. A successful
// lookup keeps the answer as its snapshot; a failed one keeps FailureOf err.
func NewLookup(req client.Request, res *client.Result, err error, now time.Time) Lookup {
	l := Lookup{Operator: req.Operator, CANumber: req.CANumber, RegistrationID: req.RegistrationID, At: now, OK: err == nil}
	if r := client.ResultOf(res, err); r != nil && !r.FetchedAt.IsZero() {
		l.At = r.FetchedAt
	}
	l.At = l.At.UTC()
	if err != nil {
		l.ErrorKind, l.ErrorMessage = FailureOf(err)
		return l
	}
	if res != nil {
		l.Snapshot = &Snapshot{Consumer: res.Consumer, FetchedAt: l.At}
	}
	return l
}

// FailureOf is the error kind and message a failed lookup is recorded
// with: a *client.Error's kind and message, ErrorKindValidation and the
// message of a *client.ValidationError, else ErrorKindOther and err's text.
func FailureOf(err error) (kind, message string) {
	var ce *client.Error
	if errors.As(err, &ce) {
		return string(ce.Kind), ce.Message
	}
	var ve *client.ValidationError
	if errors.As(err, &ve) {
		return ErrorKindValidation, ve.Error()
	}
	return ErrorKindOther, err.Error()
}
