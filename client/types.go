// Package client talks to AOPay's Fetch Consumer Details API: request and
// response types, the HTTP client, auth signing, error classes and
// vehicle-number normalisation. It knows nothing of terminals or files
// (showing its strings to people is package text's job).
package client

import (
	"cmp"
	"time"
)

// DefaultBaseURL is the provider's production base URL.
const DefaultBaseURL = "https://api.aopay.co.in"

// EndpointPath is the path of the Fetch Consumer Details endpoint.
const EndpointPath = "/api/AOP/FetchConsumerDetails"

// Request is one lookup: the body the provider expects.
type Request struct {
	Operator       int    `json:"operator"`
	CANumber       string `json:"canumber"`
	RegistrationID string `json:"RegistrationID"`
}

// Bill is the provider's bill_fetch block, normalised.
type Bill struct {
	BillAmount    string `json:"bill_amount"`
	BillNetAmount string `json:"bill_net_amount"`
	DueDate       string `json:"due_date"`
	MaxBillAmount string `json:"max_bill_amount"`
	AcceptPayment bool   `json:"accept_payment"`
	AcceptPartPay bool   `json:"accept_part_pay"`
	CellNumber    string `json:"cell_number"`
	UserName      string `json:"user_name"`
}

// Consumer is the normalised answer of the provider. Strings are kept as the
// server sent them (not sanitised: sanitise at display time); amounts keep
// the decimal text the server sent.
type Consumer struct {
	ResponseCode int    `json:"response_code"`
	Status       bool   `json:"status"`
	Message      string `json:"message"`
	Name         string `json:"name"`
	Amount       string `json:"amount"`
	DueDate      string `json:"due_date"`
	Bill         *Bill  `json:"bill,omitempty"`
}

// Result is one decoded response with its metadata.
type Result struct {
	Request    Request
	Consumer   Consumer
	HTTPStatus int
	// Raw is the response body exactly as received (capped at MaxBodyBytes).
	Raw       []byte
	FetchedAt time.Time
	Latency   time.Duration
}

// Kind is an error class.
type Kind string

// The error classes of a failed lookup.
const (
	KindAPI       Kind = "api"       // the provider answered and said no
	KindAuth      Kind = "auth"      // HTTP 401 or code 10/11
	KindUpstream  Kind = "upstream"  // 5xx, non-JSON body, oversized body, redirect
	KindNetwork   Kind = "network"   // DNS, connect, TLS, reset
	KindTimeout   Kind = "timeout"   // the whole-request timeout expired
	KindCancelled Kind = "cancelled" // the caller cancelled
)

// ShownName is the name to show: the consumer's name, else the bill's user
// name. The TUI and the CLI both use it, so they never disagree.
func (c Consumer) ShownName() string { return cmp.Or(c.Name, c.bill().UserName) }

// ShownAmount is the amount to show: the top-level amount, else the bill's.
func (c Consumer) ShownAmount() string { return cmp.Or(c.Amount, c.bill().BillAmount) }

// ShownDueDate is the due date to show: the top-level one, else the bill's.
func (c Consumer) ShownDueDate() string { return cmp.Or(c.DueDate, c.bill().DueDate) }

// bill is c.Bill, or an empty bill when there is none.
func (c Consumer) bill() Bill {
	if c.Bill == nil {
		return Bill{}
	}
	return *c.Bill
}
