package sandbox

import (
	"encoding/json"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// dateLayout is how the provider writes dates.
const dateLayout = "2006-01-02"

// successMessage is the provider's message on a fetched bill.
const successMessage = "Bill Fetched Success."

// Generated due dates fall within these many days of today.
const (
	earliestDueDays = -20
	latestDueDays   = 40
)

// Name lists for generated consumers.
const (
	firstNameList = "AARAV ANANYA ARJUN DEEPAK DIVYA GURPREET HARISH KAVITA LAKSHMI MANOJ " +
		"MEERA MOHAMMED NEHA PRAKASH PRIYA RAHUL RAVI SANJAY SUNITA VIKRAM"
	middleNameList = "KUMAR SINGH LAL PRASAD DEVI"
	lastNameList   = "SHARMA VERMA SINGH PATEL REDDY NAIR IYER GUPTA KHAN DAS " +
		"JOSHI MEHTA RAO CHAUHAN BANERJEE PILLAI YADAV KAUR MISHRA THAKUR"
)

// style is how a response spells its values. Every style is something the
// provider's docs allow, so clients must decode all of them.
type style int

const (
	styleDoc        style = iota // like the doc's example: amounts as strings, integer code
	styleNumbers                 // amounts as JSON numbers (1250.5, 1000)
	styleCodeString              // response_code as the string "1"
	styleCodeAlias               // the code under "responsecode", the doc's 401 spelling
	styleBoolString              // accept flags as the strings "true" / "false"
)

// consumer is one bill the sandbox answers with.
type consumer struct {
	vehicle                      string
	name                         string
	paise                        int64 // amount in paise
	due                          time.Time
	acceptPayment, acceptPartPay bool
	style                        style
}

// generate derives a stable consumer from a normalised vehicle number: the
// same number gives the same consumer, and the same due date on the same day.
func (h *handler) generate(vehicle string, today time.Time) consumer {
	p := newPicker(vehicle)
	name := pick(p, h.first)
	if p.intn(4) == 0 {
		name += " " + pick(p, h.middle)
	}
	name += " " + pick(p, h.last)
	rupees := 150 + int64(p.intn(4850))
	paise := [...]int64{0, 0, 0, 50, 25, 75, 40, 99}[p.intn(8)]
	dueDays := earliestDueDays + p.intn(latestDueDays-earliestDueDays+1)
	styles := [...]style{styleDoc, styleDoc, styleDoc, styleDoc,
		styleNumbers, styleCodeString, styleCodeAlias, styleBoolString}
	return consumer{
		vehicle:       vehicle,
		name:          name,
		paise:         rupees*100 + paise,
		due:           today.AddDate(0, 0, dueDays),
		acceptPayment: p.intn(10) != 0,
		acceptPartPay: p.intn(2) == 0,
		style:         styles[p.intn(len(styles))],
	}
}

// successBody is a 200 answer in the doc's key order. Values that the
// provider spells in more than one way are raw JSON.
type successBody struct {
	ResponseCode      json.RawMessage `json:"response_code,omitempty"`
	ResponseCodeAlias json.RawMessage `json:"responsecode,omitempty"`
	Status            bool            `json:"status"`
	Amount            json.RawMessage `json:"amount"`
	Name              string          `json:"name"`
	DueDate           string          `json:"duedate"`
	BillFetch         billFetch       `json:"bill_fetch"`
	Message           string          `json:"message"`
}

// billFetch is the doc's bill_fetch object.
type billFetch struct {
	BillAmount    json.RawMessage `json:"billAmount"`
	BillNetAmount json.RawMessage `json:"billnetamount"`
	DueDate       string          `json:"dueDate"`
	MaxBillAmount json.RawMessage `json:"maxBillAmount"`
	AcceptPayment json.RawMessage `json:"acceptPayment"`
	AcceptPartPay json.RawMessage `json:"acceptPartPay"`
	CellNumber    string          `json:"cellNumber"`
	UserName      string          `json:"userName"`
}

// body renders the consumer as the provider's JSON in its style.
func (c consumer) body() []byte {
	amount := quote(decimalText(c.paise, true))
	maxAmount := quote(decimalText(c.paise, false))
	if c.style == styleNumbers {
		amount = json.RawMessage(decimalText(c.paise, false))
		maxAmount = amount
	}
	due := c.due.Format(dateLayout)
	b := successBody{
		Status:  true,
		Amount:  amount,
		Name:    c.name,
		DueDate: due,
		BillFetch: billFetch{
			BillAmount:    amount,
			BillNetAmount: amount,
			DueDate:       due,
			MaxBillAmount: maxAmount,
			AcceptPayment: c.flag(c.acceptPayment),
			AcceptPartPay: c.flag(c.acceptPartPay),
			CellNumber:    c.vehicle, // the doc puts the vehicle number here
			UserName:      c.name,
		},
		Message: successMessage,
	}
	code := json.RawMessage(strconv.Itoa(codeSuccess))
	switch c.style {
	case styleCodeString:
		b.ResponseCode = quote(string(code))
	case styleCodeAlias:
		b.ResponseCodeAlias = code
	default:
		b.ResponseCode = code
	}
	out, err := json.Marshal(b)
	if err != nil { // cannot happen: every raw value above is valid JSON
		panic(err)
	}
	return out
}

// flag spells a boolean in the consumer's style.
func (c consumer) flag(v bool) json.RawMessage {
	s := strconv.FormatBool(v)
	if c.style == styleBoolString {
		return quote(s)
	}
	return json.RawMessage(s)
}

// quote makes s, which is printable ASCII here, a JSON string.
func quote(s string) json.RawMessage {
	return json.RawMessage(strconv.Quote(s))
}

// decimalText writes paise as rupees with the shortest fraction: "1250.5",
// "1250.75", and for whole rupees "1000.0" (keepPoint, the doc's amount) or
// "1000" (the doc's maxBillAmount).
func decimalText(paise int64, keepPoint bool) string {
	whole := strconv.FormatInt(paise/100, 10)
	frac := strings.TrimRight(strconv.FormatInt(100+paise%100, 10)[1:], "0")
	switch {
	case frac != "":
		return whole + "." + frac
	case keepPoint:
		return whole + ".0"
	default:
		return whole
	}
}

// picker is a small deterministic stream of choices seeded by a string
// (FNV-1a, then SplitMix64), independent of Go's math/rand algorithms so
// generated consumers stay the same across Go releases.
type picker struct {
	state uint64
}

// newPicker seeds a picker with the FNV-1a hash of s.
func newPicker(s string) *picker {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s)) // never fails
	return &picker{state: h.Sum64()}
}

// intn returns the next choice in [0, n); n must be positive.
func (p *picker) intn(n int) int {
	p.state += 0x9e3779b97f4a7c15
	z := p.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z % uint64(n))
}

// pick returns the next choice from list.
func pick(p *picker, list []string) string {
	return list[p.intn(len(list))]
}
