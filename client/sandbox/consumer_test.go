package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client/sandbox"
)

func TestGeneratedConsumerIsStable(t *testing.T) {
	a, b := sandbox.New(testOptions()), sandbox.New(testOptions())
	for _, v := range []string{"MH12AB1234", "22BH1234AA", "T0324KA1234A", "KA01A1234TC0001", "X"} {
		first := fetch(a, v).Body.String()
		if again := fetch(a, v).Body.String(); again != first {
			t.Errorf("%s: second lookup differs:\n%s\n%s", v, first, again)
		}
		if other := fetch(b, v).Body.String(); other != first {
			t.Errorf("%s: another handler answers differently:\n%s\n%s", v, first, other)
		}
	}
	if x, y := fetch(a, "mh-12 ab.1234").Body.String(), fetch(a, "MH12AB1234").Body.String(); x != y {
		t.Errorf("spellings of one number answer differently:\n%s\n%s", x, y)
	}
	if x, y := fetch(a, "MH12AB1234").Body.String(), fetch(a, "MH12AB1235").Body.String(); x == y {
		t.Errorf("different numbers got the same consumer")
	}
}

func TestGeneratedDueDateMovesWithToday(t *testing.T) {
	tomorrow := testOptions()
	tomorrow.Now = func() time.Time { return testNow().AddDate(0, 0, 1) }
	due := func(o sandbox.Options) time.Time {
		m := decode(t, fetch(sandbox.New(o), "MH12AB1234").Body.Bytes())
		d, err := time.Parse("2006-01-02", m["duedate"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if got, want := due(tomorrow), due(testOptions()).AddDate(0, 0, 1); !got.Equal(want) {
		t.Errorf("due date tomorrow = %v, want %v", got, want)
	}
}

// shape records which of the doc-legal spellings a generated answer used.
type shape struct {
	codeString, codeAlias, amountNumber, boolString bool
}

var (
	decimalRe = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)
	nameRe    = regexp.MustCompile(`^[A-Z]+( [A-Z]+){1,2}$`)
)

// checkGenerated validates one generated answer against the doc's shape and
// the generator's promises, and returns its spellings.
func checkGenerated(t *testing.T, vehicle string, body []byte) shape {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: %v", vehicle, err)
	}
	var s shape
	code, ok := m["response_code"]
	if !ok {
		code, s.codeAlias = m["responsecode"], true
	}
	s.codeString = string(code) == `"1"`
	if string(code) != "1" && !s.codeString {
		t.Errorf("%s: response code %s, want 1", vehicle, code)
	}
	var bill map[string]json.RawMessage
	if err := json.Unmarshal(m["bill_fetch"], &bill); err != nil {
		t.Fatalf("%s: bill_fetch: %v", vehicle, err)
	}
	for _, k := range []string{"amount", "name", "duedate", "status", "message"} {
		checkPresent(t, vehicle, m, k)
	}
	for _, k := range []string{"billAmount", "billnetamount", "dueDate", "maxBillAmount",
		"acceptPayment", "acceptPartPay", "cellNumber", "userName"} {
		checkPresent(t, vehicle, bill, k)
	}
	s.amountNumber = checkAmount(t, vehicle, m["amount"])
	checkAmount(t, vehicle, bill["maxBillAmount"])
	s.boolString = string(bill["acceptPayment"])[0] == '"'
	checkText(t, vehicle, m["name"], nameRe)
	checkDue(t, vehicle, m["duedate"])
	if string(m["name"]) != string(bill["userName"]) || string(bill["cellNumber"]) != `"`+vehicle+`"` ||
		string(m["duedate"]) != string(bill["dueDate"]) || string(m["amount"]) != string(bill["billAmount"]) {
		t.Errorf("%s: bill_fetch disagrees with the top level: %s", vehicle, body)
	}
	return s
}

func checkPresent(t *testing.T, vehicle string, m map[string]json.RawMessage, key string) {
	t.Helper()
	if _, ok := m[key]; !ok {
		t.Errorf("%s: missing %q", vehicle, key)
	}
}

// checkAmount checks an amount is decimal text, as a string or a number, and
// reports whether it was a number.
func checkAmount(t *testing.T, vehicle string, raw json.RawMessage) bool {
	t.Helper()
	text, isNumber := string(raw), true
	if err := json.Unmarshal(raw, &text); err == nil {
		isNumber = false
	}
	if !decimalRe.MatchString(text) {
		t.Errorf("%s: amount %s is not decimal text", vehicle, raw)
	}
	return isNumber
}

func checkText(t *testing.T, vehicle string, raw json.RawMessage, re *regexp.Regexp) {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || !re.MatchString(s) {
		t.Errorf("%s: %s does not match %s", vehicle, raw, re)
	}
}

func checkDue(t *testing.T, vehicle string, raw json.RawMessage) {
	t.Helper()
	var s string
	_ = json.Unmarshal(raw, &s)
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Errorf("%s: due date %s: %v", vehicle, raw, err)
		return
	}
	today := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	if d.Before(today.AddDate(0, 0, -20)) || d.After(today.AddDate(0, 0, 40)) {
		t.Errorf("%s: due date %s outside -20..+40 days of today", vehicle, s)
	}
}

func TestGeneratedConsumersUseEveryLegalSpelling(t *testing.T) {
	h := sandbox.New(testOptions())
	var seen shape
	docStyle := false
	for i := range 300 {
		v := fmt.Sprintf("MH%02dAB%04d", i%50, i*37)
		rec := fetch(h, v)
		wantJSON(t, rec, http.StatusOK)
		s := checkGenerated(t, v, rec.Body.Bytes())
		seen.codeString = seen.codeString || s.codeString
		seen.codeAlias = seen.codeAlias || s.codeAlias
		seen.amountNumber = seen.amountNumber || s.amountNumber
		seen.boolString = seen.boolString || s.boolString
		docStyle = docStyle || s == shape{}
	}
	if seen != (shape{true, true, true, true}) || !docStyle {
		t.Errorf("300 numbers did not exercise every spelling: %+v, doc style %v", seen, docStyle)
	}
}

func TestDatedScenariosUseTheDocSpelling(t *testing.T) {
	h := sandbox.New(testOptions())
	for _, v := range []string{sandbox.VehicleOverdue, sandbox.VehicleDueSoon} {
		s := checkGenerated(t, v, fetch(h, v).Body.Bytes())
		if s != (shape{}) {
			t.Errorf("%s: fixed scenarios use the doc's spelling, got %+v", v, s)
		}
	}
}
