package client

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/aopfetch/aopfetch/internal/text"
)

// Message and snippet lengths, in characters.
const (
	maxMessageLen = 300
	snippetLen    = 200
	// snippetScan bounds how much of a large body is looked at for a snippet.
	snippetScan = 8 << 10
)

// wireBody is the provider's response as sent, every field still raw so that
// strings-as-numbers and numbers-as-strings both decode. encoding/json
// matches keys case-insensitively, which tolerates "Status" or "Message".
type wireBody struct {
	ResponseCode    json.RawMessage `json:"response_code"`
	ResponseCodeAlt json.RawMessage `json:"responsecode"`
	Status          json.RawMessage `json:"status"`
	Message         json.RawMessage `json:"message"`
	Name            json.RawMessage `json:"name"`
	Amount          json.RawMessage `json:"amount"`
	DueDate         json.RawMessage `json:"duedate"`
	BillFetch       json.RawMessage `json:"bill_fetch"`
}

// wireBill is the provider's bill_fetch block, fields still raw.
type wireBill struct {
	BillAmount    json.RawMessage `json:"billAmount"`
	BillNetAmount json.RawMessage `json:"billnetamount"`
	DueDate       json.RawMessage `json:"dueDate"`
	MaxBillAmount json.RawMessage `json:"maxBillAmount"`
	AcceptPayment json.RawMessage `json:"acceptPayment"`
	AcceptPartPay json.RawMessage `json:"acceptPartPay"`
	CellNumber    json.RawMessage `json:"cellNumber"`
	UserName      json.RawMessage `json:"userName"`
}

// answer is a decoded body plus what was present in it.
type answer struct {
	form       bodyForm // the rest is set only for formObject
	consumer   Consumer
	hasStatus  bool // status was a boolean (or boolean text)
	hasCode    bool // a response code was a number (or number text)
	hasMessage bool
	// badCode is a response code that was sent but is not a whole number
	// (e.g. "pending" or 99999999999999999999999); empty when hasCode.
	badCode string
}

// decodeResponse decodes a response body tolerantly and classifies it (see
// classify). The returned Result is never nil and Raw always holds body.
//
// The answer may echo the credentials sent: every secret is redacted from
// Raw and the decoded strings before any message or snippet is cut from
// them, so not even a prefix of one survives. The structure is decoded from
// the body as received.
func decodeResponse(httpStatus int, body []byte, secrets []string) (*Result, error) {
	shown := redactBody(body, secrets)
	res := &Result{HTTPStatus: httpStatus, Raw: shown}
	ans := decodeAnswer(body)
	ans.consumer = redactConsumer(ans.consumer, secrets)
	res.Consumer = ans.consumer
	return res, classify(httpStatus, ans, shown, res)
}

// bodyForm is what a body is, as far as decoding goes.
type bodyForm int

const (
	formObject  bodyForm = iota // a JSON object, decoded
	formNotJSON                 // not JSON (or empty)
	formOther                   // JSON, but not an object
	formTooDeep                 // nested more than MaxJSONDepth deep
)

// decodeAnswer decodes body, which is an answer only when its form is
// formObject.
func decodeAnswer(body []byte) answer {
	var w wireBody
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	switch {
	case len(trimmed) == 0:
		return answer{form: formNotJSON}
	case tooDeep(trimmed):
		return answer{form: formTooDeep}
	case trimmed[0] != '{' || json.Unmarshal(trimmed, &w) != nil:
		if json.Valid(trimmed) {
			return answer{form: formOther}
		}
		return answer{form: formNotJSON}
	}
	var a answer
	c := &a.consumer
	c.Status, a.hasStatus = jsonBool(w.Status)
	c.ResponseCode, a.hasCode = jsonInt(w.ResponseCode)
	if !a.hasCode {
		c.ResponseCode, a.hasCode = jsonInt(w.ResponseCodeAlt)
	}
	if !a.hasCode {
		a.badCode = sentValue(w.ResponseCode, w.ResponseCodeAlt)
	}
	c.Message, a.hasMessage = jsonText(w.Message)
	c.Name, _ = jsonText(w.Name)
	c.Amount, _ = jsonText(w.Amount)
	c.DueDate, _ = jsonText(w.DueDate)
	c.Bill = decodeBill(w.BillFetch)
	return a
}

// decodeBill decodes bill_fetch; nil when missing, null or not an object.
func decodeBill(raw json.RawMessage) *Bill {
	var w wireBill
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &w) != nil {
		return nil
	}
	b := &Bill{}
	b.BillAmount, _ = jsonText(w.BillAmount)
	b.BillNetAmount, _ = jsonText(w.BillNetAmount)
	b.DueDate, _ = jsonText(w.DueDate)
	b.MaxBillAmount, _ = jsonText(w.MaxBillAmount)
	b.AcceptPayment, _ = jsonBool(w.AcceptPayment)
	b.AcceptPartPay, _ = jsonBool(w.AcceptPartPay)
	b.CellNumber, _ = jsonText(w.CellNumber)
	b.UserName, _ = jsonText(w.UserName)
	return b
}

// jsonText returns a string value as is, or a number's text exactly as sent
// (never through float64). Other types give "", false.
func jsonText(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return "", false
		}
		return n.String(), true
	}
	return "", false
}

// sentValue returns the text of the first value that was sent, not null and
// not "", or "" when there is none.
func sentValue(raws ...json.RawMessage) string {
	for _, raw := range raws {
		s, ok := jsonText(raw)
		if !ok {
			s = string(raw)
		}
		if s = strings.TrimSpace(s); s != "" && s != "null" {
			return s
		}
	}
	return ""
}

// jsonBool accepts true/false, 1/0 and their text forms.
func jsonBool(raw json.RawMessage) (bool, bool) {
	s, ok := jsonText(raw)
	if !ok {
		s = string(raw) // a literal
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// jsonInt accepts an integer as a number or text; "1.0" counts as 1.
func jsonInt(raw json.RawMessage) (int, bool) {
	s, ok := jsonText(raw)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// classify turns a decoded answer into nil (success) or an *Error, trying
// its cases in order: a body that is no JSON object (or too deep) is
// upstream except for HTTP 401; success needs status true, code 1 or none,
// and HTTP 2xx; what is left is the provider's refusal (api).
func classify(httpStatus int, a answer, body []byte, res *Result) error {
	c := a.consumer
	code := c.ResponseCode // 0 unless a.hasCode
	msg := text.OneLine(c.Message, maxMessageLen)
	e := &Error{HTTPStatus: httpStatus, ResponseCode: code, Result: res}
	switch {
	case a.form != formObject && httpStatus != 401:
		e.Kind, e.Hint, e.Snippet = KindUpstream, upstreamHint(httpStatus), snippet(body)
		e.Message = "the server answered " + httpStatusText(httpStatus) + " with " + notAnswer(body, a.form)
	case httpStatus == 401 || (a.hasCode && (code == 10 || code == 11)):
		e.Kind, e.Hint = KindAuth, HintAuth
		e.Message = cmp.Or(msg, "the provider rejected the credentials ("+httpStatusText(httpStatus)+")")
		if a.form != formObject {
			e.Snippet = snippet(body)
		}
	case httpStatus >= 500:
		e.Kind, e.Hint, e.Snippet = KindUpstream, hintUpstream, snippet(body)
		e.Message = "the server answered " + httpStatusText(httpStatus)
		if msg != "" {
			e.Message += ": " + msg
		}
	case c.Status && a.badCode != "":
		// Success needs code 1 or none at all; a code we cannot read is neither.
		e.Kind, e.Hint, e.Snippet = KindUpstream, hintUpstream, snippet(body)
		e.Message = "the server answered " + httpStatusText(httpStatus) +
			" with a response code that is not a whole number (" + text.OneLine(a.badCode, 40) + ")"
	case c.Status && (!a.hasCode || code == 1) && httpStatus >= 200 && httpStatus < 300:
		return nil
	case !a.hasStatus && !a.hasCode && !a.hasMessage:
		e.Kind, e.Hint, e.Snippet = KindUpstream, upstreamHint(httpStatus), snippet(body)
		e.Message = "the server answered " + httpStatusText(httpStatus) + " with JSON that is not a Fetch Consumer Details answer"
	default:
		e.Kind, e.Hint = KindAPI, hintAPI
		e.Message = cmp.Or(msg, apiDefaultMessage(httpStatus, a))
	}
	if httpStatus == http.StatusTooManyRequests {
		e.Hint = hintRateLimited
	}
	return e
}

// apiDefaultMessage describes a refusal that came without a message.
func apiDefaultMessage(httpStatus int, a answer) string {
	if a.hasCode {
		return fmt.Sprintf("the provider declined the lookup (response code %d, %s)", a.consumer.ResponseCode, httpStatusText(httpStatus))
	}
	return "the provider declined the lookup (" + httpStatusText(httpStatus) + ")"
}

// notAnswer says what a body that is not a JSON object (of at most
// MaxJSONDepth levels) is.
func notAnswer(body []byte, form bodyForm) string {
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return "an empty body"
	case form == formTooDeep:
		return fmt.Sprintf("JSON nested more than %d levels deep, refused (an answer is 2 deep)", MaxJSONDepth)
	case form == formOther:
		return "JSON that is not a Fetch Consumer Details answer (not an object)"
	}
	return "a body that is not JSON"
}

// upstreamHint is the hint of an answer that is not the API's: a 5xx is an
// outage to wait out; anything else (an HTML page with 200 or 404, a
// foreign JSON) more likely means the base URL points somewhere else.
func upstreamHint(httpStatus int) string {
	if httpStatus >= 500 {
		return hintUpstream
	}
	return hintNotAPI
}

// snippet is the first 200 characters of body, sanitised to one line.
func snippet(body []byte) string {
	return text.OneLine(string(body[:min(len(body), snippetScan)]), snippetLen)
}

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
