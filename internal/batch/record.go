package batch

import (
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

// RecordError is the error block of a --json record.
type RecordError struct {
	Kind         string `json:"kind"`
	Message      string `json:"message"`
	HTTPStatus   int    `json:"http_status"`
	ResponseCode int    `json:"response_code"`
}

// Record is the --json object of one lookup (also JSONL rows of batch): the
// request, the provider's answer and how the lookup went.
type Record struct {
	OK             bool   `json:"ok"`
	Operator       int    `json:"operator"`
	CANumber       string `json:"canumber"`
	RegistrationID string `json:"registration_id"`
	client.Consumer
	// Bill is Consumer.Bill again: in JSON it takes the place of
	// Consumer's "bill", which is left out when there is no bill, while a
	// record has always said "bill": null then.
	Bill      *client.Bill `json:"bill"`
	FetchedAt time.Time    `json:"fetched_at"`
	LatencyMS int64        `json:"latency_ms"`
	Raw       any          `json:"raw"` // the response as received: json.RawMessage when valid JSON, else string
	Error     *RecordError `json:"error,omitempty"`
}

// NewRecord builds the --json record of one lookup. When err is a
// *client.Error that carries the server's answer, the record holds it too.
// FetchedAt is the time of the answer, or now when there was none.
func NewRecord(req client.Request, res *client.Result, err error) Record {
	rec := Record{
		OK:             err == nil,
		Operator:       req.Operator,
		CANumber:       req.CANumber,
		RegistrationID: req.RegistrationID,
	}
	res = client.ResultOf(res, err)
	if res != nil {
		rec.Consumer, rec.Bill = res.Consumer, res.Consumer.Bill
		rec.FetchedAt = res.FetchedAt
		rec.LatencyMS = res.Latency.Milliseconds()
		rec.Raw = rawJSON(res.Raw)
	}
	if rec.FetchedAt.IsZero() {
		rec.FetchedAt = time.Now()
	}
	rec.FetchedAt = rec.FetchedAt.UTC()
	if err != nil {
		rec.Error = recordError(err)
	}
	return rec
}

// rawJSON returns body as a json.RawMessage when it is valid JSON, as a
// string otherwise, and nil when it is empty. Invalid UTF-8 (which
// json.Valid accepts inside strings) becomes U+FFFD byte by byte, as
// encoding/json does for the other fields, so the output is always UTF-8.
func rawJSON(body []byte) any {
	if len(body) == 0 {
		return nil
	}
	if !json.Valid(body) {
		return string(body)
	}
	out := make([]byte, 0, len(body))
	for _, r := range string(body) { // an invalid byte ranges as one U+FFFD
		out = utf8.AppendRune(out, r)
	}
	return json.RawMessage(out)
}

// recordError builds the error block of err: the kind and message it is
// recorded with in history too, and the HTTP status and response code of a
// *client.Error.
func recordError(err error) *RecordError {
	re := &RecordError{}
	re.Kind, re.Message = store.FailureOf(err)
	if ce, ok := errors.AsType[*client.Error](err); ok {
		re.HTTPStatus, re.ResponseCode = ce.HTTPStatus, ce.ResponseCode
	}
	return re
}
