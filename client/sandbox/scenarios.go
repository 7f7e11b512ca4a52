package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

// Scenario vehicle numbers.
const (
	VehicleSuccess  = "DL12CB4685" // the doc's 200 example
	VehicleAuth     = "DL01AA0401" // 401 "Signature verification failed"
	VehicleNotFound = "DL01AA0404" // status false, vehicle not found
	VehicleOverdue  = "DL01AA0001" // overdue bill
	VehicleDueSoon  = "DL01AA0007" // due in a few days, no part payment
	VehicleSlow     = "DL01AA5000" // answers after 5 s
	VehicleUpstream = "DL01AA0502" // 502 HTML page

	// VehicleAny stands for every other valid vehicle number in Scenarios;
	// it is not itself a valid number.
	VehicleAny = "*"
)

// Response codes the sandbox sends. 1 and 10 are the doc's; the others are
// the sandbox's own choice for failures the doc does not list.
const (
	codeSuccess        = 1
	codeNotFound       = 2
	codeInvalidVehicle = 3
	codeBadRequest     = 4
	codeAuth           = 10
)

// Days relative to today of the fixed dated scenarios.
const (
	overdueDays = 12
	dueSoonDays = 3
)

// docSuccessBody is the doc's 200 example, byte for byte.
const docSuccessBody = `{
  "response_code": 1,
  "status": true,
  "amount": "1000.0",
  "name": "NITESH  KUMAR SHARMA",
  "duedate": "2021-09-20",
  "bill_fetch": {
    "billAmount": "1000.0",
    "billnetamount": "1000.0",
    "dueDate": "2021-09-20",
    "maxBillAmount": "1000",
    "acceptPayment": true,
    "acceptPartPay": true,
    "cellNumber": "DL12CB4685",
    "userName": "NITESH  KUMAR SHARMA"
  },
  "message": "Bill Fetched Success."
}`

// docAuthBody is the doc's 401 example, byte for byte.
const docAuthBody = `{
  "status": false,
  "response_code": 10,
  "message": "Signature verification failed"
}`

// badGatewayPage is what an nginx in front of a dead backend sends.
const badGatewayPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// Scenario describes one fixed behaviour for docs and the demo notice.
type Scenario struct {
	Vehicle     string
	Description string
}

// Scenarios lists the fixed scenarios in display order; the last entry,
// VehicleAny, describes what every other valid vehicle number gets.
func Scenarios() []Scenario {
	return []Scenario{
		{VehicleSuccess, "the provider's documented example: a bill of 1000.0, part payment accepted"},
		{VehicleAuth, `HTTP 401 "Signature verification failed" (the doc's 401 example)`},
		{VehicleNotFound, "vehicle not found: status false with the provider's message"},
		{VehicleOverdue, "a bill overdue by 12 days"},
		{VehicleDueSoon, "a bill due in 3 days that does not accept part payment"},
		{VehicleSlow, "answers after 5 s, to watch the loading view and cancel it"},
		{VehicleUpstream, "HTTP 502 with an nginx HTML error page (an upstream failure)"},
		{VehicleAny, "any other valid number (1-20 letters and digits): a stable generated consumer"},
	}
}

// answer writes the response of the scenario for the sent canumber. Dates
// are relative to the day the request arrived.
func (h *handler) answer(ctx context.Context, w http.ResponseWriter, canumber string) {
	vehicle, _, err := client.NormalizeVehicle(canumber)
	now := h.opts.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch {
	case err != nil:
		writeFailure(w, http.StatusOK, codeInvalidVehicle,
			"Invalid vehicle number: use 1 to 20 letters and digits")
	case vehicle == VehicleSuccess:
		writeJSON(w, http.StatusOK, []byte(docSuccessBody))
	case vehicle == VehicleAuth:
		writeJSON(w, http.StatusUnauthorized, []byte(docAuthBody))
	case vehicle == VehicleNotFound:
		writeFailure(w, http.StatusOK, codeNotFound, "Vehicle not found or not linked to this operator")
	case vehicle == VehicleUpstream:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(badGatewayPage))
	case vehicle == VehicleOverdue, vehicle == VehicleDueSoon:
		writeJSON(w, http.StatusOK, datedConsumer(vehicle, today).body())
	case vehicle == VehicleSlow:
		wait(ctx, h.opts.SlowDelay)
		fallthrough
	default:
		writeJSON(w, http.StatusOK, h.generate(vehicle, today).body())
	}
}

// datedConsumer is the bill of VehicleOverdue, due overdueDays before today,
// or of VehicleDueSoon, due dueSoonDays after today without part payment.
func datedConsumer(vehicle string, today time.Time) consumer {
	if vehicle == VehicleOverdue {
		return consumer{vehicle: vehicle, name: "RAJESH KUMAR VERMA", paise: 245075,
			due: today.AddDate(0, 0, -overdueDays), acceptPayment: true, acceptPartPay: true}
	}
	return consumer{vehicle: vehicle, name: "ANITA DESAI", paise: 89900,
		due: today.AddDate(0, 0, dueSoonDays), acceptPayment: true}
}

// failure is the body of every status-false answer, in the doc's key order.
type failure struct {
	Status       bool   `json:"status"`
	ResponseCode int    `json:"response_code"`
	Message      string `json:"message"`
}

// writeFailure writes a status-false JSON body with the given HTTP status.
func writeFailure(w http.ResponseWriter, status, code int, message string) {
	body, _ := json.Marshal(failure{Status: false, ResponseCode: code, Message: message}) // a bool, an int and a string
	writeJSON(w, status, body)
}

// writeError writes a request error (400, 404, 405, 413) as a JSON failure.
func writeError(w http.ResponseWriter, status int, message string) {
	writeFailure(w, status, codeBadRequest, message)
}

// writeJSON writes body as application/json with the given status.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // a write error means the client left
}
